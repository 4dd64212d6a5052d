import { FirmSecurityProvider } from '../components/provider/provider.js';

if (!customElements.get('firm-security-provider'))
  customElements.define('firm-security-provider', FirmSecurityProvider);

declare global {
  interface HTMLElementTagNameMap {
    'firm-security-provider': FirmSecurityProvider;
  }
}

export { FirmSecurityProvider };
