// A file of its own: the Intl formatters are shared by the page, so this must be the first table of its page.
import { afterEach, expect, it } from 'vitest';
import '../src/define/firm-security-table.js';
import { createPageServer, demo, until } from './page-server.js';

const RealDateTimeFormat = Intl.DateTimeFormat;

afterEach(() => {
  Intl.DateTimeFormat = RealDateTimeFormat;
  document.body.replaceChildren();
});

it("sends the table's first request before building the page's first Intl formatter", async () => {
  // The first formatter of a page costs milliseconds (locale data): they are better spent while the
  // request is on the network than before it leaves.
  const order: string[] = [];
  const page = await createPageServer({
    wrap: (fetch) => (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      order.push(`request ${url.replace(/^.*\/api\/v1/, '')}`);
      return fetch(input, init);
    },
  });
  await page.signIn(demo.adminWith2fa);
  order.length = 0;
  Intl.DateTimeFormat = new Proxy(RealDateTimeFormat, {
    construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      order.push('Intl.DateTimeFormat');
      return new target(...args);
    },
  });

  const table = document.createElement('firm-security-table');
  table.client = page.client;
  table.queryClient = page.queryClient;
  document.body.append(table);
  await until(() => table.shadowRoot?.querySelector('tr[part~="row"]'));

  expect(order[0]).toBe('request /me');
  expect(order).toContain('Intl.DateTimeFormat');
});
