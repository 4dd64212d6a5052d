import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import { Firm2faStatusBadge } from '../src/components/status-badge/status-badge.js';

customElements.define('firm-2fa-status-badge', Firm2faStatusBadge);

describe('badge', () => {
  it('renders and passes axe', async () => {
    const el = document.createElement('firm-2fa-status-badge') as Firm2faStatusBadge;
    el.status = 'enabled';
    document.body.append(el);
    await el.updateComplete;
    expect(el.shadowRoot?.textContent?.trim()).toBe('Enabled');
    const results = await axe.run(el);
    expect(results.violations).toEqual([]);
  });
});
