import type { EventPage, FirmUser, UserPage, UserSort } from '@firm-security/contract';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import * as policy from '../policy.js';
import { policyContext, toAuditEvent, toFirmUser } from '../present.js';
import { problem } from '../problem.js';
import type { UserRecord } from '../store/records.js';
import { foldKey, sortKeysOf, sortValuesOf } from '../store/user-order.js';
import { recordEvent } from './audit.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { queueMail } from './mail.js';
import { withoutTwoFactor } from './self-service.js';
import type { Authenticated } from './sessions.js';

/** What every firm mutation gets besides its body. */
export interface MutationInput {
  userId: string;
  /** Parsed If-Match: a version, `*`, or undefined when absent. */
  ifMatch: number | '*' | undefined;
  /** Origin for links in emails. */
  appUrl: string;
}

export interface UsersQueryInput {
  search?: string | undefined;
  status?: FirmUser['twoFactor']['status'] | undefined;
  requirement?: FirmUser['requirement']['status'] | undefined;
  sort: UserSort;
  limit: number;
  cursor?: string | undefined;
}

type UserCursor = { s: UserSort; k: (string | number)[] };

const isUserCursor =
  (sort: UserSort) =>
  (value: unknown): value is UserCursor => {
    if (typeof value !== 'object' || value === null) return false;
    const { s, k } = value as Partial<UserCursor>;
    return (
      s === sort &&
      Array.isArray(k) &&
      k.length === sortKeysOf(sort).length &&
      k.every((part) => typeof part === 'string' || typeof part === 'number')
    );
  };

export const listUsers = (ctx: ServerContext, auth: Authenticated, query: UsersQueryInput): UserPage => {
  const after = query.cursor ? decodeCursor(query.cursor, isUserCursor(query.sort)).k : undefined;
  const search = query.search?.trim() ? foldKey(query.search.trim()) : undefined;
  const { items, total } = ctx.store.listUsers({
    firmId: auth.user.firmId,
    search,
    status: query.status,
    requirement: query.requirement,
    sort: query.sort,
    after,
    limit: query.limit + 1,
  });
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((user) => toFirmUser(ctx, auth.user, user)),
    nextCursor:
      items.length > query.limit && last ? encodeCursor({ s: query.sort, k: sortValuesOf(last, query.sort) }) : null,
    total,
    summary: ctx.store.summarizeUsers(auth.user.firmId),
  };
};

/** An active user of the viewer's firm, or not_found: other firms' users do not exist for this viewer. */
export const findTarget = (ctx: ServerContext, viewer: UserRecord, id: string): UserRecord => {
  const user = ctx.store.getUser(id);
  if (!user?.active || user.firmId !== viewer.firmId)
    throw problem('not_found', 'No active user of your firm has that id.');
  return user;
};

export const getUser = (ctx: ServerContext, auth: Authenticated, id: string): { user: FirmUser; version: number } => {
  const user = findTarget(ctx, auth.user, id);
  return { user: toFirmUser(ctx, auth.user, user), version: user.version };
};

const assertVersion = (user: UserRecord, ifMatch: MutationInput['ifMatch']): void => {
  if (ifMatch === undefined || ifMatch === '*' || ifMatch === user.version) return;
  throw problem(
    'version_conflict',
    `This user changed since you loaded it (now version ${user.version}); reload and try again.`,
    {
      headers: { etag: `W/"${user.version}"` },
    },
  );
};

/**
 * Runs one firm mutation atomically on state read inside the transaction: the viewer and their
 * session as they are now (another administrator may have ended the session or changed the viewer's
 * 2FA while this request was being read), then the target, its version, the rules and the writes.
 */
const mutate = (
  ctx: ServerContext,
  auth: Authenticated,
  input: MutationInput,
  apply: (target: UserRecord, now: number, current: Authenticated) => UserRecord,
): { user: FirmUser; version: number } => {
  const { updated, viewer } = ctx.store.transaction(() => {
    const session = ctx.store.getSession(auth.session.idHash);
    const viewer = ctx.store.getUser(auth.user.id);
    if (!session || !viewer?.active) throw problem('unauthenticated', 'Your session has ended. Sign in again.');
    policy.enforce(policy.viewFirmSecurity(viewer), ctx.clock.now());
    const target = findTarget(ctx, viewer, input.userId);
    assertVersion(target, input.ifMatch);
    return { updated: apply(target, ctx.clock.now(), { user: viewer, session }), viewer };
  });
  return { user: toFirmUser(ctx, viewer, updated), version: updated.version };
};

export const inviteUser = (ctx: ServerContext, auth: Authenticated, input: MutationInput) =>
  mutate(ctx, auth, input, (target, now, { user: viewer }) => {
    policy.enforce(policy.invite(target), now);
    const updated: UserRecord = {
      ...target,
      invitation: { sentAt: iso(now), reminderCount: 0, lastReminderAt: null },
      version: target.version + 1,
    };
    ctx.store.updateUser(updated);
    recordEvent(ctx, { firmId: target.firmId, action: 'two_factor.invited', actor: viewer, target, details: {} });
    queueMail(ctx, { kind: 'invitation', recipient: updated, actor: viewer, appUrl: input.appUrl });
    return updated;
  });

export const remindUser = (ctx: ServerContext, auth: Authenticated, input: MutationInput) =>
  mutate(ctx, auth, input, (target, now, { user: viewer }) => {
    policy.enforce(policy.remind(target, policyContext(ctx)), now);
    const invitation = target.invitation as NonNullable<UserRecord['invitation']>;
    const updated: UserRecord = {
      ...target,
      invitation: { ...invitation, reminderCount: invitation.reminderCount + 1, lastReminderAt: iso(now) },
      version: target.version + 1,
    };
    ctx.store.updateUser(updated);
    recordEvent(ctx, {
      firmId: target.firmId,
      action: 'two_factor.reminder_sent',
      actor: viewer,
      target,
      details: { reminderCount: invitation.reminderCount + 1 },
    });
    queueMail(ctx, { kind: 'reminder', recipient: updated, actor: viewer, appUrl: input.appUrl });
    return updated;
  });

export const setRequirement = (ctx: ServerContext, auth: Authenticated, input: MutationInput & { required: boolean }) =>
  mutate(ctx, auth, input, (target, now, { user: viewer }) => {
    policy.enforce(policy.setRequirement(target), now);
    if (target.required === input.required) return target; // PUT is idempotent: no change, no event
    const updated: UserRecord = { ...target, required: input.required, version: target.version + 1 };
    ctx.store.updateUser(updated);
    recordEvent(ctx, {
      firmId: target.firmId,
      action: 'two_factor.requirement_changed',
      actor: viewer,
      target,
      details: { required: input.required },
    });
    return updated;
  });

export const disableUserTwoFactor = (
  ctx: ServerContext,
  auth: Authenticated,
  input: MutationInput & { confirm: boolean | undefined },
) =>
  mutate(ctx, auth, input, (target, now, { user: viewer, session }) => {
    policy.enforce(policy.disableTwoFactor(viewer, target), now);
    if (input.confirm !== true) {
      throw problem('confirmation_required', 'Tick the confirmation to disable 2FA: send {"confirm": true}.');
    }
    const verifiedAt = session.verifiedAt ? Date.parse(session.verifiedAt) : Number.NEGATIVE_INFINITY;
    if (now - verifiedAt > ctx.config.stepUpWindowMs) {
      throw problem('step_up_required', 'Enter a current code from your own authenticator app to confirm it is you.');
    }
    const updated = withoutTwoFactor(target);
    ctx.store.updateUser(updated);
    const sessionsEnded = ctx.store.deleteUserSessions(target.id);
    recordEvent(ctx, {
      firmId: target.firmId,
      action: 'two_factor.disabled',
      actor: viewer,
      target,
      details: {
        by: 'administrator',
        sessionsEnded,
        backupCodesVoided: target.backupCodes.filter((c) => !c.usedAt).length,
      },
    });
    queueMail(ctx, { kind: 'two_factor_disabled', recipient: updated, actor: viewer, appUrl: input.appUrl });
    return updated;
  });

type EventCursor = { q: number };
const isEventCursor = (value: unknown): value is EventCursor =>
  typeof value === 'object' && value !== null && Number.isInteger((value as EventCursor).q);

export const listEvents = (
  ctx: ServerContext,
  auth: Authenticated,
  query: { limit: number; cursor?: string | undefined; targetId?: string | undefined },
): EventPage => {
  const beforeSeq = query.cursor ? decodeCursor(query.cursor, isEventCursor).q : undefined;
  const events = ctx.store.listEvents({
    firmId: auth.user.firmId,
    beforeSeq,
    targetId: query.targetId,
    limit: query.limit + 1,
  });
  const page = events.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toAuditEvent),
    nextCursor: events.length > query.limit && last ? encodeCursor({ q: last.seq }) : null,
  };
};
