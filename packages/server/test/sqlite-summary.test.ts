import { SqliteStore } from '@firm-security/server/node';
import { describe, expect, it } from 'vitest';
import { createHarness, demo } from './harness.js';

/** The SQLite store keeps each firm's summary until a user of that firm is written. */
describe('cached firm summaries (SQLite)', () => {
  it('follow every write, and forget what a rolled-back transaction counted', async () => {
    const store = new SqliteStore(':memory:');
    const h = await createHarness({ store });
    const admin = await h.signIn(demo.primary);
    const summary = async () => (await admin.get('/firm/users?limit=1')).body.summary;

    const before = await summary();
    expect(before).toMatchObject({ total: 12, invited: 1, notEnabled: 7 });
    expect((await admin.post(`/firm/users/${h.ids[demo.plain]}/invitation`)).status).toBe(200);
    expect(await summary()).toMatchObject({ total: 12, invited: 2, notEnabled: 6 });

    const firmId = store.getUser(h.ids[demo.plain] as string)?.firmId as string;
    const plain2 = store.getUser(h.ids[demo.plain2] as string);
    expect(() =>
      store.transaction(() => {
        store.updateUser({ ...(plain2 as NonNullable<typeof plain2>), active: false });
        expect(store.summarizeUsers(firmId).total).toBe(11); // seen inside the transaction...
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(store.summarizeUsers(firmId).total).toBe(12); // ...and forgotten with it
    expect(await summary()).toMatchObject({ total: 12, invited: 2 });

    // The migration job writes users too: Hana leaves "N/A" a day later.
    expect((await summary()).notAvailable).toBe(1);
    h.clock.advance(25 * 60 * 60 * 1000);
    h.server.runMaintenance();
    const later = await h.signIn(demo.primary);
    expect((await later.get('/firm/users?limit=1')).body.summary.notAvailable).toBe(0);
    store.close();
  });
});
