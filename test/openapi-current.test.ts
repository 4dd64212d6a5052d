import { readFileSync } from 'node:fs';
import { createOpenApiDocument } from '@firm-security/contract';
import { expect, it } from 'vitest';

it('docs/api/openapi.json is the document the schemas generate (rebuild @firm-security/contract to refresh it)', () => {
  const committed = JSON.parse(readFileSync(new URL('../docs/api/openapi.json', import.meta.url), 'utf8'));
  expect(committed).toEqual(createOpenApiDocument());
});
