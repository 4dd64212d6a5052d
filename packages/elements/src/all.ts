// Registers every element of the kit, and the shipped languages (loaded on demand):
// `import '@firm-security/elements/all.js'`.
import { registerLocaleLoader } from './controllers/localize-controller.js';
import './define/firm-2fa-status-badge.js';
import './define/firm-disable-2fa-dialog.js';
import './define/firm-invite-button.js';
import './define/firm-require-2fa-toggle.js';
import './define/firm-security-provider.js';
import './define/firm-security-table.js';

registerLocaleLoader('fr-CA', () => import('./i18n/fr-CA.js').then((module) => module.frCA));
