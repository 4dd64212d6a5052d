import type {
  BackupCodes,
  EventPage,
  EventsQuery,
  FirmUser,
  SessionCompleted,
  SessionStarted,
  TwoFactorSetup,
  UserPage,
  UsersQuery,
  Viewer,
} from '@firm-security/contract';
import { type Call, createTransport, type HeadersSource, type RetryOptions } from './transport.js';

export interface FirmSecurityClientOptions {
  /** Where the API lives: `/api/v1` (browsers) or `https://host/api/v1`. */
  baseUrl: string;
  /** A fetch to use instead of the global one (tests, server-side rendering, instrumentation). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request; a function is called per request (e.g. for a fresh bearer token). */
  headers?: HeadersSource;
  /** `same-origin` by default. */
  credentials?: RequestCredentials;
  /**
   * CSRF handling. By default the token from session responses (sign-in, verify, `viewer.get()`) is
   * remembered and sent on every state-changing request. Pass `token` to supply it yourself.
   */
  csrf?: { header?: string; token?: () => string | undefined };
  /** Per attempt, in ms; `false` for none. 10 000 by default. */
  timeout?: number | false;
  /** Retry budget: a number of attempts, `false`, or finer options. */
  retry?: number | false | RetryOptions;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface MutationOptions extends RequestOptions {
  /** Sent as Idempotency-Key; one is generated per call when absent, and reused by every retry. */
  idempotencyKey?: string;
  /** The version you last saw (`user.version`) or an ETag; the server answers 412 if it changed. */
  ifMatch?: number | string;
}

export type VerifyInput = { code: string } | { backupCode: string };

export interface FirmSecurityClient {
  viewer: { get(options?: RequestOptions): Promise<Viewer> };
  users: {
    list(query?: UsersQuery, options?: RequestOptions): Promise<UserPage>;
    /** Every page in turn, following `nextCursor`. */
    pages(query?: Omit<UsersQuery, 'cursor'>, options?: RequestOptions): AsyncGenerator<UserPage, void, undefined>;
    /** Every matching user, across all pages, once each. */
    iterate(query?: Omit<UsersQuery, 'cursor'>, options?: RequestOptions): AsyncGenerator<FirmUser, void, undefined>;
    get(id: string, options?: RequestOptions): Promise<FirmUser>;
    invite(id: string, options?: MutationOptions): Promise<FirmUser>;
    remind(id: string, options?: MutationOptions): Promise<FirmUser>;
    /** A PUT, idempotent by itself: no Idempotency-Key. */
    setRequirement(id: string, required: boolean, options?: Omit<MutationOptions, 'idempotencyKey'>): Promise<FirmUser>;
    disableTwoFactor(id: string, body: { confirm: true }, options?: MutationOptions): Promise<FirmUser>;
  };
  events: { list(query?: EventsQuery, options?: RequestOptions): Promise<EventPage> };
  session: {
    signIn(credentials: { email: string; password: string }, options?: RequestOptions): Promise<SessionStarted>;
    verify(input: VerifyInput, options?: RequestOptions): Promise<SessionCompleted>;
    stepUp(input: { code: string }, options?: RequestOptions): Promise<void>;
    signOut(options?: RequestOptions): Promise<void>;
  };
  me: {
    setupTwoFactor(options?: RequestOptions): Promise<TwoFactorSetup>;
    activateTwoFactor(code: string, options?: RequestOptions): Promise<BackupCodes>;
    regenerateBackupCodes(code: string, options?: RequestOptions): Promise<BackupCodes>;
    disableTwoFactor(code: string, options?: RequestOptions): Promise<Viewer>;
  };
}

const userPath = (id: string, rest = '') => `firm/users/${encodeURIComponent(id)}${rest}`;

/** One key per call; `randomUUID` is missing outside secure contexts (plain-http intranet hosts). */
const newIdempotencyKey = (): string =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');

/** A version (`3` or `'3'`) becomes the weak ETag `W/"3"`; an ETag (`"3"`, `W/"3"`) is sent as it is. */
const ifMatchHeader = (ifMatch: number | string | undefined): Record<string, string> =>
  ifMatch === undefined
    ? {}
    : { 'If-Match': typeof ifMatch === 'number' || /^\d+$/.test(ifMatch) ? `W/"${ifMatch}"` : ifMatch };

export const createFirmSecurityClient = (options: FirmSecurityClientOptions): FirmSecurityClient => {
  let capturedCsrf: string | undefined;
  const call: Call = createTransport({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    headers: options.headers,
    credentials: options.credentials,
    csrfHeader: options.csrf?.header ?? 'X-CSRF-Token',
    csrfToken: options.csrf?.token ?? (() => capturedCsrf),
    timeout: options.timeout,
    retry: options.retry,
  });
  const remember = <T extends { csrfToken: string }>(body: T): T => {
    capturedCsrf = body.csrfToken;
    return body;
  };

  /** `GET /me`; the session's CSRF token it carries is remembered. */
  const getViewer = async (opts: RequestOptions = {}) => {
    const viewer = await call<Viewer>('get', 'me', { signal: opts.signal, retryable: true });
    remember(viewer.session);
    return viewer;
  };

  /**
   * A reloaded page (or an element used on its own) has the session cookie but no CSRF token yet:
   * `GET /me` hands it over, once, before the first state-changing call.
   */
  let csrfLookup: Promise<unknown> | undefined;
  const ensureCsrf = async (): Promise<void> => {
    if (options.csrf?.token || capturedCsrf) return;
    csrfLookup ??= getViewer().finally(() => {
      csrfLookup = undefined;
    });
    await csrfLookup;
  };

  /**
   * A firm action. A POST carries one Idempotency-Key per call, so its retries are safe; a PUT is
   * idempotent by itself.
   */
  const firm = async (method: 'post' | 'put', path: string, json: unknown, opts: MutationOptions = {}) => {
    await ensureCsrf();
    return call<FirmUser>(method, path, {
      json,
      signal: opts.signal,
      retryable: true,
      headers: {
        ...(method === 'post' ? { 'Idempotency-Key': opts.idempotencyKey ?? newIdempotencyKey() } : {}),
        ...ifMatchHeader(opts.ifMatch),
      },
    });
  };

  /** A page of users or events. */
  const list =
    <T>(path: string) =>
    (query: UsersQuery | EventsQuery = {}, opts: RequestOptions = {}) =>
      call<T>('get', path, { searchParams: { ...query }, signal: opts.signal, retryable: true });

  const users: FirmSecurityClient['users'] = {
    list: list<UserPage>('firm/users'),
    async *pages(query = {}, opts = {}) {
      let cursor: string | undefined;
      do {
        const page = await users.list({ ...query, ...(cursor ? { cursor } : {}) }, opts);
        yield page;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
    async *iterate(query = {}, opts = {}) {
      for await (const page of users.pages(query, opts)) yield* page.items;
    },
    get: (id, opts = {}) => call<FirmUser>('get', userPath(id), { signal: opts.signal, retryable: true }),
    invite: (id, opts) => firm('post', userPath(id, '/invitation'), {}, opts),
    remind: (id, opts) => firm('post', userPath(id, '/invitation/reminders'), {}, opts),
    setRequirement: (id, required, opts) => firm('put', userPath(id, '/requirement'), { required }, opts),
    disableTwoFactor: (id, body, opts) => firm('post', userPath(id, '/two-factor/disable'), body, opts),
  };

  // Session and self-service POSTs are not idempotent (a code works once), so they are never retried.
  const once = async <T>(method: 'post' | 'delete', path: string, json: unknown, opts: RequestOptions = {}) => {
    await ensureCsrf();
    return call<T>(method, path, { json, signal: opts.signal, retryable: false });
  };

  return {
    viewer: { get: getViewer },
    users,
    events: { list: list<EventPage>('firm/events') },
    session: {
      // Signing in needs no CSRF token: it starts a new session and hands one over.
      signIn: async (credentials, opts = {}) =>
        remember(
          await call<SessionStarted>('post', 'session', { json: credentials, signal: opts.signal, retryable: false }),
        ),
      verify: async (input, opts) => remember(await once<SessionCompleted>('post', 'session/two-factor', input, opts)),
      stepUp: (input, opts) => once<void>('post', 'session/step-up', input, opts),
      signOut: async (opts) => {
        await once<void>('delete', 'session', undefined, opts);
        capturedCsrf = undefined;
      },
    },
    me: {
      setupTwoFactor: (opts) => once<TwoFactorSetup>('post', 'me/two-factor/setup', {}, opts),
      activateTwoFactor: (code, opts) => once<BackupCodes>('post', 'me/two-factor/activate', { code }, opts),
      regenerateBackupCodes: (code, opts) => once<BackupCodes>('post', 'me/two-factor/backup-codes', { code }, opts),
      disableTwoFactor: (code, opts) => once<Viewer>('post', 'me/two-factor/disable', { code }, opts),
    },
  };
};
