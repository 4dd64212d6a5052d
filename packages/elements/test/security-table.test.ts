import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import '../src/all.js';
import type { FirmSecurityTable } from '../src/components/security-table/security-table.js';
import { createPageServer, demo, type PageServer, until } from './page-server.js';

const mount = async (page: PageServer, attributes: Record<string, string> = {}) => {
  const table = document.createElement('firm-security-table');
  for (const [name, value] of Object.entries(attributes)) table.setAttribute(name, value);
  table.client = page.client;
  table.queryClient = page.queryClient;
  document.body.append(table);
  return table;
};

const root = (table: FirmSecurityTable) => table.shadowRoot as ShadowRoot;
const rows = (table: FirmSecurityTable) => [...root(table).querySelectorAll('tr[part~="row"]')];
const rowOf = (table: FirmSecurityTable, name: string) =>
  rows(table).find((row) => row.querySelector('.name')?.textContent === name) as HTMLTableRowElement | undefined;

const axeClean = async (element: Element) => {
  const results = await axe.run(element);
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
};

afterEach(() => {
  document.body.replaceChildren();
});

describe('<firm-security-table>', () => {
  it('shows every active user with status, role badges, N/A and summary counts', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const table = await mount(page);
    await until(() => rows(table).length === 12);
    expect(root(table).querySelector('[part="summary"]')?.textContent).toContain('12 users');
    const hana = rowOf(table, 'Hana Sato');
    await until(() => hana?.querySelector('[part~="na"]')?.textContent?.includes('N/A'));
    expect(hana?.querySelector('input[role="switch"]')).toBeNull();
    const morgan = rowOf(table, 'Morgan Hartwell');
    expect(morgan?.textContent).toContain('Primary subscriber');
    expect(morgan?.textContent).toContain("primary subscriber's 2FA cannot be disabled here");
    expect(rowOf(table, 'Priya Natarajan')?.textContent).toContain('You cannot disable your own 2FA here');
    expect(rowOf(table, 'Victor Lang')).toBeUndefined();
    expect(root(table).querySelector('table')?.getAttribute('aria-rowcount')).toBe('13');
    await axeClean(table);
  });

  it('searches, filters and sorts through the API', async () => {
    const page = await createPageServer();
    await page.signIn(demo.primary);
    const table = await mount(page);
    await until(() => rows(table).length === 12);
    const search = root(table).querySelector('input[type="search"]') as HTMLInputElement;
    search.value = 'kim';
    search.dispatchEvent(new Event('input'));
    await until(() => rows(table).length === 1 && rowOf(table, 'Grace Kim'));
    search.value = '';
    search.dispatchEvent(new Event('input'));
    await until(() => rows(table).length === 12);
    const statusHeader = root(table).querySelectorAll('th')[2] as HTMLTableCellElement;
    (statusHeader.querySelector('button') as HTMLButtonElement).click();
    await until(() => statusHeader.getAttribute('aria-sort') === 'ascending');
    await until(() => rows(table)[0]?.querySelector('[part~="badge"]')?.getAttribute('data-status') === 'enabled');
  });

  it('tells a viewer who is not an administrator that the page is not for them', async () => {
    const page = await createPageServer();
    await page.signIn(demo.plain);
    const table = await mount(page);
    await until(() => root(table).textContent?.includes('Only users with administrator permissions'));
    expect(root(table).querySelector('table')).toBeNull();
    await axeClean(table);
  });

  it('explains why an administrator without 2FA cannot disable anyone', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWithout2fa);
    const table = await mount(page);
    await until(() => rows(table).length === 12);
    const sofia = rowOf(table, 'Sofia Alvarez') as HTMLTableRowElement;
    const button = [...sofia.querySelectorAll('button')].find((b) => b.textContent?.includes('Disable 2FA'));
    expect(button?.getAttribute('aria-disabled')).toBe('true');
    expect(sofia.textContent).toContain('Turn on 2FA for your own account first');
  });

  it('renders a name with markup as text', async () => {
    const page = await createPageServer({
      seed: {
        firm: { name: 'XSS LLP' },
        users: [
          {
            name: 'Admin',
            email: 'admin@xss.test',
            password: 'password-1234',
            role: 'administrator',
            isPrimarySubscriber: true,
            active: true,
            identityMigrated: true,
            required: false,
            twoFactor: { status: 'not_enabled' },
          },
          {
            name: '<img src=x onerror=alert(1)>',
            email: 'evil@xss.test',
            password: 'password-1234',
            role: 'user',
            isPrimarySubscriber: false,
            active: true,
            identityMigrated: true,
            required: false,
            twoFactor: { status: 'not_enabled' },
          },
        ],
      },
    });
    await page.client.session.signIn({ email: 'admin@xss.test', password: 'password-1234' });
    const table = await mount(page);
    await until(() => rows(table).length === 2);
    expect(rowOf(table, '<img src=x onerror=alert(1)>')).toBeDefined();
    expect(root(table).querySelector('img')).toBeNull();
  });
});
