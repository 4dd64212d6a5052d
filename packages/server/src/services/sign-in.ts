import type { SessionCompleted, SessionStarted } from '@firm-security/contract';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { problem } from '../problem.js';
import type { SessionRecord, UserRecord } from '../store/records.js';
import { recordEvent } from './audit.js';
import { applyProof, type CodeProof, verifyCode } from './codes.js';
import { type Authenticated, initialStage, newSession } from './sessions.js';
import { assertNotThrottled, clearFailures, MAX_PASSWORD_FAILURES, passwordKey, recordFailure } from './throttle.js';

export interface NewSession<T> {
  body: T;
  token: string;
}

/** A hash of nothing in particular, so unknown emails cost as much time as known ones. */
let decoyHash: Promise<string> | undefined;

const invalidCredentials = () => problem('invalid_credentials', 'The email or password is not right.');

/** Marks the moment a session becomes complete: audit and lastSignInAt. */
const completeSignIn = (ctx: ServerContext, user: UserRecord, method: string): UserRecord => {
  const updated = { ...user, lastSignInAt: iso(ctx.clock.now()) };
  ctx.store.updateUser(updated);
  recordEvent(ctx, {
    firmId: user.firmId,
    action: 'session.signed_in',
    actor: user,
    target: user,
    details: { method },
  });
  return updated;
};

export const signIn = async (
  ctx: ServerContext,
  input: { email: string; password: string },
  previousSessionHash: string | undefined,
): Promise<NewSession<SessionStarted>> => {
  const key = passwordKey(input.email);
  assertNotThrottled(ctx, key, MAX_PASSWORD_FAILURES);
  const user = ctx.store.findUserByEmail(input.email.trim());
  const known = user?.active ? user : undefined;
  decoyHash ??= ctx.passwords.hash('decoy password');
  const ok = await ctx.passwords.verify(input.password, known ? known.passwordHash : await decoyHash);
  if (!known || !ok) {
    ctx.store.transaction(() => {
      recordFailure(ctx, key);
      if (known) {
        recordEvent(ctx, {
          firmId: known.firmId,
          action: 'session.sign_in_failed',
          target: known,
          details: { reason: 'wrong_password' },
        });
      }
    });
    if (!known)
      ctx.log.warn('sign-in failed for an unknown or deactivated email', { email: input.email.slice(0, 254) });
    throw invalidCredentials();
  }
  const stage = initialStage(known);
  const { token, session } = await newSession(ctx, known, stage, null);
  ctx.store.transaction(() => {
    ctx.store.insertSession(session);
    clearFailures(ctx, key);
    if (previousSessionHash) ctx.store.deleteSession(previousSessionHash);
    if (stage === 'complete') completeSignIn(ctx, known, 'password');
  });
  return { token, body: { stage, csrfToken: session.csrfToken } };
};

/** Second step of sign-in. Rotates the session token: the password-only token stops working. */
export const verifySignIn = async (
  ctx: ServerContext,
  auth: Authenticated,
  input: { code: string } | { backupCode: string },
): Promise<NewSession<SessionCompleted>> => {
  if (auth.session.stage !== 'two_factor') throw problem('invalid_stage', 'This session is already signed in.');
  const proof: CodeProof = await verifyCode(ctx, auth.user, 'sign_in', input);
  const now = iso(ctx.clock.now());
  const { token, session } = await newSession(ctx, auth.user, 'complete', now);
  ctx.store.transaction(() => {
    const fresh = ctx.store.getUser(auth.user.id) as UserRecord;
    const updated = applyProof(fresh, proof, 'sign_in', now);
    ctx.store.updateUser(updated);
    ctx.store.deleteSession(auth.session.idHash);
    ctx.store.insertSession(session);
    if (proof.kind === 'backup_code') {
      recordEvent(ctx, {
        firmId: updated.firmId,
        action: 'two_factor.backup_code_used',
        actor: updated,
        target: updated,
        details: {},
      });
    }
    completeSignIn(ctx, updated, proof.kind);
  });
  return { token, body: { stage: 'complete', csrfToken: session.csrfToken } };
};

export const stepUp = async (ctx: ServerContext, auth: Authenticated, input: { code: string }): Promise<void> => {
  if (auth.user.totpSecret === null) throw problem('two_factor_not_enabled', '2FA is not turned on for your account.');
  const proof = await verifyCode(ctx, auth.user, 'step_up', input);
  const now = iso(ctx.clock.now());
  ctx.store.transaction(() => {
    const fresh = ctx.store.getUser(auth.user.id) as UserRecord;
    ctx.store.updateUser(applyProof(fresh, proof, 'step_up', now));
    const session: SessionRecord = { ...auth.session, verifiedAt: now };
    ctx.store.updateSession(session);
    recordEvent(ctx, { firmId: fresh.firmId, action: 'session.stepped_up', actor: fresh, target: fresh, details: {} });
  });
};

export const signOut = (ctx: ServerContext, auth: Authenticated): void => {
  ctx.store.deleteSession(auth.session.idHash);
};

export { completeSignIn };
