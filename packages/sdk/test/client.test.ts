import { inspect } from 'node:util';
import {
  ConflictError,
  createFirmSecurityClient,
  type FirmSecurityClientOptions,
  FirmSecurityError,
  type FirmUser,
  ForbiddenError,
  InvalidCodeError,
  InvalidCredentialsError,
  isFirmSecurityError,
  NotFoundError,
  PreconditionFailedError,
  RateLimitedError,
  StepUpRequiredError,
  TimeoutError,
  UnauthenticatedError,
  type UserSort,
  type UsersQuery,
  ValidationError,
  ViewerTwoFactorRequiredError,
} from '@firm-security/sdk';
import { generatedUsers, totpCodeAt } from '@firm-security/server';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DEMO_PASSWORD, demoSeed } from '../../server/test/harness.js';
import { delay, matching } from './faults.js';
import { BASE_URL, browserLikeFetch, createSdkHarness, demo, type Fetch, type Harness } from './setup.js';

/**
 * Every client method against the real server app (in process, memory store): its success, and each
 * documented error arriving as the right class, code and status, with the problem body, the request
 * id and a cause, and never a credential in anything printable.
 */

const MINUTE = 60_000;
const STEP = 30_000;
const BEARER = 'secret-token-123';

// ---------------------------------------------------------------------------------------------
// helpers

interface Exchange {
  request: Request;
  status: number;
  requestId: string | null;
}

/**
 * A wrapping fetch that sees exactly what the client sends and what the server answers. It also
 * collects every credential that passed by (session cookies, CSRF tokens), so errors can be checked
 * for leaks.
 */
const recorder = () => {
  const exchanges: Exchange[] = [];
  const secrets = new Set<string>([BEARER]);
  const wrap =
    (next: Fetch): Fetch =>
    async (input: RequestInfo | URL, init?: RequestInit) => {
      // Copy, but forward the caller's own request: a `new Request()` in between would follow the
      // caller's AbortSignal only while it stays reachable (undici follows signals through a WeakRef).
      const copy = (input instanceof Request ? input : new Request(input, init)).clone();
      // Like a platform fetch, an already-aborted signal fails before anything is sent.
      if (copy.signal.aborted) throw copy.signal.reason;
      const response = await next(input, init);
      exchanges.push({ request: copy, status: response.status, requestId: response.headers.get('x-request-id') });
      const cookie = /firm_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
      if (cookie) secrets.add(cookie);
      if ((response.headers.get('content-type') ?? '').includes('json')) {
        const body = await response
          .clone()
          .json()
          .catch(() => undefined);
        const token = body?.csrfToken ?? body?.session?.csrfToken;
        if (typeof token === 'string') secrets.add(token);
      }
      return response;
    };
  return {
    exchanges,
    secrets,
    wrap,
    last: (): Exchange => {
      const last = exchanges.at(-1);
      if (!last) throw new Error('no request reached the server');
      return last;
    },
    to: (method: string, pathPart: string) =>
      exchanges.filter((x) => x.request.method === method && new URL(x.request.url).pathname.includes(pathPart)),
  };
};

type Recorder = ReturnType<typeof recorder>;

const setup = async (
  options: { client?: Partial<FirmSecurityClientOptions>; wrap?: (fetch: Fetch) => Fetch; seed?: typeof demoSeed } = {},
) => {
  const rec = recorder();
  const sdk = await createSdkHarness({
    wrap: (base) => rec.wrap(options.wrap ? options.wrap(base) : base),
    ...(options.client ? { client: options.client } : {}),
    ...(options.seed ? { harness: { seed: options.seed } } : {}),
  });
  const { h } = sdk;
  const id = (email: string): string => {
    const value = h.ids[email];
    if (!value) throw new Error(`no id for ${email}`);
    return value;
  };
  const firmId = h.store.getUser(id(demo.primary))?.firmId as string;
  return { ...sdk, rec, id, firmId };
};

type Setup = Awaited<ReturnType<typeof setup>>;

const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
};

/** Every printable view of an error that could end up in a log. */
const printable = (error: unknown): string[] => {
  const e = error as FirmSecurityError & { cause?: { options?: unknown; request?: unknown; response?: unknown } };
  return [
    e.message,
    String(e),
    e.stack ?? '',
    JSON.stringify(e),
    JSON.stringify({ problem: e.problem, requestId: e.requestId, cause: e.cause }),
    JSON.stringify({ options: e.cause?.options ?? null }),
    inspect(e, { depth: 6 }),
    inspect(e.cause, { depth: 6 }),
  ];
};

const expectNoSecrets = (error: unknown, secrets: Iterable<string>) => {
  const views = printable(error);
  for (const secret of secrets) {
    for (const view of views) {
      if (view.includes(secret)) throw new Error(`a credential leaked into an error view:\n${view}`);
    }
  }
};

type ErrorClass<E extends FirmSecurityError> = abstract new (...args: never[]) => E;

/**
 * Asserts the call fails with `Class`, `status` and `code`, that the error carries the parsed problem,
 * the X-Request-Id of the response that caused it and a cause, and that it leaks no credential.
 */
const expectProblem = async <E extends FirmSecurityError>(
  rec: Recorder,
  promise: Promise<unknown>,
  Class: ErrorClass<E>,
  status: number,
  code: string,
): Promise<E> => {
  const error = await rejection(promise);
  if (!(error instanceof Class)) throw new Error(`expected ${Class.name}, got ${inspect(error)}`);
  expect(isFirmSecurityError(error)).toBe(true);
  expect(error).toBeInstanceOf(FirmSecurityError);
  expect(error.name).toBe(Class.name);
  expect({ status: error.status, code: error.code }).toEqual({ status, code });
  expect(error.problem).toMatchObject({ type: `urn:firm-security:problem:${code}`, status, code });
  expect(error.problem?.title).toEqual(expect.any(String));
  expect(error.problem?.detail).toEqual(expect.any(String));
  expect(error.message).toContain(error.problem?.detail);
  const last = rec.last();
  expect(last.status).toBe(status);
  expect(error.requestId).toEqual(expect.stringMatching(/\S/));
  expect(error.requestId).toBe(last.requestId);
  expect(error.cause).toBeInstanceOf(Error);
  expectNoSecrets(error, rec.secrets);
  return error;
};

/** Six digits that are no valid code of `secret` anywhere near `ms`. */
const wrongCode = async (secret: string, ms: number): Promise<string> => {
  const near = new Set(await Promise.all([-3, -2, -1, 0, 1, 2, 3].map((k) => totpCodeAt(secret, ms + k * STEP))));
  for (let n = 1; ; n++) {
    const candidate = String(n * 7919)
      .padStart(6, '0')
      .slice(-6);
    if (!near.has(candidate)) return candidate;
  }
};

const seedSecret = (email: string): string => {
  const user = demoSeed.users.find((u) => u.email === email);
  if (user?.twoFactor.status !== 'enabled') throw new Error(`${email} has no seeded secret`);
  return user.twoFactor.totpSecret;
};

const mailsTo = (h: Harness, userId: string, kind: string) =>
  h.store.listMail({ limit: 100_000 }).filter((m) => m.userId === userId && m.kind === kind);

const signInPasswordOnly = (t: Setup, email: string) => t.client.session.signIn({ email, password: DEMO_PASSWORD });

const header = (exchange: Exchange | undefined, name: string) => exchange?.request.headers.get(name) ?? null;

// ---------------------------------------------------------------------------------------------
// viewer

describe('viewer.get', () => {
  it('returns the viewer, its session and permissions', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const viewer = await t.client.viewer.get();
    expect(viewer.user).toMatchObject({ id: t.id(demo.primary), email: demo.primary, isPrimarySubscriber: true });
    expect(viewer.session.stage).toBe('complete');
    expect(viewer.session.csrfToken).toEqual(expect.any(String));
    expect(viewer.session.verifiedAt).not.toBeNull();
    expect(viewer.permissions.viewFirmSecurity).toEqual({ allowed: true });
  });

  it('works in an incomplete stage', async () => {
    const t = await setup();
    await signInPasswordOnly(t, demo.primary);
    expect((await t.client.viewer.get()).session.stage).toBe('two_factor');
    await signInPasswordOnly(t, demo.required);
    expect((await t.client.viewer.get()).session.stage).toBe('two_factor_setup');
  });

  it('without a session is an UnauthenticatedError', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.viewer.get(), UnauthenticatedError, 401, 'unauthenticated');
  });
});

// ---------------------------------------------------------------------------------------------
// users.list / pages / iterate

describe('users.list', () => {
  it('lists active users with total and summary; filters and sorts', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const page = await t.client.users.list();
    const summary = t.h.store.summarizeUsers(t.firmId);
    expect(page.summary).toEqual(summary);
    expect(page.total).toBe(summary.total);
    expect(page.items).toHaveLength(summary.total);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((u) => u.email)).not.toContain(demo.deactivated);
    const names = page.items.map((u) => u.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

    const kim = await t.client.users.list({ search: 'KIM' });
    expect(kim.items.map((u) => u.email)).toEqual([demo.invited]);
    expect(kim.total).toBe(1);
    expect(kim.summary).toEqual(summary);

    const invited = await t.client.users.list({ status: 'invited' });
    expect(invited.items.every((u) => u.twoFactor.status === 'invited')).toBe(true);
    expect(invited.total).toBe(summary.invited);

    const na = await t.client.users.list({ requirement: 'not_available' });
    expect(na.items.map((u) => u.email)).toEqual([demo.notMigrated]);

    const reversed = await t.client.users.list({ sort: '-name' });
    expect(reversed.items.map((u) => u.name)).toEqual([...names].reverse());
  });

  it('a bad query is a ValidationError with field errors', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const limit = await expectProblem(
      t.rec,
      t.client.users.list({ limit: 500 } as any),
      ValidationError,
      422,
      'validation_failed',
    );
    expect(limit.fieldErrors).toContainEqual({ path: 'limit', message: expect.any(String) });
    expect(limit.fieldErrors).toEqual(limit.problem?.errors);
    const sort = await expectProblem(
      t.rec,
      t.client.users.list({ sort: 'age' } as any),
      ValidationError,
      422,
      'validation_failed',
    );
    expect(sort.fieldErrors.map((e) => e.path)).toEqual(['sort']);
    const status = await expectProblem(
      t.rec,
      t.client.users.list({ status: 'maybe' } as any),
      ValidationError,
      422,
      'validation_failed',
    );
    expect(status.fieldErrors.map((e) => e.path)).toEqual(['status']);
    // Not retried: a 422 reached the server once per call.
    expect(t.rec.to('GET', '/firm/users')).toHaveLength(3);
  });

  it('without a session, for a plain user, and in incomplete stages: typed errors', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.users.list(), UnauthenticatedError, 401, 'unauthenticated');

    await t.signIn(demo.plain);
    const forbidden = await expectProblem(t.rec, t.client.users.list(), ForbiddenError, 403, 'forbidden');
    expect(forbidden.reason).toBe('forbidden');

    await signInPasswordOnly(t, demo.primary);
    const pending = await expectProblem(t.rec, t.client.users.list(), ForbiddenError, 403, 'two_factor_pending');
    expect(pending.reason).toBe('two_factor_pending');

    await signInPasswordOnly(t, demo.required);
    const setupRequired = await expectProblem(
      t.rec,
      t.client.users.list(),
      ForbiddenError,
      403,
      'two_factor_setup_required',
    );
    expect(setupRequired.reason).toBe('two_factor_setup_required');
  });

  it('query values are encoded, never spliced into the URL', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const page = await t.client.users.list({ search: 'kim&status=enabled' });
    expect(page.total).toBe(0);
    const url = new URL(t.rec.last().request.url);
    expect(url.searchParams.get('search')).toBe('kim&status=enabled');
    expect(url.searchParams.has('status')).toBe(false);
  });
});

describe('users.pages and users.iterate', () => {
  const bigSeed = {
    ...demoSeed,
    users: [
      ...demoSeed.users,
      ...generatedUsers(63, {
        password: DEMO_PASSWORD,
        domain: 'hartwell-reyes.test',
        secrets: [seedSecret(demo.userWith2fa)],
      }),
    ],
  };

  /** The oracle: active users of the firm from the store, filtered here, independently of the API. */
  const expectedIds = (t: Setup, search?: string) =>
    t.h.store
      .listUsers({ firmId: t.firmId, sort: 'name', limit: 100_000 })
      .items.filter((u) => u.active)
      .filter((u) => !search || `${u.name}\n${u.email}`.toLowerCase().includes(search.toLowerCase()))
      .map((u) => u.id)
      .sort();

  it('pages end with nextCursor null; every page but the last is full', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const pages = [];
    for await (const page of t.client.users.pages({ limit: 5 })) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([5, 5, 2]);
    expect(pages.slice(0, -1).every((p) => typeof p.nextCursor === 'string')).toBe(true);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    expect(pages.every((p) => p.total === 12)).toBe(true);
    // Each later request carried the previous page's cursor.
    const cursors = t.rec.to('GET', '/firm/users').map((x) => new URL(x.request.url).searchParams.get('cursor'));
    expect(cursors).toEqual([null, pages[0]?.nextCursor, pages[1]?.nextCursor]);
  });

  it('visits every user exactly once for several limits and sorts', async () => {
    const t = await setup({ seed: bigSeed });
    await t.signIn(demo.primary);
    const expected = expectedIds(t);
    expect(expected).toHaveLength(75);
    const sorts: UserSort[] = ['name', '-name', 'email', '-email', 'status', '-status'];
    for (const sort of sorts) {
      const single = await t.client.users.list({ sort, limit: 200 });
      expect(single.total).toBe(expected.length);
      expect(single.summary.total).toBe(expected.length);
      for (const limit of [1, 2, 7, 10, 50, 74, 75, 200]) {
        const seen: string[] = [];
        for await (const user of t.client.users.iterate({ sort, limit })) seen.push(user.id);
        expect(seen, `sort ${sort}, limit ${limit}`).toHaveLength(expected.length);
        expect([...seen].sort(), `sort ${sort}, limit ${limit}`).toEqual(expected);
        // Same order as one big page: cursors keep the sort, ties included.
        expect(seen, `sort ${sort}, limit ${limit}`).toEqual(single.items.map((u) => u.id));
      }
    }
  });

  it('visits every match exactly once with a search filter and a status filter', async () => {
    const t = await setup({ seed: bigSeed });
    await t.signIn(demo.primary);
    for (const search of ['a', 'OLIVER', '.test', 'zzz-nobody']) {
      const expected = expectedIds(t, search);
      for (const query of [
        { search, limit: 3 },
        { search, limit: 4, sort: '-status' },
      ] satisfies UsersQuery[]) {
        const seen: string[] = [];
        for await (const user of t.client.users.iterate(query)) seen.push(user.id);
        expect([...seen].sort(), JSON.stringify(query)).toEqual(expected);
      }
      expect((await t.client.users.list({ search })).total).toBe(expected.length);
    }
    const enabled: FirmUser[] = [];
    for await (const user of t.client.users.iterate({ status: 'enabled', limit: 6 })) enabled.push(user);
    const summary = (await t.client.users.list({ limit: 1 })).summary;
    expect(enabled).toHaveLength(summary.enabled);
    expect(new Set(enabled.map((u) => u.id)).size).toBe(summary.enabled);
    expect(enabled.every((u) => u.twoFactor.status === 'enabled')).toBe(true);
  });

  it('an empty result is one page with nextCursor null', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const pages = [];
    for await (const page of t.client.users.pages({ search: 'nobody-at-all' })) pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ items: [], nextCursor: null, total: 0 });
  });

  it('errors of a page surface typed from the iterator', async () => {
    const t = await setup();
    await t.signIn(demo.plain);
    const iterate = async () => {
      for await (const _ of t.client.users.iterate()) {
        // nothing
      }
    };
    await expectProblem(t.rec, iterate(), ForbiddenError, 403, 'forbidden');
  });
});

// ---------------------------------------------------------------------------------------------
// users.get

describe('users.get', () => {
  it('returns the user', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const user = await t.client.users.get(t.id(demo.userWith2fa));
    expect(user).toMatchObject({
      id: t.id(demo.userWith2fa),
      email: demo.userWith2fa,
      role: 'user',
      twoFactor: { status: 'enabled' },
      version: expect.any(Number),
    });
    expect(user.allowedActions.disableTwoFactor).toEqual({ allowed: true });
  });

  it('an unknown or deactivated user is a NotFoundError', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    await expectProblem(t.rec, t.client.users.get('usr_missing'), NotFoundError, 404, 'not_found');
    await expectProblem(t.rec, t.client.users.get(t.id(demo.deactivated)), NotFoundError, 404, 'not_found');
  });

  it('ids with special characters are URL-encoded into one path segment', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const unknown = await expectProblem(t.rec, t.client.users.get('usr_missing'), NotFoundError, 404, 'not_found');
    for (const [id, encoded] of [
      ['a/b', 'a%2Fb'],
      ['x?y=1', 'x%3Fy%3D1'],
      ['x#y', 'x%23y'],
      ['../me', '..%2Fme'],
      ['a b%', 'a%20b%25'],
    ] as const) {
      const error = await expectProblem(t.rec, t.client.users.get(id), NotFoundError, 404, 'not_found');
      // The user route answered (same detail as any unknown id), not some other route.
      expect(error.problem?.detail, id).toBe(unknown.problem?.detail);
      const url = new URL(t.rec.last().request.url);
      expect(url.pathname).toBe(`/api/v1/firm/users/${encoded}`);
      expect(url.search).toBe('');
    }
    const invite = await expectProblem(t.rec, t.client.users.invite('a/b'), NotFoundError, 404, 'not_found');
    expect(invite.problem?.detail).toBe(unknown.problem?.detail);
    expect(new URL(t.rec.last().request.url).pathname).toBe('/api/v1/firm/users/a%2Fb/invitation');
  });

  it('without a session or as a plain user: typed errors', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.users.get(t.id(demo.plain)), UnauthenticatedError, 401, 'unauthenticated');
    await t.signIn(demo.plain);
    const error = await expectProblem(t.rec, t.client.users.get(t.id(demo.plain2)), ForbiddenError, 403, 'forbidden');
    expect(error.reason).toBe('forbidden');
  });
});

// ---------------------------------------------------------------------------------------------
// users.invite

describe('users.invite', () => {
  it('invites, sends one email, and sends an Idempotency-Key', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.plain);
    const before = await t.client.users.get(id);
    const invited = await t.client.users.invite(id);
    expect(invited.twoFactor.status).toBe('invited');
    expect(invited.invitation).toMatchObject({ reminderCount: 0, lastReminderAt: null });
    expect(invited.version).toBeGreaterThan(before.version);
    expect(mailsTo(t.h, id, 'invitation')).toHaveLength(1);
    expect(header(t.rec.last(), 'idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an explicit idempotencyKey is sent and a repeat replays without a second email', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.plain);
    const first = await t.client.users.invite(id, { idempotencyKey: 'invite-oliver-1' });
    const again = await t.client.users.invite(id, { idempotencyKey: 'invite-oliver-1' });
    expect(again).toEqual(first);
    expect(t.rec.to('POST', '/invitation').map((x) => header(x, 'idempotency-key'))).toEqual([
      'invite-oliver-1',
      'invite-oliver-1',
    ]);
    expect(mailsTo(t.h, id, 'invitation')).toHaveLength(1);
  });

  it('ifMatch: the current version passes; a stale one, as number or string, is a PreconditionFailedError', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.plain);
    const { version } = await t.client.users.get(id);
    for (const stale of [version - 1, version + 5, `"${version - 1}"`, `W/"${version - 1}"`]) {
      await expectProblem(
        t.rec,
        t.client.users.invite(id, { ifMatch: stale }),
        PreconditionFailedError,
        412,
        'version_conflict',
      );
    }
    expect(t.rec.to('POST', '/invitation').map((x) => header(x, 'if-match'))).toEqual([
      `W/"${version - 1}"`,
      `W/"${version + 5}"`,
      `"${version - 1}"`,
      `W/"${version - 1}"`,
    ]);
    expect(mailsTo(t.h, id, 'invitation')).toHaveLength(0);
    const invited = await t.client.users.invite(id, { ifMatch: version });
    expect(invited.twoFactor.status).toBe('invited');
    const { version: v2 } = invited;
    const reminded = await t.client.users
      .remind(id, { ifMatch: `"${v2}"` })
      .catch((error: unknown) => (error instanceof RateLimitedError ? 'cooldown' : error));
    // The string form passed the precondition (the reminder then hits the cooldown, not a 412).
    expect(reminded).toBe('cooldown');
  });

  it('state conflicts are ConflictErrors', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    await expectProblem(t.rec, t.client.users.invite(t.id(demo.invited)), ConflictError, 409, 'already_invited');
    await expectProblem(t.rec, t.client.users.invite(t.id(demo.userWith2fa)), ConflictError, 409, 'already_enabled');
    // A 409 without Retry-After is not retried.
    expect(t.rec.to('POST', '/invitation')).toHaveLength(2);
  });

  it('unknown user, plain user, wrong CSRF token and no session: typed errors', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.users.invite(t.id(demo.plain)), UnauthenticatedError, 401, 'unauthenticated');
    await t.signIn(demo.primary);
    await expectProblem(t.rec, t.client.users.invite('usr_missing'), NotFoundError, 404, 'not_found');
    await t.signIn(demo.plain2);
    const forbidden = await expectProblem(
      t.rec,
      t.client.users.invite(t.id(demo.plain)),
      ForbiddenError,
      403,
      'forbidden',
    );
    expect(forbidden.reason).toBe('forbidden');

    const w = await setup({ client: { csrf: { token: () => 'wrong' } } });
    await w.signIn(demo.adminWithout2fa);
    expect((await w.client.users.list({ limit: 1 })).items).toHaveLength(1); // GETs need no token
    const csrf = await expectProblem(
      w.rec,
      w.client.users.invite(w.id(demo.plain)),
      ForbiddenError,
      403,
      'csrf_failed',
    );
    expect(csrf.reason).toBe('csrf_failed');
    expect(header(w.rec.last(), 'x-csrf-token')).toBe('wrong');
    expect(mailsTo(w.h, w.id(demo.plain), 'invitation')).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// users.remind

describe('users.remind', () => {
  it('sends a reminder and counts it', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.invited);
    const reminded = await t.client.users.remind(id);
    expect(reminded.invitation?.reminderCount).toBe(3);
    expect(reminded.invitation?.lastReminderAt).toBe(new Date(t.h.clock.now()).toISOString());
    expect(mailsTo(t.h, id, 'reminder')).toHaveLength(1);
    expect(header(t.rec.last(), 'idempotency-key')).toEqual(expect.any(String));
  });

  it('right after an invitation: RateLimitedError reminder_too_soon, at once, with retryAfter in seconds', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.plain);
    await t.client.users.invite(id);
    const started = performance.now();
    const error = await expectProblem(t.rec, t.client.users.remind(id), RateLimitedError, 429, 'reminder_too_soon');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(error.retryAfter).toBe(3600);
    expect(error.problem?.retryAfter).toBe(3600);
    expect(t.rec.to('POST', '/reminders')).toHaveLength(1); // no retry behind the caller's back
    expect(mailsTo(t.h, id, 'reminder')).toHaveLength(0);

    t.h.clock.advance(30 * MINUTE);
    const later = await expectProblem(t.rec, t.client.users.remind(id), RateLimitedError, 429, 'reminder_too_soon');
    expect(later.retryAfter).toBe(1800);
    t.h.clock.advance(30 * MINUTE);
    expect((await t.client.users.remind(id)).invitation?.reminderCount).toBe(1);
  });

  it('conflicts, preconditions, not found: typed errors', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    await expectProblem(t.rec, t.client.users.remind(t.id(demo.plain)), ConflictError, 409, 'not_invited');
    await expectProblem(t.rec, t.client.users.remind('usr_missing'), NotFoundError, 404, 'not_found');
    const id = t.id(demo.invited);
    const { version } = await t.client.users.get(id);
    await expectProblem(
      t.rec,
      t.client.users.remind(id, { ifMatch: version - 1 }),
      PreconditionFailedError,
      412,
      'version_conflict',
    );
    await expectProblem(
      t.rec,
      t.client.users.remind(id, { ifMatch: String(version - 1) }),
      PreconditionFailedError,
      412,
      'version_conflict',
    );
    expect((await t.client.users.remind(id, { ifMatch: String(version) })).invitation?.reminderCount).toBe(3);
  });

  it('no session, plain user: typed errors', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.users.remind(t.id(demo.invited)), UnauthenticatedError, 401, 'unauthenticated');
    await t.signIn(demo.plain);
    await expectProblem(t.rec, t.client.users.remind(t.id(demo.invited)), ForbiddenError, 403, 'forbidden');
  });
});

// ---------------------------------------------------------------------------------------------
// users.setRequirement

describe('users.setRequirement', () => {
  it('turns the requirement on and off', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.plain);
    const on = await t.client.users.setRequirement(id, true);
    expect(on.requirement).toEqual({ status: 'required', reason: null });
    expect(t.rec.last().request.method).toBe('PUT');
    expect(await t.rec.last().request.json()).toEqual({ required: true });
    expect(header(t.rec.last(), 'idempotency-key')).toBeNull();
    const off = await t.client.users.setRequirement(id, false, { ifMatch: on.version });
    expect(off.requirement).toEqual({ status: 'not_required', reason: null });
    expect(off.version).toBeGreaterThan(on.version);
  });

  it('an unmigrated user is a ConflictError identity_not_migrated', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    await expectProblem(
      t.rec,
      t.client.users.setRequirement(t.id(demo.notMigrated), true),
      ConflictError,
      409,
      'identity_not_migrated',
    );
  });

  it('stale versions (number and string) are PreconditionFailedErrors', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.plain);
    const { version } = await t.client.users.get(id);
    for (const stale of [version - 1, `W/"${version - 1}"`, `"${version + 1}"`]) {
      await expectProblem(
        t.rec,
        t.client.users.setRequirement(id, true, { ifMatch: stale }),
        PreconditionFailedError,
        412,
        'version_conflict',
      );
    }
    expect(t.h.store.getUser(id)?.required).toBe(false);
    expect((await t.client.users.setRequirement(id, true, { ifMatch: `W/"${version}"` })).requirement.status).toBe(
      'required',
    );
  });

  it('a body of the wrong type is a ValidationError pointing at /required', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const error = await expectProblem(
      t.rec,
      t.client.users.setRequirement(t.id(demo.plain), 'yes' as any),
      ValidationError,
      422,
      'validation_failed',
    );
    expect(error.fieldErrors.map((e) => e.path)).toEqual(['/required']);
  });

  it('not found, forbidden, unauthenticated, csrf: typed errors', async () => {
    const t = await setup();
    await expectProblem(
      t.rec,
      t.client.users.setRequirement(t.id(demo.plain), true),
      UnauthenticatedError,
      401,
      'unauthenticated',
    );
    await t.signIn(demo.primary);
    await expectProblem(t.rec, t.client.users.setRequirement('usr_missing', true), NotFoundError, 404, 'not_found');
    await t.signIn(demo.plain2);
    await expectProblem(t.rec, t.client.users.setRequirement(t.id(demo.plain), true), ForbiddenError, 403, 'forbidden');
    const w = await setup({ client: { csrf: { token: () => 'wrong' } } });
    await w.signIn(demo.adminWithout2fa);
    const csrf = await expectProblem(
      w.rec,
      w.client.users.setRequirement(w.id(demo.plain), true),
      ForbiddenError,
      403,
      'csrf_failed',
    );
    expect(csrf.reason).toBe('csrf_failed');
  });
});

// ---------------------------------------------------------------------------------------------
// users.disableTwoFactor

describe('users.disableTwoFactor', () => {
  it('disables a user’s 2FA, emails them and ends their sessions', async () => {
    const t = await setup();
    // The target, signed in through their own browser on the same server.
    const target = createFirmSecurityClient({ baseUrl: BASE_URL, fetch: browserLikeFetch(t.h.fetch) });
    await target.session.signIn({ email: demo.userWith2fa, password: DEMO_PASSWORD });
    await target.session.verify({ code: await t.h.codeFor(demo.userWith2fa) });
    expect((await target.viewer.get()).session.stage).toBe('complete');
    await t.signIn(demo.primary);
    const id = t.id(demo.userWith2fa);
    const user = await t.client.users.disableTwoFactor(id, { confirm: true });
    expect(user.twoFactor).toEqual({ status: 'not_enabled', enabledAt: null, backupCodesRemaining: null });
    expect(await t.rec.last().request.json()).toEqual({ confirm: true });
    expect(header(t.rec.last(), 'idempotency-key')).toEqual(expect.any(String));
    expect(mailsTo(t.h, id, 'two_factor_disabled')).toHaveLength(1);
    expect(t.h.store.getUser(id)?.totpSecret).toBeNull();
    await expect(target.viewer.get()).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it('after the step-up window: StepUpRequiredError; stepUp with a code, then the retry works', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const id = t.id(demo.userWith2fa);
    t.h.clock.advance(16 * MINUTE);
    const error = await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(id, { confirm: true }),
      StepUpRequiredError,
      403,
      'step_up_required',
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.reason).toBe('step_up_required');
    expect(t.h.store.getUser(id)?.totpSecret).not.toBeNull();

    await expect(t.client.session.stepUp({ code: await t.h.codeFor(demo.primary) })).resolves.toBeUndefined();
    const disabled = await t.client.users.disableTwoFactor(id, { confirm: true });
    expect(disabled.twoFactor.status).toBe('not_enabled');
    const events = await t.client.events.list({ limit: 5 });
    expect(events.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['session.stepped_up', 'two_factor.disabled']),
    );
  });

  it('protected targets and the viewer’s own state are ForbiddenErrors with their reason', async () => {
    const t = await setup();
    await t.signIn(demo.adminWith2fa);
    const primary = await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(t.id(demo.primary), { confirm: true }),
      ForbiddenError,
      403,
      'primary_subscriber_protected',
    );
    expect(primary.reason).toBe('primary_subscriber_protected');
    const self = await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(t.id(demo.adminWith2fa), { confirm: true }),
      ForbiddenError,
      403,
      'self_action_not_allowed',
    );
    expect(self.reason).toBe('self_action_not_allowed');

    await t.signIn(demo.adminWithout2fa);
    const viewer = await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(t.id(demo.userWith2fa), { confirm: true }),
      ViewerTwoFactorRequiredError,
      403,
      'viewer_two_factor_required',
    );
    expect(viewer).toBeInstanceOf(ForbiddenError);
    expect(viewer.reason).toBe('viewer_two_factor_required');

    await t.signIn(demo.plain);
    await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(t.id(demo.userWith2fa), { confirm: true }),
      ForbiddenError,
      403,
      'forbidden',
    );
  });

  it('conflicts, confirmation, validation, preconditions, not found: typed errors', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(t.id(demo.plain), { confirm: true }),
      ConflictError,
      409,
      'two_factor_not_enabled',
    );
    const id = t.id(demo.userWith2fa);
    const unconfirmed = await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(id, { confirm: false } as any),
      ValidationError,
      422,
      'confirmation_required',
    );
    expect(unconfirmed.fieldErrors).toEqual(unconfirmed.problem?.errors ?? []);
    const invalid = await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(id, { confirm: 'yes' } as any),
      ValidationError,
      422,
      'validation_failed',
    );
    expect(invalid.fieldErrors.map((e) => e.path)).toEqual(['/confirm']);
    const { version } = await t.client.users.get(id);
    for (const stale of [version - 1, `"${version - 1}"`]) {
      await expectProblem(
        t.rec,
        t.client.users.disableTwoFactor(id, { confirm: true }, { ifMatch: stale }),
        PreconditionFailedError,
        412,
        'version_conflict',
      );
    }
    await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor('usr_missing', { confirm: true }),
      NotFoundError,
      404,
      'not_found',
    );
    expect(t.h.store.getUser(id)?.totpSecret).not.toBeNull();
    expect((await t.client.users.disableTwoFactor(id, { confirm: true }, { ifMatch: version })).version).toBe(
      version + 1,
    );
  });

  it('without a session: UnauthenticatedError', async () => {
    const t = await setup();
    await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(t.id(demo.userWith2fa), { confirm: true }),
      UnauthenticatedError,
      401,
      'unauthenticated',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// events.list

describe('events.list', () => {
  it('lists newest first, filters by target, pages with a cursor', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    await t.client.users.invite(t.id(demo.plain));
    await t.client.users.invite(t.id(demo.plain2));
    const page = await t.client.events.list();
    expect(page.items[0]).toMatchObject({
      action: 'two_factor.invited',
      actor: { id: t.id(demo.primary) },
      target: { id: t.id(demo.plain2) },
    });
    const forOliver = await t.client.events.list({ targetId: t.id(demo.plain) });
    expect(forOliver.items.map((e) => e.action)).toEqual(['two_factor.invited']);
    expect(forOliver.nextCursor).toBeNull();

    const first = await t.client.events.list({ limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await t.client.events.list({ limit: 1, cursor: first.nextCursor as string });
    expect(second.items[0]?.id).toBe(page.items[1]?.id);

    expect(await t.client.events.list({ targetId: 'usr_missing' })).toEqual({ items: [], nextCursor: null });
  });

  it('bad query, plain user, no session: typed errors', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.events.list(), UnauthenticatedError, 401, 'unauthenticated');
    await t.signIn(demo.primary);
    const error = await expectProblem(
      t.rec,
      t.client.events.list({ limit: 0 }),
      ValidationError,
      422,
      'validation_failed',
    );
    expect(error.fieldErrors.map((e) => e.path)).toEqual(['limit']);
    await t.signIn(demo.plain);
    await expectProblem(t.rec, t.client.events.list(), ForbiddenError, 403, 'forbidden');
  });
});

// ---------------------------------------------------------------------------------------------
// session

describe('session.signIn', () => {
  it('starts a session in the stage the user needs', async () => {
    const t = await setup();
    expect(await signInPasswordOnly(t, demo.adminWithout2fa)).toEqual({
      stage: 'complete',
      csrfToken: expect.any(String),
    });
    expect((await signInPasswordOnly(t, demo.primary)).stage).toBe('two_factor');
    expect((await signInPasswordOnly(t, demo.required)).stage).toBe('two_factor_setup');
  });

  it('wrong password, unknown email, deactivated user: the same InvalidCredentialsError, no password in it', async () => {
    const t = await setup();
    const attempts = [
      { email: demo.plain, password: 'not-the-password-xyz' },
      { email: 'nobody@hartwell-reyes.test', password: 'not-the-password-xyz' },
      { email: demo.deactivated, password: DEMO_PASSWORD },
    ];
    t.rec.secrets.add('not-the-password-xyz');
    t.rec.secrets.add(DEMO_PASSWORD);
    const errors = [];
    for (const attempt of attempts) {
      const error = await expectProblem(
        t.rec,
        t.client.session.signIn(attempt),
        InvalidCredentialsError,
        401,
        'invalid_credentials',
      );
      expect(error).toBeInstanceOf(UnauthenticatedError);
      errors.push(error);
    }
    expect(new Set(errors.map((e) => `${e.problem?.title}|${e.problem?.detail}`)).size).toBe(1);
  });

  it('a missing field is a ValidationError', async () => {
    const t = await setup();
    const error = await expectProblem(
      t.rec,
      t.client.session.signIn({ email: demo.plain } as any),
      ValidationError,
      422,
      'validation_failed',
    );
    expect(error.fieldErrors.map((e) => e.path)).toEqual(['/password']);
  });

  it('after 10 failed passwords: RateLimitedError rate_limited with retryAfter', async () => {
    const t = await setup();
    for (let i = 0; i < 10; i++) {
      await expect(t.client.session.signIn({ email: demo.plain, password: `wrong-${i}` })).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    t.h.clock.advance(MINUTE);
    const error = await expectProblem(
      t.rec,
      t.client.session.signIn({ email: demo.plain, password: DEMO_PASSWORD }),
      RateLimitedError,
      429,
      'rate_limited',
    );
    expect(error.retryAfter).toBe(14 * 60);
    expect(t.rec.to('POST', '/session')).toHaveLength(11);
  });
});

describe('session.verify', () => {
  it('completes the session with a TOTP code', async () => {
    const t = await setup();
    const started = await signInPasswordOnly(t, demo.primary);
    const completed = await t.client.session.verify({ code: await t.h.codeFor(demo.primary) });
    expect(completed).toEqual({ stage: 'complete', csrfToken: expect.any(String) });
    expect(header(t.rec.last(), 'x-csrf-token')).toBe(started.csrfToken);
    expect((await t.client.viewer.get()).session.stage).toBe('complete');
  });

  it('completes the session with a backup code', async () => {
    const t = await setup();
    await t.signIn(demo.userWith2fa);
    const { backupCodes } = await t.client.me.regenerateBackupCodes(await t.h.codeFor(demo.userWith2fa));
    await t.client.session.signOut();
    await signInPasswordOnly(t, demo.userWith2fa);
    const code = backupCodes[3] as string;
    expect((await t.client.session.verify({ backupCode: code })).stage).toBe('complete');
    expect((await t.client.viewer.get()).user.twoFactor.backupCodesRemaining).toBe(9);
    // Single use.
    await signInPasswordOnly(t, demo.userWith2fa);
    await expectProblem(t.rec, t.client.session.verify({ backupCode: code }), InvalidCodeError, 401, 'invalid_code');
  });

  it('a wrong code is an InvalidCodeError with status 401, and the pending session survives', async () => {
    const t = await setup();
    await signInPasswordOnly(t, demo.primary);
    const bad = await wrongCode(seedSecret(demo.primary), t.h.clock.now());
    const error = await expectProblem(
      t.rec,
      t.client.session.verify({ code: bad }),
      InvalidCodeError,
      401,
      'invalid_code',
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((await t.client.viewer.get()).session.stage).toBe('two_factor');
    const code = await t.h.codeFor(demo.primary);
    expect((await t.client.session.verify({ code })).stage).toBe('complete');
    // The same step again, in a new session: code_already_used.
    await signInPasswordOnly(t, demo.primary);
    await expectProblem(t.rec, t.client.session.verify({ code }), InvalidCodeError, 401, 'code_already_used');
  });

  it('after 5 wrong codes: RateLimitedError rate_limited with retryAfter in seconds', async () => {
    const t = await setup();
    await signInPasswordOnly(t, demo.primary);
    const bad = await wrongCode(seedSecret(demo.primary), t.h.clock.now());
    for (let i = 0; i < 5; i++) {
      await expectProblem(t.rec, t.client.session.verify({ code: bad }), InvalidCodeError, 401, 'invalid_code');
    }
    const started = performance.now();
    const error = await expectProblem(
      t.rec,
      t.client.session.verify({ code: await totpCodeAt(seedSecret(demo.primary), t.h.clock.now()) }),
      RateLimitedError,
      429,
      'rate_limited',
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.retryAfter).toBe(15 * 60);
    expect(t.rec.to('POST', '/session/two-factor')).toHaveLength(6);
  });

  it('in stage complete: ConflictError invalid_stage; without a session: UnauthenticatedError', async () => {
    const t = await setup();
    await expectProblem(
      t.rec,
      t.client.session.verify({ code: '000000' }),
      UnauthenticatedError,
      401,
      'unauthenticated',
    );
    await t.signIn(demo.primary);
    await expectProblem(
      t.rec,
      t.client.session.verify({ code: await t.h.codeFor(demo.primary) }),
      ConflictError,
      409,
      'invalid_stage',
    );
  });

  it('with a wrong CSRF token: ForbiddenError csrf_failed', async () => {
    const t = await setup({ client: { csrf: { token: () => 'wrong' } } });
    await signInPasswordOnly(t, demo.primary);
    const error = await expectProblem(
      t.rec,
      t.client.session.verify({ code: await t.h.codeFor(demo.primary) }),
      ForbiddenError,
      403,
      'csrf_failed',
    );
    expect(error.reason).toBe('csrf_failed');
  });
});

describe('session.stepUp', () => {
  it('re-verifies and restarts the step-up window', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    t.h.clock.advance(20 * MINUTE);
    await expect(t.client.session.stepUp({ code: await t.h.codeFor(demo.primary) })).resolves.toBeUndefined();
    expect(t.rec.last().status).toBe(204);
    expect((await t.client.viewer.get()).session.verifiedAt).toBe(new Date(t.h.clock.now()).toISOString());
  });

  it('a wrong code is an InvalidCodeError with status 422; the session stays valid', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const bad = await wrongCode(seedSecret(demo.primary), t.h.clock.now());
    const error = await expectProblem(
      t.rec,
      t.client.session.stepUp({ code: bad }),
      InvalidCodeError,
      422,
      'invalid_code',
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((await t.client.viewer.get()).session.stage).toBe('complete');
    for (let i = 0; i < 4; i++)
      await expect(t.client.session.stepUp({ code: bad })).rejects.toBeInstanceOf(InvalidCodeError);
    const limited = await expectProblem(
      t.rec,
      t.client.session.stepUp({ code: bad }),
      RateLimitedError,
      429,
      'rate_limited',
    );
    expect(limited.retryAfter).toBe(15 * 60);
  });

  it('without 2FA, pending, no session: typed errors', async () => {
    const t = await setup();
    await expectProblem(
      t.rec,
      t.client.session.stepUp({ code: '000000' }),
      UnauthenticatedError,
      401,
      'unauthenticated',
    );
    await t.signIn(demo.adminWithout2fa);
    await expectProblem(
      t.rec,
      t.client.session.stepUp({ code: '000000' }),
      ConflictError,
      409,
      'two_factor_not_enabled',
    );
    await signInPasswordOnly(t, demo.primary);
    const pending = await expectProblem(
      t.rec,
      t.client.session.stepUp({ code: await t.h.codeFor(demo.primary) }),
      ForbiddenError,
      403,
      'two_factor_pending',
    );
    expect(pending.reason).toBe('two_factor_pending');
  });
});

describe('session.signOut', () => {
  it('ends the session and forgets the CSRF token', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const { csrfToken } = (await t.client.viewer.get()).session;
    await expect(t.client.session.signOut()).resolves.toBeUndefined();
    expect(t.rec.last()).toMatchObject({ status: 204 });
    expect(t.rec.last().request.method).toBe('DELETE');
    expect(header(t.rec.last(), 'x-csrf-token')).toBe(csrfToken);
    await expectProblem(t.rec, t.client.viewer.get(), UnauthenticatedError, 401, 'unauthenticated');
    await expectProblem(t.rec, t.client.users.invite(t.id(demo.plain)), UnauthenticatedError, 401, 'unauthenticated');
    expect(header(t.rec.last(), 'x-csrf-token')).toBeNull();
  });

  it('without a session: UnauthenticatedError', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.session.signOut(), UnauthenticatedError, 401, 'unauthenticated');
  });
});

// ---------------------------------------------------------------------------------------------
// me

describe('me: setup and activation', () => {
  it('a required user sets up and activates 2FA, completing the session', async () => {
    const t = await setup();
    await signInPasswordOnly(t, demo.required);
    await expectProblem(t.rec, t.client.me.activateTwoFactor('123456'), ConflictError, 409, 'setup_not_started');
    const setupResult = await t.client.me.setupTwoFactor();
    expect(setupResult.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setupResult.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(setupResult.otpauthUri).toContain(`secret=${setupResult.secret}`);

    const bad = await wrongCode(setupResult.secret, t.h.clock.now());
    const error = await expectProblem(t.rec, t.client.me.activateTwoFactor(bad), InvalidCodeError, 422, 'invalid_code');
    expect(error).toBeInstanceOf(ValidationError);
    expect((await t.client.viewer.get()).session.stage).toBe('two_factor_setup');

    const { backupCodes } = await t.client.me.activateTwoFactor(await t.h.codeFor(demo.required, setupResult.secret));
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    const viewer = await t.client.viewer.get();
    expect(viewer.session.stage).toBe('complete');
    expect(viewer.user.twoFactor).toMatchObject({ status: 'enabled', backupCodesRemaining: 10 });

    await expectProblem(t.rec, t.client.me.setupTwoFactor(), ConflictError, 409, 'two_factor_already_enabled');
    await expectProblem(
      t.rec,
      t.client.me.activateTwoFactor(await t.h.codeFor(demo.required, setupResult.secret)),
      ConflictError,
      409,
      'two_factor_already_enabled',
    );
    // Required users may not turn their own 2FA off.
    await expectProblem(
      t.rec,
      t.client.me.disableTwoFactor(await t.h.codeFor(demo.required, setupResult.secret)),
      ConflictError,
      409,
      'two_factor_required',
    );
  });

  it('in stage two_factor, and without a session: typed errors', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.me.setupTwoFactor(), UnauthenticatedError, 401, 'unauthenticated');
    await expectProblem(t.rec, t.client.me.activateTwoFactor('123456'), UnauthenticatedError, 401, 'unauthenticated');
    await signInPasswordOnly(t, demo.primary);
    const pending = await expectProblem(t.rec, t.client.me.setupTwoFactor(), ForbiddenError, 403, 'two_factor_pending');
    expect(pending.reason).toBe('two_factor_pending');
    await expectProblem(t.rec, t.client.me.activateTwoFactor('123456'), ForbiddenError, 403, 'two_factor_pending');
  });
});

describe('me.regenerateBackupCodes', () => {
  it('returns a new set that replaces the old one', async () => {
    const t = await setup();
    await t.signIn(demo.userWith2fa);
    const first = await t.client.me.regenerateBackupCodes(await t.h.codeFor(demo.userWith2fa));
    const second = await t.client.me.regenerateBackupCodes(await t.h.codeFor(demo.userWith2fa));
    expect(first.backupCodes).toHaveLength(10);
    expect(second.backupCodes).toHaveLength(10);
    expect(second.backupCodes.filter((c) => first.backupCodes.includes(c))).toEqual([]);
    await signInPasswordOnly(t, demo.userWith2fa);
    await expectProblem(
      t.rec,
      t.client.session.verify({ backupCode: first.backupCodes[0] as string }),
      InvalidCodeError,
      401,
      'invalid_code',
    );
    expect((await t.client.session.verify({ backupCode: second.backupCodes[0] as string })).stage).toBe('complete');
  });

  it('wrong code, 2FA off, setup stage, no session: typed errors', async () => {
    const t = await setup();
    await expectProblem(
      t.rec,
      t.client.me.regenerateBackupCodes('123456'),
      UnauthenticatedError,
      401,
      'unauthenticated',
    );
    await t.signIn(demo.userWith2fa);
    const bad = await wrongCode(seedSecret(demo.userWith2fa), t.h.clock.now());
    await expectProblem(t.rec, t.client.me.regenerateBackupCodes(bad), InvalidCodeError, 422, 'invalid_code');
    await t.signIn(demo.adminWithout2fa);
    await expectProblem(
      t.rec,
      t.client.me.regenerateBackupCodes('123456'),
      ConflictError,
      409,
      'two_factor_not_enabled',
    );
    await signInPasswordOnly(t, demo.required);
    const stage = await expectProblem(
      t.rec,
      t.client.me.regenerateBackupCodes('123456'),
      ForbiddenError,
      403,
      'two_factor_setup_required',
    );
    expect(stage.reason).toBe('two_factor_setup_required');
  });
});

describe('me.disableTwoFactor', () => {
  it('turns the viewer’s own 2FA off and returns the viewer', async () => {
    const t = await setup();
    await t.signIn(demo.userWith2fa);
    const viewer = await t.client.me.disableTwoFactor(await t.h.codeFor(demo.userWith2fa));
    expect(viewer.user).toMatchObject({ email: demo.userWith2fa, twoFactor: { status: 'not_enabled' } });
    expect(viewer.session.stage).toBe('complete');
    expect(t.h.store.getUser(t.id(demo.userWith2fa))?.totpSecret).toBeNull();
  });

  it('wrong code, 2FA off, no session: typed errors', async () => {
    const t = await setup();
    await expectProblem(t.rec, t.client.me.disableTwoFactor('123456'), UnauthenticatedError, 401, 'unauthenticated');
    await t.signIn(demo.userWith2fa);
    const bad = await wrongCode(seedSecret(demo.userWith2fa), t.h.clock.now());
    await expectProblem(t.rec, t.client.me.disableTwoFactor(bad), InvalidCodeError, 422, 'invalid_code');
    expect(t.h.store.getUser(t.id(demo.userWith2fa))?.totpSecret).not.toBeNull();
    await t.signIn(demo.adminWithout2fa);
    await expectProblem(t.rec, t.client.me.disableTwoFactor('123456'), ConflictError, 409, 'two_factor_not_enabled');
  });
});

// ---------------------------------------------------------------------------------------------
// errors

describe('isFirmSecurityError', () => {
  it('narrows the type', async () => {
    const t = await setup();
    const error: unknown = await rejection(t.client.viewer.get());
    expect(isFirmSecurityError(error)).toBe(true);
    if (isFirmSecurityError(error)) {
      expectTypeOf(error).toEqualTypeOf<FirmSecurityError>();
      expect(error.code).toBe('unauthenticated');
    }
  });

  it('recognises errors of another copy of the SDK by the global brand, and nothing else', async () => {
    class ForeignForbidden extends Error {
      status = 403;
      code = 'forbidden';
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for('@firm-security/sdk/error'), { value: true, enumerable: true });
      }
    }
    const foreign: unknown = new ForeignForbidden('from another bundle');
    expect(foreign).not.toBeInstanceOf(FirmSecurityError);
    expect(isFirmSecurityError(foreign)).toBe(true);

    // A real second copy of the module: its classes are distinct, its brand is the same.
    const specifier = '../src/errors.ts?bundle-copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../src/errors.js');
    expect(copy.ForbiddenError).not.toBe(ForbiddenError);
    const copied = new copy.ForbiddenError({ status: 403, code: 'forbidden' });
    expect(copied).not.toBeInstanceOf(FirmSecurityError);
    expect(isFirmSecurityError(copied)).toBe(true);
    expect(copy.isFirmSecurityError(new ForbiddenError({ status: 403, code: 'forbidden' }))).toBe(true);

    for (const value of [
      new Error('plain'),
      new TypeError('fetch failed'),
      { [Symbol('@firm-security/sdk/error')]: true },
      { [Symbol.for('@firm-security/sdk/error')]: 'true' },
      { status: 403, code: 'forbidden', name: 'ForbiddenError' },
      null,
      undefined,
      'ForbiddenError',
      403,
    ]) {
      expect(isFirmSecurityError(value), inspect(value)).toBe(false);
    }
  });
});

describe('no credential appears in an error', () => {
  it('with a bearer header, a session cookie and a CSRF token held by the client', async () => {
    const t = await setup({
      client: { headers: () => ({ Authorization: `Bearer ${BEARER}` }) },
    });
    await t.signIn(demo.primary);
    await t.client.viewer.get();
    expect(header(t.rec.last(), 'authorization')).toBe(`Bearer ${BEARER}`);
    // Bearer, cookie, and at least the sign-in, verify CSRF tokens.
    expect(t.rec.secrets.size).toBeGreaterThanOrEqual(4);

    const id = t.id(demo.plain);
    await t.client.users.invite(id);
    await expectProblem(t.rec, t.client.users.invite(id), ConflictError, 409, 'already_invited');
    await expectProblem(t.rec, t.client.users.remind(id), RateLimitedError, 429, 'reminder_too_soon');
    await expectProblem(t.rec, t.client.users.get('usr_missing'), NotFoundError, 404, 'not_found');
    await expectProblem(t.rec, t.client.users.list({ limit: 0 }), ValidationError, 422, 'validation_failed');
    await expectProblem(
      t.rec,
      t.client.users.setRequirement(id, true, { ifMatch: 0 }),
      PreconditionFailedError,
      412,
      'version_conflict',
    );
    await expectProblem(
      t.rec,
      t.client.users.disableTwoFactor(t.id(demo.primary), { confirm: true }),
      ForbiddenError,
      403,
      'self_action_not_allowed',
    );
    await expectProblem(t.rec, t.client.session.stepUp({ code: '000000' }), InvalidCodeError, 422, 'invalid_code');
  });

  it('whatever the names of the credential headers (custom CSRF header, API key header)', async () => {
    let token: string | undefined;
    const t = await setup({
      client: {
        headers: async () => ({ 'X-Api-Key': 'api-key-456' }),
        csrf: { header: 'X-Firm-Csrf', token: () => token },
      },
    });
    t.rec.secrets.add('api-key-456');
    token = (await signInPasswordOnly(t, demo.adminWithout2fa)).csrfToken;
    await expectProblem(t.rec, t.client.users.invite(t.id(demo.plain)), ForbiddenError, 403, 'csrf_failed');
    expect(header(t.rec.last(), 'x-firm-csrf')).toBe(token);
    expect(header(t.rec.last(), 'x-api-key')).toBe('api-key-456');
  });

  it('in a TimeoutError', async () => {
    const t = await setup({
      client: { timeout: 50, headers: { Authorization: `Bearer ${BEARER}` } },
      wrap: (next) => delay(next, matching('GET', '/firm/users'), 300).fetch,
    });
    await t.signIn(demo.primary);
    const error = await rejection(t.client.users.list());
    expect(error).toBeInstanceOf(TimeoutError);
    expectNoSecrets(error, t.rec.secrets);
  });
});

// ---------------------------------------------------------------------------------------------
// transport options

describe('CSRF', () => {
  it('the token from signIn, verify and viewer.get is sent on state-changing requests only', async () => {
    const t = await setup();
    const started = await signInPasswordOnly(t, demo.primary);
    const verified = await t.client.session.verify({ code: await t.h.codeFor(demo.primary) });
    expect(header(t.rec.last(), 'x-csrf-token')).toBe(started.csrfToken);
    expect(verified.csrfToken).not.toBe(started.csrfToken);
    await t.client.users.invite(t.id(demo.plain));
    expect(header(t.rec.last(), 'x-csrf-token')).toBe(verified.csrfToken);
    await t.client.users.setRequirement(t.id(demo.plain), true);
    expect(header(t.rec.last(), 'x-csrf-token')).toBe(verified.csrfToken);
    await t.client.users.list();
    expect(header(t.rec.last(), 'x-csrf-token')).toBeNull();
    expect((await t.client.viewer.get()).session.csrfToken).toBe(verified.csrfToken);
    expect(header(t.rec.last(), 'x-csrf-token')).toBeNull();

    // A reloaded page: a new client on the same cookie jar has no token yet, so its first
    // state-changing call fetches it from GET /me, once, and then succeeds.
    const reloaded = createFirmSecurityClient({ baseUrl: BASE_URL, fetch: t.fetch });
    const before = t.rec.exchanges.length;
    expect((await reloaded.users.invite(t.id(demo.plain2))).twoFactor.status).toBe('invited');
    const calls = t.rec.exchanges.slice(before).map((x) => `${x.request.method} ${new URL(x.request.url).pathname}`);
    expect(calls).toEqual(['GET /api/v1/me', `POST /api/v1/firm/users/${t.id(demo.plain2)}/invitation`]);
    expect(header(t.rec.last(), 'x-csrf-token')).toBe(verified.csrfToken);
    await reloaded.users.setRequirement(t.id(demo.plain2), true);
    expect(t.rec.exchanges.slice(before).filter((x) => new URL(x.request.url).pathname.endsWith('/me'))).toHaveLength(
      1,
    );

    await t.client.session.signOut();
    await expectProblem(t.rec, t.client.session.signOut(), UnauthenticatedError, 401, 'unauthenticated');
    expect(header(t.rec.last(), 'x-csrf-token')).toBeNull();
  });

  it('a custom header name and token source are used', async () => {
    let token: string | undefined;
    const t = await setup({ client: { csrf: { header: 'X-Firm-Csrf', token: () => token } } });
    const started = await signInPasswordOnly(t, demo.adminWithout2fa);
    expect(header(t.rec.last(), 'x-firm-csrf')).toBeNull();
    token = started.csrfToken;
    // The server only reads X-CSRF-Token: the token under another name is refused.
    await expectProblem(t.rec, t.client.users.invite(t.id(demo.plain)), ForbiddenError, 403, 'csrf_failed');
    expect(header(t.rec.last(), 'x-firm-csrf')).toBe(started.csrfToken);
    expect(header(t.rec.last(), 'x-csrf-token')).toBeNull();

    const own = await setup({ client: { csrf: { token: () => token } } });
    token = (await signInPasswordOnly(own, demo.adminWithout2fa)).csrfToken;
    expect((await own.client.users.invite(own.id(demo.plain))).twoFactor.status).toBe('invited');
    expect(header(own.rec.last(), 'x-csrf-token')).toBe(token);
  });
});

describe('headers and credentials', () => {
  it('headers as an object reach the server on every request', async () => {
    const t = await setup({ client: { headers: { 'X-Tenant': 'hartwell', Authorization: `Bearer ${BEARER}` } } });
    await t.signIn(demo.primary);
    await t.client.users.list();
    await t.client.users.invite(t.id(demo.plain));
    expect(t.rec.exchanges.length).toBeGreaterThanOrEqual(4);
    for (const x of t.rec.exchanges) {
      expect(header(x, 'x-tenant')).toBe('hartwell');
      expect(header(x, 'authorization')).toBe(`Bearer ${BEARER}`);
    }
  });

  it('headers as an async function are resolved per request', async () => {
    let calls = 0;
    const t = await setup({
      client: {
        headers: async () => {
          calls++;
          await new Promise((resolve) => setTimeout(resolve, 1));
          return { Authorization: `Bearer ${BEARER}-${calls}` };
        },
      },
    });
    await t.signIn(demo.primary);
    await t.client.users.list();
    await t.client.users.invite(t.id(demo.plain));
    expect(t.rec.exchanges.map((x) => header(x, 'authorization'))).toEqual(
      t.rec.exchanges.map((_, i) => `Bearer ${BEARER}-${i + 1}`),
    );
    expect(calls).toBe(t.rec.exchanges.length);
  });

  it('credentials are same-origin by default and configurable', async () => {
    const t = await setup();
    await t.client.session.signIn({ email: demo.plain, password: DEMO_PASSWORD });
    await t.client.viewer.get();
    expect(t.rec.exchanges.map((x) => x.request.credentials)).toEqual(['same-origin', 'same-origin']);
    for (const credentials of ['include', 'omit'] as const) {
      const other = await setup({ client: { credentials } });
      await other.client.session.signIn({ email: demo.plain, password: DEMO_PASSWORD });
      expect(other.rec.last().request.credentials).toBe(credentials);
    }
  });
});

describe('timeout and abort', () => {
  it('a slow answer raises TimeoutError after the client timeout', async () => {
    let slow: ReturnType<typeof delay> | undefined;
    const t = await setup({
      client: { timeout: 50 },
      wrap: (next) => {
        slow = delay(next, matching('GET', '/firm/users'), 300);
        return slow.fetch;
      },
    });
    await t.signIn(demo.primary);
    const started = performance.now();
    const error = await rejection(t.client.users.list());
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isFirmSecurityError(error)).toBe(true);
    const e = error as TimeoutError;
    expect({ name: e.name, status: e.status, code: e.code, problem: e.problem, requestId: e.requestId }).toEqual({
      name: 'TimeoutError',
      status: 0,
      code: 'timeout',
      problem: undefined,
      requestId: undefined,
    });
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.message).toContain('GET /api/v1/firm/users');
    expect(elapsed).toBeLessThan(280);
    expect(slow?.seen).toHaveLength(1); // timeouts are not retried
  });

  it('aborting through signal rejects with the platform AbortError, unwrapped', async () => {
    let slow: ReturnType<typeof delay> | undefined;
    const t = await setup({
      wrap: (next) => {
        slow = delay(next, matching('GET', '/firm/users'), 300);
        return slow.fetch;
      },
    });
    await t.signIn(demo.primary);
    const controller = new AbortController();
    const started = performance.now();
    const pending = t.client.users.list({}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(pending);
    expect(performance.now() - started).toBeLessThan(280);
    expect((error as Error).name).toBe('AbortError');
    expect(isFirmSecurityError(error)).toBe(false);
    expect(error).not.toBeInstanceOf(FirmSecurityError);
    expect(slow?.seen).toHaveLength(1); // not retried

    // Aborted between pages of an iteration.
    const iteration = new AbortController();
    const seen: string[] = [];
    const iterate = async () => {
      for await (const user of t.client.users.iterate({ limit: 5 }, { signal: iteration.signal })) {
        seen.push(user.id);
        if (seen.length === 5) iteration.abort();
      }
    };
    const iterError = await rejection(iterate());
    expect((iterError as Error).name).toBe('AbortError');
    expect(isFirmSecurityError(iterError)).toBe(false);
    expect(seen).toHaveLength(5);
  });

  it('an already-aborted mutation never reaches the server', async () => {
    const t = await setup();
    await t.signIn(demo.primary);
    const before = t.rec.exchanges.length;
    const error = await rejection(t.client.users.invite(t.id(demo.plain), { signal: AbortSignal.abort() }));
    expect((error as Error).name).toBe('AbortError');
    expect(isFirmSecurityError(error)).toBe(false);
    expect(t.rec.exchanges).toHaveLength(before);
    expect(mailsTo(t.h, t.id(demo.plain), 'invitation')).toHaveLength(0);
  });
});
