import type { BackupCodes, TwoFactorSetup, Viewer } from '@firm-security/contract';
import type { ServerContext } from '../context.js';
import * as policy from '../policy.js';
import { toViewer } from '../present.js';
import { problem } from '../problem.js';
import type { UserRecord } from '../store/records.js';
import { newBackupCodeSet } from '../two-factor/backup-codes.js';
import { newTotpSecret, totpUri } from '../two-factor/totp.js';
import { recordEvent } from './audit.js';
import { verifyCode, withProof } from './codes.js';
import { type Authenticated, completeSignIn, newSession } from './sessions.js';

const alreadyEnabled = () => problem('two_factor_already_enabled', '2FA is already turned on for your account.');
const notEnabled = () => problem('two_factor_not_enabled', '2FA is not turned on for your account.');

export const viewer = (auth: Authenticated): Viewer => toViewer(auth.user, auth.session);

/** A new secret, pending until activation. Calling it again replaces the pending secret. */
export const setUpTwoFactor = async (ctx: ServerContext, auth: Authenticated): Promise<TwoFactorSetup> => {
  if (policy.hasTwoFactor(auth.user)) throw alreadyEnabled();
  const secret = newTotpSecret();
  const sealed = await ctx.secretBox.seal(secret);
  ctx.store.transaction(() => {
    const fresh = ctx.store.getUser(auth.user.id) as UserRecord;
    if (policy.hasTwoFactor(fresh)) throw alreadyEnabled();
    ctx.store.updateUser({ ...fresh, pendingTotpSecret: sealed });
  });
  return { secret, otpauthUri: totpUri(secret, ctx.config.issuer, auth.user.email) };
};

/**
 * Turns 2FA on with a code of the pending secret and hands out the first backup codes. A session in
 * setup becomes complete, under a new token (like the code step of sign-in); its CSRF token stays.
 */
export const activateTwoFactor = async (
  ctx: ServerContext,
  auth: Authenticated,
  input: { code: string },
): Promise<{ body: BackupCodes; token?: string }> => {
  if (policy.hasTwoFactor(auth.user)) throw alreadyEnabled();
  const proof = await verifyCode(ctx, auth.user, 'activation', input);
  const { codes, stored } = await newBackupCodeSet(ctx.secretBox);
  const rotated =
    auth.session.stage === 'two_factor_setup' ? await newSession(ctx, auth.user.id, 'complete', null) : undefined;
  withProof(ctx, auth, 'activation', proof, (user, session, now) => {
    if (policy.hasTwoFactor(user)) throw alreadyEnabled();
    const enabled: UserRecord = {
      ...user,
      totpSecret: user.pendingTotpSecret,
      pendingTotpSecret: null,
      totpEnabledAt: now,
      backupCodes: stored,
      invitation: null,
      version: user.version + 1,
    };
    ctx.store.updateUser(enabled);
    recordEvent(ctx, {
      firmId: user.firmId,
      action: 'two_factor.enabled',
      actor: user,
      target: user,
      details: { backupCodes: stored.length },
    });
    if (rotated) {
      ctx.store.deleteSession(session.idHash);
      // Same sign-in under a new token: it keeps its start, so the 12 h maximum holds from the password step.
      ctx.store.insertSession({
        ...rotated.session,
        createdAt: session.createdAt,
        csrfToken: session.csrfToken,
        verifiedAt: now,
      });
      completeSignIn(ctx, user.id, 'two_factor_setup');
    } else {
      ctx.store.updateSession({ ...session, verifiedAt: now });
    }
  });
  return rotated ? { body: { backupCodes: codes }, token: rotated.token } : { body: { backupCodes: codes } };
};

export const regenerateBackupCodes = async (
  ctx: ServerContext,
  auth: Authenticated,
  input: { code: string },
): Promise<BackupCodes> => {
  if (!policy.hasTwoFactor(auth.user)) throw notEnabled();
  const proof = await verifyCode(ctx, auth.user, 'backup_codes', input);
  const { codes, stored } = await newBackupCodeSet(ctx.secretBox);
  withProof(ctx, auth, 'backup_codes', proof, (user) => {
    ctx.store.updateUser({ ...user, backupCodes: stored, version: user.version + 1 });
    recordEvent(ctx, {
      firmId: user.firmId,
      action: 'two_factor.backup_codes_regenerated',
      actor: user,
      target: user,
      details: { backupCodes: stored.length },
    });
  });
  return { backupCodes: codes };
};

export const disableOwnTwoFactor = async (
  ctx: ServerContext,
  auth: Authenticated,
  input: { code: string },
): Promise<Viewer> => {
  policy.enforce(policy.disableOwnTwoFactor(auth.user), ctx.clock.now());
  const proof = await verifyCode(ctx, auth.user, 'self_disable', input);
  return withProof(ctx, auth, 'self_disable', proof, (user, session) => {
    policy.enforce(policy.disableOwnTwoFactor(user), ctx.clock.now());
    const disabled = withoutTwoFactor(user);
    ctx.store.updateUser(disabled);
    recordEvent(ctx, {
      firmId: user.firmId,
      action: 'two_factor.disabled',
      actor: user,
      target: user,
      details: { by: 'self' },
    });
    return toViewer(disabled, session);
  });
};

/** The user with every trace of 2FA removed: secret, pending secret, replay step and backup codes. */
export const withoutTwoFactor = (user: UserRecord): UserRecord => ({
  ...user,
  totpSecret: null,
  pendingTotpSecret: null,
  totpEnabledAt: null,
  totpLastStep: null,
  backupCodes: [],
  version: user.version + 1,
});
