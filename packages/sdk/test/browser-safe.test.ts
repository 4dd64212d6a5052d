import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, nodeOnlyImports } from '../../../test/support/import-graph.js';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

describe.each(['index.ts', 'query/index.ts'])('the SDK entry %s', (entry) => {
  const { files, packages } = importGraph(resolve(src, entry));

  it('imports no Node built-in and nothing server-side (no otplib, no zod, no server package)', () => {
    expect(nodeOnlyImports(packages)).toEqual([]);
    const serverSide = [...packages].filter((name) => /otplib|^zod|@firm-security\/server|hono/.test(name));
    expect(serverSide).toEqual([]);
  });

  it('walks the real graph (the check above is not vacuous)', () => {
    expect(files.size).toBeGreaterThan(1);
    expect([...packages].some((name) => name.startsWith('@firm-security/contract'))).toBe(true);
  });
});
