// The browser-safe core of the reference server: no Node built-ins below this entry.
export { createFirmSecurityApp, type FirmSecurityApp, type FirmSecurityAppOptions } from './app.js';
export { type Clock, systemClock } from './clock.js';
export { type Logger, type ServerContext, silentLogger } from './context.js';
export {
  createPasswordHasher,
  nobleScrypt,
  type PasswordHasher,
  type ScryptCost,
  type ScryptFunction,
} from './crypto/password.js';
export {
  createSecretBox,
  generateSecretKey,
  parseSecretKey,
  type SecretBox,
  SecretKeyError,
} from './crypto/secret-box.js';
export { type MailData, mailMessages, type RenderedMail, renderMail } from './mail/templates.js';
export * as policy from './policy.js';
export { ProblemError } from './problem.js';
export { generatedUsers, type SeedData, SeedSchema, seedFirm } from './seed.js';
export { cookieTransport, memorySessionTransport, type SessionTransport } from './services/sessions.js';
export { MemoryStore } from './store/memory-store.js';
export type * from './store/records.js';
export { formatBackupCode, normalizeBackupCode } from './two-factor/backup-codes.js';
export { checkTotp, newTotpSecret, totpCodeAt, totpStep } from './two-factor/totp.js';
