import type { Problem, ProblemCode } from '@firm-security/contract';

/** Codes of failures that never reached the API as a problem response. */
export type TransportErrorCode = 'network_error' | 'timeout';
export type FirmSecurityErrorCode = ProblemCode | TransportErrorCode;

/** A global symbol, so `isFirmSecurityError` recognises errors from another copy of the SDK. */
const BRAND = Symbol.for('@firm-security/sdk/error');

export interface FirmSecurityErrorInit {
  status: number;
  code: FirmSecurityErrorCode;
  problem?: Problem | undefined;
  requestId?: string | undefined;
  method?: string | undefined;
  /** Path of the request, without origin or query (so no search term or token lands in the message). */
  path?: string | undefined;
  cause?: unknown;
}

/** Base of every error the client throws (aborts excepted: they stay the platform's AbortError). */
export class FirmSecurityError extends Error {
  override name = 'FirmSecurityError';
  readonly [BRAND] = true;
  /** HTTP status; 0 when no response arrived (network, timeout). */
  readonly status: number;
  readonly code: FirmSecurityErrorCode;
  /** The parsed application/problem+json body, when the server sent one. */
  readonly problem: Problem | undefined;
  /** The server's X-Request-Id, for support and logs. */
  readonly requestId: string | undefined;

  constructor(init: FirmSecurityErrorInit) {
    const where = init.method && init.path ? ` (${init.method} ${init.path})` : '';
    super(`${init.problem?.detail ?? defaultMessages[init.code as TransportErrorCode] ?? init.code}${where}`, {
      cause: init.cause,
    });
    this.status = init.status;
    this.code = init.code;
    this.problem = init.problem;
    this.requestId = init.requestId;
  }
}

const defaultMessages: Record<TransportErrorCode, string> = {
  network_error: 'The server could not be reached.',
  timeout: 'The server took too long to answer.',
};

/** 401: no session, or an expired one. */
export class UnauthenticatedError extends FirmSecurityError {
  override name = 'UnauthenticatedError';
}

/** 401 at sign-in: wrong email or password (the same answer whether or not the email exists). */
export class InvalidCredentialsError extends UnauthenticatedError {
  override name = 'InvalidCredentialsError';
}

/** 403. `reason` is the problem code: forbidden, csrf_failed, primary_subscriber_protected, ... */
export class ForbiddenError extends FirmSecurityError {
  override name = 'ForbiddenError';
  get reason(): ProblemCode {
    return this.code as ProblemCode;
  }
}

/** 403 viewer_two_factor_required: the administrator must turn on 2FA for their own account first. */
export class ViewerTwoFactorRequiredError extends ForbiddenError {
  override name = 'ViewerTwoFactorRequiredError';
}

/** 403 step_up_required: call `client.session.stepUp({ code })`, then retry. */
export class StepUpRequiredError extends ForbiddenError {
  override name = 'StepUpRequiredError';
}

/** 404: unknown route, or a user who is unknown, deactivated or in another firm. */
export class NotFoundError extends FirmSecurityError {
  override name = 'NotFoundError';
}

/** 409: the user's state does not allow this (already invited, not migrated, ...). */
export class ConflictError extends FirmSecurityError {
  override name = 'ConflictError';
}

/** 405 method_not_allowed: the route exists, not with this HTTP method (an SDK older or newer than the server). */
export class MethodNotAllowedError extends FirmSecurityError {
  override name = 'MethodNotAllowedError';
}

/** 412 version_conflict: someone changed the user; reload it. */
export class PreconditionFailedError extends FirmSecurityError {
  override name = 'PreconditionFailedError';
}

/** 400, 413, 415, 422: the request itself is wrong. `fieldErrors` point into the body, query or headers. */
export class ValidationError extends FirmSecurityError {
  override name = 'ValidationError';
  get fieldErrors(): { path: string; message: string }[] {
    return this.problem?.errors ?? [];
  }
}

/** A wrong or already-used TOTP or backup code (401 while signing in, 422 elsewhere). */
export class InvalidCodeError extends ValidationError {
  override name = 'InvalidCodeError';
}

/** 429 rate_limited or reminder_too_soon. `retryAfter` is in seconds. */
export class RateLimitedError extends FirmSecurityError {
  override name = 'RateLimitedError';
  readonly retryAfter: number | undefined;
  constructor(init: FirmSecurityErrorInit & { retryAfter?: number | undefined }) {
    super(init);
    this.retryAfter = init.retryAfter;
  }
}

/** 5xx after the client's retries. */
export class ServerError extends FirmSecurityError {
  override name = 'ServerError';
}

/** The server could not be reached (after retries where they were safe). */
export class NetworkError extends FirmSecurityError {
  override name = 'NetworkError';
}

/** No answer within the client's `timeout`. */
export class TimeoutError extends FirmSecurityError {
  override name = 'TimeoutError';
}

/** True for any error of this SDK, from any copy of it (brand check, not instanceof). */
export const isFirmSecurityError = (value: unknown): value is FirmSecurityError =>
  typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;

const classFor = (status: number, code: ProblemCode): typeof FirmSecurityError => {
  switch (code) {
    case 'invalid_credentials':
      return InvalidCredentialsError;
    case 'invalid_code':
    case 'code_already_used':
      return InvalidCodeError;
    case 'viewer_two_factor_required':
      return ViewerTwoFactorRequiredError;
    case 'step_up_required':
      return StepUpRequiredError;
  }
  // Otherwise the status decides.
  const classes: Record<number, typeof FirmSecurityError> = {
    400: ValidationError,
    401: UnauthenticatedError,
    403: ForbiddenError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: ValidationError,
    415: ValidationError,
    422: ValidationError,
  };
  return classes[status] ?? (status >= 500 ? ServerError : FirmSecurityError);
};

/** Builds the typed error of a problem response (or of a non-problem error response). */
export const errorFromProblem = (
  status: number,
  body: unknown,
  context: {
    requestId?: string | undefined;
    retryAfter?: number | undefined;
    method: string;
    path: string;
    cause?: unknown;
  },
): FirmSecurityError => {
  const problem = isProblem(body) ? body : undefined;
  // No status of the table is 5xx: any other status, 5xx included, gets internal_error.
  const code: ProblemCode = problem?.code ?? statusCodes[status] ?? 'internal_error';
  const init = { status, code, problem, ...context };
  if (status === 429) return new RateLimitedError({ ...init, retryAfter: context.retryAfter ?? problem?.retryAfter });
  const ErrorClass = classFor(status, code);
  return new ErrorClass(init);
};

const statusCodes: Record<number, ProblemCode> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  412: 'version_conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
};

/**
 * A problem body. Its `code` may be one this SDK does not know yet (a newer server): the body, detail
 * and field errors are kept, and the error's class follows the status.
 */
const isProblem = (body: unknown): body is Problem =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as Problem).code === 'string' &&
  typeof (body as Problem).status === 'number' &&
  typeof (body as Problem).detail === 'string';
