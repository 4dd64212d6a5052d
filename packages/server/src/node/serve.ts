import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { createFirmSecurityApp, type FirmSecurityApp } from '../app.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../context.js';
import { createPasswordHasher, defaultScryptCost, type ScryptCost } from '../crypto/password.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { generatedUsers, type SeedData, seedFirm } from '../seed.js';
import type { Store } from '../store/records.js';
import { nativeScrypt } from './native-scrypt.js';
import { loadSecretKey } from './secret-key.js';
import { createSmtpDispatcher, type SmtpDispatcher } from './smtp-dispatcher.js';
import { SqliteStore } from './sqlite-store.js';

export interface StartServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A SQLite file, or `:memory:`. */
  db?: string;
  /** `demo`, `demo:N` or a path to a seed file. */
  seed?: string | undefined;
  smtpUrl?: string | undefined;
  basePath?: string;
  reminderCooldownSeconds?: number | undefined;
  migrationDelaySeconds?: number | undefined;
  stepUpWindowSeconds?: number | undefined;
  /** A built host app served from `/` beside the API. */
  staticDir?: string | undefined;
  /** Language of emails: `en` (default) or `fr-CA`. */
  mailLocale?: string | undefined;
  /** Public URL of the host app, for links in emails (and Secure cookies when https). */
  appUrl?: string | undefined;
  /**
   * Development only: `GET /dev/mailbox` lists the outbox as JSON (no authentication), so a demo can
   * show the emails it sends. Never turn this on where real people's mail is queued.
   */
  devMailbox?: boolean | undefined;
  log?: Logger;
  clock?: Clock;
  scryptCost?: ScryptCost;
}

export interface RunningServer {
  /** `http://HOST:PORT/api/v1` */
  url: string;
  origin: string;
  port: number;
  store: Store;
  server: FirmSecurityApp;
  dispatcher: SmtpDispatcher | undefined;
  /** Stops accepting, finishes requests in flight, stops mail, closes the database. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;
export const DEV_MAILBOX_PATH = '/dev/mailbox';

const mailboxResponse = (store: Store): Response =>
  new Response(
    JSON.stringify({
      items: store.listMail({ limit: 100 }).map(({ id, kind, to, subject, text, createdAt, sentAt }) => ({
        id,
        kind,
        to,
        subject,
        text,
        createdAt,
        sentAt,
      })),
    }),
    {
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    },
  );

/** The contract's "Responses carry nosniff and no-store" covers the host app served beside the API too. */
const staticHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('cache-control', 'no-store');
};

export const demoSeedPath = new URL('../../seeds/demo.json', import.meta.url);

/** Reads `demo`, `demo:N` or a seed file into seed data. */
export const loadSeed = (spec: string): SeedData => {
  const match = /^demo(?::(\d+))?$/.exec(spec);
  if (!match) return JSON.parse(readFileSync(spec, 'utf8'));
  const demo: SeedData = JSON.parse(readFileSync(demoSeedPath, 'utf8'));
  const extra = Number(match[1] ?? 0);
  if (!extra) return demo;
  const first = demo.users[0];
  if (!first) throw new Error('the demo seed has no users');
  const secrets = demo.users.flatMap((u) => (u.twoFactor.status === 'enabled' ? [u.twoFactor.totpSecret] : []));
  return {
    ...demo,
    users: [
      ...demo.users,
      ...generatedUsers(extra, { password: first.password, domain: first.email.split('@')[1] as string, secrets }),
    ],
  };
};

export const startServer = async (options: StartServerOptions = {}): Promise<RunningServer> => {
  const host = options.host ?? '127.0.0.1';
  const dbPath = options.db ?? ':memory:';
  const basePath = options.basePath ?? '/api/v1';
  const log = options.log ?? consoleLogger;
  const store = new SqliteStore(dbPath);
  const secretBox = createSecretBox(loadSecretKey(dbPath));
  const sealed = store.anySealedSecret();
  if (sealed) {
    // A wrong key would otherwise surface later as a failed sign-in; refuse to start instead.
    await secretBox.open(sealed).catch((error: unknown) => {
      store.close();
      throw error;
    });
  }
  let dispatcher: SmtpDispatcher | undefined;
  const server = createFirmSecurityApp({
    store,
    secretBox,
    passwords: createPasswordHasher(nativeScrypt, options.scryptCost ?? defaultScryptCost),
    basePath,
    log,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.reminderCooldownSeconds !== undefined
      ? { reminderCooldownSeconds: options.reminderCooldownSeconds }
      : {}),
    ...(options.migrationDelaySeconds !== undefined ? { migrationDelaySeconds: options.migrationDelaySeconds } : {}),
    ...(options.stepUpWindowSeconds !== undefined ? { stepUpWindowSeconds: options.stepUpWindowSeconds } : {}),
    ...(options.mailLocale ? { mailLocale: options.mailLocale } : {}),
    ...(options.appUrl ? { appUrl: options.appUrl } : {}),
    onMailQueued: () => dispatcher?.kick(),
  });
  if (options.smtpUrl) {
    dispatcher = createSmtpDispatcher({ store, smtpUrl: options.smtpUrl, from: server.context.config.mailFrom, log });
  }
  if (options.seed) {
    const result = await seedFirm(server.context, loadSeed(options.seed));
    log.info('seeded', { seed: options.seed, created: result.created, unchanged: result.skipped });
  }
  server.migrateDueUsers();
  dispatcher?.kick();

  let fetch = server.fetch;
  if (options.staticDir) {
    const site = new Hono();
    const root = options.staticDir;
    site.use('*', staticHeaders);
    site.use('*', serveStatic({ root }));
    // Client-side routes of the host app fall back to its index.html.
    site.get('*', serveStatic({ root, rewriteRequestPath: () => '/index.html' }));
    fetch = (request) => {
      const path = new URL(request.url).pathname;
      return path === basePath || path.startsWith(`${basePath}/`)
        ? server.fetch(request)
        : Promise.resolve(site.fetch(request));
    };
  }

  if (options.devMailbox) {
    const api = fetch;
    fetch = (request) =>
      new URL(request.url).pathname === DEV_MAILBOX_PATH ? Promise.resolve(mailboxResponse(store)) : api(request);
  }
  // Once shutdown starts, every response closes its connection, so keep-alive clients cannot hold the
  // server open or slip new requests in.
  let closing: Promise<void> | undefined;
  const serveFetch = async (request: Request) => {
    const response = await fetch(request);
    if (!closing) return response;
    const headers = new Headers(response.headers);
    headers.set('connection', 'close');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
  const http = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: serveFetch, hostname: host, port: options.port ?? 8787 }, () =>
      resolve(listening),
    );
  });
  // The identity-migration job (and session/throttle clean-up) also runs on a timer, so a firm whose
  // Firm Security page nobody opens still gets migrated.
  const maintenance = setInterval(() => server.runMaintenance(), 60_000);
  maintenance.unref();
  const port = (http.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: `${origin}${basePath}`,
    origin,
    port,
    store,
    server,
    dispatcher,
    close() {
      closing ??= (async () => {
        clearInterval(maintenance);
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          if (!('closeIdleConnections' in http)) return;
          // Idle keep-alive sockets would hold close() open; requests in flight still finish, and
          // answer with `Connection: close`. A client that never lets go is cut off after 10 s.
          http.closeIdleConnections();
          setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
        });
        await dispatcher?.close(SHUTDOWN_GRACE_MS);
        store.close();
      })();
      return closing;
    },
  };
};

export const consoleLogger: Logger = {
  info: (message, fields) => console.log(message, fields ? JSON.stringify(fields) : ''),
  warn: (message, fields) => console.warn(message, fields ? JSON.stringify(fields) : ''),
  error: (message, fields) => console.error(message, fields ? JSON.stringify(fields) : ''),
};
