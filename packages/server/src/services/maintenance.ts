import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { THROTTLE_WINDOW_MS } from './throttle.js';

/**
 * The identity-migration job: users created more than the migration delay ago become migrated,
 * which turns their requirement column from N/A into a toggle. Returns how many it migrated.
 */
export const migrateDueUsers = (ctx: ServerContext): number =>
  ctx.store.transaction(() => {
    const due = ctx.store.findUsersDueForMigration(iso(ctx.clock.now() - ctx.config.migrationDelayMs));
    for (const user of due) ctx.store.updateUser({ ...user, identityMigrated: true, version: user.version + 1 });
    return due.length;
  });

export interface MaintenanceResult {
  migrated: number;
  sessionsExpired: number;
}

/** Migration, and forgetting what can no longer matter: expired sessions, failures outside every window. */
export const maintain = (ctx: ServerContext): MaintenanceResult => {
  const now = ctx.clock.now();
  const migrated = migrateDueUsers(ctx);
  const sessionsExpired = ctx.store.transaction(() => {
    ctx.store.deleteFailuresBefore(iso(now - THROTTLE_WINDOW_MS));
    return ctx.store.deleteExpiredSessions(iso(now - ctx.config.sessionMaxMs), iso(now - ctx.config.sessionIdleMs));
  });
  return { migrated, sessionsExpired };
};
