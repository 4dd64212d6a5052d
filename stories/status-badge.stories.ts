import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, waitFor } from 'storybook/test';
import { shadowText } from './support.js';

const meta = {
  title: 'Elements/Status badge',
  component: 'firm-2fa-status-badge',
  args: { status: 'enabled' },
  argTypes: { status: { control: 'inline-radio', options: ['enabled', 'invited', 'not_enabled'] } },
  render: (args) => html`<firm-2fa-status-badge status=${args.status}></firm-2fa-status-badge>`,
} satisfies Meta;

export default meta;
type Story = StoryObj;

const shows =
  (text: string): Story['play'] =>
  async ({ canvasElement }) => {
    const badge = canvasElement.querySelector('firm-2fa-status-badge');
    await waitFor(() => expect(shadowText(badge)).toContain(text));
  };

export const Enabled: Story = { args: { status: 'enabled' }, play: shows('Enabled') };

export const Invited: Story = { args: { status: 'invited' }, play: shows('Invited') };

export const NotEnabled: Story = { args: { status: 'not_enabled' }, play: shows('Not enabled') };
