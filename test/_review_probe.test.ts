import { createSecretBox, type PasswordHasher, type SecretBox, totpCodeAt } from '@firm-security/server';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  DEMO_PASSWORD,
  demo,
  fastPasswords,
  seedSecretOf,
} from '../packages/server/test/harness.js';

const gate = () => {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
};
const tally = (xs: { status: number; body: any }[]) =>
  xs.reduce<Record<string, number>>((acc, r) => {
    const k = `${r.status}:${r.body?.code ?? ''}`;
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});

describe('review probes', () => {
  it('A: concurrent wrong passwords bypass the 10-failure throttle', async () => {
    const h = await createHarness();
    const results = await Promise.all(
      Array.from({ length: 40 }, () => h.agent().post('/session', { email: demo.plain, password: 'wrong-password' })),
    );
    console.log('A concurrent', tally(results));
    const after = await h.agent().post('/session', { email: demo.plain, password: 'wrong-password' });
    console.log('A after', after.status, after.body.code, after.headers.get('retry-after'));
  });

  it('B: concurrent wrong codes bypass the 5-failure code throttle (step-up)', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.adminWith2fa);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => admin.post('/session/step-up', { code: String(100000 + i * 7) })),
    );
    console.log('B concurrent', tally(results));
  });

  it('C1: sign-in writes a stale user record (lost update of an admin requirement change)', async () => {
    const g = gate();
    let armed = false;
    const passwords: PasswordHasher = {
      hash: (p) => fastPasswords.hash(p),
      async verify(p, s) {
        const ok = await fastPasswords.verify(p, s);
        if (armed) await g.p;
        return ok;
      },
    };
    const h = await createHarness({ passwords });
    const admin = await h.signIn(demo.adminWith2fa);
    const id = h.ids[demo.plain] as string;
    const before = await admin.get(`/firm/users/${id}`);
    armed = true;
    const signing = h.agent().post('/session', { email: demo.plain, password: DEMO_PASSWORD });
    await new Promise((r) => setTimeout(r, 20));
    const put = await admin.put(`/firm/users/${id}/requirement`, { required: true });
    g.open();
    const signed = await signing;
    const after = await admin.get(`/firm/users/${id}`);
    console.log('C1', {
      before: [before.body.version, before.body.requirement.status],
      put: [put.status, put.body.version, put.body.requirement.status],
      signInStage: signed.body.stage,
      after: [after.body.version, after.body.requirement.status, after.headers.get('etag')],
    });
  });

  it('C2: sign-in in flight reverts a concurrent 2FA activation', async () => {
    const g = gate();
    let armed = false;
    const passwords: PasswordHasher = {
      hash: (p) => fastPasswords.hash(p),
      async verify(p, s) {
        const ok = await fastPasswords.verify(p, s);
        if (armed) await g.p;
        return ok;
      },
    };
    const h = await createHarness({ passwords });
    const tabA = await h.signIn(demo.plain);
    const setup = await tabA.post('/me/two-factor/setup', {});
    armed = true;
    const signingB = h.agent().post('/session', { email: demo.plain, password: DEMO_PASSWORD });
    await new Promise((r) => setTimeout(r, 20));
    const act = await tabA.post('/me/two-factor/activate', { code: await totpCodeAt(setup.body.secret, h.clock.now()) });
    g.open();
    const b = await signingB;
    const rec = h.store.getUser(h.ids[demo.plain] as string);
    console.log('C2', {
      activate: act.status,
      signInB: b.body.stage,
      storedTotpSecret: rec?.totpSecret === null ? 'null (2FA silently off)' : 'set',
      backupCodes: rec?.backupCodes.length,
    });
  });

  it('D: verifySignIn in flight survives an admin disable that should end all sessions', async () => {
    const g = gate();
    let armed = false;
    const inner = createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
    const secretBox: SecretBox = {
      seal: (t) => inner.seal(t),
      async open(s) {
        const v = await inner.open(s);
        if (armed) await g.p;
        return v;
      },
    };
    const h = await createHarness({ secretBox });
    const admin = await h.signIn(demo.adminWith2fa);
    const victim = h.agent();
    const started = await victim.post('/session', { email: demo.userWith2fa, password: DEMO_PASSWORD });
    expect(started.body.stage).toBe('two_factor');
    const code = await h.codeFor(demo.userWith2fa);
    armed = true;
    const verifying = victim.post('/session/two-factor', { code });
    await new Promise((r) => setTimeout(r, 20));
    armed = false;
    const id = h.ids[demo.userWith2fa] as string;
    const disabled = await admin.post(`/firm/users/${id}/two-factor/disable`, { confirm: true });
    g.open();
    const verified = await verifying;
    const me = await victim.get('/me');
    console.log('D', {
      disable: disabled.status,
      verify: verified.status,
      me: [me.status, me.body?.session?.stage, me.body?.user?.twoFactor?.status],
    });
  });

  it('E: headers on 404/405/HEAD and replay', async () => {
    const h = await createHarness();
    const r404 = await h.fetch(new Request('http://firm.test/api/v1/nope'));
    const r405 = await h.fetch(new Request('http://firm.test/api/v1/me', { method: 'PATCH' }));
    const head = await h.fetch(new Request('http://firm.test/api/v1/me', { method: 'HEAD' }));
    console.log('E', {
      r404: [r404.status, r404.headers.get('cache-control'), r404.headers.get('x-content-type-options')],
      r405: [r405.status, r405.headers.get('allow'), r405.headers.get('cache-control')],
      head: [head.status, head.headers.get('content-type')],
    });
  });

  it('F: idempotency key with bad format and an oversized body: 422 before 413', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.adminWith2fa);
    const id = h.ids[demo.plain] as string;
    const big = 'x'.repeat(70 * 1024);
    const res = await admin.request('POST', `/firm/users/${id}/invitation`, {
      rawBody: big,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'bad key with spaces' },
    });
    console.log('F', res.status, res.body.code);
  });

  it('G: seeded unmigrated+required user', async () => {
    const h = await createHarness();
    const s = h.store.getUser(h.ids[demo.notMigrated] as string);
    console.log('G', s?.required, s?.identityMigrated);
    console.log('secret of admin', seedSecretOf(demo.adminWith2fa).length);
  });
});
