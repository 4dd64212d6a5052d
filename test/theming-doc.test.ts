import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { readManifest, renderThemingDoc } from '../scripts/theming-doc.mjs';

const manifest = new URL('../packages/elements/custom-elements.json', import.meta.url);

it('docs/theming.md is generated from the current custom-elements.json (run node scripts/theming-doc.mjs)', () => {
  expect(existsSync(manifest), 'custom-elements.json is a build output: run pnpm run build first').toBe(true);
  const committed = readFileSync(new URL('../docs/theming.md', import.meta.url), 'utf8');
  const generated: string = renderThemingDoc(readManifest());
  expect(generated).toContain('`<firm-security-table>`');
  expect(generated).toContain('--firm-row-height');
  expect(committed).toBe(generated);
});
