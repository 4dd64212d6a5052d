import type { AllowedActions, Permission } from '@firm-security/contract';
import { iso } from './clock.js';
import { problem, secondsUntil } from './problem.js';
import type { UserRecord } from './store/records.js';
import { twoFactorStatusOf } from './store/user-order.js';

/**
 * Every rule of who may do what, with its reason code. Routes enforce these; responses show them
 * as `allowedActions`/`permissions`. Checks run in the contract's precedence order, so the first
 * failing reason is the one the action itself would answer with.
 */
export interface PolicyContext {
  nowMs: number;
  reminderCooldownMs: number;
}

const allowed: Permission = { allowed: true };
const denied = (reason: Extract<Permission, { allowed: false }>['reason'], retryAt?: string): Permission =>
  retryAt === undefined ? { allowed: false, reason } : { allowed: false, reason, retryAt };

export const isFirmAdmin = (user: UserRecord): boolean => user.role === 'administrator' || user.isPrimarySubscriber;

export const hasTwoFactor = (user: UserRecord): boolean => user.totpSecret !== null;

/** A requirement only counts for a user migrated to the identity service. */
export const isRequired = (user: UserRecord): boolean => user.identityMigrated && user.required;

export const viewFirmSecurity = (viewer: UserRecord): Permission =>
  isFirmAdmin(viewer) ? allowed : denied('forbidden');

/** May the viewer disable other users' 2FA at all. */
export const disableAnyTwoFactor = (viewer: UserRecord): Permission => {
  if (!isFirmAdmin(viewer)) return denied('forbidden');
  if (!hasTwoFactor(viewer)) return denied('viewer_two_factor_required');
  return allowed;
};

export const invite = (target: UserRecord): Permission => {
  const status = twoFactorStatusOf(target);
  if (status === 'enabled') return denied('already_enabled');
  if (status === 'invited') return denied('already_invited');
  return allowed;
};

/** When the next reminder may go: the cooldown after the later of the invitation and the last reminder. */
export const nextReminderAt = (target: UserRecord, cooldownMs: number): number | null => {
  if (!target.invitation) return null;
  const { sentAt, lastReminderAt } = target.invitation;
  // The later of the two: seeded data may carry a reminder dated before its invitation.
  return Math.max(Date.parse(sentAt), lastReminderAt ? Date.parse(lastReminderAt) : 0) + cooldownMs;
};

export const remind = (target: UserRecord, context: PolicyContext): Permission => {
  if (twoFactorStatusOf(target) !== 'invited') return denied('not_invited');
  const next = nextReminderAt(target, context.reminderCooldownMs) as number;
  if (next > context.nowMs) return denied('reminder_too_soon', iso(next));
  return allowed;
};

export const setRequirement = (target: UserRecord): Permission =>
  target.identityMigrated ? allowed : denied('identity_not_migrated');

export const disableTwoFactor = (viewer: UserRecord, target: UserRecord): Permission => {
  if (viewer.id === target.id) return denied('self_action_not_allowed');
  if (target.isPrimarySubscriber) return denied('primary_subscriber_protected');
  if (!hasTwoFactor(target)) return denied('two_factor_not_enabled');
  const viewerMay = disableAnyTwoFactor(viewer);
  return viewerMay.allowed ? allowed : viewerMay;
};

/** A user turning their own 2FA off. */
export const disableOwnTwoFactor = (user: UserRecord): Permission => {
  if (!hasTwoFactor(user)) return denied('two_factor_not_enabled');
  if (isRequired(user)) return denied('two_factor_required');
  return allowed;
};

export const allowedActionsFor = (viewer: UserRecord, target: UserRecord, context: PolicyContext): AllowedActions => ({
  invite: invite(target),
  remind: remind(target, context),
  setRequirement: setRequirement(target),
  disableTwoFactor: disableTwoFactor(viewer, target),
});

const details: Record<string, string> = {
  forbidden: 'Only administrators and the primary subscriber can manage Firm Security.',
  already_enabled: 'This user already has 2FA turned on.',
  already_invited: 'This user already has a pending invitation; send a reminder instead.',
  not_invited: 'This user has no pending invitation to remind them of.',
  reminder_too_soon: 'A reminder was sent recently; try again later.',
  identity_not_migrated:
    'This user is not yet migrated to the identity service that supports requiring 2FA; try again the next day.',
  self_action_not_allowed: 'You cannot disable your own 2FA here; use your own account settings.',
  primary_subscriber_protected:
    "The primary subscriber's 2FA cannot be disabled here; they must contact support to recover their account.",
  two_factor_not_enabled: '2FA is not turned on for this account.',
  viewer_two_factor_required: 'Turn on 2FA for your own account before disabling it for others.',
  two_factor_required: '2FA is required for your account, so it cannot be turned off.',
};

/** Throws the problem a denied permission stands for. */
export const enforce = (permission: Permission, nowMs: number): void => {
  if (permission.allowed) return;
  const detail = details[permission.reason] ?? permission.reason;
  throw problem(
    permission.reason,
    permission.retryAt ? `${detail} Next possible at ${permission.retryAt}.` : detail,
    permission.retryAt ? { retryAfter: secondsUntil(Date.parse(permission.retryAt), nowMs) } : {},
  );
};
