// Prints the SDK's own size (both entry points together, ky and query-core external), minified and
// gzipped, and exits 1 above the budget in packages/sdk/size-budget.json. Also prints, for information,
// what a host ships for the whole kit (`@firm-security/elements/all.js` with lit, query-core and ky).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'vite';

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
    resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: true,
      lib: { entry, formats: ['es'], fileName: 'entry' },
      rollupOptions: { external: externals },
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
const kit = await bundle("import '@firm-security/elements/all.js';", { externals: [] });
console.log(
  `  whole kit, elements + sdk + lit + query-core + ky: min ${kb(kit.min)}  gzip ${kb(kit.gzip)}  (target 28 KB, checked by the benchmark issue)`,
);
const total = rows['both (what a host ships)'].gzip;
const verdict = total <= budget.maxGzipBytes ? 'within' : 'OVER';
console.log(`  budget: ${kb(total)} gzip of ${kb(budget.maxGzipBytes)}: ${verdict} budget`);
if (total > budget.maxGzipBytes) process.exit(1);
