import type { FirmDisable2faDialog } from '@firm-security/elements';
import { createMockServer, type ScenarioName } from '@firm-security/mock';
import type { FirmUser } from '@firm-security/sdk';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import { inShadow, type Loaded, slow } from './support.js';

interface DialogLoaded extends Loaded {
  user: FirmUser;
}

/** Sofia Alvarez, who has 2FA on and is locked out. */
const SOFIA = 'sofia.alvarez@hartwell-reyes.test';

const withScenario = (scenario: ScenarioName) => ({
  loaders: [
    async (): Promise<DialogLoaded> => {
      const mock = await createMockServer({ scenario });
      return { mock, user: await mock.client.users.get(mock.idOf(SOFIA)) };
    },
  ],
});

const meta = {
  title: 'Elements/Disable 2FA dialog',
  component: 'firm-disable-2fa-dialog',
  ...withScenario('demo'),
  render: (_args, { loaded }) => {
    const { mock } = loaded as DialogLoaded;
    return html`<firm-disable-2fa-dialog .client=${mock.client} .queryClient=${mock.queryClient}></firm-disable-2fa-dialog>`;
  },
} satisfies Meta;

export default meta;
type Story = StoryObj;

const dialogOf = (canvasElement: HTMLElement) =>
  canvasElement.querySelector('firm-disable-2fa-dialog') as FirmDisable2faDialog;
const part = <T extends HTMLElement = HTMLElement>(canvasElement: HTMLElement, name: string) =>
  inShadow<T>(dialogOf(canvasElement), `[part~="${name}"]`);

/** Opens the dialog for Sofia (its promise settles when it closes) and waits until it is open. */
const open = async (canvasElement: HTMLElement, user: FirmUser) => {
  const dialog = dialogOf(canvasElement);
  await dialog.updateComplete;
  void dialog.show(user);
  await waitFor(() => expect(part<HTMLDialogElement>(canvasElement, 'dialog')?.open).toBe(true));
};

/** The warning, and "Disable 2FA" disabled until the confirmation is ticked. */
export const Open: Story = {
  play: async ({ canvasElement, loaded }) => {
    await open(canvasElement, (loaded as DialogLoaded).user);
    const submit = part<HTMLButtonElement>(canvasElement, 'submit');
    expect(part(canvasElement, 'warning')?.textContent).toContain('Sofia Alvarez');
    expect(submit?.disabled).toBe(true);
    await userEvent.click(part(canvasElement, 'confirm')?.querySelector('input') as HTMLInputElement);
    await waitFor(() => expect(submit?.disabled).toBe(false));
  },
};

/** The administrator's last verification is too old: submitting asks for their current code. */
export const StepUp: Story = {
  ...withScenario('stepUpRequired'),
  play: async ({ canvasElement, loaded }) => {
    await open(canvasElement, (loaded as DialogLoaded).user);
    await userEvent.click(part(canvasElement, 'confirm')?.querySelector('input') as HTMLInputElement);
    await waitFor(() => expect(part<HTMLButtonElement>(canvasElement, 'submit')?.disabled).toBe(false));
    await userEvent.click(part(canvasElement, 'submit') as HTMLButtonElement);
    await waitFor(() => expect(part(canvasElement, 'code-input')).not.toBeNull(), slow);
    expect(part(canvasElement, 'title')?.textContent).toContain('Confirm it is you');
  },
};

/**
 * Someone else turned Sofia's 2FA off while the dialog was open: the server refuses (412), the dialog
 * reloads her and says why it cannot go on.
 */
export const AlreadyDisabled: Story = {
  play: async ({ canvasElement, loaded }) => {
    const { mock, user } = loaded as DialogLoaded;
    await open(canvasElement, user);
    await mock.client.users.disableTwoFactor(user.id, { confirm: true });
    await userEvent.click(part(canvasElement, 'confirm')?.querySelector('input') as HTMLInputElement);
    await userEvent.click(part(canvasElement, 'submit') as HTMLButtonElement);
    await waitFor(
      () => expect(part(canvasElement, 'error')?.textContent).toContain('2FA is not on for this user.'),
      slow,
    );
    expect(part<HTMLButtonElement>(canvasElement, 'submit')?.disabled).toBe(true);
  },
};
