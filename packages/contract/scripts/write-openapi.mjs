// Writes dist/openapi.json from the built schemas, so the document is generated, never hand-written.
import { writeFileSync } from 'node:fs';
import { createOpenApiDocument } from '../dist/index.js';

writeFileSync(
  new URL('../dist/openapi.json', import.meta.url),
  `${JSON.stringify(createOpenApiDocument(), null, 2)}\n`,
);
