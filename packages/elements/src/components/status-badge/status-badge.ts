import type { TwoFactorStatus } from '@firm-security/sdk';
import { css, LitElement } from 'lit';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { tokens } from '../../styles.js';
import { badgeStyles, statusBadge } from './badge-view.js';

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
    badgeStyles,
    css`
      :host {
        display: inline-block;
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
    return statusBadge(this.#l10n.t, this.status);
  }
}
