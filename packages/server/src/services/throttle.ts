import { iso, MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { problem, secondsUntil } from '../problem.js';

/** Sliding-window throttles of the contract: failures within 15 minutes. */
export const THROTTLE_WINDOW_MS = 15 * MINUTE;
export const MAX_PASSWORD_FAILURES = 10;
export const MAX_CODE_FAILURES = 5;

export const passwordKey = (email: string): string => `password:${email.trim().toLowerCase()}`;
export const codeKey = (userId: string): string => `code:${userId}`;

/** One counted attempt; see `takeAttempt`. */
export interface Attempt {
  key: string;
  failureId: number;
}

/**
 * Takes one attempt: throws rate_limited while `max` failures lie inside the window (a throttled
 * attempt is not counted), otherwise counts this attempt as a failure right away, in the same
 * synchronous step, so parallel attempts cannot all pass the check before any is counted.
 * The caller then reports `succeeded` (which resets the count) or `failed`.
 */
export const takeAttempt = (ctx: ServerContext, key: string, max: number): Attempt => {
  const now = ctx.clock.now();
  return ctx.store.transaction(() => {
    const failures = ctx.store.failuresSince(key, iso(now - THROTTLE_WINDOW_MS));
    if (failures.length >= max) {
      // Blocked until enough of the oldest failures leave the window to drop below the limit.
      const unblockAt = Date.parse(failures[failures.length - max] as string) + THROTTLE_WINDOW_MS;
      throw problem('rate_limited', 'Too many failed attempts. Wait before trying again.', {
        retryAfter: secondsUntil(unblockAt, now),
      });
    }
    return { key, failureId: ctx.store.addFailure(key, iso(now)) };
  });
};

/** Success resets the count. */
export const succeeded = (ctx: ServerContext, attempt: Attempt): void => ctx.store.clearFailures(attempt.key);

/**
 * A failed attempt stays counted; if a concurrent success reset the count meanwhile (taking this
 * attempt's provisional failure with it), it is counted again.
 */
export const failed = (ctx: ServerContext, attempt: Attempt): void => {
  if (!ctx.store.hasFailure(attempt.failureId)) ctx.store.addFailure(attempt.key, iso(ctx.clock.now()));
};
