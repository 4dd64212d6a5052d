import { silentLogger } from '@firm-security/server';
import { type RunningServer, startServer } from '@firm-security/server/node';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, DEMO_PASSWORD, demo } from './harness.js';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const start = async (devMailbox: boolean) => {
  running = await startServer({
    port: 0,
    db: ':memory:',
    seed: 'demo',
    devMailbox,
    scryptCost: { logN: 4, r: 8, p: 1 },
    log: silentLogger,
  });
  return running;
};

describe('GET /dev/mailbox (development only)', () => {
  it('lists the outbox newest first, as text, when --dev-mailbox is on', async () => {
    const server = await start(true);
    const admin = new Agent(fetch, server.origin);
    await admin.post('/session', { email: demo.adminWithout2fa, password: DEMO_PASSWORD });
    const plain = server.store.findUserByEmail(demo.plain)?.id as string;
    expect((await admin.post(`/firm/users/${plain}/invitation`)).status).toBe(200);
    const response = await fetch(`${server.origin}/dev/mailbox`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { items } = await response.json();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'invitation', to: demo.plain });
    expect(items[0].text).toContain('turn on two-factor authentication');
    expect(items[0]).not.toHaveProperty('html');
  });

  it('does not exist otherwise', async () => {
    const server = await start(false);
    const response = await fetch(`${server.origin}/dev/mailbox`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
