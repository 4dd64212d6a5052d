// React components for the kit's custom elements, made with @lit/react. Importing this module registers
// every element and the shipped languages (French loads on demand) through all.js, so
// `<FirmSecurityTable />` works with no other import, in English or under lang="fr-CA".
import '@firm-security/elements/all.js';
import {
  Firm2faStatusBadge as Firm2faStatusBadgeElement,
  FirmDisable2faDialog as FirmDisable2faDialogElement,
  FirmErrorEvent,
  FirmInviteButton as FirmInviteButtonElement,
  FirmInviteEvent,
  FirmReminderEvent,
  FirmRequire2faToggle as FirmRequire2faToggleElement,
  FirmRequirementChangeEvent,
  FirmSecurityProvider as FirmSecurityProviderElement,
  FirmSecurityTable as FirmSecurityTableElement,
  FirmTwoFactorDisableEvent,
  FirmTwoFactorDisableRequestEvent,
} from '@firm-security/elements';
import { createComponent, type EventName, type ReactWebComponent } from '@lit/react';
import * as React from 'react';

// The event classes, for `instanceof` checks and handler types.
export {
  FirmErrorEvent,
  FirmInviteEvent,
  FirmReminderEvent,
  FirmRequirementChangeEvent,
  FirmTwoFactorDisableEvent,
  FirmTwoFactorDisableRequestEvent,
} from '@firm-security/elements';

/** React event props → the kit's DOM event names, each typed as its event class. */
const inviteEvents = {
  onInvite: FirmInviteEvent.type as EventName<FirmInviteEvent>,
  onReminder: FirmReminderEvent.type as EventName<FirmReminderEvent>,
};
const requirementEvents = {
  onRequirementChange: FirmRequirementChangeEvent.type as EventName<FirmRequirementChangeEvent>,
};
const disableEvents = {
  onTwoFactorDisable: FirmTwoFactorDisableEvent.type as EventName<FirmTwoFactorDisableEvent>,
};
const errorEvents = {
  onError: FirmErrorEvent.type as EventName<FirmErrorEvent>,
};
/**
 * Every kit event bubbles and is composed, so a table or a provider also hears the events of the
 * elements inside it (the table's invite buttons, switches and dialog).
 */
const allEvents = {
  ...inviteEvents,
  ...requirementEvents,
  onTwoFactorDisableRequest: FirmTwoFactorDisableRequestEvent.type as EventName<FirmTwoFactorDisableRequestEvent>,
  ...disableEvents,
  ...errorEvents,
};

/** `<firm-security-provider>`: one client and QueryClient for the kit elements inside it. Hears their events. */
export const FirmSecurityProvider: ReactWebComponent<FirmSecurityProviderElement, typeof allEvents> = createComponent({
  react: React,
  tagName: 'firm-security-provider',
  elementClass: FirmSecurityProviderElement,
  events: allEvents,
  displayName: 'FirmSecurityProvider',
});

/** `<firm-security-table>`: every active user and the 2FA actions, with all the kit's events. */
export const FirmSecurityTable: ReactWebComponent<FirmSecurityTableElement, typeof allEvents> = createComponent({
  react: React,
  tagName: 'firm-security-table',
  elementClass: FirmSecurityTableElement,
  events: allEvents,
  displayName: 'FirmSecurityTable',
});

/** `<firm-require-2fa-toggle>`: the require-2FA switch for one user (`userId` or `user`). */
export const FirmRequire2faToggle: ReactWebComponent<
  FirmRequire2faToggleElement,
  typeof requirementEvents & typeof errorEvents
> = createComponent({
  react: React,
  tagName: 'firm-require-2fa-toggle',
  elementClass: FirmRequire2faToggleElement,
  events: { ...requirementEvents, ...errorEvents },
  displayName: 'FirmRequire2faToggle',
});

/** `<firm-disable-2fa-dialog>`: take a ref and `await ref.current.show(user)`. */
export const FirmDisable2faDialog: ReactWebComponent<
  FirmDisable2faDialogElement,
  typeof disableEvents & typeof errorEvents
> = createComponent({
  react: React,
  tagName: 'firm-disable-2fa-dialog',
  elementClass: FirmDisable2faDialogElement,
  events: { ...disableEvents, ...errorEvents },
  displayName: 'FirmDisable2faDialog',
});

/** `<firm-invite-button>`: "Invite to enable 2FA" or "Send reminder" for one user. */
export const FirmInviteButton: ReactWebComponent<FirmInviteButtonElement, typeof inviteEvents & typeof errorEvents> =
  createComponent({
    react: React,
    tagName: 'firm-invite-button',
    elementClass: FirmInviteButtonElement,
    events: { ...inviteEvents, ...errorEvents },
    displayName: 'FirmInviteButton',
  });

/** `<firm-2fa-status-badge>`: Enabled, Invited or Not enabled. */
export const Firm2faStatusBadge: ReactWebComponent<Firm2faStatusBadgeElement> = createComponent({
  react: React,
  tagName: 'firm-2fa-status-badge',
  elementClass: Firm2faStatusBadgeElement,
  displayName: 'Firm2faStatusBadge',
});
