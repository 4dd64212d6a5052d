// Tidies the analyzer's output: events it guessed from `dispatchEvent(new SomeEvent(arg))` calls (named
// after the argument) are dropped in favour of the documented `@event` tags, and Lit's static
// plumbing is not listed as API.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../custom-elements.json', import.meta.url);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
for (const module of manifest.modules) {
  for (const declaration of module.declarations ?? []) {
    if (declaration.events) declaration.events = declaration.events.filter((event) => event.description);
    if (declaration.members) {
      declaration.members = declaration.members.filter(
        (member) => !['shadowRootOptions', 'styles', 'properties'].includes(member.name),
      );
    }
  }
}
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
