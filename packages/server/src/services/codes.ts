import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { ProblemError, problem } from '../problem.js';
import type { SessionRecord, UserRecord } from '../store/records.js';
import { hashBackupCode } from '../two-factor/backup-codes.js';
import { checkTotp } from '../two-factor/totp.js';
import { recordEvent } from './audit.js';
import type { Authenticated } from './sessions.js';
import { type Attempt, codeKey, failed, MAX_CODE_FAILURES, succeeded, takeAttempt } from './throttle.js';

/** Where a code was entered: for the audit trail, and for the status of a wrong code. */
export type CodeContext = 'sign_in' | 'step_up' | 'activation' | 'backup_codes' | 'self_disable';

export type CodeProof = ({ kind: 'totp'; step: number } | { kind: 'backup_code'; hash: string }) & { attempt: Attempt };

type CodeFailure = 'invalid_code' | 'code_already_used';

const statusFor = (context: CodeContext) => (context === 'sign_in' ? 401 : 422);

const messages: Record<CodeFailure, string> = {
  invalid_code: 'That code is not right. Check your authenticator app and try again.',
  code_already_used: 'That code was already used. Wait for the next one.',
};

const codeProblem = (context: CodeContext, reason: CodeFailure) =>
  problem(reason, messages[reason], { status: statusFor(context) });

const notEnabled = () => problem('two_factor_not_enabled', '2FA is not turned on for this account.');

/** Audits a failed code (the throttle counts it through `failed`). */
const auditFailure = (ctx: ServerContext, user: UserRecord, context: CodeContext, reason: CodeFailure) =>
  recordEvent(ctx, {
    firmId: user.firmId,
    action: 'two_factor.code_failed',
    actor: user,
    target: user,
    details: { context, reason },
  });

/** The secret a code is checked against: the pending one during activation, else the current one. */
const secretFieldOf = (context: CodeContext) => (context === 'activation' ? 'pendingTotpSecret' : 'totpSecret');

/**
 * Checks a TOTP code or a backup code under the per-user throttle. The attempt counts as a failure
 * until `withProof` applies it; a wrong code is audited here. Nothing is written on success yet:
 * the caller's transaction does that through `withProof`, on freshly read state.
 */
export const verifyCode = async (
  ctx: ServerContext,
  user: UserRecord,
  context: CodeContext,
  input: { code: string } | { backupCode: string },
): Promise<CodeProof> => {
  const sealed = user[secretFieldOf(context)];
  if (!sealed) throw context === 'activation' ? problem('setup_not_started', 'Start 2FA setup first.') : notEnabled();
  const attempt = takeAttempt(ctx, codeKey(user.id), MAX_CODE_FAILURES);
  let failure: CodeFailure | undefined;
  let proof: CodeProof | undefined;
  if ('backupCode' in input) {
    const hash = await hashBackupCode(ctx.secretBox, input.backupCode);
    if (user.backupCodes.some((code) => code.hash === hash && code.usedAt === null))
      proof = { kind: 'backup_code', hash, attempt };
    else failure = 'invalid_code';
  } else {
    const lastStep = context === 'activation' ? null : user.totpLastStep;
    const result = await checkTotp(await ctx.secretBox.open(sealed), input.code, ctx.clock.now(), lastStep);
    if (result.ok) proof = { kind: 'totp', step: result.step, attempt };
    else failure = result.reason;
  }
  if (!proof) {
    const reason = failure ?? 'invalid_code';
    ctx.store.transaction(() => {
      failed(ctx, attempt);
      auditFailure(ctx, user, context, reason);
    });
    throw codeProblem(context, reason);
  }
  return proof;
};

/** Marks the step or backup code as used on a freshly read user; a concurrent use got there first. */
const applyProof = (user: UserRecord, proof: CodeProof, context: CodeContext, now: string): UserRecord => {
  if (proof.kind === 'totp') {
    if (context !== 'activation' && user.totpLastStep !== null && proof.step <= user.totpLastStep) {
      throw codeProblem(context, 'code_already_used');
    }
    return { ...user, totpLastStep: proof.step };
  }
  const index = user.backupCodes.findIndex((code) => code.hash === proof.hash && code.usedAt === null);
  if (index < 0) throw codeProblem(context, 'invalid_code');
  const backupCodes = user.backupCodes.map((code, i) => (i === index ? { ...code, usedAt: now } : code));
  return { ...user, backupCodes, version: user.version + 1 };
};

/**
 * Runs the write a code was checked for, in one transaction on fresh state: the session must still
 * exist, the secret must still be the one the code was checked against (an administrator may have
 * disabled 2FA meanwhile), and the code must not have been used by a concurrent request. Then the
 * proof is applied, the throttle cleared, and `write` runs. A replay caught here is audited too.
 */
export const withProof = <T>(
  ctx: ServerContext,
  auth: Authenticated,
  context: CodeContext,
  proof: CodeProof,
  write: (user: UserRecord, session: SessionRecord, now: string) => T,
): T => {
  const now = iso(ctx.clock.now());
  try {
    return ctx.store.transaction(() => {
      const session = ctx.store.getSession(auth.session.idHash);
      const fresh = ctx.store.getUser(auth.user.id);
      if (!session || !fresh?.active) throw problem('unauthenticated', 'Your session has ended. Sign in again.');
      const field = secretFieldOf(context);
      if (fresh[field] !== auth.user[field]) {
        if (context === 'activation') throw problem('setup_not_started', 'Setup was restarted; use the newest secret.');
        throw fresh.totpSecret === null ? notEnabled() : codeProblem(context, 'invalid_code');
      }
      const applied = applyProof(fresh, proof, context, now);
      succeeded(ctx, proof.attempt);
      return write(applied, session, now);
    });
  } catch (error) {
    if (error instanceof ProblemError && (error.code === 'code_already_used' || error.code === 'invalid_code')) {
      ctx.store.transaction(() => {
        failed(ctx, proof.attempt);
        auditFailure(ctx, auth.user, context, error.code as CodeFailure);
      });
    }
    throw error;
  }
};
