import type { FirmUser } from '@firm-security/sdk';
import { firmSecurityMutations, type UserMutationVariables } from '@firm-security/sdk/query';
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { LocalizeController } from '../../controllers/localize-controller.js';
import { MutationController, type UserMutationController } from '../../controllers/mutation-controller.js';
import { errorMessage, nextPaint, reasonText, reminderAvailable } from '../../element-helpers.js';
import { FirmErrorEvent, FirmInviteEvent, FirmReminderEvent } from '../../events.js';
import type { FirmSecurityKit } from '../../kit.js';
import { type RowActionOptions, UserStates } from '../../row-actions.js';

/** The button and its message, for the standalone button and the table's rows alike. */
export const inviteActionStyles = css`
  .invite {
    display: inline-flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 0.25em;
  }
  .invite [part='message'] {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .invite [role='alert'] {
    color: var(--_danger);
  }
`;

/** What one user's button shows beyond the user itself: a send in flight, the last error. */
interface InviteState {
  busy?: boolean;
  error?: unknown;
}

/**
 * The invite / send-reminder button of any number of users: the view and the behaviour of
 * `<firm-invite-button>`, which draws one, and of the table, which draws one per row in its own shadow
 * root. State is kept by user id (see `RequireSwitch`). While a reminder cools down the button says
 * when the next one is possible, and the host re-renders once the earliest cooldown shown is over.
 */
export class InviteAction implements ReactiveController {
  #states: UserStates<InviteState>;
  #invite: UserMutationController<UserMutationVariables>;
  #remind: UserMutationController<UserMutationVariables>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The earliest end of a cooldown drawn by the render in progress (ms since epoch), or Infinity. */
  #nextRetry = Number.POSITIVE_INFINITY;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    kit: () => FirmSecurityKit,
    private readonly l10n: LocalizeController,
    private readonly options: RowActionOptions,
  ) {
    host.addController(this);
    this.#states = new UserStates(host);
    const mutations = (current: FirmSecurityKit) => firmSecurityMutations(current.client, current.queryClient);
    this.#invite = new MutationController(host, kit, (current) => mutations(current).invite);
    this.#remind = new MutationController(host, kit, (current) => mutations(current).remind);
  }

  /** Drops what the button showed for a user (the host now shows someone else). */
  forget(userId: string): void {
    this.#states.forget(userId);
  }

  /** Why the action is not possible now, as text; '' when it is. */
  #reason(user: FirmUser): string {
    const permission = user.twoFactor.status === 'invited' ? user.allowedActions.remind : user.allowedActions.invite;
    if (permission.allowed) return '';
    if (permission.reason === 'reminder_too_soon' && permission.retryAt) {
      const retryAt = Date.parse(permission.retryAt);
      // Past the cooldown the reminder is possible again, even before the user is reloaded.
      if (retryAt <= Date.now()) return '';
      this.#nextRetry = Math.min(this.#nextRetry, retryAt);
      return reminderAvailable(this.l10n, retryAt);
    }
    return reasonText(this.l10n.t, permission.reason) ?? permission.reason;
  }

  async #run(user: FirmUser): Promise<void> {
    if (this.#states.get(user.id)?.busy || this.#reason(user)) return;
    const remind = user.twoFactor.status === 'invited';
    const { t } = this.l10n;
    this.#states.set(user.id, { busy: true });
    this.options.announce('');
    // Show the busy button first; the optimistic cache update re-renders every row.
    await nextPaint();
    let error: unknown;
    try {
      const updated = await (remind ? this.#remind : this.#invite).mutate({ id: user.id });
      this.options.updated?.(updated);
      this.options.announce(remind ? t.reminded(updated.name) : t.invited(updated.name));
      this.host.dispatchEvent(remind ? new FirmReminderEvent(updated) : new FirmInviteEvent(updated));
    } catch (caught) {
      error = caught;
      this.host.dispatchEvent(new FirmErrorEvent(caught as Error));
    }
    this.#states.set(user.id, { error });
  }

  /**
   * One user's button, or nothing for a user whose 2FA is on. `idPrefix` keeps the id of its message
   * unique when many are drawn in one shadow root.
   */
  render(user: FirmUser, idPrefix = '') {
    if (user.twoFactor.status === 'enabled') return nothing;
    const { t } = this.l10n;
    const state = this.#states.get(user.id) ?? {};
    const reason = this.#reason(user);
    const message = state.error ? errorMessage(this.l10n, state.error) : reason;
    const messageId = `${idPrefix}message`;
    return html`<span class="invite"
      ><button
        type="button"
        part="button"
        aria-disabled=${reason || state.busy ? 'true' : nothing}
        aria-describedby=${message ? messageId : nothing}
        @click=${() => this.#run(user)}
      >
        ${user.twoFactor.status === 'invited' ? t.remindAction : t.inviteAction}
      </button>
      ${message ? html`<span id=${messageId} part="message" role=${state.error ? 'alert' : nothing}>${message}</span>` : nothing}</span
    >`;
  }

  hostUpdate(): void {
    this.#nextRetry = Number.POSITIVE_INFINITY;
  }

  hostUpdated(): void {
    clearTimeout(this.#timer);
    const wait = this.#nextRetry - Date.now();
    if (wait > 0 && wait < 2 ** 31) this.#timer = setTimeout(() => this.host.requestUpdate(), wait + 50);
  }

  hostConnected(): void {
    // A cooldown timer cleared while disconnected is armed again by the next render.
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
  }
}
