// The two size gates of npm test; exits 1 when either is over its budget:
// - the SDK's own size (both entry points together, ky and query-core external), minified as a host's
//   production build minifies it (whitespace too, unlike a library build) and gzipped, against
//   packages/sdk/size-budget.json;
// - what a host ships for the table: <firm-security-table> + SDK + every dependency, built as
//   bench/bundle.mjs builds it (vite production build of the published dist), against
//   bench/bundle-budget.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'vite';
import { LEGEND, sizeTable } from '../bench/bundle/format.mjs';
import { measureBundle } from '../bench/bundle/measure.mjs';
import { ours } from '../bench/bundle/products.mjs';

const root = new URL('..', import.meta.url).pathname;
const budget = JSON.parse(readFileSync(new URL('../packages/sdk/size-budget.json', import.meta.url), 'utf8'));
const external = ['ky', '@tanstack/query-core'];

const scratch = `${root}node_modules/.cache/size-sdk`;
mkdirSync(scratch, { recursive: true });

const bundle = async (code, { externals = external } = {}) => {
  const entry = `${scratch}/entry.js`;
  writeFileSync(entry, code);
  const result = await build({
    root,
    logLevel: 'silent',
    configFile: false,
    // The published dist (npm test builds first), as a host resolves it.
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: true,
      lib: { entry, formats: ['es'], fileName: 'entry' },
      // A library build keeps whitespace and annotations for the next bundler; a host's production build
      // removes them, so the budget counts the SDK as the host ships it.
      rolldownOptions: { external: externals, output: { minify: true, comments: false } },
    },
  });
  const output = (Array.isArray(result) ? result[0] : result).output;
  // Entry chunks only: a locale loaded on demand (fr-CA) is not part of what every page downloads.
  const text = output
    .filter((chunk) => chunk.type === 'chunk' && chunk.isEntry)
    .map((chunk) => chunk.code)
    .join('\n');
  return {
    min: Buffer.byteLength(text),
    gzip: gzipSync(text, { level: 9 }).length,
    brotli: brotliCompressSync(text).length,
  };
};

const rows = {
  '@firm-security/sdk': await bundle("export * from '@firm-security/sdk';"),
  '@firm-security/sdk/query': await bundle("export * from '@firm-security/sdk/query';"),
  'both (what a host ships)': await bundle(
    "export * from '@firm-security/sdk'; export * from '@firm-security/sdk/query';",
  ),
};
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
console.log('SDK size, own code only (ky and @tanstack/query-core external)');
for (const [name, size] of Object.entries(rows)) {
  console.log(
    `  ${name.padEnd(28)} min ${kb(size.min).padStart(9)}  gzip ${kb(size.gzip).padStart(8)}  brotli ${kb(size.brotli).padStart(8)}`,
  );
}
const total = rows['both (what a host ships)'].gzip;
const verdict = total <= budget.maxGzipBytes ? 'within' : 'OVER';
console.log(`  budget: ${kb(total)} gzip of ${kb(budget.maxGzipBytes)}: ${verdict} budget`);
const sdkOver = total > budget.maxGzipBytes;

// The host bundle, from the published dist (run after the build), exactly as the benchmark measures it.
const kitBudget = JSON.parse(readFileSync(new URL('../bench/bundle-budget.json', import.meta.url), 'utf8'));
const host = await measureBundle(ours.entry);
const kitOver = host.total.gzip > kitBudget.maxGzipBytes;
const goalMet = host.total.gzip <= kitBudget.goalGzipBytes;
console.log(`\nHost bundle: ${ours.label} and their dependencies (vite production build, as bench/bundle.mjs)`);
console.log(sizeTable(host));
console.log(LEGEND.replace(/^/gm, '  '));
console.log(
  `  whole kit, table + sdk + dependencies: min ${kb(host.total.min)}  gzip ${kb(host.total.gzip)}  brotli ${kb(host.total.brotli)}`,
);
console.log(
  `  goal (issue 6): ${kb(host.total.gzip)} gzip of ${kb(kitBudget.goalGzipBytes)}: ${goalMet ? 'met' : 'NOT met'}`,
);
console.log(
  `  budget (bench/bundle-budget.json, a ratchet down to the goal): ${kb(host.total.gzip)} gzip of ${kb(kitBudget.maxGzipBytes)}: ${kitOver ? 'OVER' : 'within'} budget`,
);
if (sdkOver || kitOver) process.exit(1);
