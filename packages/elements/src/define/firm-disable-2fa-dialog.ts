import { FirmDisable2faDialog } from '../components/disable-dialog/disable-2fa-dialog.js';

if (!customElements.get('firm-disable-2fa-dialog'))
  customElements.define('firm-disable-2fa-dialog', FirmDisable2faDialog);

declare global {
  interface HTMLElementTagNameMap {
    'firm-disable-2fa-dialog': FirmDisable2faDialog;
  }
}

export { FirmDisable2faDialog };
