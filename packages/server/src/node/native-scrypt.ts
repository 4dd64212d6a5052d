import { scrypt } from 'node:crypto';
import type { ScryptFunction } from '../crypto/password.js';

/** Node's native scrypt: same output as the pure-JS one, several times faster. */
export const nativeScrypt: ScryptFunction = (password, salt, cost, keyLength) =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: 2 ** 28 }, (error, key) =>
      error ? reject(error) : resolve(new Uint8Array(key)),
    );
  });
