import { describe, expect, it } from 'vitest';
import { createPageServer, demo } from './page-server.js';

describe('the reference server in the page', () => {
  it('signs in with a real TOTP code and lists the demo firm', async () => {
    const page = await createPageServer();
    await page.signIn(demo.primary);
    const list = await page.client.users.list();
    expect(list.total).toBe(12);
  });
});
