import { FirmSecurityTable } from '../components/security-table/security-table.js';
import './firm-disable-2fa-dialog.js';
import './firm-invite-button.js';
import './firm-require-2fa-toggle.js';

if (!customElements.get('firm-security-table')) customElements.define('firm-security-table', FirmSecurityTable);

declare global {
  interface HTMLElementTagNameMap {
    'firm-security-table': FirmSecurityTable;
  }
}
