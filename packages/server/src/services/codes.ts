import type { ServerContext } from '../context.js';
import { problem } from '../problem.js';
import type { UserRecord } from '../store/records.js';
import { hashBackupCode, normalizeBackupCode } from '../two-factor/backup-codes.js';
import { checkTotp } from '../two-factor/totp.js';
import { recordEvent } from './audit.js';
import { assertNotThrottled, clearFailures, codeKey, MAX_CODE_FAILURES, recordFailure } from './throttle.js';

/** Where a code was entered: for the audit trail, and for the status of a wrong code. */
export type CodeContext = 'sign_in' | 'step_up' | 'activation' | 'backup_codes' | 'self_disable';

export type CodeProof = { kind: 'totp'; step: number } | { kind: 'backup_code'; hash: string };

const statusFor = (context: CodeContext) => (context === 'sign_in' ? 401 : 422);

const reject = (
  ctx: ServerContext,
  user: UserRecord,
  context: CodeContext,
  reason: 'invalid_code' | 'code_already_used',
) => {
  ctx.store.transaction(() => {
    recordFailure(ctx, codeKey(user.id));
    recordEvent(ctx, {
      firmId: user.firmId,
      action: 'two_factor.code_failed',
      actor: user,
      target: user,
      details: { context, reason },
    });
  });
  throw problem(
    reason,
    reason === 'invalid_code'
      ? 'That code is not right. Check your authenticator app and try again.'
      : 'That code was already used. Wait for the next one.',
    { status: statusFor(context) },
  );
};

/**
 * Checks a TOTP code (against the current secret, or the pending one during activation) or a backup
 * code, with the per-user throttle. Failures are counted and audited; success clears the count.
 * The caller applies the proof inside its own transaction with `applyProof`.
 */
export const verifyCode = async (
  ctx: ServerContext,
  user: UserRecord,
  context: CodeContext,
  input: { code: string } | { backupCode: string },
): Promise<CodeProof> => {
  assertNotThrottled(ctx, codeKey(user.id), MAX_CODE_FAILURES);
  if ('backupCode' in input) {
    const hash = await hashBackupCode(input.backupCode);
    const match =
      normalizeBackupCode(input.backupCode).length > 0 &&
      user.backupCodes.some((c) => c.hash === hash && c.usedAt === null);
    if (!match) return reject(ctx, user, context, 'invalid_code');
    clearFailures(ctx, codeKey(user.id));
    return { kind: 'backup_code', hash };
  }
  const sealed = context === 'activation' ? user.pendingTotpSecret : user.totpSecret;
  if (!sealed) throw new Error('verifyCode called for a user without that secret');
  const secret = await ctx.secretBox.open(sealed);
  const lastStep = context === 'activation' ? null : user.totpLastStep;
  const result = await checkTotp(secret, input.code, ctx.clock.now(), lastStep);
  if (!result.ok) return reject(ctx, user, context, result.reason);
  clearFailures(ctx, codeKey(user.id));
  return { kind: 'totp', step: result.step };
};

/**
 * Inside a transaction, on a freshly read user: marks the step or backup code as used. Throws
 * code_already_used when a concurrent request used it first.
 */
export const applyProof = (user: UserRecord, proof: CodeProof, context: CodeContext, now: string): UserRecord => {
  if (proof.kind === 'totp') {
    if (context !== 'activation' && user.totpLastStep !== null && proof.step <= user.totpLastStep) {
      throw problem('code_already_used', 'That code was already used. Wait for the next one.', {
        status: statusFor(context),
      });
    }
    return { ...user, totpLastStep: proof.step };
  }
  const index = user.backupCodes.findIndex((code) => code.hash === proof.hash && code.usedAt === null);
  if (index < 0)
    throw problem('code_already_used', 'That backup code was already used.', { status: statusFor(context) });
  const backupCodes = user.backupCodes.map((code, i) => (i === index ? { ...code, usedAt: now } : code));
  return { ...user, backupCodes, version: user.version + 1 };
};
