import { readFileSync } from 'node:fs';
import {
  createFirmSecurityApp,
  createPasswordHasher,
  createSecretBox,
  type FirmSecurityApp,
  type FirmSecurityAppOptions,
  MemoryStore,
  nobleScrypt,
  type SeedData,
  type Store,
  seedFirm,
  totpCodeAt,
} from '@firm-security/server';
import { DEMO_PASSWORD } from './demo-people.js';

export { DEMO_PASSWORD, demo } from './demo-people.js';

export const demoSeed: SeedData = JSON.parse(readFileSync(new URL('../seeds/demo.json', import.meta.url), 'utf8'));
export const BASE = '/api/v1';
export const START = Date.parse('2026-11-28T12:00:00.000Z');

export class TestClock {
  constructor(public ms = START) {}
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

/** Cheap scrypt for tests: same code path, a fraction of the cost. */
export const fastPasswords = createPasswordHasher(nobleScrypt, { logN: 4, r: 8, p: 1 });

export const seedSecretOf = (email: string): string => {
  const user = demoSeed.users.find((u) => u.email === email);
  if (user?.twoFactor.status !== 'enabled') throw new Error(`${email} has no seeded secret`);
  return user.twoFactor.totpSecret;
};

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A browser-like caller: keeps the session cookie and sends the CSRF token it was given. */
export class Agent {
  cookie: string | undefined;
  csrf: string | undefined;
  constructor(
    readonly fetcher: (request: Request) => Promise<Response>,
    readonly origin = 'http://firm.test',
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: BodyInit; headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<TestResponse<T>> {
    const headers = new Headers(options.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    if (this.csrf && options.csrf !== false && !headers.has('x-csrf-token')) headers.set('x-csrf-token', this.csrf);
    let body: BodyInit | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    const response = await this.fetcher(
      new Request(`${this.origin}${path.startsWith('/api') ? path : `${BASE}${path}`}`, { method, headers, body }),
    );
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const value = /firm_session=([^;]*)/.exec(setCookie)?.[1];
      this.cookie = value ? `firm_session=${value}` : undefined;
    }
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const parsed = text && type.includes('json') ? JSON.parse(text) : text;
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string') this.csrf = parsed.csrfToken;
    return { status: response.status, headers: response.headers, body: parsed };
  }

  get = <T = any>(path: string, headers?: Record<string, string>) => this.request<T>('GET', path, { headers });
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', path, { body, headers });
  put = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('PUT', path, { body, headers });
}

export interface Harness {
  server: FirmSecurityApp;
  store: Store;
  clock: TestClock;
  fetch: (request: Request) => Promise<Response>;
  /** User ids by email. */
  ids: Record<string, string>;
  agent(): Agent;
  /** A current code for a seeded secret, one step later than the last one handed out (no replays). */
  codeFor(email: string, secret?: string): Promise<string>;
  /** Signs in all the way (password, then a TOTP code when 2FA is on). */
  signIn(email: string): Promise<Agent>;
}

export const createHarness = async (
  options: Partial<FirmSecurityAppOptions> & { seed?: SeedData; store?: Store } = {},
): Promise<Harness> => {
  const clock = new TestClock();
  const store = options.store ?? new MemoryStore();
  const server = createFirmSecurityApp({
    secretBox: createSecretBox(crypto.getRandomValues(new Uint8Array(32))),
    clock,
    passwords: fastPasswords,
    ...options,
    store,
  });
  const { seed = demoSeed } = options;
  await seedFirm(server.context, seed);
  const ids: Record<string, string> = {};
  for (const user of seed.users) ids[user.email] = store.findUserByEmail(user.email)?.id as string;

  const fetch = (request: Request) => server.fetch(request);
  const harness: Harness = {
    server,
    store,
    clock,
    fetch,
    ids,
    agent: () => new Agent(fetch),
    async codeFor(email, secret = seedSecretOf(email)) {
      // Each code handed out is from a fresh step, so successive sign-ins never replay.
      clock.advance(30_000);
      return totpCodeAt(secret, clock.now());
    },
    async signIn(email) {
      const agent = new Agent(fetch);
      const started = await agent.post('/session', { email, password: DEMO_PASSWORD });
      if (started.status !== 200) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(started.body)}`);
      if (started.body.stage === 'two_factor') {
        const verified = await agent.post('/session/two-factor', { code: await harness.codeFor(email) });
        if (verified.status !== 200) throw new Error(`2FA of ${email} failed: ${JSON.stringify(verified.body)}`);
      }
      return agent;
    },
  };
  return harness;
};
