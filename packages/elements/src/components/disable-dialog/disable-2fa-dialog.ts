import {
  type FirmSecurityClient,
  type FirmUser,
  isFirmSecurityError,
  PreconditionFailedError,
} from '@firm-security/sdk';
import { firmSecurityMutations } from '@firm-security/sdk/query';
import type { QueryClient } from '@tanstack/query-core';
import { html, LitElement, nothing } from 'lit';
import { KitController } from '../../controllers/kit-controller.js';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { MutationController } from '../../controllers/mutation-controller.js';
import { errorMessage, kitProperties, reasonText } from '../../element-helpers.js';
import { FirmErrorEvent, FirmTwoFactorDisableEvent } from '../../events.js';
import type { Messages } from '../../i18n/en.js';
import { enDialog } from '../../i18n/en-dialog.js';
import { tokens } from '../../styles.js';
import { styles } from './disable-2fa-dialog.styles.js';

export type DisableOutcome = 'disabled' | 'cancelled';

const CODE_PATTERN = '\\d{6}';

/** The focused element, looking inside shadow roots (where a kit element's own button has focus). */
const deepActiveElement = (): HTMLElement | undefined => {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : undefined;
};

/**
 * Disables 2FA for a user who is locked out, after the warning of the help article and a
 * confirmation checkbox. A modal native `<dialog>`: focus starts on the checkbox, stays inside while
 * open, and returns where it was on close; Escape cancels. When the server asks the administrator to
 * confirm it is them (`step_up_required`), it asks for their current code, verifies it and retries.
 * Errors are shown inside the dialog, which stays open. Works on its own: `await dialog.show(user)`.
 *
 * @tagname firm-disable-2fa-dialog
 * @attr base-url - Where the API lives (default: the provider's client, or same-origin `/api/v1`).
 * @summary The confirmation dialog to disable a user's 2FA.
 * @csspart dialog - The `<dialog>`.
 * @csspart title - The heading.
 * @csspart warning - The warning paragraph.
 * @csspart confirm - The confirmation checkbox's label (with the checkbox).
 * @csspart submit - The "Disable 2FA" button.
 * @csspart cancel - The "Cancel" button.
 * @csspart error - The error message.
 * @csspart code-input - The authentication code field of the step-up view.
 * @cssproperty --firm-color-danger - The "Disable 2FA" button and errors.
 * @cssproperty --firm-backdrop - The backdrop behind the dialog.
 * @event firm-two-factor-disable - FirmTwoFactorDisableEvent: 2FA was disabled; `event.user` is the updated user.
 * @event firm-error - FirmErrorEvent: disabling (or the step-up code) failed; `event.error` is the typed SDK error.
 */
export class FirmDisable2faDialog extends LitElement {
  static override properties = { ...kitProperties, user: { attribute: false } };
  static override styles = [tokens, styles];

  /** The user whose 2FA the dialog disables; set by `show()`. */
  declare user: FirmUser | undefined;
  /** An API client (`createFirmSecurityClient()`); wins over `base-url` and a provider. */
  declare client: FirmSecurityClient | undefined;
  /** The QueryClient to share with the client given as `client`. */
  declare queryClient: QueryClient | undefined;
  /** Where the API lives when there is no provider, e.g. `/api/v1`. */
  declare baseUrl: string | undefined;

  #kit = new KitController(this);
  #l10n = new LocalizeController<Messages>(this, enDialog);
  #mutation = new MutationController(
    this,
    () => this.#kit.kit,
    (kit) => firmSecurityMutations(kit.client, kit.queryClient).disableTwoFactor,
  );
  #stepUp = false;
  #confirmed = false;
  #busy = false;
  #error: unknown;
  /** Why the user, reloaded after a 412, can no longer be disabled. */
  #refused = '';
  #announcement = '';
  #outcome: DisableOutcome = 'cancelled';
  #resolve: ((outcome: DisableOutcome) => void) | undefined;
  #returnFocus: HTMLElement | undefined;

  #part(name: string): HTMLElement | null | undefined {
    return this.shadowRoot?.querySelector<HTMLElement>(`[part~='${name}']`);
  }

  /** Opens the dialog for `user` (the element must be in the document); resolves when it closes, with what happened. */
  async show(user: FirmUser): Promise<DisableOutcome> {
    this.#resolve?.('cancelled');
    this.#resolve = undefined;
    this.user = user;
    this.#stepUp = this.#confirmed = this.#busy = false;
    this.#error = undefined;
    this.#refused = '';
    this.#announcement = '';
    this.#outcome = 'cancelled';
    const dialog = this.#part('dialog') as HTMLDialogElement | null | undefined;
    if (!dialog?.open) this.#returnFocus = deepActiveElement();
    const closed = new Promise<DisableOutcome>((resolve) => {
      this.#resolve = resolve;
    });
    await this.updateComplete;
    const opened = this.#part('dialog') as HTMLDialogElement;
    if (!opened.open) opened.showModal();
    this.#part('confirm')?.querySelector('input')?.focus();
    return closed;
  }

  /** Closes the dialog (as cancelled, unless 2FA was just disabled). */
  hide(): void {
    // Not while disabling: the outcome would be reported as cancelled although 2FA gets disabled.
    if (this.#busy) return;
    (this.#part('dialog') as HTMLDialogElement | null | undefined)?.close();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resolve?.('cancelled');
    this.#resolve = undefined;
  }

  #closed = () => {
    // Chrome lets a repeated Escape close a modal dialog even when `cancel` is prevented; while the
    // request runs, open it again so the outcome is reported once it is known.
    if (this.#busy) {
      (this.#part('dialog') as HTMLDialogElement | null | undefined)?.showModal();
      return;
    }
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.(this.#outcome);
    this.#returnFocus?.focus();
    this.#returnFocus = undefined;
  };

  #cancel = (event: Event) => {
    if (this.#busy) event.preventDefault();
  };

  #submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const user = this.user;
    if (!user || !this.#confirmed || this.#busy) return;
    const { client } = this.#kit.kit;
    this.#busy = true;
    this.#error = undefined;
    this.requestUpdate();
    let verified = false;
    try {
      if (this.#stepUp) {
        const input = this.#part('code-input') as HTMLInputElement;
        await client.session.stepUp({ code: input.value });
        verified = true;
      }
      const updated = await this.#mutation.mutate({ id: user.id, ifMatch: user.version });
      this.#outcome = 'disabled';
      this.#announcement = this.#l10n.t.disabled(updated.name);
      this.dispatchEvent(new FirmTwoFactorDisableEvent(updated));
      this.#busy = false;
      this.hide();
    } catch (error) {
      const askCode = !this.#stepUp && isFirmSecurityError(error) && error.code === 'step_up_required';
      // A verified code is spent: after it, a retry needs only the confirmation again.
      this.#stepUp = askCode || (this.#stepUp && !verified);
      if (!askCode) {
        this.#error = error;
        this.dispatchEvent(new FirmErrorEvent(error as Error));
      }
      if (error instanceof PreconditionFailedError) {
        // Someone changed the user meanwhile: show the user as it is now (a retry sends its version),
        // and ask for the confirmation again.
        const fresh = await client.users.get(user.id).catch(() => undefined);
        if (fresh) this.user = fresh;
        this.#confirmed = false;
        // It may not be possible any more (someone else disabled it): say why, and offer no retry.
        const now = fresh?.allowedActions.disableTwoFactor;
        if (now && !now.allowed) this.#refused = reasonText(this.#l10n.t, now.reason) ?? now.reason;
      }
      this.requestUpdate();
      await this.updateComplete;
      const target = this.#stepUp
        ? this.#part('code-input')
        : this.#confirmed
          ? this.#part('submit')
          : this.#part('confirm')?.querySelector('input');
      target?.focus();
      if (this.#stepUp) (target as HTMLInputElement).select();
    } finally {
      this.#busy = false;
      this.requestUpdate();
    }
  };

  protected override render() {
    const { t } = this.#l10n;
    const name = this.user?.name ?? '';
    const step = this.#stepUp;
    const refused = this.#refused;
    const error = refused || (this.#error ? errorMessage(this.#l10n, this.#error) : '');
    const described = [step ? 'prompt' : 'warning', error ? 'error' : ''].join(' ').trim();
    return html`<dialog
        part="dialog"
        aria-labelledby="title"
        aria-describedby=${step ? 'prompt' : 'warning'}
        @cancel=${this.#cancel}
        @close=${this.#closed}
      >
        <form @submit=${this.#submit}>
          <h2 id="title" part="title">${step ? t.stepUpTitle : t.dialogTitle}</h2>
          ${
            step
              ? html`<p id="prompt">${t.stepUpPrompt}</p>
                  <div class="field">
                    <label for="code">${t.stepUpLabel}</label>
                    <input
                      id="code"
                      part="code-input"
                      name="code"
                      inputmode="numeric"
                      autocomplete="one-time-code"
                      pattern=${CODE_PATTERN}
                      maxlength="6"
                      required
                      aria-describedby=${described}
                    />
                  </div>`
              : html`<p id="warning" part="warning">${t.dialogWarning(name)}</p>
                  <p>${t.dialogBackupTip}</p>
                  <label part="confirm">
                    <input
                      type="checkbox"
                      .checked=${this.#confirmed}
                      aria-describedby=${error ? 'error' : nothing}
                      @change=${(event: Event) => {
                        this.#confirmed = (event.target as HTMLInputElement).checked;
                        this.requestUpdate();
                      }}
                    />
                    <span>${t.dialogConfirm(name)}</span>
                  </label>`
          }
          ${error ? html`<p id="error" part="error" role="alert">${error}</p>` : nothing}
          <div class="actions">
            <button
              type="button"
              part="cancel"
              aria-disabled=${this.#busy ? 'true' : 'false'}
              @click=${() => this.hide()}
            >
              ${t.dialogCancel}
            </button>
            <button
              type="submit"
              part="submit"
              class="danger primary"
              ?disabled=${!this.#confirmed || !!refused}
              aria-disabled=${this.#busy ? 'true' : nothing}
            >
              ${this.#busy ? t.dialogBusy : step ? t.stepUpSubmit : t.dialogSubmit}
            </button>
          </div>
        </form>
      </dialog>
      <span class="visually-hidden" role="status">${this.#announcement}</span>`;
  }
}
