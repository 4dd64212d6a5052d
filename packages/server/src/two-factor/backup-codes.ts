import { randomBytes } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';

/** No 0/O, 1/I/L, 5/S, 8/B: codes are read off paper and typed by people who are locked out. */
const ALPHABET = '234679ACDEFGHJKMNPQRTUVWXYZ';
const CODE_LENGTH = 10;
export const BACKUP_CODES_PER_SET = 10;

export interface StoredBackupCode {
  hash: string;
  usedAt: string | null;
}

const randomCode = (): string => {
  // Rejection sampling keeps every character uniform.
  let code = '';
  while (code.length < CODE_LENGTH) {
    for (const byte of randomBytes(16)) {
      if (byte < 256 - (256 % ALPHABET.length) && code.length < CODE_LENGTH) code += ALPHABET[byte % ALPHABET.length];
    }
  }
  return code;
};

/** Displayed as `ABCDE-FGHJK`; the dash is optional when typed. */
export const formatBackupCode = (code: string): string => `${code.slice(0, 5)}-${code.slice(5)}`;

export const normalizeBackupCode = (input: string): string => input.replace(/[\s-]/g, '').toUpperCase();

/** Keyed hash of a code as typed (case, spaces and dashes ignored). */
export const hashBackupCode = (box: SecretBox, code: string): Promise<string> =>
  box.mac(`backup-code:${normalizeBackupCode(code)}`);

/** A new set: the codes to show once, and what to store. */
export const newBackupCodeSet = async (box: SecretBox): Promise<{ codes: string[]; stored: StoredBackupCode[] }> => {
  const codes = Array.from({ length: BACKUP_CODES_PER_SET }, randomCode);
  const stored = await Promise.all(
    codes.map(async (code) => ({ hash: await hashBackupCode(box, code), usedAt: null })),
  );
  return { codes: codes.map(formatBackupCode), stored };
};

export const remainingBackupCodes = (codes: readonly StoredBackupCode[]): number =>
  codes.filter((code) => code.usedAt === null).length;
