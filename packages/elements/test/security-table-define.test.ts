// Only the table's define file, as a host that embeds just the table imports it (no all.js here).
import { afterEach, describe, expect, it } from 'vitest';
import '../src/define/firm-security-table.js';
import { en } from '../src/i18n/en.js';
import { createPageServer, demo, until } from './page-server.js';

afterEach(() => {
  document.body.replaceChildren();
});

describe('define/firm-security-table.js', () => {
  it('registers the table alone; the disable dialog arrives on demand, after the first rows', async () => {
    expect(customElements.get('firm-security-table')).toBeDefined();
    // The rows draw their own switch and button, and the dialog is not part of the startup code.
    for (const tag of ['firm-require-2fa-toggle', 'firm-invite-button', 'firm-2fa-status-badge'])
      expect(customElements.get(tag)).toBeUndefined();
    expect(customElements.get('firm-disable-2fa-dialog')).toBeUndefined();

    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const table = document.createElement('firm-security-table');
    table.client = page.client;
    table.queryClient = page.queryClient;
    document.body.append(table);
    const root = table.shadowRoot as ShadowRoot;
    const row = (name: string) =>
      [...root.querySelectorAll('tr[part~="row"]')].find((tr) => tr.querySelector('.name')?.textContent === name);
    await until(() => row('Sofia Alvarez'));
    await customElements.whenDefined('firm-disable-2fa-dialog');

    const disable = [...(row('Sofia Alvarez')?.querySelectorAll('button') ?? [])].find(
      (button) => button.textContent?.trim() === en.disableAction,
    );
    disable?.click();
    const dialog = root.querySelector('firm-disable-2fa-dialog');
    await until(() => dialog?.shadowRoot?.querySelector<HTMLDialogElement>('dialog')?.open);
    // The properties the table set before the element was defined reached it.
    expect(dialog?.client).toBe(page.client);
    expect(dialog?.shadowRoot?.textContent).toContain('Sofia Alvarez');
  });
});
