// The Svelte example in Chromium against the real server rules (@firm-security/mock in the page).
import { FirmInviteEvent } from '@firm-security/elements';
import { createMockServer, installMockFetch } from '@firm-security/mock';
import { afterEach, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { mount } from './main.js';

let unmount: (() => Promise<void>) | undefined;
let uninstall = () => {};
afterEach(async () => {
  await unmount?.();
  uninstall();
  document.body.replaceChildren();
});

const table = () => document.querySelector('firm-security-table');
const rows = () => [...(table()?.shadowRoot?.querySelectorAll('tr[part~="row"]') ?? [])];
const rowOf = (name: string) => rows().find((row) => row.querySelector('.name')?.textContent === name);

it('renders the demo firm and hears firm-invite through onfirm-invite', async () => {
  const mock = await createMockServer({ scenario: 'demo' });
  uninstall = installMockFetch(mock); // the provider's baseUrl "/api/v1" now reaches the mock
  const container = document.createElement('div');
  document.body.append(container);
  const onInvite = vi.fn<(event: Event) => void>();
  unmount = mount(container, { onInvite });

  await vi.waitFor(() => expect(rows()).toHaveLength(12), { timeout: 10_000 });
  expect(table()?.closest('firm-security-provider')?.baseUrl).toBe('/api/v1');
  expect(rowOf('Morgan Hartwell')?.textContent).toContain('Primary subscriber');

  // A real click on Oliver Bennett's "Invite to enable 2FA" (inside the row's <firm-invite-button>).
  const button = rowOf('Oliver Bennett')?.querySelector('firm-invite-button')?.shadowRoot?.querySelector('button');
  expect(button?.textContent?.trim()).toBe('Invite to enable 2FA');
  await userEvent.click(button as HTMLButtonElement);

  await vi.waitFor(() => expect(onInvite).toHaveBeenCalledTimes(1), { timeout: 10_000 });
  const event = onInvite.mock.calls[0]?.[0];
  expect(event).toBeInstanceOf(FirmInviteEvent);
  expect((event as FirmInviteEvent).user.twoFactor.status).toBe('invited');
  await vi.waitFor(() =>
    expect(document.querySelector('.notice')?.textContent).toBe('Invitation sent to Oliver Bennett.'),
  );
  expect(mock.store.getUser(mock.idOf('oliver.bennett@hartwell-reyes.test'))?.invitation).not.toBeNull();
});
