import type { Clock } from './clock.js';
import type { PasswordHasher } from './crypto/password.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { SessionTransport } from './services/sessions.js';
import type { Store } from './store/records.js';

export interface ServerConfig {
  basePath: string;
  reminderCooldownMs: number;
  migrationDelayMs: number;
  stepUpWindowMs: number;
  sessionMaxMs: number;
  sessionIdleMs: number;
  /** Shown in authenticator apps. */
  issuer: string;
  mailFrom: string;
  /** Language of emails (`en`, `fr-CA`); the kit does not know each recipient's preference. */
  mailLocale: string;
  /** Where links in emails point; the request's origin when unset. */
  appUrl: string | undefined;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** What every service needs; built once by createFirmSecurityApp. */
export interface ServerContext {
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  passwords: PasswordHasher;
  config: ServerConfig;
  log: Logger;
  /** How session tokens travel: cookies over HTTP, a memory jar inside a browser. */
  sessions: SessionTransport;
  /**
   * Called in a microtask after mail was queued, so after the (synchronous) transaction has ended;
   * the SMTP dispatcher then reads committed rows only, and finds nothing if it rolled back.
   */
  onMailQueued: () => void;
}
