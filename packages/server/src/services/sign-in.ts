import type { SessionCompleted, SessionStarted } from '@firm-security/contract';
import type { ServerContext } from '../context.js';
import { problem } from '../problem.js';
import { recordEvent } from './audit.js';
import { verifyCode, withProof } from './codes.js';
import { type Authenticated, completeSignIn, initialStage, newSession } from './sessions.js';
import { failed, MAX_PASSWORD_FAILURES, passwordKey, succeeded, takeAttempt } from './throttle.js';

export interface NewSession<T> {
  body: T;
  token: string;
}

/** Per app: a hash of nothing in particular, so unknown emails cost as much time as known ones. */
const decoys = new WeakMap<ServerContext, Promise<string>>();
const decoyHash = (ctx: ServerContext): Promise<string> => {
  let decoy = decoys.get(ctx);
  if (!decoy) {
    decoy = ctx.passwords.hash('decoy password');
    decoy.catch(() => decoys.delete(ctx));
    decoys.set(ctx, decoy);
  }
  return decoy;
};

const invalidCredentials = () => problem('invalid_credentials', 'The email or password is not right.');

export const signIn = async (
  ctx: ServerContext,
  input: { email: string; password: string },
  previousSessionHash: string | undefined,
): Promise<NewSession<SessionStarted>> => {
  const attempt = takeAttempt(ctx, passwordKey(input.email), MAX_PASSWORD_FAILURES);
  const user = ctx.store.findUserByEmail(input.email.trim());
  const ok = await ctx.passwords.verify(input.password, user?.passwordHash ?? (await decoyHash(ctx)));
  if (!user?.active || !ok) {
    ctx.store.transaction(() => {
      failed(ctx, attempt);
      if (!user) return;
      const reason = user.active ? 'wrong_password' : 'deactivated';
      recordEvent(ctx, { firmId: user.firmId, action: 'session.sign_in_failed', target: user, details: { reason } });
    });
    if (!user) {
      ctx.log.warn('sign-in failed for an unknown email', { email: input.email.slice(0, 254) });
    }
    throw invalidCredentials();
  }
  const pending = await newSession(ctx, user.id, 'complete', null);
  const stage = ctx.store.transaction(() => {
    // Decide on the user as stored now, not as read before the (slow) password check.
    const fresh = ctx.store.getUser(user.id);
    if (!fresh?.active || fresh.passwordHash !== user.passwordHash) throw invalidCredentials();
    const stage = initialStage(fresh);
    ctx.store.insertSession({ ...pending.session, stage });
    succeeded(ctx, attempt);
    if (previousSessionHash) ctx.store.deleteSession(previousSessionHash);
    if (stage === 'complete') completeSignIn(ctx, fresh.id, 'password');
    return stage;
  });
  return { token: pending.token, body: { stage, csrfToken: pending.session.csrfToken } };
};

/** Second step of sign-in. Rotates the session token: the password-only token stops working. */
export const verifySignIn = async (
  ctx: ServerContext,
  auth: Authenticated,
  input: { code: string } | { backupCode: string },
): Promise<NewSession<SessionCompleted>> => {
  if (auth.session.stage !== 'two_factor') throw problem('invalid_stage', 'This session is already signed in.');
  const proof = await verifyCode(ctx, auth.user, 'sign_in', input);
  const next = await newSession(ctx, auth.user.id, 'complete', null);
  withProof(ctx, auth, 'sign_in', proof, (user, session, now) => {
    ctx.store.updateUser(user);
    ctx.store.deleteSession(session.idHash);
    // The new token continues the sign-in: the 12 h maximum still counts from the password step.
    ctx.store.insertSession({ ...next.session, createdAt: session.createdAt, verifiedAt: now });
    if (proof.kind === 'backup_code') {
      recordEvent(ctx, { firmId: user.firmId, action: 'two_factor.backup_code_used', actor: user, target: user });
    }
    completeSignIn(ctx, user.id, proof.kind);
  });
  return { token: next.token, body: { stage: 'complete', csrfToken: next.session.csrfToken } };
};

export const stepUp = async (ctx: ServerContext, auth: Authenticated, input: { code: string }): Promise<void> => {
  const proof = await verifyCode(ctx, auth.user, 'step_up', input);
  withProof(ctx, auth, 'step_up', proof, (user, session, now) => {
    ctx.store.updateUser(user);
    ctx.store.updateSession({ ...session, verifiedAt: now });
    recordEvent(ctx, { firmId: user.firmId, action: 'session.stepped_up', actor: user, target: user });
  });
};

export const signOut = (ctx: ServerContext, auth: Authenticated): void => {
  ctx.store.deleteSession(auth.session.idHash);
};
