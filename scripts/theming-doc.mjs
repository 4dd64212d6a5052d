// Generates docs/theming.md from the elements' custom-elements.json: the CSS custom properties and the
// parts of every element, as their JSDoc declares them. `node scripts/theming-doc.mjs` rewrites it; a
// test fails when the committed page is stale.
import { readFileSync, writeFileSync } from 'node:fs';

const manifestUrl = new URL('../packages/elements/custom-elements.json', import.meta.url);
const docUrl = new URL('../docs/theming.md', import.meta.url);

const cell = (text = '') => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The page for a manifest: one section per element with its properties and parts. */
export const renderThemingDoc = (manifest) => {
  const lines = [
    '# Theming reference',
    '',
    '<!-- Generated from packages/elements/custom-elements.json by scripts/theming-doc.mjs; do not edit. -->',
    '',
    'Every element reads the public `--firm-*` custom properties below and exposes the parts below to',
    '`::part()`. Theme files (`@firm-security/elements/themes/light.css`, `dark.css`) set only these',
    'properties; see [the elements guide](elements.md#theming).',
    '',
  ];
  const declarations = manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .filter((declaration) => declaration.tagName)
    .sort((a, b) => a.tagName.localeCompare(b.tagName));
  for (const element of declarations) {
    lines.push(`## \`<${element.tagName}>\``, '', cell(element.summary ?? element.description ?? ''), '');
    const properties = element.cssProperties ?? [];
    const parts = element.cssParts ?? [];
    if (properties.length) {
      lines.push('| CSS custom property | what it styles |', '|---|---|');
      for (const property of properties) lines.push(`| \`${property.name}\` | ${cell(property.description)} |`);
      lines.push('');
    }
    if (parts.length) {
      lines.push('| part | what it is |', '|---|---|');
      for (const part of parts) lines.push(`| \`${part.name}\` | ${cell(part.description)} |`);
      lines.push('');
    }
    if (!properties.length && !parts.length) lines.push('No element-specific properties or parts.', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
};

export const readManifest = () => JSON.parse(readFileSync(manifestUrl, 'utf8'));

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(docUrl, renderThemingDoc(readManifest()));
  console.log('wrote docs/theming.md');
}
