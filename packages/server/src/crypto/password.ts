import { scryptAsync } from '@noble/hashes/scrypt.js';
import { fromBase64, randomBytes, timingSafeEqual, toBase64 } from './random.js';

/** Hashes and checks passwords. Stored format: `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export interface ScryptCost {
  /** log2 of N; 15 (N = 32768) by default. */
  logN: number;
  r: number;
  p: number;
}

export const defaultScryptCost: ScryptCost = { logN: 15, r: 8, p: 1 };

export type ScryptFunction = (
  password: Uint8Array,
  salt: Uint8Array,
  cost: ScryptCost,
  keyLength: number,
) => Promise<Uint8Array>;

/** Pure-JS scrypt (@noble/hashes): runs anywhere; Node swaps in its native scrypt for speed. */
export const nobleScrypt: ScryptFunction = (password, salt, cost, dkLen) =>
  scryptAsync(password, salt, { N: 2 ** cost.logN, r: cost.r, p: cost.p, dkLen, maxmem: 2 ** 28 });

const KEY_LENGTH = 32;

export const createPasswordHasher = (
  scrypt: ScryptFunction = nobleScrypt,
  cost: ScryptCost = defaultScryptCost,
): PasswordHasher => ({
  async hash(password) {
    const salt = randomBytes(16);
    const hash = await scrypt(new TextEncoder().encode(password), salt, cost, KEY_LENGTH);
    return ['scrypt', cost.logN, cost.r, cost.p, toBase64(salt), toBase64(hash)].join('$');
  },
  async verify(password, stored) {
    const [scheme, logN, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const cost = { logN: Number(logN), r: Number(r), p: Number(p) };
    const actual = await scrypt(new TextEncoder().encode(password), fromBase64(salt), cost, KEY_LENGTH);
    return timingSafeEqual(toBase64(actual), hash);
  },
});
