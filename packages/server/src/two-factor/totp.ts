import { generate, generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 as the contract fixes it: SHA-1, 6 digits, 30 s steps, current step +/- 1. */
export const TOTP_PERIOD_SECONDS = 30;

/** A new base32 secret of 160 bits from the CSPRNG. */
export const newTotpSecret = (): string => generateSecret({ length: 20 });

export const totpUri = (secret: string, issuer: string, account: string): string =>
  generateURI({ issuer, label: account, secret });

export const totpStep = (nowMs: number): number => Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);

/** The code of a secret at a time: for seeds, the CLI's `totp` command and tests. */
export const totpCodeAt = (secret: string, nowMs: number): Promise<string> =>
  generate({ secret, epoch: Math.floor(nowMs / 1000) });

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'invalid_code' | 'code_already_used' };

/**
 * Checks a code against the steps around `nowMs`. A step at or before `lastAcceptedStep` is a replay:
 * the code was right, but it was already used.
 */
export const checkTotp = async (
  secret: string,
  token: string,
  nowMs: number,
  lastAcceptedStep: number | null,
): Promise<TotpCheck> => {
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
  });
  if (!result.valid || !('timeStep' in result)) return { ok: false, reason: 'invalid_code' };
  const step = result.timeStep;
  if (lastAcceptedStep !== null && step <= lastAcceptedStep) return { ok: false, reason: 'code_already_used' };
  return { ok: true, step };
};
