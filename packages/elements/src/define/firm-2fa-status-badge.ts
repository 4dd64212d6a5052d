import { Firm2faStatusBadge } from '../components/status-badge/status-badge.js';

if (!customElements.get('firm-2fa-status-badge')) customElements.define('firm-2fa-status-badge', Firm2faStatusBadge);

declare global {
  interface HTMLElementTagNameMap {
    'firm-2fa-status-badge': Firm2faStatusBadge;
  }
}

export { Firm2faStatusBadge };
