import { createMockServer, type ScenarioName } from '@firm-security/mock';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import { inShadow, type Loaded, shadowText, slow } from './support.js';

interface ToggleLoaded extends Loaded {
  userId: string;
}

/** Boots the mock on `scenario` and picks the demo user `email` for the toggle. */
const forUser = (email: string, scenario: ScenarioName = 'demo') => ({
  loaders: [
    async (): Promise<ToggleLoaded> => {
      const mock = await createMockServer({ scenario });
      return { mock, userId: mock.idOf(email) };
    },
  ],
});

const meta = {
  title: 'Elements/Require 2FA toggle',
  component: 'firm-require-2fa-toggle',
  render: (_args, { loaded }) => {
    const { mock, userId } = loaded as ToggleLoaded;
    return html`<firm-require-2fa-toggle
      user-id=${userId}
      .client=${mock.client}
      .queryClient=${mock.queryClient}
    ></firm-require-2fa-toggle>`;
  },
} satisfies Meta;

export default meta;
type Story = StoryObj;

const toggleOf = (canvasElement: HTMLElement) => canvasElement.querySelector('firm-require-2fa-toggle');
const switchOf = (canvasElement: HTMLElement) => inShadow<HTMLInputElement>(toggleOf(canvasElement), '[role="switch"]');

/** 2FA is required for Ethan Brooks; switching it off saves at once. */
export const On: Story = {
  ...forUser('ethan.brooks@hartwell-reyes.test'),
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(switchOf(canvasElement)?.checked).toBe(true), slow);
    await userEvent.click(switchOf(canvasElement) as HTMLInputElement);
    await waitFor(() => expect(switchOf(canvasElement)?.checked).toBe(false), slow);
    await waitFor(() => expect(shadowText(toggleOf(canvasElement))).toContain('Ethan Brooks'), slow);
  },
};

/** Not required for Oliver Bennett. */
export const Off: Story = {
  ...forUser('oliver.bennett@hartwell-reyes.test'),
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(switchOf(canvasElement)?.checked).toBe(false), slow);
    expect(switchOf(canvasElement)?.getAttribute('aria-disabled')).toBeNull();
  },
};

/** Hana Sato is not yet migrated to the identity service: "N/A", with an explanation. */
export const NotAvailable: Story = {
  ...forUser('hana.sato@hartwell-reyes.test'),
  play: async ({ canvasElement }) => {
    const toggle = toggleOf(canvasElement);
    await waitFor(() => expect(inShadow(toggle, '[part~="na"]')?.textContent).toContain('N/A'), slow);
    expect(inShadow(toggle, '[role="tooltip"]')?.textContent?.trim()).not.toBe('');
    expect(switchOf(canvasElement)).toBeNull();
  },
};

/** A viewer who is not an administrator: the server refuses, and the element says why. */
export const NotAllowed: Story = {
  ...forUser('ethan.brooks@hartwell-reyes.test', 'nonAdmin'),
  play: async ({ canvasElement }) => {
    const toggle = toggleOf(canvasElement);
    await waitFor(() => expect(inShadow(toggle, '[part~="message"]')?.textContent?.trim()).not.toBe(''), slow);
    expect(switchOf(canvasElement)).toBeNull();
  },
};
