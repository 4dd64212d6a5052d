import { fromBase64, randomBytes, toBase64 } from './random.js';

/**
 * Seals TOTP secrets at rest with AES-256-GCM (Web Crypto). Format: `v1.<iv base64>.<ciphertext base64>`.
 * Also keys the hashes of backup codes (HMAC-SHA-256), so a stolen database alone cannot test guesses.
 */
export interface SecretBox {
  seal(plaintext: string): Promise<string>;
  open(sealed: string): Promise<string>;
  /** Hex HMAC-SHA-256 with a key derived from the secret key (HKDF, its own label). */
  mac(text: string): Promise<string>;
}

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** Reads a 32-byte key written as base64, as in FIRM_SECURITY_SECRET_KEY. */
export const parseSecretKey = (base64: string): Uint8Array => {
  let key: Uint8Array;
  try {
    key = fromBase64(base64.trim());
  } catch {
    throw new SecretKeyError('The secret key must be base64.');
  }
  if (key.length !== 32) throw new SecretKeyError(`The secret key must be 32 bytes; got ${key.length}.`);
  return key;
};

export const generateSecretKey = (): string => toBase64(randomBytes(32));

export const createSecretBox = (keyBytes: Uint8Array): SecretBox => {
  if (keyBytes.length !== 32) throw new SecretKeyError('AES-256-GCM needs a 32-byte key.');
  const keyPromise = crypto.subtle.importKey('raw', new Uint8Array(keyBytes), 'AES-GCM', false, ['encrypt', 'decrypt']);
  // A separate key for MACs, so the encryption key is never used for two purposes.
  const macKeyPromise = crypto.subtle
    .importKey('raw', new Uint8Array(keyBytes), 'HKDF', false, ['deriveKey'])
    .then((master) =>
      crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: new TextEncoder().encode('firm-security:mac') },
        master,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign'],
      ),
    );
  return {
    async mac(text) {
      const signature = await crypto.subtle.sign('HMAC', await macKeyPromise, new TextEncoder().encode(text));
      return [...new Uint8Array(signature)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    },
    async seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: new Uint8Array(iv) },
        await keyPromise,
        new TextEncoder().encode(plaintext),
      );
      return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(cipher))}`;
    },
    async open(sealed) {
      const [version, iv, cipher] = sealed.split('.');
      if (version !== 'v1' || !iv || !cipher) throw new SecretKeyError('Unknown sealed secret format.');
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: new Uint8Array(fromBase64(iv)) },
          await keyPromise,
          new Uint8Array(fromBase64(cipher)),
        );
        return new TextDecoder().decode(plain);
      } catch {
        throw new SecretKeyError('A sealed secret could not be opened: wrong FIRM_SECURITY_SECRET_KEY or key file?');
      }
    },
  };
};
