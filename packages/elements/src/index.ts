// Classes and helpers only: importing this registers nothing (see ./define/*.js and ./all.js).
export { FirmDisable2faDialog } from './components/disable-dialog/disable-2fa-dialog.js';
export { FirmInviteButton } from './components/invite-button/invite-button.js';
export { FirmSecurityProvider } from './components/provider/provider.js';
export { FirmRequire2faToggle } from './components/require-toggle/require-2fa-toggle.js';
export { FirmSecurityTable } from './components/security-table/security-table.js';
export { Firm2faStatusBadge } from './components/status-badge/status-badge.js';
export { KitController, type KitHost } from './controllers/kit-controller.js';
export { LocalizeController, registerLocale, registerLocaleLoader } from './controllers/localize-controller.js';
export { MutationController } from './controllers/mutation-controller.js';
export { QueryController } from './controllers/query-controller.js';
export * from './events.js';
export type { Messages } from './i18n/en.js';
export { createKit, type FirmSecurityKit, kitContext, standaloneKit } from './kit.js';
