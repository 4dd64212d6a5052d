#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createSecretBox } from '../crypto/secret-box.js';
import { totpCodeAt } from '../two-factor/totp.js';
import { loadSecretKey } from './secret-key.js';
import { consoleLogger, loadSeed, type RunningServer, startServer } from './serve.js';
import { SqliteStore } from './sqlite-store.js';

const USAGE = `Usage:
  firm-security-server [--host 127.0.0.1] [--port 8787] [--db <file>|:memory:] [--seed demo|demo:N|<file>]
                       [--smtp-url smtp://host:port] [--base-path /api/v1] [--reminder-cooldown <s>]
                       [--migration-delay <s>] [--step-up-window <s>] [--static <dir>] [--mail-locale en|fr-CA]
                       [--app-url https://app.example.com]   (links in emails; Secure cookies when https)
                       [--dev-mailbox]   (development only: GET /dev/mailbox lists the outbox as JSON)
  firm-security-server totp --db <file> <email>     print the current TOTP code of a user`;

const portOf = (value: string): number => {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new Error(`--port takes a port number from 0 to 65535, not "${value}"`);
  return port;
};

const seconds = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${flag} takes whole seconds, not "${value}"`);
  return Number(value);
};

/** The current code of a user, read from the database with the database's key. */
const currentCode = async (
  dbPath: string,
  email: string,
): Promise<{ code: string; nextCode: string; validFor: number } | undefined> => {
  const store = new SqliteStore(dbPath, { fileMustExist: true });
  try {
    const user = store.findUserByEmail(email);
    if (!user?.totpSecret) return undefined;
    const secret = await createSecretBox(loadSecretKey(dbPath)).open(user.totpSecret);
    const now = Date.now();
    return {
      code: await totpCodeAt(secret, now),
      nextCode: await totpCodeAt(secret, now + 30_000),
      validFor: 30 - (Math.floor(now / 1000) % 30),
    };
  } finally {
    store.close();
  }
};

const printDemoHelp = async (running: RunningServer, seed: string, dbPath: string) => {
  const { users } = loadSeed(seed.replace(/:\d+$/, ''));
  const admins = users.filter((u) => u.active && (u.role === 'administrator' || u.isPrimarySubscriber));
  const lines = ['', 'Demo sign-in (every demo user shares this password):', `  password: ${users[0]?.password}`];
  for (const admin of admins) {
    const user = running.store.findUserByEmail(admin.email);
    let code = '';
    if (user?.totpSecret) {
      const secret = await running.server.context.secretBox.open(user.totpSecret);
      code = `  current 2FA code ${await totpCodeAt(secret, Date.now())}`;
    } else code = '  (2FA off)';
    lines.push(
      `  ${admin.email.padEnd(40)}${admin.isPrimarySubscriber ? 'primary subscriber' : 'administrator     '}${code}`,
    );
  }
  lines.push(
    '',
    dbPath === ':memory:'
      ? 'An in-memory database: add the secrets in packages/server/seeds/demo.json to an authenticator app for later codes.'
      : dbPath === '.data/firm-security.db'
        ? 'Codes change every 30 s; a fresh one at any time: npm run totp -- <email>'
        : `Codes change every 30 s; a fresh one at any time: firm-security-server totp --db ${dbPath} <email>`,
  );
  console.log(lines.join('\n'));
};

const serveCommand = async (argv: string[]) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8787' },
      db: { type: 'string', default: ':memory:' },
      seed: { type: 'string' },
      'smtp-url': { type: 'string' },
      'base-path': { type: 'string', default: '/api/v1' },
      'reminder-cooldown': { type: 'string' },
      'migration-delay': { type: 'string' },
      'step-up-window': { type: 'string' },
      static: { type: 'string' },
      'mail-locale': { type: 'string' },
      'app-url': { type: 'string' },
      'dev-mailbox': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = portOf(values.port);
  const running = await startServer({
    host: values.host,
    port,
    db: values.db,
    seed: values.seed,
    smtpUrl: values['smtp-url'],
    basePath: values['base-path'],
    reminderCooldownSeconds: seconds(values['reminder-cooldown'], '--reminder-cooldown'),
    migrationDelaySeconds: seconds(values['migration-delay'], '--migration-delay'),
    stepUpWindowSeconds: seconds(values['step-up-window'], '--step-up-window'),
    staticDir: values.static,
    mailLocale: values['mail-locale'],
    appUrl: values['app-url'],
    devMailbox: values['dev-mailbox'],
    log: consoleLogger,
  });
  let demoHelp: Promise<void> = Promise.resolve();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests in flight, then closing the database`);
    // The demo help reads the database: let it finish before the database closes.
    const closed = demoHelp.catch(() => {}).then(() => running.close());
    closed.then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Ready only once SIGTERM is handled: a supervisor may stop us as soon as it reads this line.
  console.log(`listening on ${running.url}`);
  if (values.static) console.log(`demo: ${running.origin}/`);
  if (values.seed?.startsWith('demo')) {
    demoHelp = printDemoHelp(running, values.seed, values.db);
    await demoHelp;
  }
};

/** An error whose message says it all (no usage text after it). */
class PlainError extends Error {}

const totpCommand = async (argv: string[]) => {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { db: { type: 'string', default: '.data/firm-security.db' } },
    allowPositionals: true,
  });
  const email = positionals[0];
  if (!email) throw new Error('Which user? firm-security-server totp --db <file> <email>');
  const result = await currentCode(values.db, email);
  if (!result) throw new PlainError(`${email} has no 2FA turned on in ${values.db}: there is no code to give.`);
  // Near the end of a step, also give the next code so the reader has time to type one.
  const next = result.validFor < 8 ? `; next: ${result.nextCode}` : '';
  console.log(`${result.code}   (valid for about ${result.validFor} s more${next})`);
};

const main = async () => {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'totp') await totpCommand(rest);
  else await serveCommand(process.argv.slice(2));
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  // The usage helps with a mistyped command, not with a user who has no 2FA.
  if (!(error instanceof PlainError)) console.error(USAGE);
  process.exit(2);
});
