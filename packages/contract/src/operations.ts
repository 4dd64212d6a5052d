import type { z } from 'zod';
import type { ProblemCode } from './problems.js';
import * as s from './schemas.js';
import type { SessionStage } from './types.js';

/**
 * Who may call an operation:
 * - `public`: anyone (it may start a session);
 * - `session`: any signed-in session whose stage is listed in `stages`;
 * - `firm`: a complete session of an administrator or the primary subscriber.
 */
export type Access = 'public' | 'session' | 'firm';

export interface Operation {
  readonly operationId: string;
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** Path below the base path, OpenAPI style: `/firm/users/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: 'session' | 'me' | 'firm';
  readonly access: Access;
  /** Stages a session may be in (ignored for `public`). */
  readonly stages: readonly SessionStage[];
  /** Needs `X-CSRF-Token` (state-changing calls with a cookie session). */
  readonly csrf: boolean;
  /** Accepts `Idempotency-Key`. */
  readonly idempotent: boolean;
  /** Accepts `If-Match` with the target user's version. */
  readonly conditional: boolean;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  readonly success: { readonly status: 200 | 204; readonly schema?: z.ZodType; readonly etag?: boolean };
  /** Problem codes this operation can answer besides the generic ones. */
  readonly problems: readonly ProblemCode[];
}

const ALL_STAGES: readonly SessionStage[] = ['two_factor', 'two_factor_setup', 'complete'];
const COMPLETE: readonly SessionStage[] = ['complete'];
const SETUP: readonly SessionStage[] = ['two_factor_setup', 'complete'];

/** What every operation starts from; each entry below states only what differs. */
const plain = { csrf: false, idempotent: false, conditional: false } as const;
/** Self-service and session calls of a signed-in user: state-changing, so CSRF-protected. */
const signedIn = { ...plain, access: 'session', csrf: true } as const;
const firmRead = { ...plain, tag: 'firm', access: 'firm', stages: COMPLETE } as const;
const firmMutation = { ...firmRead, csrf: true, conditional: true } as const;

/** The whole API. The server routes exactly these; the OpenAPI document lists exactly these. */
export const operations = [
  {
    ...plain,
    operationId: 'signIn',
    method: 'post',
    path: '/session',
    summary: 'Sign in with email and password; always starts a new session',
    tag: 'session',
    access: 'public',
    stages: ALL_STAGES,
    body: s.SignInRequestSchema,
    success: { status: 200, schema: s.SessionStartedSchema },
    problems: ['invalid_credentials', 'rate_limited'],
  },
  {
    ...signedIn,
    operationId: 'verifySignIn',
    method: 'post',
    path: '/session/two-factor',
    summary: 'Complete a sign-in with a TOTP code or a backup code',
    tag: 'session',
    // In stage `complete` the handler answers invalid_stage; in setup the stage check answers first.
    stages: ['two_factor', 'complete'],
    body: s.VerifyRequestSchema,
    success: { status: 200, schema: s.SessionCompletedSchema },
    // two_factor_not_enabled: the user's 2FA was turned off while this sign-in waited for its code.
    problems: ['invalid_stage', 'two_factor_not_enabled', 'invalid_code', 'code_already_used', 'rate_limited'],
  },
  {
    ...signedIn,
    operationId: 'stepUp',
    method: 'post',
    path: '/session/step-up',
    summary: "Re-verify the signed-in user's 2FA and restart the step-up window",
    tag: 'session',
    stages: COMPLETE,
    body: s.CodeRequestSchema,
    success: { status: 204 },
    problems: ['two_factor_not_enabled', 'invalid_code', 'code_already_used', 'rate_limited'],
  },
  {
    ...signedIn,
    operationId: 'signOut',
    method: 'delete',
    path: '/session',
    summary: 'Sign out',
    tag: 'session',
    stages: ALL_STAGES,
    success: { status: 204 },
    problems: [],
  },
  {
    ...signedIn,
    operationId: 'getViewer',
    method: 'get',
    path: '/me',
    summary: 'The signed-in user, the session (with its CSRF token) and what the viewer may do',
    tag: 'me',
    stages: ALL_STAGES,
    csrf: false,
    success: { status: 200, schema: s.ViewerSchema },
    problems: [],
  },
  {
    ...signedIn,
    operationId: 'setUpTwoFactor',
    method: 'post',
    path: '/me/two-factor/setup',
    summary: 'Start 2FA setup: a new secret and its otpauth URI',
    tag: 'me',
    stages: SETUP,
    body: s.EmptyRequestSchema,
    success: { status: 200, schema: s.TwoFactorSetupSchema },
    problems: ['two_factor_already_enabled'],
  },
  {
    ...signedIn,
    operationId: 'activateTwoFactor',
    method: 'post',
    path: '/me/two-factor/activate',
    summary: 'Turn 2FA on with a code from the new secret; returns 10 backup codes',
    tag: 'me',
    stages: SETUP,
    body: s.CodeRequestSchema,
    success: { status: 200, schema: s.BackupCodesSchema },
    problems: ['setup_not_started', 'two_factor_already_enabled', 'invalid_code', 'code_already_used', 'rate_limited'],
  },
  {
    ...signedIn,
    operationId: 'regenerateBackupCodes',
    method: 'post',
    path: '/me/two-factor/backup-codes',
    summary: 'Replace the backup codes with a new set',
    tag: 'me',
    stages: COMPLETE,
    body: s.CodeRequestSchema,
    success: { status: 200, schema: s.BackupCodesSchema },
    problems: ['two_factor_not_enabled', 'invalid_code', 'code_already_used', 'rate_limited'],
  },
  {
    ...signedIn,
    operationId: 'disableOwnTwoFactor',
    method: 'post',
    path: '/me/two-factor/disable',
    summary: 'Turn your own 2FA off',
    tag: 'me',
    stages: COMPLETE,
    body: s.CodeRequestSchema,
    success: { status: 200, schema: s.ViewerSchema },
    problems: ['two_factor_not_enabled', 'two_factor_required', 'invalid_code', 'code_already_used', 'rate_limited'],
  },
  {
    ...firmRead,
    operationId: 'listUsers',
    method: 'get',
    path: '/firm/users',
    summary: "The firm's active users with their 2FA status, one page at a time",
    query: s.UsersQuerySchema,
    success: { status: 200, schema: s.UserPageSchema },
    problems: [],
  },
  {
    ...firmRead,
    operationId: 'getUser',
    method: 'get',
    path: '/firm/users/{id}',
    summary: 'One active user of the firm',
    success: { status: 200, schema: s.FirmUserSchema, etag: true },
    problems: ['not_found'],
  },
  {
    ...firmMutation,
    operationId: 'inviteUser',
    method: 'post',
    path: '/firm/users/{id}/invitation',
    summary: 'Email the user instructions to turn on 2FA',
    idempotent: true,
    body: s.EmptyRequestSchema,
    success: { status: 200, schema: s.FirmUserSchema, etag: true },
    problems: ['not_found', 'version_conflict', 'already_enabled', 'already_invited'],
  },
  {
    ...firmMutation,
    operationId: 'remindUser',
    method: 'post',
    path: '/firm/users/{id}/invitation/reminders',
    summary: 'Email the invited user a reminder',
    idempotent: true,
    body: s.EmptyRequestSchema,
    success: { status: 200, schema: s.FirmUserSchema, etag: true },
    problems: ['not_found', 'version_conflict', 'not_invited', 'reminder_too_soon'],
  },
  {
    ...firmMutation,
    operationId: 'setRequirement',
    method: 'put',
    path: '/firm/users/{id}/requirement',
    summary: 'Require 2FA for the user at their next sign-in, or stop requiring it',
    body: s.RequirementRequestSchema,
    success: { status: 200, schema: s.FirmUserSchema, etag: true },
    problems: ['not_found', 'version_conflict', 'identity_not_migrated'],
  },
  {
    ...firmMutation,
    operationId: 'disableUserTwoFactor',
    method: 'post',
    path: '/firm/users/{id}/two-factor/disable',
    summary: "Disable a locked-out user's 2FA (removes the secret and backup codes, ends their sessions)",
    idempotent: true,
    body: s.DisableRequestSchema,
    success: { status: 200, schema: s.FirmUserSchema, etag: true },
    problems: [
      'not_found',
      'version_conflict',
      'self_action_not_allowed',
      'primary_subscriber_protected',
      'two_factor_not_enabled',
      'viewer_two_factor_required',
      'confirmation_required',
      'step_up_required',
    ],
  },
  {
    ...firmRead,
    operationId: 'listEvents',
    method: 'get',
    path: '/firm/events',
    summary: "The firm's audit log, newest first",
    query: s.EventsQuerySchema,
    success: { status: 200, schema: s.EventPageSchema },
    problems: [],
  },
] as const satisfies readonly Operation[];

export type OperationId = (typeof operations)[number]['operationId'];

/** Problem codes any operation can answer, given how it is called. */
export const genericProblems = (op: Operation): ProblemCode[] => {
  const codes: ProblemCode[] = ['method_not_allowed'];
  if (op.access !== 'public') codes.push('unauthenticated', 'two_factor_pending', 'two_factor_setup_required');
  if (op.csrf) codes.push('csrf_failed');
  if (op.access === 'firm') codes.push('forbidden');
  if (op.idempotent) codes.push('idempotency_key_reused', 'idempotency_in_progress');
  // The 64 KiB limit holds for any request that carries a body, even where none is expected.
  codes.push('payload_too_large');
  if (op.body) codes.push('unsupported_media_type');
  if (op.body || op.query || op.idempotent || op.conditional) codes.push('validation_failed');
  return codes;
};
