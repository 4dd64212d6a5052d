// Writes the OpenAPI document generated from the built schemas: dist/openapi.json for the package,
// and docs/api/openapi.json (committed, linked from the docs; a test checks it is current).
import { writeFileSync } from 'node:fs';
import { createOpenApiDocument } from '../dist/index.js';

const text = `${JSON.stringify(createOpenApiDocument(), null, 2)}\n`;
writeFileSync(new URL('../dist/openapi.json', import.meta.url), text);
writeFileSync(new URL('../../../docs/api/openapi.json', import.meta.url), text);
