import type { AuditEvent, FirmUser, TwoFactor, Viewer } from '@firm-security/contract';
import type { ServerContext } from './context.js';
import * as policy from './policy.js';
import type { AuditRecord, SessionRecord, UserRecord } from './store/records.js';
import { requirementStatusOf, twoFactorStatusOf } from './store/user-order.js';
import { remainingBackupCodes } from './two-factor/backup-codes.js';

/** Turns stored records into the contract's resources, for one viewer. */
export const toTwoFactor = (user: UserRecord): TwoFactor => {
  const enabled = policy.hasTwoFactor(user);
  return {
    status: twoFactorStatusOf(user),
    enabledAt: enabled ? user.totpEnabledAt : null,
    backupCodesRemaining: enabled ? remainingBackupCodes(user.backupCodes) : null,
  };
};

export const policyContext = (ctx: ServerContext): policy.PolicyContext => ({
  nowMs: ctx.clock.now(),
  reminderCooldownMs: ctx.config.reminderCooldownMs,
});

/** Who the user is and their 2FA state: the part FirmUser and Viewer share. */
const identityOf = (user: UserRecord): Viewer['user'] => ({
  id: user.id,
  name: user.name,
  email: user.email,
  role: user.role,
  isPrimarySubscriber: user.isPrimarySubscriber,
  twoFactor: toTwoFactor(user),
});

export const toFirmUser = (ctx: ServerContext, viewer: UserRecord, user: UserRecord): FirmUser => {
  const requirement = requirementStatusOf(user);
  return {
    ...identityOf(user),
    invitation:
      twoFactorStatusOf(user) === 'invited' ? { ...(user.invitation as NonNullable<UserRecord['invitation']>) } : null,
    requirement: {
      status: requirement,
      reason: requirement === 'not_available' ? 'identity_not_migrated' : null,
    },
    lastSignInAt: user.lastSignInAt,
    version: user.version,
    allowedActions: policy.allowedActionsFor(viewer, user, policyContext(ctx)),
  };
};

export const toViewer = (user: UserRecord, session: SessionRecord): Viewer => ({
  user: identityOf(user),
  session: { stage: session.stage, csrfToken: session.csrfToken, verifiedAt: session.verifiedAt },
  permissions: sessionPending(session) ?? {
    viewFirmSecurity: policy.viewFirmSecurity(user),
    disableTwoFactor: policy.disableAnyTwoFactor(user),
  },
});

/** Until sign-in is complete the firm endpoints answer with the stage's problem; so do the permissions. */
const sessionPending = (session: SessionRecord): Viewer['permissions'] | undefined => {
  if (session.stage === 'complete') return undefined;
  const denied = {
    allowed: false,
    reason: session.stage === 'two_factor' ? 'two_factor_pending' : 'two_factor_setup_required',
  } as const;
  return { viewFirmSecurity: denied, disableTwoFactor: denied };
};

export const toAuditEvent = (event: AuditRecord): AuditEvent => ({
  id: event.id,
  at: event.at,
  action: event.action,
  actor: event.actor,
  target: event.target,
  details: event.details,
});

/** The weak ETag of a user version. */
export const etagOf = (version: number): string => `W/"${version}"`;
