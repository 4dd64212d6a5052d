import type { FirmUser } from '@firm-security/sdk';
import type { PropertyValues, ReactiveControllerHost, ReactiveElement } from 'lit';

/** What a row action (`RequireSwitch`, `InviteAction`) tells the element that draws it. */
export interface RowActionOptions {
  /** Says an outcome ("Invitation sent to NAME") in the host's polite live region. */
  announce(message: string): void;
  /**
   * Hands the host the user the server returned. Given only by a host that holds its own `user` (a
   * standalone element); the require switch also calls it with a reloaded copy after a version conflict.
   */
  updated?(user: FirmUser): void;
}

/**
 * A row action's state per user (a send in flight, the last error, ...), kept by user id: a row handed
 * another user as the table scrolls or re-sorts never shows the previous user's.
 */
export class UserStates<T extends object> {
  #states = new Map<string, T>();

  constructor(private readonly host: ReactiveControllerHost) {}

  get(userId: string): T | undefined {
    return this.#states.get(userId);
  }

  /** Sets a user's state and re-renders the host. */
  set(userId: string, state: T): void {
    this.#states.set(userId, state);
    this.host.requestUpdate();
  }

  /** Drops what the action showed for a user (the host now shows someone else). */
  forget(userId: string): void {
    this.#states.delete(userId);
  }
}

/**
 * The side of a row action that a standalone element of one user takes: its own announcement, the
 * server's answer kept only while it is still about the user shown (the table may hand the element
 * another user meanwhile), and a clean slate when it is handed another user.
 */
export class OwnUserOutcome {
  /** The text of the element's own polite status region. */
  announcement = '';

  constructor(private readonly host: ReactiveElement & { user?: FirmUser | undefined }) {}

  readonly options: Required<RowActionOptions> = {
    announce: (message) => {
      this.announcement = message;
      this.host.requestUpdate();
    },
    updated: (user) => {
      if (this.host.user?.id === user.id) this.host.user = user;
    },
  };

  /**
   * For `willUpdate`: the id of the user this update replaces with a different one (whose news must
   * not be the previous user's), with the announcement cleared; undefined otherwise.
   */
  replacedUser(changed: PropertyValues): string | undefined {
    const previous = changed.get('user') as FirmUser | undefined;
    if (!previous || previous.id === this.host.user?.id) return undefined;
    this.announcement = '';
    return previous.id;
  }
}
