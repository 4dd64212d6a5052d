import { createFirmSecurityClient, type FirmSecurityClient, type FirmSecurityClientOptions } from '@firm-security/sdk';
import { createHarness, DEMO_PASSWORD, demo, type Harness } from '../../server/test/harness.js';

export type { Harness };
export { demo };

export const ORIGIN = 'http://firm.test';
export const BASE_URL = `${ORIGIN}/api/v1`;

export type Fetch = typeof globalThis.fetch;

/**
 * What a browser adds around fetch: the session cookie. The server app itself answers in process
 * (`app.fetch` on the memory store); nothing of our API is stubbed.
 */
export const browserLikeFetch = (serverFetch: (request: Request) => Promise<Response>): Fetch => {
  let cookie: string | undefined;
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (cookie) request.headers.set('cookie', cookie);
    const response = await serverFetch(request);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const value = /firm_session=([^;]*)/.exec(setCookie)?.[1];
      cookie = value ? `firm_session=${value}` : undefined;
    }
    return response;
  }) as Fetch;
};

export interface SdkHarness {
  h: Harness;
  client: FirmSecurityClient;
  /** The fetch the client uses (after any fault wrapper). */
  fetch: Fetch;
  /** Signs the client in all the way (password, then a TOTP code when 2FA is on). */
  signIn(email: string): Promise<void>;
}

/**
 * A client over the real server app. `wrap` puts a fault injector between the client and the
 * browser-like fetch (drop, delay, 503, 500: see faults.ts).
 */
export const createSdkHarness = async (
  options: {
    wrap?: (fetch: Fetch) => Fetch;
    client?: Partial<FirmSecurityClientOptions>;
    harness?: Parameters<typeof createHarness>[0];
  } = {},
): Promise<SdkHarness> => {
  const h = await createHarness(options.harness);
  const base = browserLikeFetch(h.fetch);
  const fetch = options.wrap ? options.wrap(base) : base;
  const client = createFirmSecurityClient({ baseUrl: BASE_URL, fetch, retry: { backoffLimit: 50 }, ...options.client });
  return {
    h,
    client,
    fetch,
    async signIn(email) {
      const started = await client.session.signIn({ email, password: DEMO_PASSWORD });
      if (started.stage === 'two_factor') await client.session.verify({ code: await h.codeFor(email) });
    },
  };
};
