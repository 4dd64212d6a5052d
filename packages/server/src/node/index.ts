// Node-only parts of the reference server: SQLite, the secret key file, SMTP and the HTTP listener.
export { nativeScrypt } from './native-scrypt.js';
export { loadSecretKey } from './secret-key.js';
export {
  consoleLogger,
  demoSeedPath,
  loadSeed,
  type RunningServer,
  type StartServerOptions,
  startServer,
} from './serve.js';
export { createSmtpDispatcher, type SmtpDispatcher } from './smtp-dispatcher.js';
export { SqliteStore } from './sqlite-store.js';
