import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';

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
