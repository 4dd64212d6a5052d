import { afterEach, describe, expect, it } from 'vitest';
import '../src/all.js';
import type { FirmSecurityTable } from '../src/components/security-table/security-table.js';
import { faults, mount } from './helpers.js';
import { createPageServer, demo, until } from './page-server.js';

const root = (el: Element) => el.shadowRoot as ShadowRoot;
const rows = (table: FirmSecurityTable) => root(table).querySelectorAll('tr[part~="row"]');

afterEach(() => {
  document.body.replaceChildren();
  document.documentElement.removeAttribute('lang');
});

describe('fixes from the client review', () => {
  it('a failed next page is not re-requested in a loop: the table offers a retry instead', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.primary);
    // Next pages fail from the start: the table asks for page 2 as soon as page 1 renders (it fills the
    // window), so failing them only after page 1 showed would race that request.
    fault.offline((request) => new URL(request.url).searchParams.has('cursor'));
    const table = await mount('firm-security-table', page, { pageSize: 5 });
    await until(() => rows(table).length === 5);
    const viewport = root(table).querySelector('.viewport') as HTMLElement;
    viewport.scrollTop = viewport.scrollHeight;
    const retry = () =>
      [...root(table).querySelectorAll('[role="alert"] button')].find((b) => b.textContent?.includes('Try again'));
    await until(() => retry());
    const attempts = fault.requests.filter((r) => r.startsWith('GET /api/v1/firm/users')).length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    // At most the SDK's own retries of that one attempt happened; no render loop asked again.
    expect(fault.requests.filter((r) => r.startsWith('GET /api/v1/firm/users')).length).toBe(attempts);
    fault.offline(undefined);
    (retry() as HTMLButtonElement).click();
    await until(() => !retry() && rows(table).length > 5);
  });

  it('the search box keeps what the user typed, trailing spaces included', async () => {
    const page = await createPageServer();
    await page.signIn(demo.primary);
    const table = await mount('firm-security-table', page);
    await until(() => rows(table).length === 12);
    const search = root(table).querySelector('input[type="search"]') as HTMLInputElement;
    search.value = 'grace ';
    search.dispatchEvent(new Event('input'));
    await until(() => rows(table).length === 1);
    expect(search.value).toBe('grace ');
  });

  it('an invalid page lang such as en_US does not break rendering', async () => {
    document.documentElement.setAttribute('lang', 'en_US');
    const page = await createPageServer();
    await page.signIn(demo.primary);
    const table = await mount('firm-security-table', page);
    await until(() => rows(table).length === 12);
    expect(root(table).querySelector('[part="summary"]')?.textContent).toContain('12 users');
  });

  it('the dialog cannot be cancelled while disabling runs, so the outcome is the real one', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const sofia = await page.client.users.get(page.ids[demo.userWith2fa] as string);
    const dialog = await mount('firm-disable-2fa-dialog', page);
    const outcome = dialog.show(sofia);
    await dialog.updateComplete;
    const confirm = root(dialog).querySelector('[part~="confirm"] input') as HTMLInputElement;
    confirm.click();
    await dialog.updateComplete;
    fault.hold((request) => request.method === 'POST' && request.url.includes('/two-factor/disable'));
    (root(dialog).querySelector('[part~="submit"]') as HTMLButtonElement).click();
    await until(() => fault.requests.some((r) => r.includes('/two-factor/disable')));
    (root(dialog).querySelector('[part~="cancel"]') as HTMLButtonElement).click();
    expect((root(dialog).querySelector('dialog') as HTMLDialogElement).open).toBe(true);
    fault.release();
    expect(await outcome).toBe('disabled');
  });
});
