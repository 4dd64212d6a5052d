import type { FirmSecurityClient, FirmUser } from '@firm-security/sdk';
import { firmSecurityMutations } from '@firm-security/sdk/query';
import type { QueryClient } from '@tanstack/query-core';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { KitController } from '../../controllers/kit-controller.js';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { MutationController } from '../../controllers/mutation-controller.js';
import { errorMessage, handedAnotherUser, kitProperties, nextPaint, reasonText } from '../../element-helpers.js';
import { FirmErrorEvent, FirmInviteEvent, FirmReminderEvent } from '../../events.js';
import { tokens } from '../../styles.js';

/**
 * Invites a user to turn on 2FA ("Invite to enable 2FA"), or reminds an invited user ("Send
 * reminder"); renders nothing for a user whose 2FA is on. While a reminder is cooling down the button
 * is disabled and says when the next one is possible; other refusals show the server's reason.
 *
 * @tagname firm-invite-button
 * @attr base-url - Where the API lives (default: the provider's client, or same-origin `/api/v1`).
 * @summary The invite or send-reminder button of one user.
 * @csspart button - The button.
 * @csspart message - Why the button is disabled (e.g. "Reminder available 3:45 PM"), or the last error.
 * @cssproperty --firm-color-text-muted - The reason text.
 * @cssproperty --firm-color-danger - Error messages.
 * @event firm-invite - FirmInviteEvent: the invitation was sent; `event.user` is the updated user.
 * @event firm-reminder - FirmReminderEvent: the reminder was sent; `event.user` is the updated user.
 * @event firm-error - FirmErrorEvent: sending failed; `event.error` is the typed SDK error.
 */
export class FirmInviteButton extends LitElement {
  static override properties = { ...kitProperties, user: { attribute: false } };
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [
    tokens,
    css`
      :host {
        display: inline-flex;
        flex-direction: column;
        align-items: flex-start;
        gap: 0.25em;
      }
      button[aria-disabled='true'] {
        opacity: 0.55;
        cursor: not-allowed;
      }
      [part='message'] {
        color: var(--_muted);
        font-size: 0.9em;
      }
      [role='alert'] {
        color: var(--_danger);
      }
    `,
  ];

  /** The user to invite or remind. Updated with the server's answer after a success. */
  declare user: FirmUser | undefined;
  /** An API client (`createFirmSecurityClient()`); wins over `base-url` and a provider. */
  declare client: FirmSecurityClient | undefined;
  /** The QueryClient to share with the client given as `client`. */
  declare queryClient: QueryClient | undefined;
  /** Where the API lives when there is no provider, e.g. `/api/v1`. */
  declare baseUrl: string | undefined;

  #kit = new KitController(this);
  #l10n = new LocalizeController(this);
  #invite = new MutationController(
    this,
    () => this.#kit.kit,
    (kit) => firmSecurityMutations(kit.client, kit.queryClient).invite,
  );
  #remind = new MutationController(
    this,
    () => this.#kit.kit,
    (kit) => firmSecurityMutations(kit.client, kit.queryClient).remind,
  );
  #busy = false;
  #error: unknown;
  #announcement = '';
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Why the action is not possible now, as text; '' when it is. */
  get #reason(): string {
    const user = this.user;
    if (!user) return '';
    const permission = user.twoFactor.status === 'invited' ? user.allowedActions.remind : user.allowedActions.invite;
    if (permission.allowed) return '';
    const { t } = this.#l10n;
    if (permission.reason === 'reminder_too_soon' && permission.retryAt) {
      // Past the cooldown the reminder is possible again, even before the user is reloaded.
      if (Date.parse(permission.retryAt) <= Date.now()) return '';
      const sameDay = new Date(permission.retryAt).toDateString() === new Date().toDateString();
      return t.reminderAvailableAt(
        this.#l10n.date(
          permission.retryAt,
          sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' },
        ),
      );
    }
    return reasonText(t, permission.reason) ?? permission.reason;
  }

  #run = async () => {
    const user = this.user;
    if (!user || this.#busy || this.#reason) return;
    const remind = user.twoFactor.status === 'invited';
    const { t } = this.#l10n;
    this.#busy = true;
    this.#error = undefined;
    this.#announcement = '';
    this.requestUpdate();
    // Show the busy button first; the optimistic cache update re-renders every row.
    await nextPaint();
    try {
      const updated = await (remind ? this.#remind : this.#invite).mutate({ id: user.id });
      if (this.user?.id === updated.id) this.user = updated;
      this.#announcement = remind ? t.reminded(updated.name) : t.invited(updated.name);
      this.dispatchEvent(remind ? new FirmReminderEvent(updated) : new FirmInviteEvent(updated));
    } catch (error) {
      this.#error = error;
      this.dispatchEvent(new FirmErrorEvent(error as Error));
    } finally {
      this.#busy = false;
      this.requestUpdate();
    }
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (handedAnotherUser(changed, this.user)) {
      this.#announcement = '';
      this.#error = undefined;
    }
  }

  protected override updated(): void {
    clearTimeout(this.#timer);
    const permission = this.user?.allowedActions.remind;
    const wait =
      permission && !permission.allowed && permission.retryAt ? Date.parse(permission.retryAt) - Date.now() : 0;
    if (wait > 0 && wait < 2 ** 31) this.#timer = setTimeout(() => this.requestUpdate(), wait + 50);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A cooldown timer cleared while disconnected is armed again by the next render.
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  protected override render() {
    const { t } = this.#l10n;
    const user = this.user;
    const status = html`<span class="visually-hidden" role="status">${this.#announcement}</span>`;
    if (!user || user.twoFactor.status === 'enabled') return status;
    const reason = this.#reason;
    const message = this.#error ? errorMessage(this.#l10n, this.#error) : reason;
    return html`<button
        type="button"
        part="button"
        aria-disabled=${reason || this.#busy ? 'true' : nothing}
        aria-describedby=${message ? 'message' : nothing}
        @click=${this.#run}
      >
        ${user.twoFactor.status === 'invited' ? t.remindAction : t.inviteAction}
      </button>
      ${message ? html`<span id="message" part="message" role=${this.#error ? 'alert' : nothing}>${message}</span>` : nothing}
      ${status}`;
  }
}
