// The browser-safe core of the reference server: no Node built-ins below this entry.
export { type FirmSecurityApp, type FirmSecurityAppOptions, createFirmSecurityApp } from './app.js';
export { type Clock, systemClock } from './clock.js';
export { type Logger, type ServerContext, silentLogger } from './context.js';
export { type PasswordHasher, type ScryptCost, type ScryptFunction, createPasswordHasher, nobleScrypt } from './crypto/password.js';
export { type SecretBox, SecretKeyError, createSecretBox, generateSecretKey, parseSecretKey } from './crypto/secret-box.js';
export { type MailData, type RenderedMail, mailMessages, renderMail } from './mail/templates.js';
export * as policy from './policy.js';
export { ProblemError } from './problem.js';
export { type SeedData, SeedSchema, generatedUsers, seedFirm } from './seed.js';
export { MemoryStore } from './store/memory-store.js';
export type * from './store/records.js';
export { formatBackupCode, normalizeBackupCode } from './two-factor/backup-codes.js';
export { checkTotp, newTotpSecret, totpCodeAt, totpStep } from './two-factor/totp.js';
