import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import { allInShadow, inShadow, type Loaded, mockLoader, slow } from './support.js';

const meta = {
  title: 'Elements/Provider',
  component: 'firm-security-provider',
  parameters: { layout: 'padded' },
  loaders: [mockLoader('demo')],
  render: (_args, { loaded }) => {
    const { mock } = loaded as Loaded;
    return html`<firm-security-provider .client=${mock.client} .queryClient=${mock.queryClient}>
      <p>One client and one cache for every element inside: a change in the toggle shows in the table.</p>
      <firm-require-2fa-toggle user-id=${mock.idOf('oliver.bennett@hartwell-reyes.test')}></firm-require-2fa-toggle>
      <firm-security-table></firm-security-table>
    </firm-security-provider>`;
  },
} satisfies Meta;

export default meta;
type Story = StoryObj;

/** The toggle and the table share the provider's client: requiring 2FA updates the table's row. */
export const SharedCache: Story = {
  play: async ({ canvasElement }) => {
    const table = canvasElement.querySelector('firm-security-table');
    const toggle = canvasElement.querySelector('firm-require-2fa-toggle');
    await waitFor(() => expect(allInShadow(table, 'tr[part~="row"]')).toHaveLength(12), slow);
    const standalone = () => inShadow<HTMLInputElement>(toggle, '[role="switch"]');
    await waitFor(() => expect(standalone()?.checked).toBe(false), slow);
    await userEvent.click(standalone() as HTMLInputElement);
    const oliverInTable = () =>
      allInShadow(table, 'tr[part~="row"]')
        .find((row) => row.textContent?.includes('Oliver Bennett'))
        ?.querySelector<HTMLInputElement>('[role="switch"]');
    await waitFor(() => expect(oliverInTable()?.checked).toBe(true), slow);
  },
};
