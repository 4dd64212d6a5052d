import { z } from 'zod';
import { genericProblems, type Operation, operations } from './operations.js';
import { type ProblemCode, problemCatalog } from './problems.js';
import { contractRegistry, queryIntegerBounds } from './schemas.js';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

const idOf = (schema: z.ZodType): string => {
  const meta = contractRegistry.get(schema);
  if (!meta) throw new Error('every operation schema must be registered in contractRegistry');
  return meta.id;
};

/** A wrong or replayed code is 401 while signing in (no session yet), 422 everywhere else. */
const statusOf = (op: Operation, code: ProblemCode): number =>
  op.operationId === 'verifySignIn' && (code === 'invalid_code' || code === 'code_already_used')
    ? 401
    : problemCatalog[code].status;

/** Headers of a problem response: Retry-After on 429 and on idempotency_in_progress (409), Allow on 405. */
const problemHeaders = (status: number, codes: ProblemCode[]): JsonObject | undefined => {
  if (status === 429 || codes.includes('idempotency_in_progress'))
    return { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };
  if (status === 405) return { Allow: { schema: { type: 'string' } } };
  return undefined;
};

const problemResponse = (op: Operation, codes: ProblemCode[]) => {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) {
    const status = statusOf(op, code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => {
        const headers = problemHeaders(status, list);
        return [
          String(status),
          {
            description: `Problem: ${list.join(', ')}`,
            content: { 'application/problem+json': { schema: ref('Problem') } },
            ...(headers ? { headers } : {}),
          },
        ];
      }),
  );
};

/** Headers of the success response: the user's ETag, and Idempotent-Replayed where a key can replay it. */
const successHeaders = (op: Operation): JsonObject | undefined => {
  const headers: JsonObject = {};
  if (op.success.etag) headers.ETag = { $ref: '#/components/headers/ETag' };
  if (op.idempotent) headers['Idempotent-Replayed'] = { $ref: '#/components/headers/IdempotentReplayed' };
  return Object.keys(headers).length ? headers : undefined;
};

const parametersOf = (op: Operation): JsonObject[] => {
  const params: JsonObject[] = [];
  for (const match of op.path.matchAll(/\{(\w+)\}/g)) {
    params.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (op.query) {
    for (const [name, field] of Object.entries(op.query.shape)) {
      // `limit` travels as a string but means a bounded integer: document what it means.
      const bounds = queryIntegerBounds[name];
      const schema: JsonObject = bounds
        ? { type: 'integer', ...bounds }
        : z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' });
      delete schema.$schema;
      params.push({ name, in: 'query', required: false, schema });
    }
  }
  if (op.conditional) params.push({ $ref: '#/components/parameters/IfMatch' });
  if (op.idempotent) params.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (op.csrf) params.push({ $ref: '#/components/parameters/CsrfToken' });
  return params;
};

const operationObject = (op: Operation): JsonObject => {
  const success: JsonObject = { description: op.success.status === 204 ? 'No content' : 'OK' };
  if (op.success.schema) success.content = { 'application/json': { schema: ref(idOf(op.success.schema)) } };
  const headers = successHeaders(op);
  if (headers) success.headers = headers;
  // internal_error: any operation can fail unexpectedly, and the server answers it as a problem too.
  const problems = [...new Set<ProblemCode>([...genericProblems(op), ...op.problems, 'internal_error'])];
  const parameters = parametersOf(op);
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    ...(op.access === 'public' ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            // A missing body counts as `{}`: required exactly when `{}` is not a valid body.
            required: !op.body.safeParse({}).success,
            content: { 'application/json': { schema: ref(idOf(op.body)) } },
          },
        }
      : {}),
    responses: { [String(op.success.status)]: success, ...problemResponse(op, problems) },
    'x-access': op.access,
    'x-stages': op.stages,
  };
};

/** The OpenAPI 3.1 document of the API, generated from the same schemas the server validates with. */
export const createOpenApiDocument = (options: { basePath?: string; version?: string } = {}): JsonObject => {
  const { schemas } = z.toJSONSchema(contractRegistry, {
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }) as { schemas: Record<string, JsonObject> };
  // `$id: "#/components/schemas/X"` is invalid JSON Schema 2020-12 (no non-empty fragment in $id);
  // the component's place in the document already names it.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }

  const paths: Record<string, JsonObject> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    (paths[op.path] as JsonObject)[op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Firm Security 2FA admin API',
      version: options.version ?? '1.0.0',
      description:
        'Administrators and the primary subscriber see every active user’s 2FA status and invite, remind, require or disable 2FA. Every error is application/problem+json (RFC 9457) with a stable `code`.',
    },
    servers: [{ url: options.basePath ?? '/api/v1' }],
    tags: [
      { name: 'session', description: 'Sign-in of the reference server' },
      { name: 'me', description: 'The signed-in user' },
      { name: 'firm', description: 'Firm Security (administrators and the primary subscriber)' },
    ],
    security: [{ sessionCookie: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'firm_session' },
      },
      parameters: {
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description:
            'The user version, `"3"` or `W/"3"` (or `*` for any), compared by number (weak comparison); 412 on mismatch.',
          schema: { type: 'string' },
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Scoped to the viewer. A repeat of the same request replays the stored response with Idempotent-Replayed: true; keys live 24 h.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
        CsrfToken: {
          name: 'X-CSRF-Token',
          in: 'header',
          required: true,
          description: 'The csrfToken of the session (from POST /session, POST /session/two-factor or GET /me).',
          schema: { type: 'string' },
        },
      },
      headers: {
        ETag: { description: 'Weak ETag of the user version: W/"<version>"', schema: { type: 'string' } },
        RetryAfter: { description: 'Seconds to wait', schema: { type: 'integer', minimum: 0 } },
        IdempotentReplayed: {
          description:
            '`true` when this is the stored response of an earlier request with the same Idempotency-Key (nothing was done again); absent otherwise.',
          schema: { type: 'string', enum: ['true'] },
        },
      },
    },
  };
};
