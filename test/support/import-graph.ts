import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module reachable from an entry: relative files it walks, bare specifiers it collects. */
export const importGraph = (entry: string) => {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
};

const NODE_ONLY = [
  'better-sqlite3',
  'nodemailer',
  '@hono/node-server',
  'fs',
  'path',
  'crypto',
  'http',
  'os',
  'child_process',
];

/** Bare specifiers that only exist in Node. */
export const nodeOnlyImports = (packages: Iterable<string>): string[] =>
  [...packages].filter(
    (name) => name.startsWith('node:') || NODE_ONLY.some((bad) => name === bad || name.startsWith(`${bad}/`)),
  );
