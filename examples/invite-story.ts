// The story every framework example is tested with, in Chromium against the real server rules
// (@firm-security/mock in the page): the app shows the demo firm through a provider with baseUrl
// "/api/v1", a real click invites Oliver Bennett, and the app's handler hears the typed event.
import { FirmInviteEvent } from '@firm-security/elements';
import { createMockServer, installMockFetch } from '@firm-security/mock';
import { expect, vi } from 'vitest';
import { userEvent } from 'vitest/browser';

const table = () => document.querySelector('firm-security-table');
const rows = () => [...(table()?.shadowRoot?.querySelectorAll('tr[part~="row"]') ?? [])];
const rowOf = (name: string) => rows().find((row) => row.querySelector('.name')?.textContent === name);

/** Mounts an example app into `container` with its invite handler; returns how to unmount it. */
export type MountExample = (
  container: HTMLElement,
  handlers: { onInvite: (event: Event) => void },
) => (() => unknown) | Promise<() => unknown>;

export const inviteStory = async (mountApp: MountExample): Promise<void> => {
  const mock = await createMockServer({ scenario: 'demo' });
  const uninstall = installMockFetch(mock); // the provider's baseUrl "/api/v1" now reaches the mock
  const container = document.createElement('div');
  document.body.append(container);
  const onInvite = vi.fn<(event: Event) => void>();
  const unmount = await mountApp(container, { onInvite });
  try {
    await vi.waitFor(() => expect(rows()).toHaveLength(12), { timeout: 10_000 });
    expect(table()?.closest('firm-security-provider')?.baseUrl).toBe('/api/v1');
    expect(rowOf('Morgan Hartwell')?.textContent).toContain('Primary subscriber');

    // A real click on Oliver Bennett's "Invite to enable 2FA" (the row's invite button).
    const button = rowOf('Oliver Bennett')?.querySelector<HTMLButtonElement>('[part~="button"]');
    expect(button?.textContent?.trim()).toBe('Invite to enable 2FA');
    await userEvent.click(button as HTMLButtonElement);

    await vi.waitFor(() => expect(onInvite).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    const event = onInvite.mock.calls[0]?.[0] as FirmInviteEvent | undefined;
    expect(event).toBeInstanceOf(FirmInviteEvent);
    expect(event?.type).toBe('firm-invite');
    expect(event?.user.name).toBe('Oliver Bennett');
    expect(event?.user.twoFactor.status).toBe('invited');
    // The app's own state updated from the handler, and the server really sent the invitation.
    await vi.waitFor(() =>
      expect(document.querySelector('.notice')?.textContent).toBe('Invitation sent to Oliver Bennett.'),
    );
    expect(mock.store.getUser(mock.idOf('oliver.bennett@hartwell-reyes.test'))?.invitation).not.toBeNull();
  } finally {
    await unmount();
    uninstall();
    container.remove();
  }
};
