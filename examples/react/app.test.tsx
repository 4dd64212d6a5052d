// The React example: typed `onInvite` through the @firm-security/react wrappers, and the shipped languages.
import { createMockServer, installMockFetch } from '@firm-security/mock';
import { expect, it, vi } from 'vitest';
import { inviteStory } from '../invite-story.js';
import { mount } from './main.js';

it('renders the demo firm and hands the typed firm-invite event to onInvite', () =>
  inviteStory((container, handlers) => {
    const root = mount(container, handlers);
    return () => root.unmount();
  }));

it('speaks French under lang="fr-CA": importing @firm-security/react registers the shipped languages', async () => {
  const uninstall = installMockFetch(await createMockServer({ scenario: 'demo' }));
  const container = document.createElement('div');
  container.lang = 'fr-CA';
  document.body.append(container);
  const root = mount(container, { onInvite: () => {} });
  try {
    const { frCA } = await import('@firm-security/elements/i18n/fr-CA.js');
    const caption = () => document.querySelector('firm-security-table')?.shadowRoot?.querySelector('caption');
    await vi.waitFor(() => expect(caption()?.textContent?.trim()).toBe(frCA.tableCaption), { timeout: 10_000 });
  } finally {
    root.unmount();
    uninstall();
    container.remove();
  }
});
