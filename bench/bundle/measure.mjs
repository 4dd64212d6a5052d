// Bundle sizes as a host app ships them: one vite production build (rolldown, oxc minifier) of an entry
// module, resolved with the default browser conditions, so our packages come from their published
// `dist` like any dependency. Reports what a page downloads at startup, the lazy chunks beside it, and
// a per-package breakdown of the minified code read off the output's source map.
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

/** The bench folder: its node_modules holds the peers and links our packages. */
export const benchRoot = fileURLToPath(new URL('..', import.meta.url));

// The entry lives in memory, at a path inside the root, so bare imports resolve from the bench folder.
const ENTRY_FILE = '__bundle_entry__.js';

/** min = UTF-8 bytes; gzip at level 9, brotli at quality 11, as a CDN or a pre-compressing host serves it. */
export const compressedSizes = (text) => {
  const bytes = Buffer.from(text);
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
};

const NO_BYTES = { min: 0, gzip: 0, brotli: 0 };
const addSizes = (list) =>
  list.reduce(
    (sum, size) => ({ min: sum.min + size.min, gzip: sum.gzip + size.gzip, brotli: sum.brotli + size.brotli }),
    NO_BYTES,
  );

const entryPlugin = (entryPath, code) => ({
  name: 'firm-bench-entry',
  enforce: 'pre',
  resolveId: (id) => (id === entryPath ? entryPath : null),
  load: (id) => (id === entryPath ? code : null),
});

const bundle = async (code, root) => {
  const entryPath = `${root.replace(/\/$/, '')}/${ENTRY_FILE}`;
  const result = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    // No `source` condition: the defaults (browser, module, import, default) pick each package's dist.
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [entryPlugin(entryPath, code)],
    build: {
      write: false,
      minify: true,
      copyPublicDir: false,
      reportCompressedSize: false,
      // Hidden: the map is only read here to attribute bytes; the code carries no sourceMappingURL.
      sourcemap: 'hidden',
      rolldownOptions: { input: entryPath, output: { format: 'es' } },
    },
  });
  return (Array.isArray(result) ? result[0] : result).output;
};

// The entry chunk plus everything it imports statically: what the browser fetches before first render.
const startupChunks = (chunks) => {
  const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const seen = new Set();
  const visit = (chunk) => {
    if (!chunk || seen.has(chunk)) return;
    seen.add(chunk);
    for (const file of chunk.imports) visit(byFile.get(file));
  };
  for (const chunk of chunks) if (chunk.isEntry) visit(chunk);
  return seen;
};

// CSS files the startup chunks pull in (vite extracts imported .css into assets).
const startupCss = (output, startup) => {
  const files = new Set([...startup].flatMap((chunk) => [...(chunk.viteMetadata?.importedCss ?? [])]));
  return output.filter((item) => item.type === 'asset' && files.has(item.fileName));
};

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_DIGIT = new Map([...BASE64].map((char, index) => [char, index]));

// One source-map segment ("AAAA") into its signed fields.
const decodeSegment = (segment) => {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64_DIGIT.get(char);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      fields.push(value % 2 ? -Math.floor(value / 2) : value / 2);
      value = 0;
      shift = 0;
    }
  }
  return fields;
};

// Splits minified code into runs owned by an original source (index into map.sources, or null where
// unmapped): each mapping segment owns the code from its column up to the next segment, across line
// ends, since lit's multi-line html/css template literals leave lines with no segment of their own.
// Columns are UTF-16 offsets, the same unit as String#slice.
export function* sourceRuns(code, map) {
  const lines = code.split('\n');
  const mappingLines = map.mappings.split(';');
  let source = 0;
  let owner = null;
  for (const [index, line] of lines.entries()) {
    let column = 0;
    let start = 0;
    for (const segment of (mappingLines[index] ?? '').split(',')) {
      if (!segment) continue;
      const fields = decodeSegment(segment);
      column += fields[0];
      if (column > start) yield { source: owner, text: line.slice(start, column) };
      start = Math.max(start, column);
      if (fields.length >= 4) source += fields[1];
      owner = fields.length >= 4 ? source : null;
    }
    const newline = index < lines.length - 1 ? '\n' : '';
    yield { source: owner, text: line.slice(start) + newline };
  }
}

/**
 * The npm package a source path belongs to: the last node_modules segment (pnpm nests them), or
 * @firm-security/<x> for this repo's packages/<x>. Anything else is the host entry or bundler code.
 */
export const packageOf = (source) => {
  if (source === null) return '(unmapped: bundler runtime)';
  const modules = source.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = source.slice(modules + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const workspace = /(?:^|\/)packages\/([^/]+)\//.exec(source);
  if (workspace) return `@firm-security/${workspace[1]}`;
  if (source.endsWith(ENTRY_FILE)) return '(host entry)';
  return '(bundler runtime)';
};

// Each package's minified code, gathered across the startup chunks.
const codeByPackage = (chunks) => {
  const parts = new Map();
  for (const chunk of chunks) {
    for (const run of sourceRuns(chunk.code, chunk.map)) {
      const name = packageOf(run.source === null ? null : chunk.map.sources[run.source]);
      if (!parts.has(name)) parts.set(name, []);
      parts.get(name).push(run.text);
    }
  }
  return new Map([...parts].map(([name, texts]) => [name, texts.join('')]));
};

/**
 * Bundles `entryCode` (a module's source) as a host app would and measures it.
 * - total: the startup files (entry chunk, its static imports, their CSS), each compressed on its own
 *   as it is served, summed.
 * - packages: per npm package, its share of the startup minified bytes and that code compressed
 *   alone. Compressed alone, a package loses the window it shares with the rest of the bundle, so
 *   these gzip/brotli figures are standalone and sum to more than the total.
 * - lazy: chunks only reached through import() (e.g. a locale), not in the total.
 */
export const measureBundle = async (entryCode, { root = benchRoot } = {}) => {
  const output = await bundle(entryCode, root);
  const chunks = output.filter((item) => item.type === 'chunk');
  const startup = startupChunks(chunks);
  const css = startupCss(output, startup);
  const packages = [...codeByPackage(startup)].map(([name, code]) => ({ name, ...compressedSizes(code) }));
  for (const asset of css) packages.push({ name: `(css ${asset.fileName})`, ...compressedSizes(asset.source) });
  return {
    total: addSizes(
      [...[...startup].map((chunk) => chunk.code), ...css.map((asset) => asset.source)].map(compressedSizes),
    ),
    packages: packages.sort((a, b) => b.min - a.min),
    lazy: chunks
      .filter((chunk) => !startup.has(chunk))
      .map((chunk) => {
        const { min, gzip } = compressedSizes(chunk.code);
        return { file: chunk.fileName, min, gzip };
      }),
  };
};
