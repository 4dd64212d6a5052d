import { FirmRequire2faToggle } from '../components/require-toggle/require-2fa-toggle.js';

if (!customElements.get('firm-require-2fa-toggle'))
  customElements.define('firm-require-2fa-toggle', FirmRequire2faToggle);

declare global {
  interface HTMLElementTagNameMap {
    'firm-require-2fa-toggle': FirmRequire2faToggle;
  }
}

export { FirmRequire2faToggle };
