import { operations, ProblemSchema, problemCatalog, problemType } from '@firm-security/contract';
import { type AuditRecord, type Logger, MemoryStore, type Store } from '@firm-security/server';
import { SqliteStore } from '@firm-security/server/node';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type Agent, BASE, createHarness, DEMO_PASSWORD, demo, demoSeed, type Harness, START } from './harness.js';

/**
 * Property-based bad input against the in-process app. For every request:
 * - never a 5xx, and no unhandled error in the server log;
 * - every non-2xx is application/problem+json with type/title/status/detail/code, a known code whose
 *   catalog status is the HTTP status;
 * - nothing changes on a non-2xx response (nor on any GET/HEAD): users as stored, the outbox, the
 *   sessions of every user and the audit log (apart from the failure events the contract asks for).
 */

type Caller = 'primary' | 'plain' | 'adminWithout2fa' | 'pending' | 'setup' | 'anonymous';
const CALLERS: Caller[] = ['primary', 'plain', 'adminWithout2fa', 'pending', 'setup', 'anonymous'];
const EMAIL_OF: Record<Exclude<Caller, 'anonymous'>, string> = {
  primary: demo.primary, // primary subscriber, 2FA on, complete session
  plain: demo.plain, // plain user, 2FA off, complete session
  adminWithout2fa: demo.adminWithout2fa, // administrator, 2FA off, complete session
  pending: demo.adminWith2fa, // signed in with the password only: stage two_factor
  setup: demo.required, // required without 2FA: stage two_factor_setup
};
const ALLOWED_FAILURE_EVENTS = new Set(['two_factor.code_failed', 'session.sign_in_failed']);

class Rollback extends Error {}

/** Sessions per user, counted inside a transaction that is then rolled back. */
const sessionCounts = (store: Store, userIds: string[]): number[] => {
  const counts: number[] = [];
  try {
    store.transaction(() => {
      for (const id of userIds) counts.push(store.deleteUserSessions(id));
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return counts;
};

const snapshot = (h: Harness) => {
  const userIds = Object.values(h.ids);
  const firmId = h.store.getUser(userIds[0] as string)?.firmId as string;
  return {
    users: userIds.map((id) => h.store.getUser(id)),
    outbox: h.store.listMail({ limit: 1_000_000 }),
    sessions: sessionCounts(h.store, userIds),
    events: h.store
      .listEvents({ firmId, limit: 1_000_000 })
      .filter((event: AuditRecord) => !ALLOWED_FAILURE_EVENTS.has(event.action)),
  };
};

/** A harness with one signed-in agent per caller kind, rebuilt when the clock has run far. */
class World {
  h!: Harness;
  agents = {} as Record<Exclude<Caller, 'anonymous'>, Agent>;
  errors: string[] = [];
  requests = 0;

  constructor(readonly makeStore: () => Store) {}

  readonly log: Logger = {
    info() {},
    warn() {},
    error: (message, fields) => this.errors.push(`${message} ${JSON.stringify(fields)}`),
  };

  async reset() {
    this.h?.store.close();
    this.h = await createHarness({ store: this.makeStore(), log: this.log });
    this.requests = 0;
    await this.signInAll();
  }

  async #signIn(email: string, full: boolean): Promise<Agent> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (full) return await this.h.signIn(email);
        const agent = this.h.agent();
        const started = await agent.post('/session', { email, password: DEMO_PASSWORD });
        if (started.status !== 200) throw new Error(`sign-in of ${email}: ${started.status}`);
        return agent;
      } catch (error) {
        // Throttled by the fuzzing (failed passwords or codes): wait out the window.
        if (attempt > 2) throw error;
        this.h.clock.advance(16 * 60_000);
      }
    }
  }

  async signInAll() {
    this.agents = {
      primary: await this.#signIn(EMAIL_OF.primary, true),
      plain: await this.#signIn(EMAIL_OF.plain, true),
      adminWithout2fa: await this.#signIn(EMAIL_OF.adminWithout2fa, true),
      pending: await this.#signIn(EMAIL_OF.pending, false),
      setup: await this.#signIn(EMAIL_OF.setup, false),
    };
  }

  async ready() {
    if (!this.h || this.requests > 300 || this.h.clock.ms - START > 4 * 3_600_000) await this.reset();
  }
}

// ---- arbitraries ----

const latin1 = (min: number, max: number) =>
  fc.integer({ min, max }).map((code) => String.fromCharCode(code === 0x7f ? 0x20 : code));
/** Any legal header value: no NUL, CR or LF; Latin-1 only. */
const headerValue = fc.string({ unit: latin1(0x20, 0xff), maxLength: 40 });
const visibleAscii = fc.string({ unit: latin1(0x21, 0x7e), minLength: 1, maxLength: 20 });
const loneSurrogates = fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) });

const seedEmails = demoSeed.users.map((u) => u.email);

/** A seeded user's id, filled in when the request is built (each harness has its own ids). */
const userRef = fc.constantFrom(...seedEmails).map((email) => `{user:${email}}`);
const resolveUsers = (world: World, path: string) =>
  path.replace(/\{user:([^}]+)\}/g, (_, email: string) => world.h.ids[email] as string);

const idSegment = fc.oneof(
  { weight: 10, arbitrary: userRef },
  { weight: 2, arbitrary: fc.webSegment() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E%2E%2F%2E%2E',
      '%2F',
      '%00',
      '%ZZ',
      '%',
      '%E0%A4%A',
      '%C0%AE%C0%AE',
      'usr_%F0%9F%98%80',
      '😀',
      'ü',
      '..%2F..%2Fetc%2Fpasswd',
      'a'.repeat(3000),
      ' ',
      '%20',
      'null',
      'undefined',
      '__proto__',
      'constructor',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(encodeURIComponent) },
);

/** Paths that are not routes: random, traversal, encoded and unicode. */
const oddPath = fc.oneof(
  fc.webPath().map((p) => `${BASE}${p.startsWith('/') ? p : `/${p}`}`),
  fc
    .tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.boolean())
    .map(([s, based]) => `${based ? BASE : ''}/${s.replace(/[?#]/g, '')}`),
  fc.constantFrom(
    `${BASE}/../../etc/passwd`,
    `${BASE}/%2e%2e/%2e%2e/etc/passwd`,
    `${BASE}/firm/users/..%2f..%2fme`,
    `${BASE}/firm/users/%2e%2e`,
    `${BASE}/me%00`,
    `${BASE}/ME`,
    `${BASE}/firm/users/`,
    `${BASE}/firm//users`,
    `${BASE}\\firm\\users`,
    `${BASE}/firm/users?`,
    '/',
    '/favicon.ico',
    `${BASE}`,
    `${BASE}/`,
  ),
);

const otherMethod = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
  { weight: 3, arbitrary: fc.constantFrom('PATCH', 'OPTIONS', 'HEAD', 'post', 'get', 'put', 'delete') },
  { weight: 1, arbitrary: fc.constantFrom('FOO', 'PROPFIND', 'M-SEARCH', 'LINK', 'QUERY') },
);

/** A method and a path: mostly a real operation with its own method, sometimes anything at all. */
const targetArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: otherMethod }),
        fc.constantFrom(...operations),
        fc.oneof(
          { weight: 20, arbitrary: fc.constant(BASE) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              '',
              '/api',
              '/api/v2',
              '/API/V1',
              '/api//v1',
              '/api/v1/..',
              '/%61pi/v1',
              '/api/v1/.',
            ),
          },
        ),
        idSegment,
        fc.oneof(
          { weight: 14, arbitrary: fc.constant('') },
          { weight: 1, arbitrary: fc.constantFrom('/', '/extra', '/..', '/%2e%2e/%2e%2e', '//', '/./', ';x', '%00') },
          { weight: 1, arbitrary: fc.webPath() },
        ),
      )
      .map(([method, op, prefix, id, suffix]) => ({
        operationId: op.operationId as string | undefined,
        method: method ?? op.method.toUpperCase(),
        path: `${prefix}${op.path.replace('{id}', id)}${suffix}`,
      })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ operationId: fc.constant(undefined), method: otherMethod, path: oddPath }),
  },
);

const queryValue = fc.oneof(
  fc.constantFrom(
    'name',
    '-name',
    'email',
    '-email',
    'status',
    '-status',
    'NAME',
    'enabled',
    'invited',
    'not_enabled',
    'required',
    'not_required',
    'not_available',
    '0',
    '1',
    '50',
    '200',
    '201',
    '9999',
    '-1',
    '1.5',
    '1e2',
    ' 5',
    '0x10',
    '',
    'a'.repeat(600),
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  loneSurrogates,
  // Cursors: base64url JSON of plausible and implausible shapes.
  fc
    .oneof(
      fc.record({
        s: fc.constantFrom('name', '-name', 'email', '-email', 'status', '-status', 'x'),
        k: fc.array(fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.jsonValue()), {
          maxLength: 4,
        }),
      }),
      fc.record({ q: fc.oneof(fc.integer(), fc.double(), fc.constant(1e300), fc.string()) }),
      fc.jsonValue(),
    )
    .map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')),
  fc.constantFrom('eyJzIjoibmFtZSIsImsiOlsiYSIsImIiXX0', 'eyJxIjoxZTQwMH0', '!!!', '=', 'e30'),
);

const queryArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(
            {
              weight: 8,
              arbitrary: fc.constantFrom('search', 'status', 'requirement', 'sort', 'limit', 'cursor', 'targetId'),
            },
            { weight: 1, arbitrary: fc.constantFrom('foo', '', 'Limit', '__proto__', 'constructor', 'search[]') },
            { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
          ),
          queryValue,
        ),
        { maxLength: 4 },
      )
      .map((pairs) => new URLSearchParams(pairs).toString()),
  },
  { weight: 1, arbitrary: fc.webQueryParameters() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%',
      '%ZZ',
      'limit=%',
      'search=%E0%A4%A',
      'limit=1&limit=2',
      '&&&',
      '=',
      'sort',
      'a=1=2',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/#/g, '')) },
);

const code = fc.oneof(
  fc.stringMatching(/^\d{6}$/),
  fc.constantFrom('000000', '123456', '', '12345', '1234567', ' 123456', '12345a', '١٢٣٤٥٦'),
  fc.integer(),
  fc.jsonValue(),
);

/** Bodies with the right shape and wrong, missing, extra or mistyped fields. */
const shapedBody = fc.oneof(
  fc.record(
    {
      email: fc.oneof(fc.constantFrom(...seedEmails), fc.emailAddress(), fc.string(), loneSurrogates, fc.jsonValue()),
      password: fc.oneof(fc.constant(DEMO_PASSWORD), fc.string({ maxLength: 20 }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
  fc.record({ code }, { requiredKeys: [] }),
  fc.record({ backupCode: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({ required: fc.oneof(fc.boolean(), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({ confirm: fc.oneof(fc.boolean(), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({ code, backupCode: fc.string() }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 4 }),
  fc.constant({}),
);

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value));

/** A body of roughly the schema each operation expects: well-formed, or wrong in one field. */
const fittingBodies = fc.record({
  signIn: fc.record({
    email: fc.oneof(fc.constantFrom(...seedEmails), fc.emailAddress(), loneSurrogates),
    password: fc.oneof(fc.constant(DEMO_PASSWORD), fc.string({ minLength: 1, maxLength: 20 })),
  }),
  verifySignIn: fc.oneof(
    fc.record({ code: fc.stringMatching(/^\d{6}$/) }),
    fc.record({ backupCode: fc.string({ minLength: 1, maxLength: 20 }) }),
  ),
  code: fc.record({ code }),
  empty: fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 2 })),
  setRequirement: fc.record({ required: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, fc.jsonValue()) }),
  disableUserTwoFactor: fc.record(
    { confirm: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, fc.jsonValue()) },
    { requiredKeys: [] },
  ),
});
type FittingBodies = typeof fittingBodies extends fc.Arbitrary<infer T> ? T : never;

const fittingBodyOf = (operationId: string | undefined, bodies: FittingBodies): unknown => {
  switch (operationId) {
    case 'signIn':
      return bodies.signIn;
    case 'verifySignIn':
      return bodies.verifySignIn;
    case 'stepUp':
    case 'activateTwoFactor':
    case 'regenerateBackupCodes':
    case 'disableOwnTwoFactor':
      return bodies.code;
    case 'setRequirement':
      return bodies.setRequirement;
    case 'disableUserTwoFactor':
      return bodies.disableUserTwoFactor;
    default:
      return bodies.empty;
  }
};
type BodySpec = { kind: string; bytes: Uint8Array<ArrayBuffer> | undefined };
const bodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none', bytes: undefined }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty', bytes: new Uint8Array() }) },
  { weight: 6, arbitrary: shapedBody.map((v) => ({ kind: 'shaped', bytes: encoder.encode(JSON.stringify(v)) })) },
  {
    weight: 4,
    arbitrary: fc
      .jsonValue({ maxDepth: 4 })
      .map((v) => ({ kind: 'json', bytes: encoder.encode(JSON.stringify(v) ?? 'null') })),
  },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'bytes', bytes: new Uint8Array(bytes) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.constantFrom(
          '{',
          '[',
          '"',
          '{"code":',
          'null',
          'true',
          '1',
          '{"a":1}{"b":2}',
          ' \n\t ',
          '\uFEFF{}',
          '{"__proto__":{}}',
        ),
        fc.jsonValue().map((v) => `${JSON.stringify(v)},`),
      )
      .map((s) => ({ kind: 'text', bytes: encoder.encode(s) })),
  },
  {
    weight: 1,
    // Around and far over the 64 KiB limit.
    arbitrary: fc
      .tuple(fc.integer({ min: 64 * 1024 - 20, max: 300 * 1024 }), fc.constantFrom('raw', 'json-string', 'json-array'))
      .map(([size, shape]) => {
        const filler = 'x'.repeat(size);
        const text =
          shape === 'raw'
            ? filler
            : shape === 'json-string'
              ? JSON.stringify({ code: filler })
              : JSON.stringify(Array.from({ length: Math.ceil(size / 4) }, () => 1));
        return { kind: 'huge', bytes: encoder.encode(text) };
      }),
  },
);

const contentTypeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'application/problem+json',
      'application/json; charset=latin1',
      'text/plain',
      'text/json',
      'text/html',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/json+',
      'json',
      ';',
      '',
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

const optionalHeader = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined, freq: 2 });

const requestArb = fc
  .record({
    caller: fc.constantFrom(...CALLERS),
    target: targetArb,
    query: queryArb,
    body: bodyArb,
    fitting: fittingBodies,
    useFitting: fc.boolean(),
    contentType: contentTypeArb,
    csrf: fc.oneof(
      { weight: 8, arbitrary: fc.constant<'right' | 'missing' | string>('right') },
      { weight: 1, arbitrary: fc.constant('missing') },
      { weight: 1, arbitrary: fc.oneof(headerValue, fc.constant('a'.repeat(43))) },
    ),
    cookie: fc.oneof(
      { weight: 10, arbitrary: fc.constant<'own' | string>('own') },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.constantFrom('firm_session=', 'firm_session=garbage', 'firm_session', '=;;=', 'a=b; firm_session=x'),
          headerValue.map((v) => `firm_session=${v}`),
        ),
      },
    ),
    ifMatch: optionalHeader(
      fc.oneof(
        fc.constantFrom('"1"', 'W/"1"', '"2"', 'W/"2"', '*', '"999"', '"abc"', 'W/"', '"1", "2"', '1', 'w/"1"', '""'),
        fc.nat().map((n) => `"${n}"`),
        headerValue,
      ),
    ),
    idempotencyKey: optionalHeader(
      fc.oneof(
        // A small pool, so that keys get reused across requests (replays and reuse conflicts).
        fc.constantFrom('key-1', 'key-2', 'key-3'),
        visibleAscii,
        fc.constantFrom('', ' ', 'a'.repeat(255), 'a'.repeat(256), 'k\u00e9y', 'a b'),
        headerValue,
      ),
    ),
  })
  .map(({ target, fitting, useFitting, body, ...rest }) => ({
    ...rest,
    ...target,
    body:
      useFitting && target.operationId
        ? { kind: 'fitting', bytes: jsonBytes(fittingBodyOf(target.operationId, fitting)) }
        : body,
  }));

type RequestSpec = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

const buildRequest = (world: World, spec: RequestSpec): Request | undefined => {
  const agent = spec.caller === 'anonymous' ? undefined : world.agents[spec.caller];
  const headers = new Headers();
  try {
    if (spec.cookie === 'own') {
      if (agent?.cookie) headers.set('cookie', agent.cookie);
    } else headers.set('cookie', spec.cookie);
    if (spec.csrf === 'right') {
      if (agent?.csrf) headers.set('x-csrf-token', agent.csrf);
    } else if (spec.csrf !== 'missing') headers.set('x-csrf-token', spec.csrf);
    if (spec.contentType !== undefined) headers.set('content-type', spec.contentType);
    if (spec.ifMatch !== undefined) headers.set('if-match', spec.ifMatch);
    if (spec.idempotencyKey !== undefined) headers.set('idempotency-key', spec.idempotencyKey);
    const upper = spec.method.toUpperCase();
    const body = upper === 'GET' || upper === 'HEAD' ? undefined : spec.body.bytes;
    return new Request(`http://firm.test${resolveUsers(world, spec.path)}${spec.query ? `?${spec.query}` : ''}`, {
      method: spec.method,
      headers,
      ...(body ? { body } : {}),
    });
  } catch {
    return undefined; // not a request a client could send (an invalid URL or header)
  }
};

class Stats {
  requests = 0;
  skipped = 0;
  statuses = new Map<number, number>();
  codes = new Map<string, number>();
  count(status: number, code?: string) {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (code) this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }
  /** How far the generators reached; not a property of the server, a guard against generators that only hit 404. */
  expectReached(statuses: number[], codes: string[]) {
    for (const status of statuses)
      expect(this.statuses.get(status) ?? 0, `status ${status} reached`).toBeGreaterThan(0);
    for (const code of codes) expect(this.codes.get(code) ?? 0, `${code} reached`).toBeGreaterThan(0);
  }
  toString() {
    const sorted = <K, V>(map: Map<K, V>, by: (a: [K, V], b: [K, V]) => number) =>
      Object.fromEntries([...map].sort(by));
    return `${this.requests} requests (${this.skipped} unbuildable skipped); statuses ${JSON.stringify(
      sorted(this.statuses, ([a], [b]) => a - b),
    )}; codes ${JSON.stringify(sorted(this.codes, ([, a], [, b]) => b - a))}`;
  }
}

/** Sends one request and checks every property. */
const check = async (world: World, stats: Stats, spec: RequestSpec): Promise<void> => {
  await world.ready();
  const request = buildRequest(world, spec);
  if (!request) {
    stats.skipped++;
    return;
  }
  const method = request.method;
  world.requests++;
  stats.requests++;
  const before = snapshot(world.h);
  const errorsBefore = world.errors.length;
  const response = await world.h.fetch(request);
  const text = await response.text();
  const status = response.status;
  const url = new URL(request.url);
  const context = `${method} ${url.pathname}${url.search} as ${spec.caller} -> ${status} ${text.slice(0, 300)}`;

  expect(status, context).toBeLessThan(500);
  expect(world.errors.slice(errorsBefore), context).toEqual([]);
  expect(response.headers.get('x-content-type-options'), context).toBe('nosniff');
  expect(response.headers.get('cache-control'), context).toBe('no-store');

  const ok = status >= 200 && status < 300;
  if (!ok) {
    expect(response.headers.get('content-type'), context).toMatch(/^application\/problem\+json/);
    if (method !== 'HEAD') {
      const body = JSON.parse(text);
      expect(ProblemSchema.safeParse(body).success, context).toBe(true);
      const problemCode = body.code as keyof typeof problemCatalog;
      expect(Object.hasOwn(problemCatalog, problemCode), context).toBe(true);
      expect(body.status, context).toBe(status);
      expect(body.type, context).toBe(problemType(problemCode));
      expect(body.title, context).toBe(problemCatalog[problemCode].title);
      expect(typeof body.detail === 'string' && body.detail.trim().length > 0, context).toBe(true);
      if (problemCode === 'invalid_code' || problemCode === 'code_already_used') {
        expect([401, 422], context).toContain(status);
      } else {
        expect(status, context).toBe(problemCatalog[problemCode].status);
      }
      if (problemCode === 'validation_failed') expect(body.errors?.length, context).toBeGreaterThan(0);
      stats.count(status, problemCode);
    } else stats.count(status);
    if (status === 405) expect(response.headers.get('allow'), context).toBeTruthy();
    if (status === 429) expect(Number(response.headers.get('retry-after')), context).toBeGreaterThan(0);
  } else {
    stats.count(status);
    if (status === 200 && method !== 'HEAD') {
      expect(response.headers.get('content-type'), context).toMatch(/^application\/json/);
      JSON.parse(text);
    }
  }

  if (!ok || method === 'GET' || method === 'HEAD') {
    expect(snapshot(world.h), context).toEqual(before);
  } else {
    // A successful change may have ended or replaced sessions: start the agents afresh.
    await world.signInAll();
  }
};

const worlds: World[] = [];
const makeWorld = async (makeStore: () => Store) => {
  const world = new World(makeStore);
  await world.reset();
  worlds.push(world);
  return world;
};

afterAll(() => {
  for (const world of worlds) world.h?.store.close();
});

const run = async (world: World, arb: fc.Arbitrary<RequestSpec>, numRuns: number): Promise<Stats> => {
  const stats = new Stats();
  await fc.assert(
    fc.asyncProperty(arb, (spec) => check(world, stats, spec)),
    { numRuns },
  );
  console.log(`fuzz: ${stats}`);
  return stats;
};

describe('fuzzing the API with bad input', () => {
  it('random requests of every kind (MemoryStore)', async () => {
    const world = await makeWorld(() => new MemoryStore());
    const stats = await run(world, requestArb, 4000);
    stats.expectReached(
      [200, 204, 401, 403, 404, 405, 409, 413, 415, 422],
      [
        'unauthenticated',
        'csrf_failed',
        'two_factor_pending',
        'two_factor_setup_required',
        'forbidden',
        'not_found',
        'method_not_allowed',
        'validation_failed',
        'invalid_code',
        'invalid_credentials',
      ],
    );
  }, 120_000);

  it('random bodies and headers on the mutating firm endpoints, for real users (MemoryStore)', async () => {
    const world = await makeWorld(() => new MemoryStore());
    const mutations = operations.filter((op) => op.access === 'firm' && op.method !== 'get');
    const arb = fc
      .tuple(requestArb, fc.constantFrom(...mutations), userRef, fittingBodies, fc.nat(4))
      .map(([spec, op, id, fitting, variant]) => ({
        ...spec,
        // Mostly a well-formed call of the primary subscriber, so the rules behind validation answer.
        ...(variant > 0
          ? {
              caller: (variant === 4 ? 'adminWithout2fa' : 'primary') as Caller,
              method: op.method.toUpperCase(),
              cookie: 'own',
              csrf: 'right',
              contentType: 'application/json',
              ...(variant > 1
                ? { body: { kind: 'fitting', bytes: jsonBytes(fittingBodyOf(op.operationId, fitting)) } }
                : {}),
            }
          : {}),
        path: `${BASE}${op.path.replace('{id}', id)}`,
      }));
    const stats = await run(world, arb, 2000);
    stats.expectReached(
      [200, 403, 404, 409, 412, 413, 415, 422],
      ['not_found', 'validation_failed', 'version_conflict', 'confirmation_required', 'already_enabled'],
    );
  }, 120_000);

  it('random requests against a SqliteStore-backed app', async () => {
    const world = await makeWorld(() => new SqliteStore(':memory:'));
    const stats = await run(world, requestArb, 600);
    stats.expectReached([200, 401, 403, 404, 422], ['validation_failed', 'not_found']);
  }, 120_000);
});
