import type { TwoFactorStatus } from '@firm-security/sdk';
import { css, html, LitElement } from 'lit';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { tokens } from '../../styles.js';

/**
 * A user's 2FA status as a badge: Enabled, Invited or Not enabled.
 *
 * @tagname firm-2fa-status-badge
 * @summary Shows a 2FA status.
 * @csspart badge - The badge.
 * @cssproperty --firm-color-success - Colour of "Enabled".
 * @cssproperty --firm-color-warning - Colour of "Invited".
 * @cssproperty --firm-color-text-muted - Colour of "Not enabled".
 */
export class Firm2faStatusBadge extends LitElement {
  static override properties = { status: { reflect: true } };

  static override styles = [
    tokens,
    css`
      :host {
        display: inline-block;
      }
      span {
        display: inline-flex;
        align-items: center;
        gap: 0.35em;
        padding: 0.1em 0.6em;
        border-radius: 999px;
        border: 1px solid currentColor;
        font-weight: 600;
        font-size: 0.85em;
        white-space: nowrap;
      }
      span::before {
        content: '';
        width: 0.5em;
        height: 0.5em;
        border-radius: 50%;
        background: currentColor;
      }
      :host([status='enabled']) span {
        color: var(--_success);
      }
      :host([status='invited']) span {
        color: var(--_warning);
      }
      :host([status='not_enabled']) span {
        color: var(--_muted);
      }
    `,
  ];

  /** `enabled`, `invited` or `not_enabled`. */
  declare status: TwoFactorStatus;

  constructor() {
    super();
    this.status = 'not_enabled';
  }

  #l10n = new LocalizeController(this);

  protected override render() {
    const { t } = this.#l10n;
    const label =
      this.status === 'enabled' ? t.statusEnabled : this.status === 'invited' ? t.statusInvited : t.statusNotEnabled;
    return html`<span part="badge">${label}</span>`;
  }
}
