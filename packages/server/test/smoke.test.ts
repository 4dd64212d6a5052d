import { describe, expect, it } from 'vitest';
import { createHarness, demo } from './harness.js';

describe('smoke', () => {
  it('lists the demo firm for the primary subscriber', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.primary);
    const page = await admin.get('/firm/users');
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(12);
    expect(page.body.summary).toMatchObject({ total: 12, enabled: 4, invited: 1, notAvailable: 1, required: 1 });
  });
});
