import { type FirmUser, isFirmSecurityError } from '@firm-security/sdk';
import { firmSecurityMutations, type UserMutationVariables } from '@firm-security/sdk/query';
import { html, nothing, type ReactiveControllerHost } from 'lit';
import type { LocalizeController } from '../../controllers/localize-controller.js';
import { MutationController, type UserMutationController } from '../../controllers/mutation-controller.js';
import { errorMessage, nextPaint, reasonText } from '../../element-helpers.js';
import { FirmErrorEvent, FirmRequirementChangeEvent } from '../../events.js';
import type { FirmSecurityKit } from '../../kit.js';
import { type RowActionOptions, UserStates } from '../../row-actions.js';

/** What one user's switch shows beyond the user itself: a value being saved, the last error, a dismissed tip. */
interface SwitchState {
  pending?: boolean;
  error?: unknown;
  tipDismissed?: boolean;
}

/**
 * The require-2FA switch of any number of users: the view and the behaviour of
 * `<firm-require-2fa-toggle>`, which draws one, and of the table, which draws one per row in its own
 * shadow root (an element per row, with its own shadow root and controllers, made the first rows twice
 * as slow). State is kept by user id, so a row handed another user as the table scrolls never shows the
 * previous user's error.
 */
export class RequireSwitch {
  #states: UserStates<SwitchState>;
  #mutation: UserMutationController<UserMutationVariables & { required: boolean }>;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly kit: () => FirmSecurityKit,
    private readonly l10n: LocalizeController,
    private readonly options: RowActionOptions,
  ) {
    this.#states = new UserStates(host);
    this.#mutation = new MutationController(
      host,
      kit,
      (current) => firmSecurityMutations(current.client, current.queryClient).setRequirement,
    );
  }

  /** Drops what the switch showed for a user (the host now shows someone else). */
  forget(userId: string): void {
    this.#states.forget(userId);
  }

  #blocked(user: FirmUser): boolean {
    return this.#states.get(user.id)?.pending !== undefined || !user.allowedActions.setRequirement.allowed;
  }

  async #change(user: FirmUser, required: boolean): Promise<void> {
    const { t } = this.l10n;
    const tipDismissed = this.#states.get(user.id)?.tipDismissed;
    this.#states.set(user.id, { pending: required, tipDismissed });
    this.options.announce('');
    // Show the switch's new position first; the optimistic cache update re-renders every row.
    await nextPaint();
    let error: unknown;
    try {
      const updated = await this.#mutation.mutate({ id: user.id, required, ifMatch: user.version });
      this.options.updated?.(updated);
      this.options.announce(required ? t.required(updated.name) : t.notRequired(updated.name));
      this.host.dispatchEvent(new FirmRequirementChangeEvent(updated));
    } catch (caught) {
      error = caught;
      // After a 412 the mutation refetched the cached copies; a host's own `user` is reloaded too.
      if (this.options.updated && isFirmSecurityError(caught) && caught.code === 'version_conflict') {
        const fresh = await this.kit()
          .client.users.get(user.id)
          .catch(() => undefined);
        if (fresh) this.options.updated(fresh);
      }
      this.host.dispatchEvent(new FirmErrorEvent(caught as Error));
    }
    this.#states.set(user.id, { error, tipDismissed });
  }

  #dismissTip(user: FirmUser, dismissed: boolean): void {
    const state = this.#states.get(user.id) ?? {};
    if (Boolean(state.tipDismissed) !== dismissed) this.#states.set(user.id, { ...state, tipDismissed: dismissed });
  }

  /**
   * One user's switch (or "N/A" with its explanation). `idPrefix` keeps the ids of its label and
   * message unique when many are drawn in one shadow root.
   */
  render(user: FirmUser, idPrefix = '') {
    const { t } = this.l10n;
    const state = this.#states.get(user.id) ?? {};
    const ids = { switch: `${idPrefix}switch`, message: `${idPrefix}message`, why: `${idPrefix}why` };
    if (user.requirement.status === 'not_available') {
      const reset = () => this.#dismissTip(user, false);
      return html`<span class="require na ${state.tipDismissed ? 'dismissed' : ''}" @mouseleave=${reset}>
        <button
          type="button"
          part="na"
          aria-describedby=${ids.why}
          @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && this.#dismissTip(user, true)}
          @blur=${reset}
        >
          ${t.requirementNotAvailable}
        </button>
        <span id=${ids.why} class="tip" role="tooltip">${t.notAvailableExplanation}</span>
      </span>`;
    }
    const permission = user.allowedActions.setRequirement;
    const message = state.error
      ? errorMessage(this.l10n, state.error)
      : permission.allowed
        ? ''
        : (reasonText(t, permission.reason) ?? permission.reason);
    const blocked = this.#blocked(user);
    // No `live()` needed: a change sets `pending` to what the box shows, so the value rendered always
    // matches the box, and a rollback renders a different value, which lit writes back.
    return html`<span class="require"
      ><input
        id=${ids.switch}
        part="switch"
        type="checkbox"
        role="switch"
        .checked=${state.pending ?? user.requirement.status === 'required'}
        aria-disabled=${blocked ? 'true' : nothing}
        aria-describedby=${message ? ids.message : nothing}
        @click=${(event: Event) => this.#blocked(user) && event.preventDefault()}
        @keydown=${(event: KeyboardEvent) => {
          // A native checkbox toggles on Space only; a switch is expected to take Enter too.
          // Not on auto-repeat: holding Enter would flip it back and forth as each save completes.
          if (event.key !== 'Enter' || event.repeat) return;
          event.preventDefault();
          (event.target as HTMLInputElement).click();
        }}
        @change=${(event: Event) => this.#change(user, (event.target as HTMLInputElement).checked)}
      />
      <label part="label" for=${ids.switch}>${t.requireFor(user.name)}</label>
      ${message ? html`<span id=${ids.message} part="message" role=${state.error ? 'alert' : nothing}>${message}</span>` : nothing}</span
    >`;
  }
}
