// Minifies the text of Lit `css` and `html` templates in dist/ after tsc, keeping the source maps true.
// Bundlers minify code but never the contents of template literals, so without this step every host
// ships our indentation, and each template's whitespace-only text nodes are created in the DOM for every row.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import remapping from '@jridgewell/remapping';
import { Parser } from 'acorn';
import { transform } from 'lightningcss';
import MagicString from 'magic-string';

const dist = new URL('../dist/', import.meta.url).pathname;

/** CSS: lightningcss minifies; the sheets have no `${}` holes (checked, else the template is left alone). */
const minifyCss = (text, file) => {
  const { code } = transform({ filename: file, code: Buffer.from(text), minify: true });
  return code.toString();
};

/**
 * HTML: whitespace that contains a line break is indentation. Between two tags it goes; anywhere else
 * (beside text or a `${}` hole) it becomes one space, which HTML would have rendered anyway.
 */
const minifyHtmlPart = (raw, isFirst, isLast) => {
  let text = raw.replace(/>\s*\n\s*</g, '><').replace(/\s*\n\s*/g, ' ');
  if (isFirst) text = text.replace(/^\s+</, '<');
  if (isLast) text = text.replace(/>\s+$/, '>');
  return text;
};

const walk = (node, visit) => {
  if (!node || typeof node.type !== 'string') return;
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const child of value) walk(child, visit);
    else if (value && typeof value === 'object' && typeof value.type === 'string') walk(value, visit);
  }
};

const minifyFile = (path) => {
  const source = readFileSync(path, 'utf8');
  const ast = Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  const edited = new MagicString(source);
  let changed = false;
  walk(ast, (node) => {
    if (node.type !== 'TaggedTemplateExpression' || node.tag.type !== 'Identifier') return;
    const { quasis } = node.quasi;
    if (node.tag.name === 'css' && quasis.length === 1) {
      const [quasi] = quasis;
      if (quasi.value.cooked == null) return;
      const css = minifyCss(quasi.value.cooked, path);
      edited.overwrite(
        quasi.start,
        quasi.end,
        css.replace(/[\\`]|\$\{/g, (match) => `\\${match}`),
      );
      changed = true;
    } else if (node.tag.name === 'html' || node.tag.name === 'svg') {
      quasis.forEach((quasi, index) => {
        const text = minifyHtmlPart(quasi.value.raw, index === 0, index === quasis.length - 1);
        if (text === quasi.value.raw) return;
        if (quasi.end > quasi.start) edited.overwrite(quasi.start, quasi.end, text);
        changed = true;
      });
    }
  });
  if (!changed) return 0;
  const before = source.length;
  const code = edited.toString();
  const mapPath = `${path}.map`;
  const tscMap = JSON.parse(readFileSync(mapPath, 'utf8'));
  const ownMap = edited.generateMap({ hires: true, source: path, includeContent: false });
  // Chain: minified dist -> tsc's dist -> src/*.ts.
  const map = remapping(ownMap.toString(), (file) => (file === path ? tscMap : null));
  map.file = tscMap.file;
  map.sources = map.sources.map((source) => relative(dirname(path), source));
  writeFileSync(path, code);
  writeFileSync(mapPath, JSON.stringify(map));
  return before - code.length;
};

const files = readdirSync(dist, { recursive: true })
  .filter((name) => name.endsWith('.js'))
  .map((name) => join(dist, name));
let saved = 0;
for (const file of files) saved += minifyFile(file);
console.log(`minify-templates: ${saved} bytes of template whitespace removed from ${files.length} files`);
