/**
 * Every problem code of the API. A list of its own, so a client that only recognises codes (the SDK)
 * does not ship the titles below.
 */
export const problemCodes = [
  'unauthenticated',
  'csrf_failed',
  'two_factor_pending',
  'two_factor_setup_required',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'validation_failed',
  'confirmation_required',
  'invalid_code',
  'code_already_used',
  'already_enabled',
  'already_invited',
  'not_invited',
  'two_factor_not_enabled',
  'identity_not_migrated',
  'self_action_not_allowed',
  'primary_subscriber_protected',
  'viewer_two_factor_required',
  'step_up_required',
  'two_factor_required',
  'setup_not_started',
  'two_factor_already_enabled',
  'invalid_stage',
  'version_conflict',
  'idempotency_key_reused',
  'idempotency_in_progress',
  'reminder_too_soon',
  'rate_limited',
  'invalid_credentials',
  'internal_error',
] as const;

export type ProblemCode = (typeof problemCodes)[number];

/**
 * Every problem code of the API, its usual HTTP status and a fixed title.
 * The `detail` of a response is free text; `code` and `title` are stable.
 */
export const problemCatalog = {
  unauthenticated: { status: 401, title: 'Not signed in' },
  csrf_failed: { status: 403, title: 'CSRF token missing or wrong' },
  two_factor_pending: { status: 403, title: 'Two-factor verification pending' },
  two_factor_setup_required: { status: 403, title: 'Two-factor setup required' },
  forbidden: { status: 403, title: 'Not allowed' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation_failed: { status: 422, title: 'Validation failed' },
  confirmation_required: { status: 422, title: 'Confirmation required' },
  invalid_code: { status: 422, title: 'Invalid code' },
  code_already_used: { status: 422, title: 'Code already used' },
  already_enabled: { status: 409, title: '2FA already enabled' },
  already_invited: { status: 409, title: 'Already invited' },
  not_invited: { status: 409, title: 'Not invited' },
  two_factor_not_enabled: { status: 409, title: '2FA not enabled' },
  identity_not_migrated: { status: 409, title: 'Not yet migrated to the identity service' },
  self_action_not_allowed: { status: 403, title: 'Not allowed on your own account' },
  primary_subscriber_protected: { status: 403, title: 'Primary subscriber protected' },
  viewer_two_factor_required: { status: 403, title: 'Your own 2FA is required' },
  step_up_required: { status: 403, title: 'Recent 2FA verification required' },
  two_factor_required: { status: 409, title: '2FA is required for this user' },
  setup_not_started: { status: 409, title: '2FA setup not started' },
  two_factor_already_enabled: { status: 409, title: '2FA already enabled' },
  invalid_stage: { status: 409, title: 'Invalid session stage' },
  version_conflict: { status: 412, title: 'Version conflict' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  idempotency_in_progress: { status: 409, title: 'Idempotent request in progress' },
  reminder_too_soon: { status: 429, title: 'Reminder sent too recently' },
  rate_limited: { status: 429, title: 'Too many attempts' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  internal_error: { status: 500, title: 'Internal error' },
} as const satisfies Record<ProblemCode, { status: number; title: string }>;

/** `type` URI of a problem code, as in `urn:firm-security:problem:not_found`. */
export const problemType = (code: ProblemCode): string => `urn:firm-security:problem:${code}`;

export const isProblemCode = (value: unknown): value is ProblemCode =>
  typeof value === 'string' && (problemCodes as readonly string[]).includes(value);
