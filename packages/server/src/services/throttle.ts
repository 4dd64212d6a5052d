import { iso, MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { problem, secondsUntil } from '../problem.js';

/** Sliding-window throttles of the contract: failures within 15 minutes. */
export const THROTTLE_WINDOW_MS = 15 * MINUTE;
export const MAX_PASSWORD_FAILURES = 10;
export const MAX_CODE_FAILURES = 5;

export const passwordKey = (email: string): string => `password:${email.trim().toLowerCase()}`;
export const codeKey = (userId: string): string => `code:${userId}`;

/** Throws rate_limited while `max` failures lie inside the window; a throttled attempt is not counted. */
export const assertNotThrottled = (ctx: ServerContext, key: string, max: number): void => {
  const now = ctx.clock.now();
  const failures = ctx.store.failuresSince(key, iso(now - THROTTLE_WINDOW_MS)).sort();
  if (failures.length < max) return;
  // Blocked until enough of the oldest failures leave the window to drop below the limit.
  const unblockAt = Date.parse(failures[failures.length - max] as string) + THROTTLE_WINDOW_MS;
  throw problem('rate_limited', 'Too many failed attempts. Wait before trying again.', {
    retryAfter: secondsUntil(unblockAt, now),
  });
};

export const recordFailure = (ctx: ServerContext, key: string): void => {
  ctx.store.addFailure(key, iso(ctx.clock.now()));
};

export const clearFailures = (ctx: ServerContext, key: string): void => ctx.store.clearFailures(key);
