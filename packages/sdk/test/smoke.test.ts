import { NotFoundError } from '@firm-security/sdk';
import { describe, expect, it } from 'vitest';
import { createSdkHarness, demo } from './setup.js';

describe('sdk smoke', () => {
  it('signs in and lists the firm; a missing user is a NotFoundError', async () => {
    const { client, signIn } = await createSdkHarness();
    await signIn(demo.primary);
    const page = await client.users.list({ limit: 5 });
    expect(page.items).toHaveLength(5);
    const all = [];
    for await (const user of client.users.iterate({ limit: 5 })) all.push(user.id);
    expect(new Set(all).size).toBe(page.total);
    await expect(client.users.get('usr_missing')).rejects.toBeInstanceOf(NotFoundError);
    const invited = await client.users.invite(page.items.find((u) => u.twoFactor.status === 'not_enabled')?.id ?? '');
    expect(invited.twoFactor.status).toBe('invited');
  });
});
