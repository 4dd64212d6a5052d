import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module reachable from an entry: relative files it walks, bare specifiers it collects. */
const importGraph = (entry: string) => {
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
  visit(resolve(src, entry));
  return { files, packages };
};

describe('the server core (the package root entry)', () => {
  const { files, packages } = importGraph('index.ts');

  it('imports no Node built-in and no Node-only package, so the mock can run it in a browser', () => {
    const nodeOnly = [...packages].filter(
      (name) =>
        name.startsWith('node:') ||
        ['better-sqlite3', 'nodemailer', '@hono/node-server', 'fs', 'path', 'crypto', 'http'].some(
          (bad) => name === bad || name.startsWith(`${bad}/`),
        ),
    );
    expect(nodeOnly).toEqual([]);
  });

  it('does not reach into the Node folder', () => {
    expect([...files].filter((file) => file.includes('/node/'))).toEqual([]);
  });

  it('walks the real graph (the check above is not vacuous)', () => {
    expect(files.size).toBeGreaterThan(20);
    expect(packages).toContain('hono');
    expect(importGraph('node/index.ts').packages).toContain('better-sqlite3');
  });
});
