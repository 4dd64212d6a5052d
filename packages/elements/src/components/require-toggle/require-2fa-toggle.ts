import { type FirmSecurityClient, type FirmUser, isFirmSecurityError } from '@firm-security/sdk';
import { firmSecurityMutations, firmSecurityQueries } from '@firm-security/sdk/query';
import type { QueryClient } from '@tanstack/query-core';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { KitController } from '../../controllers/kit-controller.js';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { MutationController } from '../../controllers/mutation-controller.js';
import { QueryController } from '../../controllers/query-controller.js';
import { errorMessage, handedAnotherUser, kitProperties, nextPaint, reasonText } from '../../element-helpers.js';
import { FirmErrorEvent, FirmRequirementChangeEvent } from '../../events.js';
import { tokens } from '../../styles.js';
import { styles } from './require-2fa-toggle.styles.js';

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
  static override styles = [tokens, styles];

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
  #mutation = new MutationController(
    this,
    () => this.#kit.kit,
    (kit) => firmSecurityMutations(kit.client, kit.queryClient).setRequirement,
  );
  /** The value being saved (shown until the server answers); undefined when idle. */
  #pending: boolean | undefined;
  #error: unknown;
  #loadError: unknown;
  #announcement = '';
  #tipDismissed = false;

  get #current(): FirmUser | undefined {
    return this.user ?? (this.userId ? this.#query.result?.data : undefined);
  }

  get #blocked(): boolean {
    const user = this.#current;
    return this.#pending !== undefined || !user?.allowedActions.setRequirement.allowed;
  }

  #click = (event: Event) => {
    if (this.#blocked) event.preventDefault();
  };

  #change = async (event: Event) => {
    const user = this.#current;
    if (!user) return;
    const required = (event.target as HTMLInputElement).checked;
    const { t } = this.#l10n;
    this.#pending = required;
    this.#error = undefined;
    this.#announcement = '';
    this.requestUpdate();
    // Show the switch's new position first; the optimistic cache update re-renders every row.
    await nextPaint();
    try {
      const updated = await this.#mutation.mutate({ id: user.id, required, ifMatch: user.version });
      // The table may have handed this element another user meanwhile (scrolling reuses rows).
      if (this.user?.id === updated.id) this.user = updated;
      this.#announcement = required ? t.required(updated.name) : t.notRequired(updated.name);
      this.dispatchEvent(new FirmRequirementChangeEvent(updated));
    } catch (error) {
      // After a 412 the mutation refetched the cached copies; a `user` given by the host is reloaded too.
      if (this.user?.id === user.id && isFirmSecurityError(error) && error.code === 'version_conflict') {
        const fresh = await this.#kit.kit.client.users.get(user.id).catch(() => undefined);
        if (fresh && this.user?.id === fresh.id) this.user = fresh;
      }
      this.#error = error;
      this.dispatchEvent(new FirmErrorEvent(error as Error));
    } finally {
      this.#pending = undefined;
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
    const error = this.#query.result?.error;
    if (error && error !== this.#loadError) this.dispatchEvent(new FirmErrorEvent(error));
    this.#loadError = error;
  }

  protected override render() {
    const { t } = this.#l10n;
    const user = this.#current;
    const status = html`<span class="visually-hidden" role="status">${this.#announcement}</span>`;
    if (!user) {
      const error = this.userId && !this.user ? this.#query.result?.error : undefined;
      return html`${error ? html`<span part="message" role="alert">${errorMessage(this.#l10n, error)}</span>` : nothing}${status}`;
    }
    if (user.requirement.status === 'not_available') {
      return html`<span class="na ${this.#tipDismissed ? 'dismissed' : ''}" @mouseleave=${this.#resetTip}>
          <button type="button" part="na" aria-describedby="why" @keydown=${this.#tipKey} @blur=${this.#resetTip}>
            ${t.requirementNotAvailable}
          </button>
          <span id="why" class="tip" role="tooltip">${t.notAvailableExplanation}</span>
        </span>
        ${status}`;
    }
    const permission = user.allowedActions.setRequirement;
    const message = this.#error
      ? errorMessage(this.#l10n, this.#error)
      : permission.allowed
        ? ''
        : (reasonText(t, permission.reason) ?? permission.reason);
    return html`<input
        id="switch"
        part="switch"
        type="checkbox"
        role="switch"
        .checked=${live(this.#pending ?? user.requirement.status === 'required')}
        aria-disabled=${this.#blocked ? 'true' : nothing}
        aria-describedby=${message ? 'message' : nothing}
        @click=${this.#click}
        @change=${this.#change}
      />
      <label part="label" for="switch">${t.requireFor(user.name)}</label>
      ${message ? html`<span id="message" part="message" role=${this.#error ? 'alert' : nothing}>${message}</span>` : nothing}
      ${status}`;
  }

  #tipKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || this.#tipDismissed) return;
    this.#tipDismissed = true;
    this.requestUpdate();
  };

  #resetTip = () => {
    if (!this.#tipDismissed) return;
    this.#tipDismissed = false;
    this.requestUpdate();
  };
}
