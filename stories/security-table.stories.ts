import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import { allInShadow, inShadow, type Loaded, mockLoader, shadowText, slow } from './support.js';

const meta = {
  title: 'Elements/Security table',
  component: 'firm-security-table',
  parameters: { layout: 'padded' },
  loaders: [mockLoader('demo')],
  args: { pageSize: 100 },
  render: (args, { loaded }) => {
    const { mock } = loaded as Loaded;
    return html`<firm-security-table
      .client=${mock.client}
      .queryClient=${mock.queryClient}
      .pageSize=${args.pageSize}
    ></firm-security-table>`;
  },
} satisfies Meta<{ pageSize: number }>;

export default meta;
type Story = StoryObj;

const tableOf = (canvasElement: HTMLElement) => canvasElement.querySelector('firm-security-table');
const rowsOf = (canvasElement: HTMLElement) => allInShadow(tableOf(canvasElement), 'tr[part~="row"]');

/** The demo firm (12 people), seen by the primary subscriber. */
export const Demo: Story = {
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(rowsOf(canvasElement)).toHaveLength(12), slow);
    const table = tableOf(canvasElement);
    expect(shadowText(table)).toContain('Priya Natarajan');
    expect(inShadow(table, '[part~="summary"]')?.textContent).toContain('12');
  },
};

/** Every response takes about 800 ms: the skeleton rows show, then the users. */
export const Loading: Story = {
  loaders: [mockLoader('slowNetwork')],
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(inShadow(table, '[aria-busy="true"]')).not.toBeNull());
    await waitFor(() => expect(rowsOf(canvasElement)).toHaveLength(12), slow);
  },
};

/** A search that matches nobody (in a firm of one). */
export const EmptySearch: Story = {
  loaders: [mockLoader('emptyFirm')],
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(rowsOf(canvasElement)).toHaveLength(1), slow);
    const search = inShadow<HTMLInputElement>(table, 'input[part~="search"]');
    await expect(search).not.toBeNull();
    await userEvent.type(search as HTMLInputElement, 'nobody-here');
    await waitFor(() => expect(shadowText(table)).toContain('No users match.'), slow);
    expect(rowsOf(canvasElement)).toHaveLength(0);
  },
};

/** The firm endpoints answer 503: an error with a retry button. */
export const ServerError: Story = {
  loaders: [mockLoader('serverErrors')],
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(inShadow(table, '[role="alert"]')?.textContent).toContain('could not be loaded'), slow);
    const retry = inShadow<HTMLButtonElement>(table, '[role="alert"] button');
    await expect(retry?.textContent).toContain('Try again');
    await userEvent.click(retry as HTMLButtonElement);
    await waitFor(() => expect(inShadow(table, '[role="alert"] button')).not.toBeNull(), slow);
  },
};

/** Nobody is signed in (or the session expired): the table says to sign in. */
export const SignedOut: Story = {
  loaders: [mockLoader('demo', { signIn: false })],
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(shadowText(table)).toContain('Sign in to see Firm Security.'), slow);
    expect(inShadow(table, 'table')).toBeNull();
  },
};

/**
 * Someone else changed Oliver Bennett since the page loaded: the switch's change is refused (412), it rolls
 * back, and the row says so (in full on hover or focus) and shows his current state.
 */
export const RefusedAction: Story = {
  play: async ({ canvasElement, loaded }) => {
    const { mock } = loaded as Loaded;
    await waitFor(() => expect(rowsOf(canvasElement)).toHaveLength(12), slow);
    const row = () => rowsOf(canvasElement).find((tr) => tr.textContent?.includes('Oliver Bennett'));
    const user = mock.store.getUser(mock.idOf('oliver.bennett@hartwell-reyes.test'));
    if (user) mock.store.updateUser({ ...user, version: user.version + 1 });
    await userEvent.click(row()?.querySelector('input[role="switch"]') as HTMLInputElement);
    await waitFor(() => expect(row()?.querySelector('[part~="message"]')?.textContent).toContain('Someone else'), slow);
    expect(row()?.querySelector<HTMLInputElement>('input[role="switch"]')?.checked).toBe(false);
  },
};

/** A viewer who is not an administrator sees why, and no table. */
export const NotAllowed: Story = {
  loaders: [mockLoader('nonAdmin')],
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(shadowText(table)).toContain('Firm Security is not available to you'), slow);
    expect(inShadow(table, 'table')).toBeNull();
  },
};

/** An administrator without 2FA: every "Disable 2FA" stays visible, disabled, with the reason. */
export const AdminWithout2fa: Story = {
  loaders: [mockLoader('adminWithout2fa')],
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(rowsOf(canvasElement)).toHaveLength(12), slow);
    const disable = allInShadow(table, 'button.danger');
    expect(disable.length).toBeGreaterThan(0);
    for (const button of disable) expect(button.getAttribute('aria-disabled')).toBe('true');
    expect(shadowText(table)).toContain('Turn on 2FA for your own account first.');
  },
};

/** 5,012 users: only the visible rows are rendered, more pages load as you scroll. */
export const LargeFirm: Story = {
  loaders: [mockLoader('largeFirm')],
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(inShadow(table, 'table')?.getAttribute('aria-rowcount')).toBe('5013'), slow);
    const rows = rowsOf(canvasElement).length;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(200);
    expect(inShadow(table, '[part~="summary"]')?.textContent).toContain('5,012');
  },
};

/** The page's lang is fr-CA (the toolbar's locale switch). */
export const French: Story = {
  globals: { locale: 'fr-CA' },
  play: async ({ canvasElement }) => {
    const table = tableOf(canvasElement);
    await waitFor(() => expect(rowsOf(canvasElement)).toHaveLength(12), slow);
    await waitFor(() => expect(shadowText(table)).toContain('Sécurité du cabinet'), slow);
  },
};

/** The dark theme (the toolbar's theme switch loads themes/dark.css). */
export const Dark: Story = {
  globals: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(rowsOf(canvasElement)).toHaveLength(12), slow);
    const link = document.querySelector<HTMLLinkElement>('link#firm-theme');
    expect(link?.href).toContain('dark');
  },
};
