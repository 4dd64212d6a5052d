import {
  ConflictError,
  type FirmSecurityClientOptions,
  FirmSecurityError,
  isFirmSecurityError,
  MethodNotAllowedError,
  NetworkError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '@firm-security/sdk';
import { describe, expect, it } from 'vitest';
import { answer, delay, dropResponse, failBeforeServer, type Injector, matching } from './faults.js';
import { createSdkHarness, demo, type Fetch, type Harness } from './setup.js';

/** Records every response the server sent back (before any fault drops it), to see replays. */
const recordResponses = (next: Fetch) => {
  const responses: { path: string; response: Response }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await next(request);
    responses.push({ path: new URL(request.url).pathname, response: response.clone() });
    return response;
  }) as Fetch;
  return { fetch, responses };
};

const mailTo = (h: Harness, email: string) => h.store.listMail({ limit: 1000 }).filter((mail) => mail.to === email);

const caught = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

/** A harness with one injector between the client and the real server, set up by `make`. */
const withFault = async (make: (next: Fetch) => Injector, client: Partial<FirmSecurityClientOptions> = {}) => {
  let injector: Injector | undefined;
  let recorder: ReturnType<typeof recordResponses> | undefined;
  const sdk = await createSdkHarness({
    client,
    wrap: (next) => {
      recorder = recordResponses(next);
      injector = make(recorder.fetch);
      return injector.fetch;
    },
  });
  if (!injector || !recorder) throw new Error('wrap was not called');
  return { ...sdk, injector, responses: recorder.responses };
};

const keysOf = (requests: Request[]) => requests.map((request) => request.headers.get('idempotency-key'));

describe('POSTs with side effects: retried with one Idempotency-Key, acted on once', () => {
  it('an invite whose response is lost is retried, sends exactly one email and resolves with the user', async () => {
    const { client, h, signIn, injector, responses } = await withFault((next) =>
      dropResponse(next, matching('POST', '/invitation')),
    );
    await signIn(demo.primary);
    const id = h.ids[demo.plain] as string;
    expect(mailTo(h, demo.plain)).toHaveLength(0);

    const user = await client.users.invite(id);

    expect(user).toMatchObject({ id, twoFactor: { status: 'invited' } });
    expect(user.invitation?.reminderCount).toBe(0);
    expect(injector.seen).toHaveLength(2);
    const [first, second] = keysOf(injector.seen);
    expect(first).toMatch(/\S{8,}/);
    expect(second).toBe(first);
    expect(mailTo(h, demo.plain)).toHaveLength(1);
    // The second answer is the stored one, not a second invitation.
    const invitations = responses.filter((r) => r.path.endsWith('/invitation'));
    expect(invitations.map((r) => r.response.headers.get('idempotent-replayed'))).toEqual([null, 'true']);
    const events = await client.events.list({ targetId: id });
    expect(events.items.filter((e) => e.action === 'two_factor.invited')).toHaveLength(1);
  });

  it('each call gets its own key (generated per call, not per client)', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      dropResponse(next, matching('POST', '/invitation'), 0),
    );
    await signIn(demo.primary);
    await client.users.invite(h.ids[demo.plain] as string);
    await client.users.invite(h.ids[demo.plain2] as string);
    const [a, b] = keysOf(injector.seen);
    expect(a).toBeTruthy();
    expect(b).toBeTruthy();
    expect(a).not.toBe(b);
  });

  it('a reminder whose response is lost is counted and emailed once', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      dropResponse(next, matching('POST', '/invitation/reminders')),
    );
    await signIn(demo.primary);
    const id = h.ids[demo.invited] as string;
    const before = await client.users.get(id);

    const user = await client.users.remind(id);

    expect(injector.seen).toHaveLength(2);
    expect(new Set(keysOf(injector.seen)).size).toBe(1);
    expect(user.invitation?.reminderCount).toBe((before.invitation?.reminderCount ?? 0) + 1);
    expect((await client.users.get(id)).invitation?.reminderCount).toBe(user.invitation?.reminderCount);
    expect(mailTo(h, demo.invited)).toHaveLength(1);
  });

  it('a disable whose response is lost is retried with the same key and sends one notice', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      dropResponse(next, matching('POST', '/two-factor/disable')),
    );
    await signIn(demo.primary);
    const id = h.ids[demo.userWith2fa] as string;

    const user = await client.users.disableTwoFactor(id, { confirm: true });

    expect(user.twoFactor.status).toBe('not_enabled');
    expect(injector.seen).toHaveLength(2);
    expect(new Set(keysOf(injector.seen)).size).toBe(1);
    expect(mailTo(h, demo.userWith2fa)).toHaveLength(1);
    const events = await client.events.list({ targetId: id });
    expect(events.items.filter((e) => e.action === 'two_factor.disabled')).toHaveLength(1);
  });

  it('a caller-supplied idempotency key is the one every attempt carries', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      failBeforeServer(next, matching('POST', '/invitation')),
    );
    await signIn(demo.primary);
    await client.users.invite(h.ids[demo.plain] as string, { idempotencyKey: 'invite-oliver-1' });
    expect(keysOf(injector.seen)).toEqual(['invite-oliver-1', 'invite-oliver-1']);
    expect(mailTo(h, demo.plain)).toHaveLength(1);
  });
});

describe('POSTs without side-effect protection are never retried', () => {
  it('session.verify after a lost response: one attempt, NetworkError', async () => {
    const { client, h, injector } = await withFault((next) =>
      dropResponse(next, matching('POST', '/session/two-factor')),
    );
    const started = await client.session.signIn({ email: demo.primary, password: 'firm-security-demo' });
    expect(started.stage).toBe('two_factor');

    const error = await caught(client.session.verify({ code: await h.codeFor(demo.primary) }));

    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect(injector.seen).toHaveLength(1);
    expect(injector.seen[0]?.headers.has('idempotency-key')).toBe(false);
  });

  it('me.activateTwoFactor after a lost response: one attempt, NetworkError, the codes were issued once', async () => {
    const { client, h, injector } = await withFault((next) =>
      dropResponse(next, matching('POST', '/me/two-factor/activate')),
    );
    const started = await client.session.signIn({ email: demo.required, password: 'firm-security-demo' });
    expect(started.stage).toBe('two_factor_setup');
    const { secret } = await client.me.setupTwoFactor();

    const error = await caught(client.me.activateTwoFactor(await h.codeFor(demo.required, secret)));

    expect(error).toBeInstanceOf(NetworkError);
    expect(injector.seen).toHaveLength(1);
    // The server did act (2FA is on now), which is exactly why a blind retry would be wrong.
    const viewer = await client.viewer.get();
    expect(viewer.user.twoFactor.status).toBe('enabled');
  });
});

describe('GET and PUT are retried', () => {
  it('a GET that never reached the server is retried', async () => {
    const { client, signIn, injector } = await withFault((next) =>
      failBeforeServer(next, matching('GET', '/firm/users')),
    );
    await signIn(demo.primary);
    const page = await client.users.list({ limit: 3 });
    expect(page.items).toHaveLength(3);
    expect(injector.seen).toHaveLength(2);
  });

  it('a GET answered 500 once is retried', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      answer(next, matching('GET', '/firm/users/'), 500),
    );
    await signIn(demo.primary);
    const user = await client.users.get(h.ids[demo.plain] as string);
    expect(user.email).toBe(demo.plain);
    expect(injector.seen).toHaveLength(2);
  });

  it('a GET answered 503 with Retry-After: 1 waits about a second, then succeeds', async () => {
    const { client, signIn, injector } = await withFault((next) =>
      answer(next, matching('GET', '/firm/events'), 503, { 'retry-after': '1' }),
    );
    await signIn(demo.primary);
    const started = performance.now();
    const events = await client.events.list();
    const waited = performance.now() - started;
    expect(events.items.length).toBeGreaterThan(0);
    expect(injector.seen).toHaveLength(2);
    // backoffLimit is 50 ms in the harness, so only Retry-After explains a wait of a second.
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2500);
  });

  it('a PUT answered 500 once is retried and applied', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      answer(next, matching('PUT', '/requirement'), 500),
    );
    await signIn(demo.primary);
    const id = h.ids[demo.plain] as string;
    const user = await client.users.setRequirement(id, true);
    expect(user.requirement.status).toBe('required');
    expect(injector.seen).toHaveLength(2);
    expect((await client.users.get(id)).requirement.status).toBe('required');
  });
});

describe('what is not worth retrying surfaces at once, typed', () => {
  it('a 503 with a long Retry-After is a ServerError without waiting', async () => {
    const { client, signIn, injector } = await withFault((next) =>
      answer(next, matching('GET', '/firm/users'), 503, { 'retry-after': '120' }),
    );
    await signIn(demo.primary);
    const started = performance.now();
    const error = await caught(client.users.list());
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503 });
    expect(injector.seen).toHaveLength(1);
  });

  it('a problem code this SDK does not know (a newer server) keeps its body and gets the class of its status', async () => {
    const { client, signIn } = await withFault((next) => ({
      seen: [],
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (!matching('GET', '/firm/users')(request)) return next(request);
        const problem = {
          type: 'urn:firm-security:problem:seat_limit',
          title: 'Seat limit',
          status: 409,
          code: 'seat_limit',
          detail: 'The firm has no seats left.',
        };
        return new Response(JSON.stringify(problem), {
          status: 409,
          headers: { 'content-type': 'application/problem+json' },
        });
      }) as Fetch,
    }));
    await signIn(demo.primary);
    const error = await caught(client.users.list());
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      status: 409,
      code: 'seat_limit',
      problem: { detail: 'The firm has no seats left.' },
    });
    expect((error as Error).message).toContain('The firm has no seats left.');
  });

  it('a 400 without a problem body (a proxy, a gateway) is a ValidationError validation_failed', async () => {
    const { client, signIn, injector } = await withFault((next) => answer(next, matching('GET', '/firm/users'), 400));
    await signIn(demo.primary);
    const error = await caught(client.users.list());
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', problem: undefined, fieldErrors: [] });
    expect(injector.seen).toHaveLength(1);
  });

  it("the server's 405 (a method the route does not take) is a MethodNotAllowedError", async () => {
    // A client older or newer than the server: its GET of the users list arrives as a PATCH.
    const { client, signIn } = await withFault((next) => ({
      seen: [],
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        return next(matching('GET', '/firm/users')(request) ? new Request(request, { method: 'PATCH' }) : request);
      }) as Fetch,
    }));
    await signIn(demo.primary);
    const error = await caught(client.users.list());
    expect(error).toBeInstanceOf(MethodNotAllowedError);
    expect(error).toMatchObject({ status: 405, code: 'method_not_allowed', name: 'MethodNotAllowedError' });
    expect((error as MethodNotAllowedError).problem?.detail).toContain('PATCH is not supported here');
  });

  it('a 429 with a long Retry-After is a RateLimitedError carrying retryAfter', async () => {
    const { client, signIn, injector } = await withFault((next) =>
      answer(next, matching('GET', '/firm/users'), 429, { 'retry-after': '120' }),
    );
    await signIn(demo.primary);
    const error = await caught(client.users.list());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfter).toBe(120);
    expect(injector.seen).toHaveLength(1);
  });

  it("the real server's reminder cooldown surfaces as reminder_too_soon with retryAfter, one attempt", async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      answer(next, matching('POST', '/invitation/reminders'), 500, {}, 0),
    );
    await signIn(demo.primary);
    const id = h.ids[demo.invited] as string;
    await client.users.remind(id);
    const started = performance.now();
    const error = await caught(client.users.remind(id));
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, code: 'reminder_too_soon' });
    expect((error as RateLimitedError).retryAfter).toBeGreaterThan(3000);
    expect(injector.seen).toHaveLength(2);
    expect(mailTo(h, demo.invited)).toHaveLength(1);
  });

  it('a 409 state conflict is not retried', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      answer(next, matching('POST', '/invitation'), 500, {}, 0),
    );
    await signIn(demo.primary);
    const error = await caught(client.users.invite(h.ids[demo.userWith2fa] as string));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: 'already_enabled' });
    expect(injector.seen).toHaveLength(1);
  });
});

describe('retry budget', () => {
  it('500 every time: ServerError after 1 + limit attempts (default limit 2)', async () => {
    const { client, signIn, injector } = await withFault((next) =>
      answer(next, matching('GET', '/firm/users'), 500, {}, Number.POSITIVE_INFINITY),
    );
    await signIn(demo.primary);
    const error = await caught(client.users.list());
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, code: 'internal_error' });
    expect(injector.seen).toHaveLength(3);
  });

  it('network failure every time: NetworkError after 1 + limit attempts (limit 4)', async () => {
    const { client, signIn, injector } = await withFault(
      (next) => failBeforeServer(next, matching('GET', '/firm/users'), Number.POSITIVE_INFINITY),
      { retry: { limit: 4, backoffLimit: 10 } },
    );
    await signIn(demo.primary);
    const error = await caught(client.users.list());
    expect(error).toBeInstanceOf(NetworkError);
    expect(injector.seen).toHaveLength(5);
  });

  it('an invite whose responses are always lost gives up after 1 + limit attempts with one key and one email', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      dropResponse(next, matching('POST', '/invitation'), Number.POSITIVE_INFINITY),
    );
    await signIn(demo.primary);
    const error = await caught(client.users.invite(h.ids[demo.plain] as string));
    expect(error).toBeInstanceOf(NetworkError);
    expect(injector.seen).toHaveLength(3);
    expect(new Set(keysOf(injector.seen)).size).toBe(1);
    expect(mailTo(h, demo.plain)).toHaveLength(1);
  });

  it('retry: false disables retries', async () => {
    const { client, signIn, injector } = await withFault(
      (next) => answer(next, matching('GET', '/firm/users'), 500, {}, Number.POSITIVE_INFINITY),
      { retry: false },
    );
    await signIn(demo.primary);
    await expect(client.users.list()).rejects.toBeInstanceOf(ServerError);
    expect(injector.seen).toHaveLength(1);
  });
});

describe('errors arrive typed', () => {
  it('every failure is a FirmSecurityError with status and code, and no credentials in it', async () => {
    const { client, h, signIn, injector } = await withFault(
      (next) => answer(next, matching('POST', '/invitation'), 502, {}, Number.POSITIVE_INFINITY),
      { retry: { limit: 1, backoffLimit: 10 } },
    );
    await signIn(demo.primary);
    const { csrfToken } = (await client.viewer.get()).session;
    const error = await caught(client.users.invite(h.ids[demo.plain] as string));
    expect(isFirmSecurityError(error)).toBe(true);
    expect(error).toBeInstanceOf(FirmSecurityError);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, code: 'internal_error', name: 'ServerError' });
    expect(injector.seen).toHaveLength(2);
    // The attempts did carry the token; the error (message, and the ky error kept as cause) does not.
    expect(injector.seen[0]?.headers.get('x-csrf-token')).toBe(csrfToken);
    const cause = (error as Error).cause as { request?: Request; options?: { headers?: Headers } };
    expect(cause.request?.headers.get('x-csrf-token')).toBeNull();
    expect(cause.options?.headers?.get('x-csrf-token') ?? null).toBeNull();
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(csrfToken);
  });
});

describe('timeouts and aborts', () => {
  it('a slow answer raises TimeoutError and is not retried', async () => {
    const { client, h, signIn, injector } = await withFault(
      (next) => delay(next, matching('GET', '/firm/users/'), 400),
      { timeout: 100 },
    );
    await signIn(demo.primary);
    const started = performance.now();
    const error = await caught(client.users.get(h.ids[demo.plain] as string));
    const took = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ status: 0, code: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(400);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(injector.seen).toHaveLength(1);
  });

  it('a timed-out invite is not retried and sends nothing', async () => {
    const { client, h, signIn, injector } = await withFault(
      (next) => delay(next, matching('POST', '/invitation'), 300),
      { timeout: 80 },
    );
    await signIn(demo.primary);
    await expect(client.users.invite(h.ids[demo.plain] as string)).rejects.toBeInstanceOf(TimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(injector.seen).toHaveLength(1);
    expect(mailTo(h, demo.plain)).toHaveLength(0);
  });

  it('aborting during a retry wait stops further attempts', async () => {
    const { client, signIn, injector } = await withFault((next) =>
      answer(next, matching('GET', '/firm/users'), 503, { 'retry-after': '1' }, Number.POSITIVE_INFINITY),
    );
    await signIn(demo.primary);
    const controller = new AbortController();
    const pending = caught(client.users.list({}, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(injector.seen).toHaveLength(1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(isFirmSecurityError(error)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(injector.seen).toHaveLength(1);
  });

  it('aborting a request in flight rejects with AbortError and the server never acts', async () => {
    const { client, h, signIn, injector } = await withFault((next) =>
      delay(next, matching('POST', '/invitation'), 300),
    );
    await signIn(demo.primary);
    const controller = new AbortController();
    const pending = caught(client.users.invite(h.ids[demo.plain] as string, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(((await pending) as Error).name).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(injector.seen).toHaveLength(1);
    expect(mailTo(h, demo.plain)).toHaveLength(0);
  });
});
