import type { BackupCodes, TwoFactorSetup, Viewer } from '@firm-security/contract';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import * as policy from '../policy.js';
import { toViewer } from '../present.js';
import { problem } from '../problem.js';
import type { UserRecord } from '../store/records.js';
import { newBackupCodeSet } from '../two-factor/backup-codes.js';
import { newTotpSecret, totpUri } from '../two-factor/totp.js';
import { recordEvent } from './audit.js';
import { applyProof, verifyCode } from './codes.js';
import type { Authenticated } from './sessions.js';
import { completeSignIn } from './sign-in.js';

const alreadyEnabled = () => problem('two_factor_already_enabled', '2FA is already turned on for your account.');
const notEnabled = () => problem('two_factor_not_enabled', '2FA is not turned on for your account.');

/** Reads the user again inside a transaction: the state the writes must be based on. */
const reload = (ctx: ServerContext, id: string): UserRecord => ctx.store.getUser(id) as UserRecord;

export const viewer = (auth: Authenticated): Viewer => toViewer(auth.user, auth.session);

/** A new secret, pending until activation. Calling it again replaces the pending secret. */
export const setUpTwoFactor = async (ctx: ServerContext, auth: Authenticated): Promise<TwoFactorSetup> => {
  if (policy.hasTwoFactor(auth.user)) throw alreadyEnabled();
  const secret = newTotpSecret();
  const sealed = await ctx.secretBox.seal(secret);
  ctx.store.transaction(() => {
    const fresh = reload(ctx, auth.user.id);
    if (policy.hasTwoFactor(fresh)) throw alreadyEnabled();
    ctx.store.updateUser({ ...fresh, pendingTotpSecret: sealed });
  });
  return { secret, otpauthUri: totpUri(secret, ctx.config.issuer, auth.user.email) };
};

export const activateTwoFactor = async (
  ctx: ServerContext,
  auth: Authenticated,
  input: { code: string },
): Promise<BackupCodes> => {
  if (policy.hasTwoFactor(auth.user)) throw alreadyEnabled();
  if (!auth.user.pendingTotpSecret) throw problem('setup_not_started', 'Start 2FA setup before activating it.');
  const proof = await verifyCode(ctx, auth.user, 'activation', input);
  const { codes, stored } = await newBackupCodeSet();
  const now = iso(ctx.clock.now());
  ctx.store.transaction(() => {
    const fresh = reload(ctx, auth.user.id);
    if (policy.hasTwoFactor(fresh)) throw alreadyEnabled();
    if (fresh.pendingTotpSecret !== auth.user.pendingTotpSecret) {
      throw problem('setup_not_started', 'Setup was restarted elsewhere; use the newest secret.');
    }
    const enabled: UserRecord = {
      ...applyProof(fresh, proof, 'activation', now),
      totpSecret: fresh.pendingTotpSecret,
      pendingTotpSecret: null,
      totpEnabledAt: now,
      backupCodes: stored,
      invitation: null,
      version: fresh.version + 1,
    };
    ctx.store.updateUser(enabled);
    recordEvent(ctx, {
      firmId: fresh.firmId,
      action: 'two_factor.enabled',
      actor: fresh,
      target: fresh,
      details: { backupCodes: stored.length },
    });
    ctx.store.updateSession({ ...auth.session, stage: 'complete', verifiedAt: now });
    if (auth.session.stage === 'two_factor_setup') completeSignIn(ctx, enabled, 'two_factor_setup');
  });
  return { backupCodes: codes };
};

export const regenerateBackupCodes = async (
  ctx: ServerContext,
  auth: Authenticated,
  input: { code: string },
): Promise<BackupCodes> => {
  if (!policy.hasTwoFactor(auth.user)) throw notEnabled();
  const proof = await verifyCode(ctx, auth.user, 'backup_codes', input);
  const { codes, stored } = await newBackupCodeSet();
  const now = iso(ctx.clock.now());
  ctx.store.transaction(() => {
    const fresh = reload(ctx, auth.user.id);
    if (!policy.hasTwoFactor(fresh)) throw notEnabled();
    ctx.store.updateUser({
      ...applyProof(fresh, proof, 'backup_codes', now),
      backupCodes: stored,
      version: fresh.version + 1,
    });
    recordEvent(ctx, {
      firmId: fresh.firmId,
      action: 'two_factor.backup_codes_regenerated',
      actor: fresh,
      target: fresh,
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
  const now = iso(ctx.clock.now());
  const user = ctx.store.transaction(() => {
    const fresh = reload(ctx, auth.user.id);
    policy.enforce(policy.disableOwnTwoFactor(fresh), ctx.clock.now());
    applyProof(fresh, proof, 'self_disable', now);
    const disabled = withoutTwoFactor(fresh);
    ctx.store.updateUser(disabled);
    recordEvent(ctx, {
      firmId: fresh.firmId,
      action: 'two_factor.disabled',
      actor: fresh,
      target: fresh,
      details: { by: 'self' },
    });
    return disabled;
  });
  return toViewer(user, auth.session);
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
