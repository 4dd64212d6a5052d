import { createMockServer, type MockServer } from '@firm-security/mock';
import type { FirmUser } from '@firm-security/sdk';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import { inShadow, type Loaded, slow } from './support.js';

interface InviteLoaded extends Loaded {
  user: FirmUser;
}

const HOUR = 3_600_000;

/** Boots the demo mock and prepares one user with `prepare`. */
const withUser = (prepare: (mock: MockServer) => Promise<FirmUser>) => ({
  loaders: [
    async (): Promise<InviteLoaded> => {
      const mock = await createMockServer({ scenario: 'demo' });
      return { mock, user: await prepare(mock) };
    },
  ],
});

const meta = {
  title: 'Elements/Invite button',
  component: 'firm-invite-button',
  render: (_args, { loaded }) => {
    const { mock, user } = loaded as InviteLoaded;
    return html`<firm-invite-button
      .user=${user}
      .client=${mock.client}
      .queryClient=${mock.queryClient}
    ></firm-invite-button>`;
  },
} satisfies Meta;

export default meta;
type Story = StoryObj;

const buttonOf = (canvasElement: HTMLElement) =>
  inShadow<HTMLButtonElement>(canvasElement.querySelector('firm-invite-button'), 'button[part~="button"]');
const messageOf = (canvasElement: HTMLElement) =>
  inShadow(canvasElement.querySelector('firm-invite-button'), '[part~="message"]');

/** Oliver Bennett has no 2FA and no invitation: "Invite to enable 2FA"; then the reminder cools down. */
export const Invite: Story = {
  ...withUser((mock) => mock.client.users.get(mock.idOf('oliver.bennett@hartwell-reyes.test'))),
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(buttonOf(canvasElement)?.textContent).toContain('Invite to enable 2FA'));
    await userEvent.click(buttonOf(canvasElement) as HTMLButtonElement);
    await waitFor(() => expect(buttonOf(canvasElement)?.textContent).toContain('Send reminder'), slow);
    await waitFor(() => expect(messageOf(canvasElement)?.textContent).toContain('Reminder available'));
  },
};

/** Amara Nwosu was invited two hours ago: "Send reminder" is available. */
export const Remind: Story = {
  ...withUser(async (mock) => {
    const id = mock.idOf('amara.nwosu@hartwell-reyes.test');
    await mock.client.users.invite(id);
    mock.clock.advance(2 * HOUR);
    return mock.client.users.get(id);
  }),
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(buttonOf(canvasElement)?.textContent).toContain('Send reminder'));
    expect(buttonOf(canvasElement)?.getAttribute('aria-disabled')).toBeNull();
  },
};

/** Lucas Moreau was invited a moment ago: the reminder is disabled until the cool-down ends. */
export const Cooldown: Story = {
  ...withUser(async (mock) => mock.client.users.invite(mock.idOf('lucas.moreau@hartwell-reyes.test'))),
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(buttonOf(canvasElement)?.getAttribute('aria-disabled')).toBe('true'));
    expect(messageOf(canvasElement)?.textContent).toContain('Reminder available');
  },
};
