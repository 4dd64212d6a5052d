import { createFirmSecurityClient, type FirmSecurityClient } from '@firm-security/sdk';
import {
  createFirmSecurityApp,
  createPasswordHasher,
  createSecretBox,
  type FirmSecurityApp,
  MemoryStore,
  memorySessionTransport,
  nobleScrypt,
  seedFirm,
  totpCodeAt,
} from '@firm-security/server';
import { QueryClient } from '@tanstack/query-core';
import { DEMO_PASSWORD, type Fetch, type Scenario, type ScenarioName, scenarioBuilders } from './scenarios.js';

export interface MockClock {
  now(): number;
  /** Moves the server's time forward (step-up windows, reminder cool-downs, migrations). */
  advance(ms: number): void;
}

export interface MockServer {
  /** Answers `/api/v1/...` URLs (any origin) from the in-page server; anything else goes to the real fetch. */
  fetch: Fetch;
  /** An SDK client on `fetch`. */
  client: FirmSecurityClient;
  queryClient: QueryClient;
  store: MemoryStore;
  clock: MockClock;
  /** The reference server app itself. */
  app: FirmSecurityApp;
  /** Signs a seeded user in (password, then a TOTP code from their seeded secret when they have 2FA). */
  signIn(email: string): Promise<void>;
  /** A seeded user's id. */
  idOf(email: string): string;
  scenario: ScenarioName | 'custom';
}

export interface MockServerOptions {
  /** A named scenario (`demo` by default) or your own. */
  scenario?: ScenarioName | Scenario;
  /** `false` boots with nobody signed in, whatever the scenario says. */
  signIn?: boolean;
}

const API_PATH = /^\/api\/v1(\/|$)/;

const baseHref = () => (typeof document !== 'undefined' ? document.baseURI : 'http://localhost/');

const urlOf = (input: RequestInfo | URL): URL =>
  new URL(input instanceof Request ? input.url : String(input), baseHref());

/**
 * The real reference server app on the memory store, in this page, behind a fetch: every rule is the
 * production one, nothing is stubbed, and no backend or service worker is needed.
 */
export const createMockServer = async (options: MockServerOptions = {}): Promise<MockServer> => {
  const scenario = options.scenario ?? 'demo';
  const setup = typeof scenario === 'function' ? scenario() : scenarioBuilders[scenario]();
  // Real time, plus what `advance` added: a cooldown of a few seconds ends on its own, as on a server.
  let ahead = 0;
  const clock: MockClock = {
    now: () => Date.now() + ahead,
    advance: (ms) => {
      ahead += ms;
    },
  };
  const store = new MemoryStore();
  const app = createFirmSecurityApp({
    ...setup.serverOptions,
    store,
    clock,
    secretBox: createSecretBox(crypto.getRandomValues(new Uint8Array(32))),
    // scrypt at logN 4 instead of the production cost: these are demos and tests with public demo
    // passwords, and the real cost would take most of a second per sign-in and per seeded password.
    passwords: createPasswordHasher(nobleScrypt, { logN: 4, r: 8, p: 1 }),
    // Responses made in a page cannot set cookies, so the app keeps the page's one session in memory.
    sessions: memorySessionTransport(),
  });
  await seedFirm(app.context, setup.seed);

  const realFetch: Fetch = globalThis.fetch.bind(globalThis);
  const appFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = urlOf(input);
    if (!API_PATH.test(url.pathname)) return realFetch(input, init);
    return app.fetch(input instanceof Request ? new Request(input, init) : new Request(url, init));
  }) as Fetch;
  // Faults (delays, errors) start once the mock has booted, so booting stays fast.
  let booted = false;
  const faulty = setup.wrap ? setup.wrap(appFetch) : appFetch;
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    if (!API_PATH.test(urlOf(input).pathname)) return realFetch(input, init);
    return (booted ? faulty : appFetch)(input, init);
  }) as Fetch;

  const client = createFirmSecurityClient({
    baseUrl: new URL('/api/v1', baseHref()).href,
    fetch,
    retry: { backoffLimit: 20 },
  });
  const queryClient = new QueryClient();

  const seeded = new Map(setup.seed.users.map((user) => [user.email, user]));
  const idOf = (email: string) => {
    const id = store.findUserByEmail(email)?.id;
    if (!id) throw new Error(`No user ${email} in this scenario`);
    return id;
  };
  const signIn = async (email: string) => {
    const user = seeded.get(email);
    const started = await client.session.signIn({ email, password: user?.password ?? DEMO_PASSWORD });
    if (started.stage !== 'two_factor') return;
    if (user?.twoFactor.status !== 'enabled') throw new Error(`${email} has no seeded TOTP secret`);
    // A step later than any code used before, so the server never sees a replay.
    clock.advance(30_000);
    await client.session.verify({ code: await totpCodeAt(user.twoFactor.totpSecret, clock.now()) });
  };

  const mock: MockServer = {
    fetch,
    client,
    queryClient,
    store,
    clock,
    app,
    signIn,
    idOf,
    scenario: typeof scenario === 'function' ? 'custom' : scenario,
  };
  if (options.signIn !== false && setup.viewer) {
    await signIn(setup.viewer);
    await setup.afterSignIn?.(mock);
  }
  booted = true;
  return mock;
};

/**
 * Points `globalThis.fetch` at the mock, so elements that use the same-origin default (`/api/v1`,
 * no client given) talk to it. Returns a function that puts the previous fetch back.
 */
export const installMockFetch = (mock: Pick<MockServer, 'fetch'>): (() => void) => {
  const previous = globalThis.fetch;
  globalThis.fetch = mock.fetch;
  return () => {
    if (globalThis.fetch === mock.fetch) globalThis.fetch = previous;
  };
};
