import type { FirmSecurityClient, FirmUser } from '@firm-security/sdk';
import { firmSecurityQueries } from '@firm-security/sdk/query';
import type { QueryClient } from '@tanstack/query-core';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { KitController } from '../../controllers/kit-controller.js';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { QueryController } from '../../controllers/query-controller.js';
import { errorMessage, kitProperties } from '../../element-helpers.js';
import { FirmErrorEvent } from '../../events.js';
import { OwnUserOutcome } from '../../row-actions.js';
import { tokens } from '../../styles.js';
import { RequireSwitch } from './require-switch.js';
import { requireSwitchStyles } from './require-switch.styles.js';

/**
 * Requires 2FA for one user at their next sign-in, or stops requiring it. Give it `user-id` (it
 * loads the user) or a `user` (as the table does). Updates at once and rolls back with a readable
 * message if the server says no. Users not yet migrated to the identity service show "N/A" with an
 * explanation instead of a switch.
 *
 * @tagname firm-require-2fa-toggle
 * @attr base-url - Where the API lives (default: the provider's client, or same-origin `/api/v1`).
 * @summary A switch that requires 2FA for one user.
 * @csspart switch - The `input[type=checkbox][role=switch]`.
 * @csspart label - The switch's label ("Require 2FA for NAME"); hide it visually with `::part(label)` in a table.
 * @csspart message - Why the switch is disabled, or the error of the last change.
 * @csspart na - The "N/A" shown for users not yet migrated (focusable; it explains itself on hover and focus).
 * @cssproperty --firm-color-accent - Track of the switch when on.
 * @cssproperty --firm-color-text-muted - Track border when off, "N/A" and reasons.
 * @cssproperty --firm-color-danger - Error messages.
 * @event firm-requirement-change - FirmRequirementChangeEvent: the requirement changed; `event.user` is the updated user.
 * @event firm-error - FirmErrorEvent: loading or changing failed; `event.error` is the typed SDK error.
 */
export class FirmRequire2faToggle extends LitElement {
  static override properties = { ...kitProperties, userId: { attribute: 'user-id' }, user: { attribute: false } };
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [
    tokens,
    requireSwitchStyles,
    css`
    :host {
      display: inline-block;
    }
  `,
  ];

  /** The user to load (`user-id` attribute); ignored when `user` is set. */
  declare userId: string | undefined;
  /** The user, when the host already has it (the table); the element then runs no query of its own. */
  declare user: FirmUser | undefined;
  /** An API client (`createFirmSecurityClient()`); wins over `base-url` and a provider. */
  declare client: FirmSecurityClient | undefined;
  /** The QueryClient to share with the client given as `client`. */
  declare queryClient: QueryClient | undefined;
  /** Where the API lives when there is no provider, e.g. `/api/v1`. */
  declare baseUrl: string | undefined;

  #kit = new KitController(this);
  #l10n = new LocalizeController(this);
  #query = new QueryController<FirmUser>(
    this,
    () => this.#kit.kit,
    (kit) => (!this.user && this.userId ? firmSecurityQueries(kit.client).user(this.userId) : undefined),
  );
  #outcome = new OwnUserOutcome(this);
  #switch = new RequireSwitch(this, () => this.#kit.kit, this.#l10n, this.#outcome.options);
  #loadError: unknown;

  get #current(): FirmUser | undefined {
    return this.user ?? (this.userId ? this.#query.result?.data : undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const replaced = this.#outcome.replacedUser(changed);
    if (replaced) this.#switch.forget(replaced);
  }

  protected override updated(): void {
    const error = this.#query.result?.error;
    if (error && error !== this.#loadError) this.dispatchEvent(new FirmErrorEvent(error));
    this.#loadError = error;
  }

  protected override render() {
    const user = this.#current;
    const status = html`<span class="visually-hidden" role="status">${this.#outcome.announcement}</span>`;
    if (user) return html`${this.#switch.render(user)}${status}`;
    const error = this.userId && !this.user ? this.#query.result?.error : undefined;
    return html`${error ? html`<span part="message" role="alert">${errorMessage(this.#l10n, error)}</span>` : nothing}${status}`;
  }
}
