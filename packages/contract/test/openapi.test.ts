import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AuditEventSchema,
  BackupCodesSchema,
  contractRegistry,
  createOpenApiDocument,
  DisableRequestSchema,
  EventPageSchema,
  FirmUserSchema,
  genericProblems,
  type Operation,
  operations,
  PermissionSchema,
  ProblemSchema,
  problemCatalog,
  problemCodes,
  problemType,
  SignInRequestSchema,
  UserPageSchema,
  VerifyRequestSchema,
  ViewerSchema,
} from '../src/index.js';
import { documentValidator } from './json-schema.js';

type Json = Record<string, any>;

const doc = createOpenApiDocument() as Json;
const ops = operations as readonly Operation[];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every (path, method) of the document, with its operation object. */
const documented = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ path, method, operation: item[method] as Json })),
);

/** Resolves a local JSON Pointer reference (`#/a/b`) in the document, or undefined. */
const resolvePointer = (root: unknown, ref: string): unknown => {
  if (!ref.startsWith('#/')) return undefined;
  let node: any = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
};

/** Every `$ref` value in a JSON tree, with where it sits. */
const refsIn = (node: unknown, at = '#'): { at: string; ref: string }[] => {
  if (Array.isArray(node)) return node.flatMap((child, i) => refsIn(child, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ at, ref: value }] : refsIn(value, `${at}/${key}`),
  );
};

const idOf = (schema: z.ZodType) => contractRegistry.get(schema)?.id;

describe('the generated OpenAPI document', () => {
  it('is valid OpenAPI 3.1 according to @readme/openapi-parser', async () => {
    // The parser dereferences in place: give it a deep copy so the original stays untouched.
    const copy = structuredClone(doc);
    const result = await validate(copy as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.specification).toBe('OpenAPI');
    expect(doc.openapi).toBe('3.1.0');
    // The copy was used, not the original.
    expect(createOpenApiDocument()).toEqual(doc);
  });

  it('is plain JSON (survives a JSON round trip unchanged)', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('lists exactly the operations of the contract table, once each', () => {
    const fromDoc = documented.map(({ path, method, operation }) => `${method} ${path} ${operation.operationId}`);
    const fromTable = ops.map((op) => `${op.method} ${op.path} ${op.operationId}`);
    expect(fromDoc.sort()).toEqual(fromTable.sort());
    const ids = documented.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('honours the base path option in servers', () => {
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect((createOpenApiDocument({ basePath: '/security/api' }) as Json).servers).toEqual([{ url: '/security/api' }]);
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(50);
    const broken = refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('has no component schema with a fragment $id (JSON Schema 2020-12 forbids non-empty fragments)', () => {
    const withFragmentId = Object.entries(doc.components.schemas as Json)
      .filter(([, schema]) => typeof schema.$id === 'string' && /#./.test(schema.$id))
      .map(([name]) => name);
    expect(withFragmentId).toEqual([]);
  });

  it('has a component schema for every registered zod schema, and nothing else', () => {
    const registered = ops.flatMap((op) => [op.body, op.success.schema]).filter((s): s is z.ZodType => !!s);
    for (const schema of registered) expect(doc.components.schemas).toHaveProperty(idOf(schema) as string);
    for (const name of ['Problem', 'ProblemCode', 'FirmUser', 'Viewer', 'AuditEvent', 'Permission']) {
      expect(doc.components.schemas).toHaveProperty(name);
    }
  });

  describe.each(ops.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s', (_, op) => {
    const operation = doc.paths[op.path][op.method] as Json;

    it('has its operationId, a summary, a tag, and declares its path parameters', () => {
      expect(operation.operationId).toBe(op.operationId);
      expect(operation.summary).toBeTruthy();
      expect(operation.tags).toEqual([op.tag]);
      const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = ((operation.parameters ?? []) as Json[]).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name)).toEqual(pathParams);
      for (const param of declared) expect(param.required).toBe(true);
    });

    it('documents its success response with the registered schema', () => {
      const success = operation.responses[String(op.success.status)];
      expect(success).toBeDefined();
      if (op.success.schema) {
        expect(success.content['application/json'].schema).toEqual({
          $ref: `#/components/schemas/${idOf(op.success.schema)}`,
        });
      } else {
        expect(success.content).toBeUndefined();
      }
      if (op.success.etag) expect(success.headers?.ETag).toEqual({ $ref: '#/components/headers/ETag' });
      // A repeat with the same Idempotency-Key answers the stored response with Idempotent-Replayed: true.
      expect(success.headers?.['Idempotent-Replayed']).toEqual(
        op.idempotent ? { $ref: '#/components/headers/IdempotentReplayed' } : undefined,
      );
      const successes = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
      expect(successes).toEqual([String(op.success.status)]);
    });

    it('documents its request body with the registered schema', () => {
      if (!op.body) {
        expect(operation.requestBody).toBeUndefined();
        return;
      }
      expect(operation.requestBody.content['application/json'].schema).toEqual({
        $ref: `#/components/schemas/${idOf(op.body)}`,
      });
    });

    it('documents every problem it can answer as application/problem+json of the Problem schema', () => {
      const problems = new Set([...genericProblems(op), ...op.problems]);
      for (const code of problems) {
        // A wrong or replayed code is 401 while signing in, 422 on every other code-taking call.
        const codeCheck = code === 'invalid_code' || code === 'code_already_used';
        const statuses = codeCheck ? [op.operationId === 'verifySignIn' ? 401 : 422] : [problemCatalog[code].status];
        for (const status of statuses) {
          const response = operation.responses[String(status)];
          expect(response, `${code} -> ${status}`).toBeDefined();
          expect(response.description).toContain(code);
        }
      }
      const errorStatuses = Object.keys(operation.responses).filter((s) => !s.startsWith('2'));
      expect(errorStatuses.length).toBeGreaterThan(0);
      for (const status of errorStatuses) {
        const response = operation.responses[status];
        expect(Object.keys(response.content)).toEqual(['application/problem+json']);
        expect(response.content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
        if (status === '429') expect(response.headers['Retry-After']).toBeDefined();
        // idempotency_in_progress (409) tells the client when to retry too.
        if (status === '409' && op.idempotent) expect(response.headers['Retry-After']).toBeDefined();
        if (status === '405') expect(response.headers.Allow).toBeDefined();
      }
    });

    it('declares the headers the operation takes', () => {
      const refs = ((operation.parameters ?? []) as Json[]).map((p) => p.$ref).filter(Boolean);
      expect(refs.includes('#/components/parameters/CsrfToken')).toBe(op.csrf);
      expect(refs.includes('#/components/parameters/IdempotencyKey')).toBe(op.idempotent);
      expect(refs.includes('#/components/parameters/IfMatch')).toBe(op.conditional);
      expect(operation.security).toEqual(op.access === 'public' ? [] : undefined);
    });
  });

  it('mentions every problem code of the catalog in some operation response', () => {
    const descriptions = documented.flatMap(({ operation }) =>
      Object.values(operation.responses as Json).map((r) => String(r.description)),
    );
    const words = new Set(descriptions.flatMap((d) => d.replace(/^Problem:\s*/, '').split(/,\s*/)));
    const missing = problemCodes.filter((code) => !words.has(code));
    expect(missing).toEqual([]);
  });

  it('lists every problem code in the ProblemCode enum', () => {
    expect([...doc.components.schemas.ProblemCode.enum].sort()).toEqual([...problemCodes].sort());
  });

  it('documents the query parameters of the list endpoints with their bounds', () => {
    const params = Object.fromEntries(
      (doc.paths['/firm/users'].get.parameters as Json[]).filter((p) => p.in === 'query').map((p) => [p.name, p]),
    );
    expect(Object.keys(params).sort()).toEqual(['cursor', 'limit', 'requirement', 'search', 'sort', 'status']);
    expect(params.sort?.schema.enum).toEqual(['name', '-name', 'email', '-email', 'status', '-status']);
    expect(params.status?.schema.enum).toEqual(['enabled', 'invited', 'not_enabled']);
    expect(params.requirement?.schema.enum).toEqual(['required', 'not_required', 'not_available']);
    const events = (doc.paths['/firm/events'].get.parameters as Json[]).map((p) => p.name).sort();
    expect(events).toEqual(['cursor', 'limit', 'targetId']);
  });
});

// ---- the JSON schemas of the document agree with the zod schemas the server validates with ----

const at = '2026-11-28T12:00:00.000Z';
const firmUser = {
  id: 'usr_1',
  name: 'Grace Kim',
  email: 'grace.kim@hartwell-reyes.test',
  role: 'user',
  isPrimarySubscriber: false,
  twoFactor: { status: 'invited', enabledAt: null, backupCodesRemaining: null },
  invitation: { sentAt: at, reminderCount: 2, lastReminderAt: at },
  requirement: { status: 'not_required', reason: null },
  lastSignInAt: null,
  version: 3,
  allowedActions: {
    invite: { allowed: false, reason: 'already_invited' },
    remind: { allowed: false, reason: 'reminder_too_soon', retryAt: at },
    setRequirement: { allowed: true },
    disableTwoFactor: { allowed: false, reason: 'two_factor_not_enabled' },
  },
};
const viewer = {
  user: {
    id: 'usr_0',
    name: 'Morgan Hartwell',
    email: 'morgan.hartwell@hartwell-reyes.test',
    role: 'administrator',
    isPrimarySubscriber: true,
    twoFactor: { status: 'enabled', enabledAt: at, backupCodesRemaining: 10 },
  },
  session: { stage: 'complete', csrfToken: 'tok', verifiedAt: at },
  permissions: { viewFirmSecurity: { allowed: true }, disableTwoFactor: { allowed: true } },
};
const event = {
  id: 'evt_1',
  at,
  action: 'two_factor.invited',
  actor: { id: 'usr_0', name: 'Morgan Hartwell' },
  target: { id: 'usr_1', name: 'Grace Kim' },
  details: { any: ['thing'] },
};
const problemBody = {
  type: problemType('validation_failed'),
  title: 'Validation failed',
  status: 422,
  detail: 'The request is not valid.',
  code: 'validation_failed',
  errors: [{ path: '/code', message: 'must be 6 digits' }],
};

/** [component name, zod schema, value, expected validity]. */
const cases: [string, z.ZodType, unknown, boolean][] = [
  ['FirmUser', FirmUserSchema, firmUser, true],
  ['FirmUser', FirmUserSchema, { ...firmUser, twoFactor: { ...firmUser.twoFactor, status: 'on' } }, false],
  ['FirmUser', FirmUserSchema, { ...firmUser, extra: 1 }, false],
  ['FirmUser', FirmUserSchema, { ...firmUser, invitation: null }, true],
  ['FirmUser', FirmUserSchema, { ...firmUser, version: 0 }, false],
  ['FirmUser', FirmUserSchema, { ...firmUser, version: 1.5 }, false],
  ['FirmUser', FirmUserSchema, { ...firmUser, lastSignInAt: '2026-11-28T12:00:00+01:00' }, false],
  ['FirmUser', FirmUserSchema, { ...firmUser, lastSignInAt: 'yesterday' }, false],
  ['FirmUser', FirmUserSchema, { ...firmUser, lastSignInAt: '2026-11-28T12:00:00Z' }, true],
  ['FirmUser', FirmUserSchema, Object.fromEntries(Object.entries(firmUser).filter(([k]) => k !== 'version')), false],
  ['FirmUser', FirmUserSchema, { ...firmUser, requirement: { status: 'not_available', reason: 'nope' } }, false],
  ['Permission', PermissionSchema, { allowed: true }, true],
  ['Permission', PermissionSchema, { allowed: true, reason: 'forbidden' }, false],
  ['Permission', PermissionSchema, { allowed: false }, false],
  ['Permission', PermissionSchema, { allowed: false, reason: 'not_a_code' }, false],
  ['Permission', PermissionSchema, { allowed: false, reason: 'forbidden' }, true],
  ['Viewer', ViewerSchema, viewer, true],
  ['Viewer', ViewerSchema, { ...viewer, session: { ...viewer.session, stage: 'done' } }, false],
  ['Viewer', ViewerSchema, { ...viewer, user: { ...viewer.user, password: 'x' } }, false],
  ['AuditEvent', AuditEventSchema, event, true],
  ['AuditEvent', AuditEventSchema, { ...event, actor: null, target: null }, true],
  ['AuditEvent', AuditEventSchema, { ...event, action: 'two_factor.exploded' }, false],
  ['EventPage', EventPageSchema, { items: [event], nextCursor: null }, true],
  ['EventPage', EventPageSchema, { items: [event] }, false],
  [
    'UserPage',
    UserPageSchema,
    {
      items: [firmUser],
      nextCursor: 'abc',
      total: 1,
      summary: { total: 1, enabled: 0, invited: 1, notEnabled: 0, required: 0, notAvailable: 0 },
    },
    true,
  ],
  ['UserPage', UserPageSchema, { items: [], nextCursor: null, total: -1, summary: {} }, false],
  ['Problem', ProblemSchema, problemBody, true],
  ['Problem', ProblemSchema, { ...problemBody, code: 'teapot' }, false],
  ['Problem', ProblemSchema, { ...problemBody, detail: undefined }, false],
  ['BackupCodes', BackupCodesSchema, { backupCodes: Array.from({ length: 10 }, (_, i) => `code${i}`) }, true],
  ['BackupCodes', BackupCodesSchema, { backupCodes: ['one'] }, false],
  ['SignInRequest', SignInRequestSchema, { email: 'a@b.test', password: 'pw' }, true],
  ['SignInRequest', SignInRequestSchema, { email: 'a@b.test', password: 'pw', remember: true }, false],
  ['SignInRequest', SignInRequestSchema, { email: '', password: 'pw' }, false],
  ['VerifyRequest', VerifyRequestSchema, { code: '123456' }, true],
  ['VerifyRequest', VerifyRequestSchema, { backupCode: 'ABCD-EFGH-JK' }, true],
  ['VerifyRequest', VerifyRequestSchema, { code: '123456', backupCode: 'ABCD-EFGH-JK' }, false],
  ['VerifyRequest', VerifyRequestSchema, { code: '12345' }, false],
  ['DisableTwoFactorRequest', DisableRequestSchema, {}, true],
  ['DisableTwoFactorRequest', DisableRequestSchema, { confirm: 'yes' }, false],
];

describe('component schemas match the zod schemas', () => {
  const schemas = documentValidator(doc);

  it.each(cases.map(([name, schema, value, valid], i) => [`${name} #${i}`, name, schema, value, valid] as const))(
    '%s: zod and the JSON schema agree',
    (_, name, schema, value, valid) => {
      const json = schemas.validate(name, value);
      expect(schema.safeParse(value).success).toBe(valid);
      expect(json.valid, JSON.stringify(json.errors)).toBe(valid);
    },
  );

  it('the validator is not vacuous: it rejects a wrong type at the top level', () => {
    expect(schemas.validate('FirmUser', 'not an object').valid).toBe(false);
    expect(schemas.validate('Problem', {}).valid).toBe(false);
  });

  it('every problem body the catalog can produce is a valid Problem in both', () => {
    for (const code of problemCodes) {
      const body = {
        type: problemType(code),
        title: problemCatalog[code].title,
        status: problemCatalog[code].status,
        detail: 'x',
        code,
      };
      expect(ProblemSchema.safeParse(body).success).toBe(true);
      expect(schemas.validate('Problem', body).valid).toBe(true);
    }
  });
});
