import { FirmSecurityTable } from '../components/security-table/security-table.js';

if (!customElements.get('firm-security-table')) customElements.define('firm-security-table', FirmSecurityTable);

declare global {
  interface HTMLElementTagNameMap {
    'firm-security-table': FirmSecurityTable;
  }
}
