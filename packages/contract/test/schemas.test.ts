import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CodeRequestSchema,
  DisableRequestSchema,
  EmptyRequestSchema,
  EventsQuerySchema,
  FirmUserSchema,
  genericProblems,
  isProblemCode,
  type Operation,
  operations,
  problemCatalog,
  problemCodes,
  problemType,
  RequirementRequestSchema,
  SignInRequestSchema,
  UsersQuerySchema,
  userSorts,
  VerifyRequestSchema,
} from '../src/index.js';

const ok = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
const issuesOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues;
};

describe('request bodies are strict', () => {
  const bodies = operations.flatMap((op) => ('body' in op && op.body ? [[op.operationId, op.body] as const] : []));

  it('every operation with a body rejects an unknown key, naming it', () => {
    const valid: Record<string, unknown> = {
      signIn: { email: 'a@b.test', password: 'secret-pw' },
      verifySignIn: { code: '123456' },
      stepUp: { code: '123456' },
      setUpTwoFactor: {},
      activateTwoFactor: { code: '123456' },
      regenerateBackupCodes: { code: '123456' },
      disableOwnTwoFactor: { code: '123456' },
      inviteUser: {},
      remindUser: {},
      setRequirement: { required: true },
      disableUserTwoFactor: { confirm: true },
    };
    expect(bodies.map(([id]) => id).sort()).toEqual(Object.keys(valid).sort());
    for (const [id, schema] of bodies) {
      expect(ok(schema, valid[id]), id).toBe(true);
      const issues = issuesOf(schema, { ...(valid[id] as object), surprise: 1 });
      expect(issues.length, id).toBeGreaterThan(0);
      expect(JSON.stringify(issues), id).toContain('surprise');
    }
  });

  it('sign-in needs both fields, non-empty and bounded', () => {
    expect(ok(SignInRequestSchema, { email: 'a@b.test', password: 'x' })).toBe(true);
    expect(ok(SignInRequestSchema, { email: 'a@b.test' })).toBe(false);
    expect(ok(SignInRequestSchema, { email: '', password: 'x' })).toBe(false);
    expect(ok(SignInRequestSchema, { email: 'a@b.test', password: '' })).toBe(false);
    expect(ok(SignInRequestSchema, { email: 'a@b.test', password: 'x'.repeat(1024) })).toBe(true);
    expect(ok(SignInRequestSchema, { email: 'a@b.test', password: 'x'.repeat(1025) })).toBe(false);
    expect(ok(SignInRequestSchema, { email: `${'a'.repeat(251)}@b.t`, password: 'x' })).toBe(false);
    expect(ok(SignInRequestSchema, { email: `${'a'.repeat(250)}@b.t`, password: 'x' })).toBe(true);
    expect(ok(SignInRequestSchema, { email: 42, password: 'x' })).toBe(false);
  });

  it('a TOTP code is exactly six digits', () => {
    for (const code of ['000000', '123456', '999999']) expect(ok(CodeRequestSchema, { code })).toBe(true);
    for (const code of ['12345', '1234567', '12345a', ' 123456', '123 456', '', 123456, null]) {
      expect(ok(CodeRequestSchema, { code }), String(code)).toBe(false);
    }
    expect(ok(CodeRequestSchema, {})).toBe(false);
  });

  it('sign-in verification takes a code or a backup code, never both', () => {
    expect(ok(VerifyRequestSchema, { code: '123456' })).toBe(true);
    expect(ok(VerifyRequestSchema, { backupCode: 'abcd-efgh-jk' })).toBe(true);
    expect(ok(VerifyRequestSchema, { code: '123456', backupCode: 'abcd-efgh-jk' })).toBe(false);
    expect(ok(VerifyRequestSchema, {})).toBe(false);
    expect(ok(VerifyRequestSchema, { backupCode: '' })).toBe(false);
    expect(ok(VerifyRequestSchema, { backupCode: 'x'.repeat(65) })).toBe(false);
  });

  it('the requirement body is a boolean, not a string', () => {
    expect(ok(RequirementRequestSchema, { required: false })).toBe(true);
    expect(ok(RequirementRequestSchema, { required: 'true' })).toBe(false);
    expect(ok(RequirementRequestSchema, { required: 1 })).toBe(false);
    expect(ok(RequirementRequestSchema, {})).toBe(false);
  });

  it('disable: confirm is optional for the schema (the rule answers confirmation_required) but typed', () => {
    expect(ok(DisableRequestSchema, {})).toBe(true);
    expect(ok(DisableRequestSchema, { confirm: false })).toBe(true);
    expect(ok(DisableRequestSchema, { confirm: true })).toBe(true);
    expect(ok(DisableRequestSchema, { confirm: 'true' })).toBe(false);
    expect(ok(DisableRequestSchema, { confirm: null })).toBe(false);
  });

  it('the empty body is an empty object only', () => {
    expect(ok(EmptyRequestSchema, {})).toBe(true);
    expect(ok(EmptyRequestSchema, { note: 'hi' })).toBe(false);
    expect(ok(EmptyRequestSchema, [])).toBe(false);
    expect(ok(EmptyRequestSchema, null)).toBe(false);
  });
});

describe('queries', () => {
  it('limit defaults to 50 and accepts 1..200 only, as a whole number', () => {
    for (const schema of [UsersQuerySchema, EventsQuerySchema]) {
      expect(schema.parse({}).limit).toBe(50);
      expect(schema.parse({ limit: '1' }).limit).toBe(1);
      expect(schema.parse({ limit: '200' }).limit).toBe(200);
      expect(schema.parse({ limit: '007' }).limit).toBe(7);
      for (const limit of ['0', '201', '9999', '-1', '1.5', '', ' 5', '5 ', '1e2', '0x10', 'ten', '99999']) {
        expect(ok(schema, { limit }), `limit=${JSON.stringify(limit)}`).toBe(false);
      }
    }
  });

  it('sort is one of the six documented orders and defaults to name', () => {
    expect(UsersQuerySchema.parse({}).sort).toBe('name');
    expect([...userSorts]).toEqual(['name', '-name', 'email', '-email', 'status', '-status']);
    for (const sort of userSorts) expect(UsersQuerySchema.parse({ sort }).sort).toBe(sort);
    for (const sort of ['Name', '+name', 'name,-email', 'lastSignInAt', '', '-']) {
      expect(ok(UsersQuerySchema, { sort }), sort).toBe(false);
    }
  });

  it('status and requirement filters take only their enums', () => {
    for (const status of ['enabled', 'invited', 'not_enabled']) expect(ok(UsersQuerySchema, { status })).toBe(true);
    for (const requirement of ['required', 'not_required', 'not_available']) {
      expect(ok(UsersQuerySchema, { requirement })).toBe(true);
    }
    expect(ok(UsersQuerySchema, { status: 'on' })).toBe(false);
    expect(ok(UsersQuerySchema, { requirement: 'yes' })).toBe(false);
  });

  it('unknown query parameters are rejected and bounded strings are bounded', () => {
    expect(issuesOf(UsersQuerySchema, { page: '2' })[0]?.code).toBe('unrecognized_keys');
    expect(ok(EventsQuerySchema, { search: 'x' })).toBe(false);
    expect(ok(UsersQuerySchema, { search: 'x'.repeat(200) })).toBe(true);
    expect(ok(UsersQuerySchema, { search: 'x'.repeat(201) })).toBe(false);
    expect(ok(UsersQuerySchema, { cursor: 'x'.repeat(2048) })).toBe(true);
    expect(ok(UsersQuerySchema, { cursor: 'x'.repeat(2049) })).toBe(false);
    // An unknown targetId, however long, is an empty list rather than a validation error.
    expect(ok(EventsQuerySchema, { targetId: 'x'.repeat(4096) })).toBe(true);
  });
});

describe('resources are strict too', () => {
  it('a FirmUser with an extra field (say, a leaked secret) is rejected', () => {
    const user = {
      id: 'usr_1',
      name: 'A',
      email: 'a@b.test',
      role: 'user',
      isPrimarySubscriber: false,
      twoFactor: { status: 'not_enabled', enabledAt: null, backupCodesRemaining: null },
      invitation: null,
      requirement: { status: 'not_required', reason: null },
      lastSignInAt: null,
      version: 1,
      allowedActions: {
        invite: { allowed: true },
        remind: { allowed: false, reason: 'not_invited' },
        setRequirement: { allowed: true },
        disableTwoFactor: { allowed: false, reason: 'two_factor_not_enabled' },
      },
    };
    expect(ok(FirmUserSchema, user)).toBe(true);
    expect(ok(FirmUserSchema, { ...user, totpSecret: 'JBSWY3DPEHPK3PXP' })).toBe(false);
    expect(ok(FirmUserSchema, { ...user, twoFactor: { ...user.twoFactor, secret: 'x' } })).toBe(false);
  });
});

describe('problem catalog', () => {
  it('has a status and title for every code, and types in the urn namespace', () => {
    for (const code of problemCodes) {
      const { status, title } = problemCatalog[code];
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(title.length).toBeGreaterThan(0);
      expect(problemType(code)).toBe(`urn:firm-security:problem:${code}`);
      expect(isProblemCode(code)).toBe(true);
    }
    expect(isProblemCode('toString')).toBe(false);
    expect(isProblemCode('nope')).toBe(false);
  });

  it('uses the statuses of the contract table', () => {
    const expected: Record<string, number> = {
      unauthenticated: 401,
      csrf_failed: 403,
      forbidden: 403,
      not_found: 404,
      method_not_allowed: 405,
      payload_too_large: 413,
      unsupported_media_type: 415,
      validation_failed: 422,
      confirmation_required: 422,
      version_conflict: 412,
      idempotency_key_reused: 422,
      idempotency_in_progress: 409,
      reminder_too_soon: 429,
      rate_limited: 429,
      invalid_credentials: 401,
      step_up_required: 403,
      two_factor_required: 409,
    };
    for (const [code, status] of Object.entries(expected)) {
      expect(problemCatalog[code as keyof typeof problemCatalog].status, code).toBe(status);
    }
  });

  it('generic problems follow how an operation is called', () => {
    const byId = Object.fromEntries((operations as readonly Operation[]).map((op) => [op.operationId, op]));
    const signIn = genericProblems(byId.signIn as Operation);
    expect(signIn).not.toContain('unauthenticated');
    expect(signIn).not.toContain('csrf_failed');
    const invite = genericProblems(byId.inviteUser as Operation);
    for (const code of ['unauthenticated', 'csrf_failed', 'forbidden', 'idempotency_key_reused'] as const) {
      expect(invite).toContain(code);
    }
    expect(genericProblems(byId.getViewer as Operation)).not.toContain('forbidden');
  });
});
