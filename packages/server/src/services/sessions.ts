import type { SessionStage } from '@firm-security/contract';
import { iso, MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { randomToken, sha256Hex, timingSafeEqual } from '../crypto/random.js';
import { hasTwoFactor, isRequired } from '../policy.js';
import { problem } from '../problem.js';
import type { SessionRecord, UserRecord } from '../store/records.js';
import { recordEvent } from './audit.js';

export const SESSION_COOKIE = 'firm_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Authenticated {
  session: SessionRecord;
  user: UserRecord;
}

/** The stage a fresh sign-in starts in. */
export const initialStage = (user: UserRecord): SessionStage =>
  hasTwoFactor(user) ? 'two_factor' : isRequired(user) ? 'two_factor_setup' : 'complete';

const readCookie = (request: Request, name: string): string | undefined => {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
};

/**
 * How the session token travels. Over HTTP: an HttpOnly cookie. Inside a browser (the in-page mock
 * server), responses cannot carry Set-Cookie, so a jar in memory plays the browser's part.
 */
export interface SessionTransport {
  read(request: Request): string | undefined;
  /** `token` null clears the session; `cookie` is the full Set-Cookie value for HTTP. */
  write(headers: Headers, token: string | null, cookie: string): void;
}

export const cookieTransport: SessionTransport = {
  read: (request) => readCookie(request, SESSION_COOKIE),
  write: (headers, _token, cookie) => headers.append('set-cookie', cookie),
};

/** One session at a time, held in memory: for running the server app inside a browser page. */
export const memorySessionTransport = (): SessionTransport => {
  let current: string | undefined;
  return {
    read: () => current,
    write: (_headers, token) => {
      current = token ?? undefined;
    },
  };
};

const sessionCookie = (ctx: ServerContext, request: Request, token: string | null): string => {
  const https = new URL(request.url).protocol === 'https:' || ctx.config.appUrl?.startsWith('https:');
  const secure = https ? '; Secure' : '';
  const lifetime = token === null ? 0 : Math.floor(ctx.config.sessionMaxMs / 1000);
  return `${SESSION_COOKIE}=${token ?? ''}; Path=${ctx.config.basePath || '/'}; HttpOnly; SameSite=Lax; Max-Age=${lifetime}${secure}`;
};

/** Response headers that hand the client a new session token (or clear it). */
export const sessionHeaders = (ctx: ServerContext, request: Request, token: string | null): Headers => {
  const headers = new Headers();
  ctx.sessions.write(headers, token, sessionCookie(ctx, request, token));
  return headers;
};

/** Makes a session (not yet stored: the caller inserts it in its transaction) and its cookie token. */
export const newSession = async (
  ctx: ServerContext,
  userId: string,
  stage: SessionStage,
  verifiedAt: string | null,
): Promise<{ token: string; session: SessionRecord }> => {
  const token = randomToken();
  const now = iso(ctx.clock.now());
  const session: SessionRecord = {
    idHash: await sha256Hex(token),
    userId,
    stage,
    csrfToken: randomToken(),
    createdAt: now,
    lastSeenAt: now,
    verifiedAt,
  };
  return { token, session };
};

/**
 * Inside a transaction: the moment a session becomes complete. Sets lastSignInAt on the stored user
 * (read afresh, so no concurrent change is overwritten) and audits the sign-in.
 */
export const completeSignIn = (ctx: ServerContext, userId: string, method: string): void => {
  const user = ctx.store.getUser(userId);
  if (!user) return;
  ctx.store.updateUser({ ...user, lastSignInAt: iso(ctx.clock.now()) });
  recordEvent(ctx, {
    firmId: user.firmId,
    action: 'session.signed_in',
    actor: user,
    target: user,
    details: { method },
  });
};

export const sessionIdHash = async (ctx: ServerContext, request: Request): Promise<string | undefined> => {
  const token = ctx.sessions.read(request);
  return token ? sha256Hex(token) : undefined;
};

/** The session of a request, or unauthenticated. Expired sessions are removed on sight. */
export const authenticate = async (ctx: ServerContext, request: Request): Promise<Authenticated> => {
  const idHash = await sessionIdHash(ctx, request);
  const session = idHash ? ctx.store.getSession(idHash) : undefined;
  if (!session) throw problem('unauthenticated', 'Sign in to continue.');
  const now = ctx.clock.now();
  const expired =
    now - Date.parse(session.createdAt) > ctx.config.sessionMaxMs ||
    now - Date.parse(session.lastSeenAt) > ctx.config.sessionIdleMs;
  const user = ctx.store.getUser(session.userId);
  if (expired || !user || !user.active) {
    ctx.store.deleteSession(session.idHash);
    throw problem('unauthenticated', expired ? 'Your session has expired. Sign in again.' : 'Sign in to continue.');
  }
  // Touch at most once a minute: idle tracking without a write on every request.
  if (now - Date.parse(session.lastSeenAt) > MINUTE) {
    session.lastSeenAt = iso(now);
    ctx.store.updateSession(session);
  }
  return { session, user };
};

export const assertCsrf = (request: Request, session: SessionRecord): void => {
  const sent = request.headers.get(CSRF_HEADER);
  if (!sent || !timingSafeEqual(sent, session.csrfToken)) {
    throw problem('csrf_failed', 'Send the session’s CSRF token in the X-CSRF-Token header.');
  }
};

export const assertStage = (session: SessionRecord, allowed: readonly SessionStage[]): void => {
  if (allowed.includes(session.stage)) return;
  if (session.stage === 'two_factor') {
    throw problem('two_factor_pending', 'Enter your two-factor code to finish signing in.');
  }
  throw problem('two_factor_setup_required', 'Set up two-factor authentication to finish signing in.');
};
