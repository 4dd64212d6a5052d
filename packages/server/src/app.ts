import { type Operation, type OperationId, operations } from '@firm-security/contract';
import { Hono } from 'hono';
import { type Clock, HOUR, MINUTE, systemClock } from './clock.js';
import type { Logger, ServerConfig, ServerContext } from './context.js';
import { silentLogger } from './context.js';
import { createPasswordHasher, type PasswordHasher } from './crypto/password.js';
import type { SecretBox } from './crypto/secret-box.js';
import { handlers } from './http/handlers.js';
import { runOperation } from './http/pipeline.js';
import { mailMessages } from './mail/templates.js';
import { ProblemError, problem } from './problem.js';
import { type MaintenanceResult, maintain, migrateDueUsers } from './services/maintenance.js';
import { cookieTransport, type SessionTransport } from './services/sessions.js';
import type { Store } from './store/records.js';

export interface FirmSecurityAppOptions {
  store: Store;
  secretBox: SecretBox;
  clock?: Clock;
  passwords?: PasswordHasher;
  log?: Logger;
  /** Mount point of the API; `/api/v1` by default. */
  basePath?: string;
  reminderCooldownSeconds?: number;
  migrationDelaySeconds?: number;
  stepUpWindowSeconds?: number;
  issuer?: string;
  mailFrom?: string;
  appUrl?: string;
  /** Language of emails: `en` (default) or `fr-CA`. */
  mailLocale?: string;
  onMailQueued?: () => void;
  /** How session tokens travel; HttpOnly cookies by default (see `memorySessionTransport` for browsers). */
  sessions?: SessionTransport;
}

export interface FirmSecurityApp {
  /** The Hono app: `app.fetch(request)` is all a runtime needs. */
  app: Hono<AppEnv>;
  fetch: (request: Request) => Promise<Response>;
  context: ServerContext;
  /** Runs the identity-migration job now; returns how many users it migrated. */
  migrateDueUsers: () => number;
  /** Migration plus clean-up of expired sessions and old failed attempts; requests also run it once a minute. */
  runMaintenance: () => MaintenanceResult;
}

type AppEnv = { Variables: { requestId: string } };

/** Responses of every API route carry these. */
const SECURITY_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Maintenance runs at most this often on authenticated firm requests (no timers: works in browsers);
 * the Node server also runs it on a timer.
 */
const MAINTENANCE_INTERVAL_MS = MINUTE;

/** The reference server as a web-standard app. Imports no Node module: it also runs in a browser. */
export const createFirmSecurityApp = (options: FirmSecurityAppOptions): FirmSecurityApp => {
  const basePath = (options.basePath ?? '/api/v1').replace(/\/+$/, '');
  const config: ServerConfig = {
    basePath,
    reminderCooldownMs: (options.reminderCooldownSeconds ?? 3600) * 1000,
    migrationDelayMs: (options.migrationDelaySeconds ?? 24 * 3600) * 1000,
    stepUpWindowMs: (options.stepUpWindowSeconds ?? 15 * 60) * 1000,
    sessionMaxMs: 12 * HOUR,
    sessionIdleMs: 8 * HOUR,
    issuer: options.issuer ?? 'Firm Security',
    mailFrom: options.mailFrom ?? 'Firm Security <no-reply@firm-security.test>',
    appUrl: options.appUrl,
    mailLocale: options.mailLocale ?? 'en',
  };
  if (!Object.hasOwn(mailMessages, config.mailLocale)) {
    throw new Error(
      `No mail templates for "${config.mailLocale}"; use one of ${Object.keys(mailMessages).join(', ')}.`,
    );
  }
  if (options.appUrl !== undefined && !URL.canParse(options.appUrl)) {
    throw new Error(`appUrl must be an absolute URL such as https://app.example.com, not "${options.appUrl}".`);
  }
  const ctx: ServerContext = {
    store: options.store,
    clock: options.clock ?? systemClock,
    secretBox: options.secretBox,
    passwords: options.passwords ?? createPasswordHasher(),
    config,
    log: options.log ?? silentLogger,
    onMailQueued: options.onMailQueued ?? (() => {}),
    sessions: options.sessions ?? cookieTransport,
  };

  let lastMaintenance = Number.NEGATIVE_INFINITY;
  const runMaintenance = () => {
    lastMaintenance = ctx.clock.now();
    const result = maintain(ctx);
    if (result.migrated) ctx.log.info('identity migration', { migrated: result.migrated });
    return result;
  };
  const maintainWhenDue = () => {
    if (ctx.clock.now() - lastMaintenance >= MAINTENANCE_INTERVAL_MS) runMaintenance();
  };

  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const requestId = crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    c.res.headers.set('x-request-id', requestId);
  });

  const byPath = new Map<string, Operation[]>();
  for (const op of operations as readonly Operation[]) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);

  for (const [path, ops] of byPath) {
    const route = `${basePath}${toHonoPath(path)}`;
    for (const op of ops) {
      app.on(op.method.toUpperCase(), route, (c) =>
        runOperation(
          ctx,
          op,
          c.req.raw,
          c.req.param() as Record<string, string>,
          handlers[op.operationId as OperationId],
          {
            onFirmAccess: maintainWhenDue,
          },
        ),
      );
    }
    const allow = ops.flatMap((op) => (op.method === 'get' ? ['GET', 'HEAD'] : [op.method.toUpperCase()]));
    app.all(route, (c) => {
      throw problem('method_not_allowed', `${c.req.method} is not supported here; use ${allow.join(' or ')}.`, {
        allow,
      });
    });
  }

  app.notFound((c) => problem('not_found', `No API route matches ${new URL(c.req.url).pathname}.`).toResponse());
  app.onError((error, c) => {
    if (error instanceof ProblemError) return error.toResponse();
    ctx.log.error('unhandled error', {
      requestId: c.get('requestId'),
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return problem('internal_error', 'Something went wrong on the server; the request changed nothing.').toResponse();
  });

  return {
    app,
    fetch: async (request) => app.fetch(request),
    context: ctx,
    migrateDueUsers: () => migrateDueUsers(ctx),
    runMaintenance,
  };
};
