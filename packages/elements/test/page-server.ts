import { createFirmSecurityClient, type FirmSecurityClient } from '@firm-security/sdk';
import {
  createFirmSecurityApp,
  createPasswordHasher,
  createSecretBox,
  MemoryStore,
  memorySessionTransport,
  nobleScrypt,
  type SeedData,
  seedFirm,
  totpCodeAt,
} from '@firm-security/server';
import { QueryClient } from '@tanstack/query-core';
import demoSeed from '../../server/seeds/demo.json' with { type: 'json' };
import { DEMO_PASSWORD, demo } from '../../server/test/demo-people.js';
import { createKit, type FirmSecurityKit } from '../src/kit.js';

export { demo };

const seed = demoSeed as SeedData;

export type Fetch = typeof globalThis.fetch;

export interface PageServer {
  store: MemoryStore;
  clock: { now(): number; advance(ms: number): void };
  /** The server's fetch (after any fault wrapper). */
  fetch: Fetch;
  client: FirmSecurityClient;
  queryClient: QueryClient;
  kit: FirmSecurityKit;
  ids: Record<string, string>;
  signIn(email: string): Promise<void>;
  /** A current code for a seeded user's secret, a step later each call (no replays). */
  codeFor(email: string): Promise<string>;
}

/**
 * The real reference server app, running in this page on the memory store, behind a fetch with a
 * cookie jar. Nothing of the API is stubbed: elements talk to the same rules as in production.
 * `wrap` inserts a fault (a failed network, a delay) between the client and the server.
 */
export const createPageServer = async (
  options: { wrap?: (fetch: Fetch) => Fetch; seed?: SeedData; serverOptions?: Record<string, unknown> } = {},
): Promise<PageServer> => {
  let now = Date.now();
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const store = new MemoryStore();
  const server = createFirmSecurityApp({
    store,
    clock,
    secretBox: createSecretBox(crypto.getRandomValues(new Uint8Array(32))),
    passwords: createPasswordHasher(nobleScrypt, { logN: 4, r: 8, p: 1 }),
    sessions: memorySessionTransport(),
    ...options.serverOptions,
  });
  const data = options.seed ?? seed;
  await seedFirm(server.context, data);
  const ids: Record<string, string> = {};
  for (const user of data.users) ids[user.email] = store.findUserByEmail(user.email)?.id as string;

  // Responses made in a browser cannot carry Set-Cookie, so the server keeps this page's one session
  // in a memory jar (its browser transport); everything else is the production code path.
  const cookieFetch = ((input: RequestInfo | URL, init?: RequestInit) =>
    server.fetch(new Request(input, init))) as Fetch;
  const fetch = options.wrap ? options.wrap(cookieFetch) : cookieFetch;
  const client = createFirmSecurityClient({ baseUrl: 'http://firm.test/api/v1', fetch, retry: { backoffLimit: 20 } });
  const queryClient = new QueryClient();
  const codeFor = async (email: string) => {
    const user = data.users.find((u) => u.email === email);
    if (user?.twoFactor.status !== 'enabled') throw new Error(`${email} has no seeded secret`);
    clock.advance(30_000);
    return totpCodeAt(user.twoFactor.totpSecret, clock.now());
  };
  return {
    store,
    clock,
    fetch,
    client,
    queryClient,
    kit: createKit(client, queryClient),
    ids,
    codeFor,
    async signIn(email) {
      const started = await client.session.signIn({ email, password: DEMO_PASSWORD });
      if (started.stage === 'two_factor') await client.session.verify({ code: await codeFor(email) });
    },
  };
};

/** Waits until `check` passes (re-rendering is asynchronous), or fails after `timeout` ms. */
export const until = async (check: () => unknown, timeout = 3000): Promise<void> => {
  const start = performance.now();
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (performance.now() - start > timeout) throw new Error(`condition not met within ${timeout} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
