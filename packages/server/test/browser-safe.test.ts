import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, nodeOnlyImports } from '../../../test/support/import-graph.js';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

describe('the server core (the package root entry)', () => {
  const { files, packages } = importGraph(resolve(src, 'index.ts'));

  it('imports no Node built-in and no Node-only package, so the mock can run it in a browser', () => {
    expect(nodeOnlyImports(packages)).toEqual([]);
  });

  it('does not reach into the Node folder', () => {
    expect([...files].filter((file) => file.includes('/node/'))).toEqual([]);
  });

  it('walks the real graph (the check above is not vacuous)', () => {
    expect(files.size).toBeGreaterThan(20);
    expect(packages).toContain('hono');
    expect(nodeOnlyImports(importGraph(resolve(src, 'node/index.ts')).packages)).toContain('better-sqlite3');
  });
});
