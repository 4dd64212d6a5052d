import type { Logger, UserRecord } from '@firm-security/server';
import { createSecretBox, totpCodeAt } from '@firm-security/server';
import { describe, expect, it } from 'vitest';
import {
  type Agent,
  createHarness,
  DEMO_PASSWORD,
  demo,
  type Harness,
  START,
  seedSecretOf,
  type TestResponse,
} from './harness.js';

/** TOTP and backup codes: replay, window, throttling, backup-code life cycle, secrets at rest. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const STEP = 30 * SECOND;

// ---------------------------------------------------------------------------------------------
// helpers

const user = (h: Harness, email: string): UserRecord => {
  const record = h.store.getUser(h.ids[email] as string);
  if (!record) throw new Error(`no user ${email}`);
  return record;
};

const passwordOnly = async (h: Harness, email: string, password = DEMO_PASSWORD): Promise<Agent> => {
  const agent = h.agent();
  const res = await agent.post('/session', { email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return agent;
};

const codeAt = (secret: string, ms: number) => totpCodeAt(secret, ms);

/** Six digits that are no valid code of `secret` anywhere near `ms`. */
const wrongCode = async (secret: string, ms: number): Promise<string> => {
  const near = new Set(await Promise.all([-3, -2, -1, 0, 1, 2, 3].map((k) => codeAt(secret, ms + k * STEP))));
  for (let n = 0; ; n++) {
    const candidate = String(n * 7919)
      .padStart(6, '0')
      .slice(-6);
    if (!near.has(candidate)) return candidate;
  }
};

const expectProblem = (res: TestResponse, status: number, code: string) => {
  expect({ status: res.status, code: res.body?.code }, JSON.stringify(res.body)).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
};

const eventsOf = (h: Harness, email: string) =>
  h.store.listEvents({ firmId: user(h, email).firmId, targetId: h.ids[email] as string, limit: 10_000 });

const firmEventCount = (h: Harness) =>
  h.store.listEvents({ firmId: user(h, demo.primary).firmId, limit: 100_000 }).length;

/** Gives a seeded 2FA user a set of backup codes (seeded users start without any). */
const backupCodesFor = async (h: Harness, email: string): Promise<string[]> => {
  const agent = await h.signIn(email);
  const res = await agent.post('/me/two-factor/backup-codes', { code: await h.codeFor(email) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.backupCodes;
};

/** Sets up and activates 2FA on a signed-in session; returns the new secret and backup codes. */
const enroll = async (h: Harness, agent: Agent) => {
  const setup = await agent.post('/me/two-factor/setup', {});
  expect(setup.status, JSON.stringify(setup.body)).toBe(200);
  const secret: string = setup.body.secret;
  const activated = await agent.post('/me/two-factor/activate', { code: await codeAt(secret, h.clock.now()) });
  expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  return { secret, backupCodes: activated.body.backupCodes as string[], otpauthUri: setup.body.otpauthUri as string };
};

const normalize = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

// ---------------------------------------------------------------------------------------------

describe('TOTP replay', () => {
  it('a code accepted at sign-in is rejected on the next sign-in as code_already_used (401)', async () => {
    const h = await createHarness();
    const secret = seedSecretOf(demo.userWith2fa);
    h.clock.advance(STEP);
    const code = await codeAt(secret, h.clock.now());

    const first = await passwordOnly(h, demo.userWith2fa);
    expect((await first.post('/session/two-factor', { code })).status).toBe(200);

    const second = await passwordOnly(h, demo.userWith2fa);
    const replay = await second.post('/session/two-factor', { code });
    expectProblem(replay, 401, 'code_already_used');
    expect(eventsOf(h, demo.userWith2fa)[0]).toMatchObject({
      action: 'two_factor.code_failed',
      details: expect.objectContaining({ reason: 'code_already_used' }),
    });

    // the pending session survives: the next step's code completes it
    expect((await second.get('/me')).body.session.stage).toBe('two_factor');
    h.clock.advance(STEP);
    const next = await second.post('/session/two-factor', { code: await codeAt(secret, h.clock.now()) });
    expect(next.status).toBe(200);
    expect(next.body.stage).toBe('complete');
  });

  it('a step before the last accepted one is also code_already_used', async () => {
    const h = await createHarness();
    const secret = seedSecretOf(demo.userWith2fa);
    h.clock.advance(5 * STEP);
    const now = h.clock.now();
    const ahead = await passwordOnly(h, demo.userWith2fa);
    expect((await ahead.post('/session/two-factor', { code: await codeAt(secret, now + STEP) })).status).toBe(200);

    for (const k of [0, -1]) {
      const agent = await passwordOnly(h, demo.userWith2fa);
      expectProblem(
        await agent.post('/session/two-factor', { code: await codeAt(secret, now + k * STEP) }),
        401,
        'code_already_used',
      );
    }
  });

  it('step-up rejects a replayed code with 422 code_already_used and the session stays valid', async () => {
    const h = await createHarness();
    const secret = seedSecretOf(demo.adminWith2fa);
    const admin = await h.signIn(demo.adminWith2fa); // used the code of the current step
    const verifiedAt = (await admin.get('/me')).body.session.verifiedAt;

    const used = await codeAt(secret, h.clock.now());
    expectProblem(await admin.post('/session/step-up', { code: used }), 422, 'code_already_used');
    expect((await admin.get('/me')).body.session).toMatchObject({ stage: 'complete', verifiedAt });

    h.clock.advance(STEP);
    const fresh = await codeAt(secret, h.clock.now());
    expect((await admin.post('/session/step-up', { code: fresh })).status).toBe(204);
    expect((await admin.get('/me')).body.session.verifiedAt).toBe(new Date(h.clock.now()).toISOString());
    expectProblem(await admin.post('/session/step-up', { code: fresh }), 422, 'code_already_used');
    expectProblem(
      await admin.post('/session/step-up', { code: await wrongCode(secret, h.clock.now()) }),
      422,
      'invalid_code',
    );
    expect((await admin.get('/me')).status).toBe(200);
  });
});

describe('TOTP window: current step +/- 1', () => {
  const cases = [0, 1, 15, 29].flatMap((offsetSeconds) =>
    [-2, -1, 0, 1, 2].map((k) => ({ offsetSeconds, k, accepted: Math.abs(k) <= 1 })),
  );
  it.each(cases)(
    'at +$offsetSeconds s into a step, the code of step $k: accepted=$accepted',
    async ({ offsetSeconds, k, accepted }) => {
      const h = await createHarness();
      const secret = seedSecretOf(demo.userWith2fa);
      h.clock.advance(10 * STEP + offsetSeconds * SECOND);
      const agent = await passwordOnly(h, demo.userWith2fa);
      const code = await codeAt(secret, h.clock.now() + k * STEP);
      const res = await agent.post('/session/two-factor', { code });
      if (accepted) {
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(user(h, demo.userWith2fa).totpLastStep).toBe(Math.floor((h.clock.now() + k * STEP) / STEP));
      } else {
        expectProblem(res, 401, 'invalid_code');
      }
    },
  );

  it('a code from a different secret is invalid_code', async () => {
    const h = await createHarness();
    const agent = await passwordOnly(h, demo.userWith2fa);
    const other = await codeAt(seedSecretOf(demo.otherUserWith2fa), h.clock.now());
    const own = await Promise.all(
      [-1, 0, 1].map((k) => codeAt(seedSecretOf(demo.userWith2fa), h.clock.now() + k * STEP)),
    );
    if (own.includes(other)) return; // a one-in-a-million coincidence of the fixed test data: nothing to test
    expectProblem(await agent.post('/session/two-factor', { code: other }), 401, 'invalid_code');
  });
});

describe('a new secret starts afresh', () => {
  it('after a disable and a new setup, codes of the new secret are accepted at steps the old secret used', async () => {
    const h = await createHarness();
    const oldSecret = seedSecretOf(demo.userWith2fa);
    h.clock.advance(10 * STEP);
    // accept a code one step ahead: the last accepted step of the old secret is now+1
    const now = h.clock.now();
    const agent = await passwordOnly(h, demo.userWith2fa);
    expect((await agent.post('/session/two-factor', { code: await codeAt(oldSecret, now + STEP) })).status).toBe(200);

    const admin = await h.signIn(demo.adminWith2fa); // moves the clock one step on
    const disabled = await admin.post(`/firm/users/${h.ids[demo.userWith2fa]}/two-factor/disable`, { confirm: true });
    expect(disabled.status).toBe(200);
    expect(user(h, demo.userWith2fa).totpLastStep).toBeNull();

    const again = await h.signIn(demo.userWith2fa);
    const setup = await again.post('/me/two-factor/setup', {});
    expect(setup.status).toBe(200);
    // step now+1 was the last accepted step of the OLD secret; the new secret has used none
    const activated = await again.post('/me/two-factor/activate', {
      code: await codeAt(setup.body.secret, now + STEP),
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);

    // the activation's step counts as used for the new secret
    const replay = await passwordOnly(h, demo.userWith2fa);
    expectProblem(
      await replay.post('/session/two-factor', { code: await codeAt(setup.body.secret, now + STEP) }),
      401,
      'code_already_used',
    );
    h.clock.advance(STEP);
    expect(
      (await replay.post('/session/two-factor', { code: await codeAt(setup.body.secret, h.clock.now()) })).status,
    ).toBe(200);
  });

  it('setting up again replaces the pending secret: the first one no longer activates', async () => {
    const h = await createHarness();
    const agent = await h.signIn(demo.plain);
    const first = (await agent.post('/me/two-factor/setup', {})).body.secret;
    const second = (await agent.post('/me/two-factor/setup', {})).body.secret;
    expect(second).not.toBe(first);
    const stale = await codeAt(first, h.clock.now());
    const fresh = await codeAt(second, h.clock.now());
    if (stale !== fresh)
      expectProblem(await agent.post('/me/two-factor/activate', { code: stale }), 422, 'invalid_code');
    expect((await agent.post('/me/two-factor/activate', { code: fresh })).status).toBe(200);
  });

  it('activation before setup is setup_not_started; a wrong activation code is 422 and keeps the stage', async () => {
    const h = await createHarness();
    const agent = await passwordOnly(h, demo.required);
    expectProblem(await agent.post('/me/two-factor/activate', { code: '123456' }), 409, 'setup_not_started');
    const setup = await agent.post('/me/two-factor/setup', {});
    const bad = await wrongCode(setup.body.secret, h.clock.now());
    expectProblem(await agent.post('/me/two-factor/activate', { code: bad }), 422, 'invalid_code');
    expect((await agent.get('/me')).body.session.stage).toBe('two_factor_setup');
    expect(user(h, demo.required).totpSecret).toBeNull();
  });
});

describe('code throttling: 5 failed codes per user in 15 min', () => {
  it('blocks the 6th attempt with 429 + Retry-After until the oldest failure is 15 min old; 429s are not counted', async () => {
    const h = await createHarness();
    const secret = seedSecretOf(demo.userWith2fa);
    const agent = await passwordOnly(h, demo.userWith2fa);
    const t0 = h.clock.now();
    for (let i = 0; i < 5; i++) {
      h.clock.ms = t0 + i * MINUTE;
      expectProblem(
        await agent.post('/session/two-factor', { code: await wrongCode(secret, h.clock.now()) }),
        401,
        'invalid_code',
      );
    }
    expect(eventsOf(h, demo.userWith2fa).filter((e) => e.action === 'two_factor.code_failed')).toHaveLength(5);

    // even the right code is throttled now
    for (const [at, retryAfter] of [
      [5 * MINUTE, 600],
      [10 * MINUTE, 300],
      [14 * MINUTE, 60],
      [15 * MINUTE - SECOND, 1],
    ] as const) {
      h.clock.ms = t0 + at;
      const res = await agent.post('/session/two-factor', { code: await codeAt(secret, h.clock.now()) });
      expectProblem(res, 429, 'rate_limited');
      expect(res.headers.get('retry-after')).toBe(String(retryAfter));
    }
    expect(user(h, demo.userWith2fa).totpLastStep).toBeNull();
    // the pending session survived all of it
    expect((await agent.get('/me')).body.session.stage).toBe('two_factor');

    // at 15 min the oldest failure leaves the window: 4 remain, the throttled attempts were not counted
    h.clock.ms = t0 + 15 * MINUTE;
    const res = await agent.post('/session/two-factor', { code: await codeAt(secret, h.clock.now()) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('a success resets the count', async () => {
    const h = await createHarness();
    const secret = seedSecretOf(demo.userWith2fa);
    for (let round = 0; round < 2; round++) {
      const agent = await passwordOnly(h, demo.userWith2fa);
      for (let i = 0; i < 4; i++) {
        const res = await agent.post('/session/two-factor', { code: await wrongCode(secret, h.clock.now()) });
        expectProblem(res, 401, 'invalid_code');
      }
      h.clock.advance(STEP);
      const ok = await agent.post('/session/two-factor', { code: await codeAt(secret, h.clock.now()) });
      expect(ok.status, `round ${round}: ${JSON.stringify(ok.body)}`).toBe(200);
    }
    // without the reset, 8 failures would lie in the window; now it takes 5 new ones
    const agent = await passwordOnly(h, demo.userWith2fa);
    for (let i = 0; i < 5; i++) {
      expectProblem(
        await agent.post('/session/two-factor', { code: await wrongCode(secret, h.clock.now()) }),
        401,
        'invalid_code',
      );
    }
    h.clock.advance(STEP);
    expectProblem(
      await agent.post('/session/two-factor', { code: await codeAt(secret, h.clock.now()) }),
      429,
      'rate_limited',
    );
  });

  it('counts failures per user across sign-in and step-up; other users are not affected', async () => {
    const h = await createHarness();
    const secret = seedSecretOf(demo.adminWith2fa);
    const admin = await h.signIn(demo.adminWith2fa);
    for (let i = 0; i < 3; i++) {
      expectProblem(
        await admin.post('/session/step-up', { code: await wrongCode(secret, h.clock.now()) }),
        422,
        'invalid_code',
      );
    }
    const pending = await passwordOnly(h, demo.adminWith2fa);
    for (let i = 0; i < 2; i++) {
      expectProblem(
        await pending.post('/session/two-factor', { code: await wrongCode(secret, h.clock.now()) }),
        401,
        'invalid_code',
      );
    }
    h.clock.advance(STEP);
    const stepUp = await admin.post('/session/step-up', { code: await codeAt(secret, h.clock.now()) });
    expectProblem(stepUp, 429, 'rate_limited');
    expect(Number(stepUp.headers.get('retry-after'))).toBeGreaterThan(0);
    expectProblem(
      await pending.post('/session/two-factor', { code: await codeAt(secret, h.clock.now()) }),
      429,
      'rate_limited',
    );
    // somebody else signs in as usual
    await h.signIn(demo.primary);
  });
});

describe('password throttling: 10 failures per submitted email in 15 min', () => {
  const attempt = (h: Harness, email: string, password: string) => h.agent().post('/session', { email, password });

  it('blocks the 11th attempt with 429 + Retry-After; throttled attempts are not counted', async () => {
    const h = await createHarness();
    const t0 = h.clock.now();
    for (let i = 0; i < 10; i++) {
      h.clock.ms = t0 + i * MINUTE;
      expectProblem(await attempt(h, demo.userWith2fa, 'wrong password'), 401, 'invalid_credentials');
    }
    for (const [at, retryAfter] of [
      [10 * MINUTE, 300],
      [12 * MINUTE, 180],
      [15 * MINUTE - SECOND, 1],
    ] as const) {
      h.clock.ms = t0 + at;
      const res = await attempt(h, demo.userWith2fa, DEMO_PASSWORD);
      expectProblem(res, 429, 'rate_limited');
      expect(res.headers.get('retry-after')).toBe(String(retryAfter));
      // one email's throttle does not touch another's
      expect((await attempt(h, demo.otherUserWith2fa, DEMO_PASSWORD)).status).toBe(200);
    }
    h.clock.ms = t0 + 15 * MINUTE;
    const res = await attempt(h, demo.userWith2fa, DEMO_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.stage).toBe('two_factor');
  });

  it('throttles unknown emails the same way, without writing to any audit log', async () => {
    const logged: string[] = [];
    const log: Logger = { info() {}, warn: (message) => logged.push(message), error() {} };
    const h = await createHarness({ log });
    const events = firmEventCount(h);
    for (let i = 0; i < 10; i++) {
      expectProblem(await attempt(h, 'nobody@elsewhere.test', 'whatever-it-is'), 401, 'invalid_credentials');
    }
    const res = await attempt(h, 'nobody@elsewhere.test', 'whatever-it-is');
    expectProblem(res, 429, 'rate_limited');
    expect(res.headers.get('retry-after')).toBe(String(15 * 60));
    expect(firmEventCount(h)).toBe(events);
    expect(logged.length).toBeGreaterThanOrEqual(10);
  });

  it('a success resets the count', async () => {
    const h = await createHarness();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 9; i++) {
        expectProblem(await attempt(h, demo.plain, 'wrong password'), 401, 'invalid_credentials');
      }
      expect((await attempt(h, demo.plain, DEMO_PASSWORD)).status).toBe(200);
    }
    expect(eventsOf(h, demo.plain).filter((e) => e.action === 'session.sign_in_failed')).toHaveLength(18);
  });

  it('unknown, deactivated and wrong-password sign-ins are indistinguishable', async () => {
    const h = await createHarness();
    const bodies = await Promise.all([
      attempt(h, 'nobody@hartwell-reyes.test', DEMO_PASSWORD),
      attempt(h, demo.deactivated, DEMO_PASSWORD),
      attempt(h, demo.plain, 'wrong password'),
    ]);
    for (const res of bodies) expectProblem(res, 401, 'invalid_credentials');
    const shape = (res: TestResponse) => ({ title: res.body.title, detail: res.body.detail });
    expect(shape(bodies[1] as TestResponse)).toEqual(shape(bodies[0] as TestResponse));
    expect(shape(bodies[2] as TestResponse)).toEqual(shape(bodies[0] as TestResponse));
  });
});

describe('backup codes', () => {
  it('come as 10 distinct codes of >= 10 unambiguous characters, stored hashed', async () => {
    const h = await createHarness();
    const codes = await backupCodesFor(h, demo.userWith2fa);
    expect(codes).toHaveLength(10);
    expect(new Set(codes.map(normalize)).size).toBe(10);
    for (const code of codes) {
      expect(normalize(code).length).toBeGreaterThanOrEqual(10);
      expect(normalize(code)).not.toMatch(/[01OIL]/);
    }
    const stored = user(h, demo.userWith2fa);
    expect(stored.backupCodes).toHaveLength(10);
    const raw = JSON.stringify(stored);
    for (const code of codes) {
      expect(raw).not.toContain(code);
      expect(raw).not.toContain(normalize(code));
      expect(raw.toUpperCase()).not.toContain(normalize(code));
    }
  });

  it('each works exactly once at sign-in: audited, counted down, version bumped', async () => {
    const h = await createHarness();
    const codes = await backupCodesFor(h, demo.userWith2fa);
    const admin = await h.signIn(demo.primary);
    const id = h.ids[demo.userWith2fa] as string;
    expect((await admin.get(`/firm/users/${id}`)).body.twoFactor.backupCodesRemaining).toBe(10);

    for (const [i, code] of codes.entries()) {
      const before = user(h, demo.userWith2fa);
      const agent = await passwordOnly(h, demo.userWith2fa);
      const res = await agent.post('/session/two-factor', { backupCode: code });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.stage).toBe('complete');
      const me = await agent.get('/me');
      expect(me.body.session.stage).toBe('complete');
      expect(me.body.user.twoFactor.backupCodesRemaining).toBe(9 - i);
      const after = user(h, demo.userWith2fa);
      expect(after.version).toBe(before.version + 1);
      const shown = await admin.get(`/firm/users/${id}`);
      expect(shown.body.twoFactor.backupCodesRemaining).toBe(9 - i);
      expect(shown.headers.get('etag')).toBe(`W/"${after.version}"`);
      const actions = eventsOf(h, demo.userWith2fa).map((e) => e.action);
      expect(actions.slice(0, 2).sort()).toEqual(['session.signed_in', 'two_factor.backup_code_used']);
    }
    expect(eventsOf(h, demo.userWith2fa).filter((e) => e.action === 'two_factor.backup_code_used')).toHaveLength(10);

    // every one is spent now
    for (const code of codes.slice(0, 3)) {
      const agent = await passwordOnly(h, demo.userWith2fa);
      const before = user(h, demo.userWith2fa);
      expectProblem(await agent.post('/session/two-factor', { backupCode: code }), 401, 'invalid_code');
      expect(user(h, demo.userWith2fa).backupCodes).toEqual(before.backupCodes);
    }
  });

  it('a TOTP sign-in changes no visible field but lastSignInAt, so the version stays', async () => {
    const h = await createHarness();
    const before = user(h, demo.userWith2fa);
    await h.signIn(demo.userWith2fa);
    const after = user(h, demo.userWith2fa);
    expect(after.lastSignInAt).not.toBeNull();
    expect(after.version).toBe(before.version);
  });

  it('regenerating (POST /me/two-factor/backup-codes) voids the old set', async () => {
    const h = await createHarness();
    const old = await backupCodesFor(h, demo.userWith2fa);
    const agent = await h.signIn(demo.userWith2fa);
    const before = user(h, demo.userWith2fa);

    // a wrong code changes nothing
    const secret = seedSecretOf(demo.userWith2fa);
    expectProblem(
      await agent.post('/me/two-factor/backup-codes', { code: await wrongCode(secret, h.clock.now()) }),
      422,
      'invalid_code',
    );
    expect(user(h, demo.userWith2fa).backupCodes).toEqual(before.backupCodes);

    const res = await agent.post('/me/two-factor/backup-codes', { code: await h.codeFor(demo.userWith2fa) });
    expect(res.status).toBe(200);
    const fresh: string[] = res.body.backupCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh.map(normalize).filter((c) => old.map(normalize).includes(c))).toEqual([]);
    expect(user(h, demo.userWith2fa).version).toBe(before.version + 1);
    expect(eventsOf(h, demo.userWith2fa)[0]?.action).toBe('two_factor.backup_codes_regenerated');

    for (const code of old.slice(0, 3)) {
      const pending = await passwordOnly(h, demo.userWith2fa);
      expectProblem(await pending.post('/session/two-factor', { backupCode: code }), 401, 'invalid_code');
    }
    const pending = await passwordOnly(h, demo.userWith2fa);
    expect((await pending.post('/session/two-factor', { backupCode: fresh[0] })).status).toBe(200);
  });

  it('regenerating without 2FA is two_factor_not_enabled', async () => {
    const h = await createHarness();
    const agent = await h.signIn(demo.plain);
    expectProblem(await agent.post('/me/two-factor/backup-codes', { code: '123456' }), 409, 'two_factor_not_enabled');
  });
});

describe('the full loop: an administrator disables a locked-out user, who enrols again', () => {
  it.each([
    { required: false, stageAfterDisable: 'complete' },
    { required: true, stageAfterDisable: 'two_factor_setup' },
  ])(
    'required=$required: after the disable the user signs in to stage $stageAfterDisable',
    async ({ required, stageAfterDisable }) => {
      const h = await createHarness();
      const email = demo.userWith2fa;
      const id = h.ids[email] as string;
      const oldSecret = seedSecretOf(email);
      const oldCodes = await backupCodesFor(h, email);
      const userSession = await h.signIn(email);

      const admin = await h.signIn(demo.adminWith2fa);
      if (required) expect((await admin.put(`/firm/users/${id}/requirement`, { required: true })).status).toBe(200);
      const disabled = await admin.post(`/firm/users/${id}/two-factor/disable`, { confirm: true });
      expect(disabled.status).toBe(200);
      expect(disabled.body.twoFactor.status).toBe('not_enabled');
      expect(disabled.body.requirement.status).toBe(required ? 'required' : 'not_required');
      expect(user(h, email)).toMatchObject({ totpSecret: null, pendingTotpSecret: null, backupCodes: [] });
      expect(eventsOf(h, email)[0]).toMatchObject({
        action: 'two_factor.disabled',
        details: expect.objectContaining({ backupCodesVoided: 10 }),
      });
      // every session of the user ended
      expectProblem(await userSession.get('/me'), 401, 'unauthenticated');

      // signing in: no second factor is asked, so neither old backup codes nor the old secret can be used
      const agent = await passwordOnly(h, email);
      expect((await agent.get('/me')).body.session.stage).toBe(stageAfterDisable);
      const oldCode = await codeAt(oldSecret, h.clock.now() + STEP);
      if (stageAfterDisable === 'complete') {
        expectProblem(await agent.post('/session/two-factor', { backupCode: oldCodes[0] }), 409, 'invalid_stage');
        expectProblem(await agent.post('/session/step-up', { code: oldCode }), 409, 'two_factor_not_enabled');
        expectProblem(await agent.post('/me/two-factor/disable', { code: oldCode }), 409, 'two_factor_not_enabled');
      } else {
        expectProblem(
          await agent.post('/session/two-factor', { backupCode: oldCodes[0] }),
          403,
          'two_factor_setup_required',
        );
        expectProblem(await agent.get('/firm/users'), 403, 'two_factor_setup_required');
      }

      // setup: a new secret; a code of the old one does not activate it
      const setup = await agent.post('/me/two-factor/setup', {});
      expect(setup.status).toBe(200);
      const newSecret: string = setup.body.secret;
      expect(newSecret).not.toBe(oldSecret);
      expect(setup.body.otpauthUri).toContain(`secret=${newSecret}`);
      h.clock.advance(STEP);
      const stale = await codeAt(oldSecret, h.clock.now());
      if (stale !== (await codeAt(newSecret, h.clock.now()))) {
        expectProblem(await agent.post('/me/two-factor/activate', { code: stale }), 422, 'invalid_code');
      }
      const activated = await agent.post('/me/two-factor/activate', { code: await codeAt(newSecret, h.clock.now()) });
      expect(activated.status, JSON.stringify(activated.body)).toBe(200);
      const newCodes: string[] = activated.body.backupCodes;
      expect(newCodes).toHaveLength(10);
      expect(newCodes.map(normalize).filter((c) => oldCodes.map(normalize).includes(c))).toEqual([]);

      const me = (await agent.get('/me')).body;
      expect(me.session.stage).toBe('complete');
      expect(me.session.verifiedAt).toBe(new Date(h.clock.now()).toISOString());
      expect(me.user.twoFactor).toMatchObject({ status: 'enabled', backupCodesRemaining: 10 });
      expect(eventsOf(h, email)[required ? 1 : 0]?.action).toBe('two_factor.enabled');

      // next sign-in: old codes and the old secret are rejected, new ones work
      h.clock.advance(STEP);
      for (const proof of [{ backupCode: oldCodes[1] }, { backupCode: oldCodes[2] }]) {
        const pending = await passwordOnly(h, email);
        expectProblem(await pending.post('/session/two-factor', proof), 401, 'invalid_code');
      }
      const oldTotp = await codeAt(oldSecret, h.clock.now());
      const newTotp = await codeAt(newSecret, h.clock.now());
      const pending = await passwordOnly(h, email);
      if (oldTotp !== newTotp) {
        expectProblem(await pending.post('/session/two-factor', { code: oldTotp }), 401, 'invalid_code');
      }
      expect((await pending.post('/session/two-factor', { backupCode: newCodes[0] })).status).toBe(200);
      const withTotp = await passwordOnly(h, email);
      expect((await withTotp.post('/session/two-factor', { code: newTotp })).status).toBe(200);
    },
  );
});

describe('a required user without 2FA', () => {
  it('is forced into setup at sign-in; activation completes the session', async () => {
    const h = await createHarness();
    const agent = h.agent();
    const started = await agent.post('/session', { email: demo.required, password: DEMO_PASSWORD });
    expect(started.status).toBe(200);
    expect(started.body.stage).toBe('two_factor_setup');
    expect(user(h, demo.required).lastSignInAt).toBeNull();
    expectProblem(
      await agent.post('/me/two-factor/backup-codes', { code: '123456' }),
      403,
      'two_factor_setup_required',
    );

    const { secret, backupCodes } = await enroll(h, agent);
    expect(backupCodes).toHaveLength(10);
    const me = (await agent.get('/me')).body;
    expect(me.session.stage).toBe('complete');
    expect(me.user.twoFactor.status).toBe('enabled');
    const after = user(h, demo.required);
    expect(after.lastSignInAt).toBe(new Date(h.clock.now()).toISOString());
    expect(eventsOf(h, demo.required).map((e) => e.action)).toEqual(
      expect.arrayContaining(['two_factor.enabled', 'session.signed_in']),
    );
    // now a complete session: complete-only endpoints answer
    h.clock.advance(STEP);
    expect(
      (await agent.post('/me/two-factor/backup-codes', { code: await codeAt(secret, h.clock.now()) })).status,
    ).toBe(200);
    // and the next sign-in asks for a code
    expect((await passwordOnly(h, demo.required).then((a) => a.get('/me'))).body.session.stage).toBe('two_factor');
  });

  it('a requirement set by an administrator applies at the next sign-in', async () => {
    const h = await createHarness();
    const current = await h.signIn(demo.plain);
    const admin = await h.signIn(demo.primary);
    expect((await admin.put(`/firm/users/${h.ids[demo.plain]}/requirement`, { required: true })).status).toBe(200);
    // the current session is not the next sign-in
    expect((await current.get('/me')).body.session.stage).toBe('complete');
    const next = await passwordOnly(h, demo.plain);
    expect((await next.get('/me')).body.session.stage).toBe('two_factor_setup');
    expectProblem(await next.post('/me/two-factor/disable', { code: '123456' }), 403, 'two_factor_setup_required');
    await enroll(h, next);
    expect((await next.get('/me')).body.session.stage).toBe('complete');
  });

  it('an unmigrated user is never required, so never forced into setup', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.primary);
    const res = await admin.put(`/firm/users/${h.ids[demo.notMigrated]}/requirement`, { required: true });
    expectProblem(res, 409, 'identity_not_migrated');
    const agent = await passwordOnly(h, demo.notMigrated);
    expect((await agent.get('/me')).body.session.stage).toBe('complete');
  });
});

describe('self-disable (POST /me/two-factor/disable)', () => {
  it('turns the own 2FA off with a current code', async () => {
    const h = await createHarness();
    const email = demo.userWith2fa;
    await backupCodesFor(h, email);
    const agent = await h.signIn(email);
    const before = user(h, email);
    const bad = await agent.post('/me/two-factor/disable', {
      code: await wrongCode(seedSecretOf(email), h.clock.now()),
    });
    expectProblem(bad, 422, 'invalid_code');
    expect(user(h, email)).toEqual(before);

    const res = await agent.post('/me/two-factor/disable', { code: await h.codeFor(email) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user.twoFactor).toEqual({ status: 'not_enabled', enabledAt: null, backupCodesRemaining: null });
    expect(res.body.session.stage).toBe('complete');
    const after = user(h, email);
    expect(after).toMatchObject({ totpSecret: null, backupCodes: [], totpLastStep: null });
    expect(after.version).toBe(before.version + 1);
    expect(eventsOf(h, email)[0]?.action).toBe('two_factor.disabled');
    // the next sign-in needs no code
    expect((await passwordOnly(h, email).then((a) => a.get('/me'))).body.session.stage).toBe('complete');
  });

  it('is two_factor_required for a required user, even before the code is checked', async () => {
    const h = await createHarness();
    const email = demo.userWith2fa;
    const admin = await h.signIn(demo.primary);
    expect((await admin.put(`/firm/users/${h.ids[email]}/requirement`, { required: true })).status).toBe(200);
    const agent = await h.signIn(email);
    const before = user(h, email);
    expectProblem(
      await agent.post('/me/two-factor/disable', { code: await h.codeFor(email) }),
      409,
      'two_factor_required',
    );
    expectProblem(
      await agent.post('/me/two-factor/disable', { code: await wrongCode(seedSecretOf(email), h.clock.now()) }),
      409,
      'two_factor_required',
    );
    expect(user(h, email)).toEqual(before);
  });

  it('is two_factor_not_enabled without 2FA', async () => {
    const h = await createHarness();
    const agent = await h.signIn(demo.plain);
    expectProblem(await agent.post('/me/two-factor/disable', { code: '123456' }), 409, 'two_factor_not_enabled');
  });
});

describe('secrets at rest and in responses', () => {
  it('seeded secrets are stored sealed', async () => {
    const h = await createHarness();
    for (const email of [demo.primary, demo.adminWith2fa, demo.userWith2fa]) {
      const sealed = user(h, email).totpSecret as string;
      const secret = seedSecretOf(email);
      expect(sealed).not.toBe(secret);
      expect(sealed.toUpperCase()).not.toContain(secret);
      expect(await h.server.context.secretBox.open(sealed)).toBe(secret);
    }
  });

  it('a new secret is 160 bits, sealed when pending and when active, and never returned after setup', async () => {
    const h = await createHarness();
    const agent = await h.signIn(demo.plain);
    const setup = await agent.post('/me/two-factor/setup', {});
    const secret: string = setup.body.secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 characters = 160 bits
    expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);

    const pending = user(h, demo.plain).pendingTotpSecret as string;
    expect(pending).not.toContain(secret);
    expect(pending.toUpperCase()).not.toContain(secret);
    expect(user(h, demo.plain).totpSecret).toBeNull();

    const activated = await agent.post('/me/two-factor/activate', { code: await codeAt(secret, h.clock.now()) });
    expect(activated.status).toBe(200);
    const stored = user(h, demo.plain);
    const sealed = stored.totpSecret as string;
    expect(sealed).toBeTruthy();
    expect(sealed).not.toBe(secret);
    expect(sealed.toUpperCase()).not.toContain(secret);
    expect(JSON.stringify(stored).toUpperCase()).not.toContain(secret);
    expect(await h.server.context.secretBox.open(sealed)).toBe(secret);
    // sealed with the server's key: another key cannot open it
    const otherBox = createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
    await expect(otherBox.open(sealed)).rejects.toThrow();

    // nothing after setup hands the secret out again
    const admin = await h.signIn(demo.primary);
    const responses = [
      activated,
      await agent.get('/me'),
      await agent.post('/me/two-factor/setup', {}),
      await admin.get('/firm/users?limit=200'),
      await admin.get(`/firm/users/${h.ids[demo.plain]}`),
      await admin.get('/firm/events?limit=200'),
    ];
    expectProblem(responses[2] as TestResponse, 409, 'two_factor_already_enabled');
    for (const res of responses) expect(JSON.stringify(res.body)).not.toContain(secret);
  });

  it('seeded 2FA users start with no backup codes: backupCodesRemaining is 0, not null', async () => {
    const h = await createHarness();
    const agent = await h.signIn(demo.userWith2fa);
    expect((await agent.get('/me')).body.user.twoFactor).toMatchObject({ status: 'enabled', backupCodesRemaining: 0 });
    expect(START).toBeLessThanOrEqual(h.clock.now());
  });
});
