import type { Operation } from '@firm-security/contract';
import type { ServerContext } from '../context.js';
import * as policy from '../policy.js';
import { ProblemError, problem } from '../problem.js';
import { type Authenticated, assertCsrf, assertStage, authenticate } from '../services/sessions.js';
import {
  assertBodyWithinLimit,
  parseJsonBody,
  parseQuery,
  type RawBody,
  readRawBody,
  validationFailed,
} from './body.js';
import type { HandlerInput } from './handlers.js';
import { claimIdempotencyKey, invalidIdempotencyKey, isValidIdempotencyKey } from './idempotency.js';

/** `"3"`, `W/"3"` or `*`; anything else is a validation error. Compared by number (weak). */
export const parseIfMatch = (header: string | null): number | '*' | undefined => {
  if (header === null) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(value);
  if (!match) throw validationFailed([{ path: 'If-Match', message: 'must be a version such as "3" or W/"3"' }]);
  return Number(match[1]);
};

/**
 * Runs one operation through the contract's checks, in the contract's order of precedence:
 * unauthenticated, csrf_failed, stage, forbidden, idempotency, 413, 415, 422, then the handler
 * (not_found, version_conflict and the rules).
 */
export const runOperation = async (
  ctx: ServerContext,
  op: Operation,
  request: Request,
  params: Record<string, string>,
  handler: (input: HandlerInput) => Promise<Response> | Response,
  hooks: { onFirmAccess?: () => void } = {},
): Promise<Response> => {
  let auth: Authenticated | undefined;
  if (op.access !== 'public') {
    auth = await authenticate(ctx, request);
    if (op.csrf) assertCsrf(request, auth.session);
    assertStage(auth.session, op.stages);
    if (op.access === 'firm') {
      const permission = policy.viewFirmSecurity(auth.user);
      if (!permission.allowed)
        throw problem('forbidden', 'Only administrators and the primary subscriber can manage Firm Security.');
      hooks.onFirmAccess?.();
    }
  }

  let bodyRead: Promise<RawBody> | undefined;
  const readBody = () => {
    bodyRead ??= readRawBody(request);
    return bodyRead;
  };

  const idempotencyKey = op.idempotent ? request.headers.get('idempotency-key') : null;
  // A malformed key is a validation error, which ranks after 413 and 415: report it after the body.
  const keyIsValid = idempotencyKey === null || isValidIdempotencyKey(idempotencyKey);
  const claim =
    idempotencyKey !== null && keyIsValid && auth
      ? await claimIdempotencyKey(ctx, auth.user.id, idempotencyKey, request, readBody)
      : undefined;
  if (claim?.kind === 'replay') return claim.response;

  const run = async (): Promise<Response> => {
    const raw = await readBody();
    // The 64 KiB limit holds for every request, also on operations that take no body (DELETE /session).
    assertBodyWithinLimit(raw);
    const body = op.body ? parseJsonBody(request, raw, op.body) : undefined;
    if (!keyIsValid) throw invalidIdempotencyKey();
    const query = op.query ? parseQuery(new URL(request.url), op.query) : undefined;
    const ifMatch = op.conditional ? parseIfMatch(request.headers.get('if-match')) : undefined;
    return handler({ ctx, request, auth, params, body, query, ifMatch });
  };

  if (!claim) return run();
  try {
    return await claim.complete(await run().catch(problemResponseOf));
  } catch (error) {
    claim.release();
    throw error;
  }
};

/** A thrown ProblemError becomes its response (so idempotency can store it); anything else rethrows. */
const problemResponseOf = (error: unknown): Response => {
  if (error instanceof ProblemError) return error.toResponse();
  throw error;
};
