import type { FirmSecurityError, FirmUser } from '@firm-security/sdk';

/** Every kit event bubbles and crosses shadow roots, so a host can listen once on the page. */
const init = { bubbles: true, composed: true } as const;

/** After an invitation was sent. */
export class FirmInviteEvent extends Event {
  static readonly type = 'firm-invite';
  constructor(readonly user: FirmUser) {
    super(FirmInviteEvent.type, init);
  }
}

/** After a reminder was sent. */
export class FirmReminderEvent extends Event {
  static readonly type = 'firm-reminder';
  constructor(readonly user: FirmUser) {
    super(FirmReminderEvent.type, init);
  }
}

/** After the requirement changed; `user.requirement.status` is the new value. */
export class FirmRequirementChangeEvent extends Event {
  static readonly type = 'firm-requirement-change';
  constructor(readonly user: FirmUser) {
    super(FirmRequirementChangeEvent.type, init);
  }
}

/** Before the disable dialog opens. Cancelable: `preventDefault()` keeps it closed (a host's own flow). */
export class FirmTwoFactorDisableRequestEvent extends Event {
  static readonly type = 'firm-two-factor-disable-request';
  constructor(readonly user: FirmUser) {
    super(FirmTwoFactorDisableRequestEvent.type, { ...init, cancelable: true });
  }
}

/** After 2FA was disabled for `user`. */
export class FirmTwoFactorDisableEvent extends Event {
  static readonly type = 'firm-two-factor-disable';
  constructor(readonly user: FirmUser) {
    super(FirmTwoFactorDisableEvent.type, init);
  }
}

/** Any failure of an action or a load, with the typed SDK error. */
export class FirmErrorEvent extends Event {
  static readonly type = 'firm-error';
  constructor(readonly error: FirmSecurityError | Error) {
    super(FirmErrorEvent.type, init);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'firm-invite': FirmInviteEvent;
    'firm-reminder': FirmReminderEvent;
    'firm-requirement-change': FirmRequirementChangeEvent;
    'firm-two-factor-disable-request': FirmTwoFactorDisableRequestEvent;
    'firm-two-factor-disable': FirmTwoFactorDisableEvent;
    'firm-error': FirmErrorEvent;
  }
}
