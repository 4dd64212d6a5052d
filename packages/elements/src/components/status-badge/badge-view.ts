import type { TwoFactorStatus } from '@firm-security/sdk';
import { css, html } from 'lit';
import type { BaseMessages } from '../../i18n/en-base.js';

/**
 * The status badge's markup and styles, shared by `<firm-2fa-status-badge>` and the table's rows: a row
 * draws it inline, because an element with its own shadow root per row costs first paint and scrolling.
 */
export const badgeStyles = css`
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
    padding: 0.1em 0.6em;
    border-radius: 999px;
    border: 1px solid currentColor;
    font-weight: 600;
    font-size: 0.85em;
    white-space: nowrap;
    color: var(--_muted);
  }
  .badge::before {
    content: '';
    width: 0.5em;
    height: 0.5em;
    border-radius: 50%;
    background: currentColor;
  }
  .badge[data-status='enabled'] {
    color: var(--_success);
  }
  .badge[data-status='invited'] {
    color: var(--_warning);
  }
`;

export const statusBadge = (t: BaseMessages, status: TwoFactorStatus) =>
  html`<span part="badge" class="badge" data-status=${status}
    >${status === 'enabled' ? t.statusEnabled : status === 'invited' ? t.statusInvited : t.statusNotEnabled}</span
  >`;
