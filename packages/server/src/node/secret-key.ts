import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateSecretKey, parseSecretKey } from '../crypto/secret-box.js';

/**
 * The key that seals TOTP secrets: FIRM_SECURITY_SECRET_KEY (base64, 32 bytes) when set; otherwise
 * `<database file>.key`, generated on first start with owner-only permissions. An in-memory
 * database without the variable gets a throwaway key.
 */
export const loadSecretKey = (dbPath: string, env: NodeJS.ProcessEnv = process.env): Uint8Array => {
  const fromEnv = env.FIRM_SECURITY_SECRET_KEY;
  if (fromEnv) return parseSecretKey(fromEnv);
  if (dbPath === ':memory:') return parseSecretKey(generateSecretKey());
  const keyFile = `${dbPath}.key`;
  if (!existsSync(keyFile)) writeFileSync(keyFile, `${generateSecretKey()}\n`, { mode: 0o600, flag: 'wx' });
  return parseSecretKey(readFileSync(keyFile, 'utf8'));
};
