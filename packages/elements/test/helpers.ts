import type { SeedData } from '@firm-security/server';
import axe from 'axe-core';
import { expect } from 'vitest';
import demoSeed from '../../server/seeds/demo.json' with { type: 'json' };
import type { Fetch, PageServer } from './page-server.js';

/** Creates `tag` with the page server's client and QueryClient, adds it to the page and waits for it. */
export const mount = async <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  page: PageServer,
  props: Partial<HTMLElementTagNameMap[K]> = {},
): Promise<HTMLElementTagNameMap[K]> => {
  const el = document.createElement(tag) as HTMLElementTagNameMap[K] & { client: unknown; queryClient: unknown };
  el.client = page.client;
  el.queryClient = page.queryClient;
  Object.assign(el, props);
  document.body.append(el);
  await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  return el;
};

/** axe-core on the element (it follows the shadow root); lists violations readably when any. */
export const expectAxeClean = async (el: Element): Promise<void> => {
  const results = await axe.run(el);
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
};

/**
 * Faults between the client and the real server: `offline(test)` makes matching requests fail as a
 * dropped connection does (fetch rejects with a TypeError); `hold(test)` keeps them waiting until
 * `release()`. `requests` lists every request as "METHOD /path".
 */
export const faults = () => {
  let offline: ((request: Request) => boolean) | undefined;
  let hold: ((request: Request) => boolean) | undefined;
  let open = () => {};
  const closed = () =>
    new Promise<void>((resolve) => {
      open = resolve;
    });
  let gate = closed();
  const requests: string[] = [];
  const wrap =
    (fetch: Fetch): Fetch =>
    async (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      if (offline?.(request)) throw new TypeError('Failed to fetch');
      if (hold?.(request)) await gate;
      return fetch(input, init);
    };
  return {
    wrap,
    requests,
    offline(test: ((request: Request) => boolean) | undefined) {
      offline = test;
    },
    hold(test: (request: Request) => boolean) {
      gate = closed();
      hold = test;
    },
    release() {
      hold = undefined;
      open();
    },
  };
};

export const XSS_NAME = '<img src=x onerror=alert(1)>';

/** The demo firm plus a user whose name is markup. */
export const xssSeed = (): SeedData => {
  const seed = structuredClone(demoSeed) as SeedData;
  seed.users.push({
    name: XSS_NAME,
    email: 'xss@hartwell-reyes.test',
    password: 'firm-security-demo',
    role: 'user',
    isPrimarySubscriber: false,
    active: true,
    identityMigrated: true,
    required: false,
    twoFactor: { status: 'enabled', totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
  });
  return seed;
};

/** Part `name` in the element's shadow root. */
export const part = <T extends Element = HTMLElement>(el: Element, name: string): T | null =>
  el.shadowRoot?.querySelector<T>(`[part~='${name}']`) ?? null;

/** The focused element, inside shadow roots. */
export const deepActive = (): Element | null => {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
};
