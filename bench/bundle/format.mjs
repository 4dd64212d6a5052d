// Plain-text tables of measureBundle() results, shared by bench/bundle.mjs and scripts/size.mjs.

/** KB as 1024 bytes, the unit of the budget. */
export const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

const row = (name, size, width) =>
  `  ${name.padEnd(width)} ${kb(size.min).padStart(10)} ${kb(size.gzip).padStart(10)} ${kb(size.brotli).padStart(10)}`;

/** package | min | gzip | brotli, then the total, then the lazy chunks. */
export const sizeTable = (result) => {
  const width = Math.max(20, ...result.packages.map((pkg) => pkg.name.length));
  const lines = [
    `  ${'package'.padEnd(width)} ${'min'.padStart(10)} ${'gzip'.padStart(10)} ${'brotli'.padStart(10)}`,
    ...result.packages.map((pkg) => row(pkg.name, pkg, width)),
    row('total (startup files)', result.total, width),
  ];
  for (const chunk of result.lazy) {
    lines.push(`  lazy, not in total: ${chunk.file} ${kb(chunk.min)} min, ${kb(chunk.gzip)} gzip`);
  }
  return lines.join('\n');
};

export const LEGEND = [
  "Per-package gzip and brotli compress that package's code alone: standalone figures, which sum to more",
  'than the total (one file compresses in one shared window). Per-package min bytes are exact and sum to',
  "the total's min. (unmapped: bundler runtime) is vite's preload helper, emitted for a dynamic import().",
].join('\n');
