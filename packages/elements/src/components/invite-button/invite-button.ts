import type { FirmSecurityClient, FirmUser } from '@firm-security/sdk';
import type { QueryClient } from '@tanstack/query-core';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { KitController } from '../../controllers/kit-controller.js';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { kitProperties } from '../../element-helpers.js';
import { OwnUserOutcome } from '../../row-actions.js';
import { tokens } from '../../styles.js';
import { InviteAction, inviteActionStyles } from './invite-action.js';

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
    inviteActionStyles,
    css`
      :host {
        display: inline-block;
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
  #outcome = new OwnUserOutcome(this);
  #action = new InviteAction(this, () => this.#kit.kit, this.#l10n, this.#outcome.options);

  protected override willUpdate(changed: PropertyValues<this>): void {
    const replaced = this.#outcome.replacedUser(changed);
    if (replaced) this.#action.forget(replaced);
  }

  protected override render() {
    const status = html`<span class="visually-hidden" role="status">${this.#outcome.announcement}</span>`;
    return html`${this.user ? this.#action.render(this.user) : nothing}${status}`;
  }
}
