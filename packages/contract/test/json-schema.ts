import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

/** The document's base URI for ajv; refs in the document are fragment-only, so any absolute URI works. */
const BASE = 'https://firm-security.test/openapi.json';

/** RFC 3339 date-time in UTC, as the contract's `timestamp` promises (ajv has no formats built in). */
const isUtcDateTime = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(value) && !Number.isNaN(Date.parse(value));

export interface DocumentValidator {
  /** Validates `value` against `#/components/schemas/<name>` of the document. */
  validate(name: string, value: unknown): { valid: boolean; errors: ErrorObject[] };
  /** Validates `value` against any JSON Pointer into the document, e.g. a response schema. */
  validateAt(pointer: string, value: unknown): { valid: boolean; errors: ErrorObject[] };
}

/**
 * Compiles the component schemas of an OpenAPI 3.1 document with ajv's JSON Schema 2020-12 dialect
 * (the dialect OpenAPI 3.1 uses), resolving the document's own `#/components/schemas/...` refs.
 * Strict mode stays on, so a keyword ajv does not know is an error, not silently ignored.
 */
export const documentValidator = (document: Record<string, unknown>): DocumentValidator => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('date-time', isUtcDateTime);
  // The document's top-level keys are not schema keywords; everything below them is.
  for (const keyword of ['openapi', 'info', 'servers', 'tags', 'security', 'paths', 'components']) {
    ajv.addKeyword(keyword);
  }
  ajv.addSchema({ $id: BASE, ...structuredClone(document) });
  const validateAt = (pointer: string, value: unknown) => {
    const validate = ajv.getSchema(`${BASE}#${pointer}`);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    const valid = validate(value) as boolean;
    return { valid, errors: validate.errors ?? [] };
  };
  return {
    validateAt,
    validate: (name, value) => validateAt(`/components/schemas/${name}`, value),
  };
};
