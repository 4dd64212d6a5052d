import type { AuditAction } from '@firm-security/contract';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { randomId } from '../crypto/random.js';
import type { UserRecord } from '../store/records.js';

const ref = (user: UserRecord | null | undefined) => (user ? { id: user.id, name: user.name } : null);

/** Appends to the firm's audit log; call inside the transaction of the action it records. */
export const recordEvent = (
  ctx: ServerContext,
  event: {
    firmId: string;
    action: AuditAction;
    actor?: UserRecord | null;
    target?: UserRecord | null;
    details?: Record<string, unknown>;
  },
): void => {
  ctx.store.insertEvent({
    id: randomId('evt'),
    firmId: event.firmId,
    at: iso(ctx.clock.now()),
    action: event.action,
    actor: ref(event.actor),
    target: ref(event.target),
    details: event.details ?? {},
  });
};
