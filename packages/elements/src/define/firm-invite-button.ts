import { FirmInviteButton } from '../components/invite-button/invite-button.js';

if (!customElements.get('firm-invite-button')) customElements.define('firm-invite-button', FirmInviteButton);

declare global {
  interface HTMLElementTagNameMap {
    'firm-invite-button': FirmInviteButton;
  }
}

export { FirmInviteButton };
