import { createHash } from 'node:crypto';
import {
  createPasswordHasher,
  createSecretBox,
  nobleScrypt,
  normalizeBackupCode,
  type PasswordHasher,
  type SecretBox,
  totpCodeAt,
  type UserRecord,
} from '@firm-security/server';
import { describe, expect, it } from 'vitest';
import {
  type Agent,
  createHarness,
  DEMO_PASSWORD,
  demo,
  fastPasswords,
  type Harness,
  seedSecretOf,
  type TestResponse,
} from './harness.js';

/**
 * Regression tests for the races and edge cases of the server review (finding numbers in the test
 * names). Races are made deterministic by pausing the server at its slow `await`s (password check,
 * opening the sealed TOTP secret) with the hooks below, then running the competing request.
 */

const STEP = 30_000;

// ---------------------------------------------------------------------------------------------
// hooks into the slow awaits

/** Pauses the next call that goes through `pause()` until `release()`; `entered` resolves once it is paused. */
class Hold {
  #next: (() => Promise<void>) | undefined;

  arm(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredPromise = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#next = () => {
      entered();
      return released;
    };
    return { entered: enteredPromise, release };
  }

  pause(): Promise<void> {
    const next = this.#next;
    this.#next = undefined;
    return next ? next() : Promise.resolve();
  }
}

/** Once armed with n, holds callers until n of them are waiting, then lets them all go together. */
class Barrier {
  #size = 0;
  #waiting: (() => void)[] = [];

  arm(size: number) {
    this.#size = size;
  }

  wait(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      if (this.#waiting.length === this.#size) {
        this.#size = 0;
        for (const go of this.#waiting.splice(0)) go();
      }
    });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The fast test hasher, with a hook after each password check and a log of what was checked against. */
const instrumentedPasswords = (inner: PasswordHasher = fastPasswords) => {
  const hold = new Hold();
  const checkedAgainst: string[] = [];
  let delayMs = 0;
  const passwords: PasswordHasher = {
    hash: (password) => inner.hash(password),
    async verify(password, stored) {
      checkedAgainst.push(stored);
      const ok = await inner.verify(password, stored);
      await hold.pause();
      if (delayMs) await sleep(delayMs);
      return ok;
    },
  };
  return {
    passwords,
    hold,
    checkedAgainst,
    slowDown(ms: number) {
      delayMs = ms;
    },
  };
};

/** A real secret box, with hooks after each `open` (the await every TOTP check makes) and a count of opens. */
const instrumentedSecretBox = () => {
  const inner = createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
  const hold = new Hold();
  const barrier = new Barrier();
  const counts = { opens: 0 };
  let delayMs = 0;
  const secretBox: SecretBox = {
    seal: (plaintext) => inner.seal(plaintext),
    mac: (text) => inner.mac(text),
    async open(sealed) {
      counts.opens++;
      const plain = await inner.open(sealed);
      await hold.pause();
      await barrier.wait();
      if (delayMs) await sleep(delayMs);
      return plain;
    },
  };
  return {
    secretBox,
    hold,
    barrier,
    counts,
    slowDown(ms: number) {
      delayMs = ms;
    },
  };
};

// ---------------------------------------------------------------------------------------------
// helpers

const stored = (h: Harness, email: string): UserRecord => {
  const record = h.store.getUser(h.ids[email] as string);
  if (!record) throw new Error(`no user ${email}`);
  return record;
};

const eventsOf = (h: Harness, email: string) =>
  h.store.listEvents({ firmId: stored(h, email).firmId, targetId: h.ids[email] as string, limit: 10_000 });

const codeFailures = (h: Harness, email: string) =>
  h.store.failuresSince(`code:${h.ids[email]}`, '1970-01-01T00:00:00.000Z').length;

const outcome = (res: TestResponse) => `${res.status}${res.body?.code ? ` ${res.body.code}` : ''}`;

const tally = (responses: TestResponse[]) =>
  responses.reduce<Record<string, number>>((counts, res) => {
    const key = outcome(res);
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

const passwordOnly = async (h: Harness, email: string): Promise<Agent> => {
  const agent = h.agent();
  const res = await agent.post('/session', { email, password: DEMO_PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return agent;
};

/** An agent that presents a given cookie (and no CSRF token). */
const withCookie = (h: Harness, cookie: string | undefined) => {
  const agent = h.agent();
  agent.cookie = cookie;
  return agent;
};

/** `n` distinct six-digit codes, none valid for `secret` anywhere near `ms`. */
const wrongCodes = async (secret: string, ms: number, n: number): Promise<string[]> => {
  const near = new Set(await Promise.all([-3, -2, -1, 0, 1, 2, 3].map((k) => totpCodeAt(secret, ms + k * STEP))));
  const codes: string[] = [];
  for (let i = 1; codes.length < n; i++) {
    const candidate = String((i * 7919) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate) && !codes.includes(candidate)) codes.push(candidate);
  }
  return codes;
};

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const sha256Base64 = (text: string) => createHash('sha256').update(text).digest('base64');

// ---------------------------------------------------------------------------------------------

describe('review findings: races and edge cases', () => {
  it('#1 a password sign-in in flight loses no concurrent change (requirement, 2FA activation)', async () => {
    const probe = instrumentedPasswords();
    const h = await createHarness({ passwords: probe.passwords });
    const admin = await h.signIn(demo.adminWith2fa);
    const id = h.ids[demo.plain] as string;

    // (a) an administrator requires 2FA while the user's password is being checked
    const before = await admin.get(`/firm/users/${id}`);
    expect(before.body.requirement.status).toBe('not_required');
    const held = probe.hold.arm();
    const signingIn = h.agent().post('/session', { email: demo.plain, password: DEMO_PASSWORD });
    await held.entered;
    const put = await admin.put(`/firm/users/${id}/requirement`, { required: true });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.requirement.status).toBe('required');
    held.release();
    const signedIn = await signingIn;
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.stage).toBe('two_factor_setup'); // the requirement as it is now applies

    const after = await admin.get(`/firm/users/${id}`);
    expect(after.body.requirement.status).toBe('required');
    expect(after.body.version).toBe(put.body.version); // lastSignInAt does not bump; nothing went back
    expect(after.headers.get('etag')).toBe(put.headers.get('etag'));
    expect(stored(h, demo.plain)).toMatchObject({ required: true, version: put.body.version });
    // a client still holding the old version is refused
    const stale = await admin.put(
      `/firm/users/${id}/requirement`,
      { required: false },
      { 'if-match': `"${before.body.version}"` },
    );
    expect(outcome(stale)).toBe('412 version_conflict');

    // (b) the user activates 2FA in tab A while tab B's password is being checked
    const tabA = await h.signIn(demo.plain2);
    const setup = await tabA.post('/me/two-factor/setup', {});
    expect(setup.status).toBe(200);
    const heldB = probe.hold.arm();
    const tabB = h.agent().post('/session', { email: demo.plain2, password: DEMO_PASSWORD });
    await heldB.entered;
    const activated = await tabA.post('/me/two-factor/activate', {
      code: await totpCodeAt(setup.body.secret, h.clock.now()),
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect(activated.body.backupCodes).toHaveLength(10);
    const enabled = stored(h, demo.plain2);
    heldB.release();
    const b = await tabB;
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body.stage).toBe('two_factor'); // 2FA is on now, so tab B needs a code

    const final = stored(h, demo.plain2);
    expect(final.totpSecret).not.toBeNull();
    expect(final.totpSecret).toBe(enabled.totpSecret);
    expect(final.backupCodes).toEqual(enabled.backupCodes);
    expect(final.backupCodes.filter((c) => c.usedAt === null)).toHaveLength(10);
    expect(final.version).toBe(enabled.version);
    // the codes just handed out still work
    const tabC = await passwordOnly(h, demo.plain2);
    const viaBackup = await tabC.post('/session/two-factor', { backupCode: activated.body.backupCodes[0] });
    expect(outcome(viaBackup)).toBe('200');
  });

  it('#2 parallel attempts cannot outrun the throttles (10 passwords, 5 codes per window)', async () => {
    const passwords = instrumentedPasswords();
    const box = instrumentedSecretBox();
    const h = await createHarness({ passwords: passwords.passwords, secretBox: box.secretBox });

    // 40 wrong passwords for one email at once; each check is slow, so all are in flight together
    passwords.slowDown(20);
    const checksBefore = passwords.checkedAgainst.length;
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => h.agent().post('/session', { email: demo.plain, password: `wrong-${i}` })),
    );
    const checked = passwords.checkedAgainst.length - checksBefore;
    expect(tally(guesses)).toEqual({ '401 invalid_credentials': 10, '429 rate_limited': 30 });
    expect(checked).toBe(10);
    for (const res of guesses.filter((r) => r.status === 429)) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(outcome(await h.agent().post('/session', { email: demo.plain, password: DEMO_PASSWORD }))).toBe(
      '429 rate_limited',
    );
    passwords.slowDown(0);

    // 30 wrong step-up codes at once
    const admin = await h.signIn(demo.adminWith2fa);
    expect(codeFailures(h, demo.adminWith2fa)).toBe(0);
    box.slowDown(20);
    const opensBefore = box.counts.opens;
    const eventsBefore = eventsOf(h, demo.adminWith2fa).length;
    const codes = await wrongCodes(seedSecretOf(demo.adminWith2fa), h.clock.now(), 30);
    const attempts = await Promise.all(codes.map((code) => admin.post('/session/step-up', { code })));
    expect(tally(attempts)).toEqual({ '422 invalid_code': 5, '429 rate_limited': 25 });
    expect(box.counts.opens - opensBefore).toBe(5); // only five codes were ever checked
    const failedEvents = eventsOf(h, demo.adminWith2fa)
      .slice(0, eventsOf(h, demo.adminWith2fa).length - eventsBefore)
      .filter((e) => e.action === 'two_factor.code_failed');
    expect(failedEvents).toHaveLength(5);
    expect(codeFailures(h, demo.adminWith2fa)).toBe(5);
    // even the right code is refused now
    const right = await admin.post('/session/step-up', { code: await h.codeFor(demo.adminWith2fa) });
    expect(outcome(right)).toBe('429 rate_limited');
  });

  it('#3 an administrator disable ends a session whose code check is in flight (sign-in and step-up)', async () => {
    const box = instrumentedSecretBox();
    const h = await createHarness({ secretBox: box.secretBox });
    const admin = await h.signIn(demo.adminWith2fa);

    // (a) the second step of sign-in
    const victim = await passwordOnly(h, demo.userWith2fa);
    const pendingCookie = victim.cookie;
    const code = await h.codeFor(demo.userWith2fa);
    const held = box.hold.arm();
    const verifying = victim.post('/session/two-factor', { code });
    await held.entered;
    const disabled = await admin.post(`/firm/users/${h.ids[demo.userWith2fa]}/two-factor/disable`, { confirm: true });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(disabled.body.twoFactor.status).toBe('not_enabled');
    const eventsAtDisable = eventsOf(h, demo.userWith2fa).length;
    held.release();
    const verified = await verifying;
    expect(verified.status, JSON.stringify(verified.body)).toBeGreaterThanOrEqual(400);
    expect(verified.status).toBeLessThan(500);
    for (const cookie of new Set([pendingCookie, victim.cookie])) {
      expect(outcome(await withCookie(h, cookie).get('/me'))).toBe('401 unauthenticated');
    }
    expect(h.store.deleteUserSessions(h.ids[demo.userWith2fa] as string)).toBe(0); // no session of theirs is left
    const after = stored(h, demo.userWith2fa);
    expect(after).toMatchObject({ totpSecret: null, totpLastStep: null, backupCodes: [] });
    const since = eventsOf(h, demo.userWith2fa).slice(0, eventsOf(h, demo.userWith2fa).length - eventsAtDisable);
    expect(since.map((e) => e.action)).not.toContain('session.signed_in');

    // (b) a step-up of a complete session
    const other = await h.signIn(demo.otherUserWith2fa);
    const otherCookie = other.cookie;
    const stepCode = await h.codeFor(demo.otherUserWith2fa);
    const heldStep = box.hold.arm();
    const steppingUp = other.post('/session/step-up', { code: stepCode });
    await heldStep.entered;
    const disabledOther = await admin.post(`/firm/users/${h.ids[demo.otherUserWith2fa]}/two-factor/disable`, {
      confirm: true,
    });
    expect(disabledOther.status, JSON.stringify(disabledOther.body)).toBe(200);
    const otherEventsAtDisable = eventsOf(h, demo.otherUserWith2fa).length;
    heldStep.release();
    const stepped = await steppingUp;
    expect(stepped.status, JSON.stringify(stepped.body)).toBeGreaterThanOrEqual(400);
    expect(stepped.status).toBeLessThan(500);
    expect(outcome(await withCookie(h, otherCookie).get('/me'))).toBe('401 unauthenticated');
    expect(stored(h, demo.otherUserWith2fa)).toMatchObject({ totpSecret: null, totpLastStep: null });
    const otherSince = eventsOf(h, demo.otherUserWith2fa).slice(
      0,
      eventsOf(h, demo.otherUserWith2fa).length - otherEventsAtDisable,
    );
    expect(otherSince.map((e) => e.action)).not.toContain('session.stepped_up');
  });

  it('#4 a pending two_factor session whose user turned 2FA off elsewhere gets 409 two_factor_not_enabled', async () => {
    const h = await createHarness();
    const tabA = await h.signIn(demo.userWith2fa);
    const regenerated = await tabA.post('/me/two-factor/backup-codes', { code: await h.codeFor(demo.userWith2fa) });
    expect(regenerated.status, JSON.stringify(regenerated.body)).toBe(200);
    const formerBackupCode: string = regenerated.body.backupCodes[0];
    const tabB = await passwordOnly(h, demo.userWith2fa);
    const tabC = await passwordOnly(h, demo.userWith2fa);
    expect((await tabB.get('/me')).body.session.stage).toBe('two_factor');

    const off = await tabA.post('/me/two-factor/disable', { code: await h.codeFor(demo.userWith2fa) });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(stored(h, demo.userWith2fa).totpSecret).toBeNull();

    const withCode = await tabB.post('/session/two-factor', { code: await h.codeFor(demo.userWith2fa) });
    expect(outcome(withCode)).toBe('409 two_factor_not_enabled');
    expect(withCode.headers.get('content-type')).toContain('application/problem+json');
    const withBackup = await tabC.post('/session/two-factor', { backupCode: formerBackupCode });
    expect(outcome(withBackup)).toBe('409 two_factor_not_enabled');
    // a state conflict, not a wrong code: the user is not charged a throttle failure
    expect(codeFailures(h, demo.userWith2fa)).toBe(0);
  });

  it('#8 parallel step-ups with one code: one succeeds, each replay is audited and throttled', async () => {
    const box = instrumentedSecretBox();
    const h = await createHarness({ secretBox: box.secretBox });
    const admin = await h.signIn(demo.adminWith2fa);
    expect(codeFailures(h, demo.adminWith2fa)).toBe(0);
    const eventsBefore = eventsOf(h, demo.adminWith2fa).length;
    const code = await h.codeFor(demo.adminWith2fa);

    box.barrier.arm(3); // all three have passed the code check before any of them writes
    const results = await Promise.all([1, 2, 3].map(() => admin.post('/session/step-up', { code })));
    expect(results.map(outcome).sort()).toEqual(['204', '422 code_already_used', '422 code_already_used']);

    const events = eventsOf(h, demo.adminWith2fa).slice(0, eventsOf(h, demo.adminWith2fa).length - eventsBefore);
    expect(events.filter((e) => e.action === 'session.stepped_up')).toHaveLength(1);
    const failed = events.filter((e) => e.action === 'two_factor.code_failed');
    expect(failed).toHaveLength(2);
    for (const event of failed)
      expect(event.details).toMatchObject({ context: 'step_up', reason: 'code_already_used' });
    expect(codeFailures(h, demo.adminWith2fa)).toBe(2);
  });

  it('#9 activation from a setup-stage session rotates the cookie and keeps the CSRF token', async () => {
    const h = await createHarness();
    const agent = h.agent();
    const started = await agent.post('/session', { email: demo.required, password: DEMO_PASSWORD });
    expect(started.body.stage).toBe('two_factor_setup');
    const oldCookie = agent.cookie;
    const csrf = started.body.csrfToken as string;

    const setup = await agent.post('/me/two-factor/setup', {});
    expect(setup.status).toBe(200);
    const activated = await agent.post('/me/two-factor/activate', {
      code: await totpCodeAt(setup.body.secret, h.clock.now()),
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect(activated.headers.get('set-cookie')).toMatch(/firm_session=[^;]+;/);
    expect(agent.cookie).toBeDefined();
    expect(agent.cookie).not.toBe(oldCookie);

    expect(outcome(await withCookie(h, oldCookie).get('/me'))).toBe('401 unauthenticated');
    const me = await agent.get('/me');
    expect(me.status).toBe(200);
    expect(me.body.session).toMatchObject({ stage: 'complete', csrfToken: csrf });
    expect(me.body.session.verifiedAt).not.toBeNull();
    // the CSRF token the client already holds still works on the new cookie
    expect(agent.csrf).toBe(csrf);
    expect(outcome(await agent.request('DELETE', '/session'))).toBe('204');
  });

  it('#11 backup codes are stored as an HMAC keyed from the secret key, not a plain SHA-256', async () => {
    const h = await createHarness();
    const agent = await h.signIn(demo.userWith2fa);
    const res = await agent.post('/me/two-factor/backup-codes', { code: await h.codeFor(demo.userWith2fa) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const codes: string[] = res.body.backupCodes;
    const hashes = stored(h, demo.userWith2fa).backupCodes.map((c) => c.hash);
    expect(hashes).toHaveLength(codes.length);

    const otherBox = createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
    for (const [i, code] of codes.entries()) {
      const normalized = normalizeBackupCode(code);
      expect(hashes[i]).toBe(await h.server.context.secretBox.mac(`backup-code:${normalized}`));
      for (const text of [normalized, code, `firm-security:backup:${normalized}`, `backup-code:${normalized}`]) {
        expect(hashes).not.toContain(sha256Hex(text));
        expect(hashes).not.toContain(sha256Base64(text));
      }
      // another secret key gives another hash for the same code
      expect(await otherBox.mac(`backup-code:${normalized}`)).not.toBe(hashes[i]);
    }

    // and the stored form is what sign-in checks against (typed in lower case, without the dash)
    const pending = await passwordOnly(h, demo.userWith2fa);
    const typed = (codes[3] as string).replace('-', '').toLowerCase();
    expect(outcome(await pending.post('/session/two-factor', { backupCode: typed }))).toBe('200');
  });

  it('#13 each app hashes its own decoy, and a failed decoy hash is retried', async () => {
    const instrument = (logN: number) => {
      const inner = createPasswordHasher(nobleScrypt, { logN, r: 8, p: 1 });
      const state = { failNextHash: false, hashes: 0, checkedAgainst: [] as string[] };
      const passwords: PasswordHasher = {
        async hash(password) {
          state.hashes++;
          if (state.failNextHash) {
            state.failNextHash = false;
            throw new Error('scrypt failed (test)');
          }
          return inner.hash(password);
        },
        verify(password, storedHash) {
          state.checkedAgainst.push(storedHash);
          return inner.verify(password, storedHash);
        },
      };
      return { passwords, state };
    };
    const a = instrument(4);
    const b = instrument(5);
    const appA = await createHarness({ passwords: a.passwords });
    const appB = await createHarness({ passwords: b.passwords });
    const unknown = { email: 'nobody@elsewhere.test', password: 'whatever-it-is' };

    expect(outcome(await appA.agent().post('/session', unknown))).toBe('401 invalid_credentials');
    expect(a.state.checkedAgainst.at(-1)).toMatch(/^scrypt\$4\$/);

    // app B's decoy hashing fails once: at worst that one request fails, then B hashes its own decoy
    b.state.failNextHash = true;
    const hashesBefore = b.state.hashes;
    const first = await appB.agent().post('/session', unknown);
    expect(b.state.hashes).toBeGreaterThan(hashesBefore); // B did not reuse A's decoy
    expect(['401 invalid_credentials', '500 internal_error']).toContain(outcome(first));
    const second = await appB.agent().post('/session', unknown);
    expect(outcome(second)).toBe('401 invalid_credentials');
    expect(b.state.checkedAgainst.at(-1)).toMatch(/^scrypt\$5\$/); // B's cost, like B's real users
    expect(outcome(await appB.agent().post('/session', unknown))).toBe('401 invalid_credentials');

    // app A is unaffected by B's failure and still uses its own decoy
    expect(outcome(await appA.agent().post('/session', unknown))).toBe('401 invalid_credentials');
    expect(a.state.checkedAgainst.at(-1)).toMatch(/^scrypt\$4\$/);
  });

  it('#17 a deactivated user’s failed sign-in is audited in the firm log and answered like an unknown email', async () => {
    const h = await createHarness();
    const id = h.ids[demo.deactivated] as string;
    const rightPassword = await h.agent().post('/session', { email: demo.deactivated, password: DEMO_PASSWORD });
    const wrongPassword = await h.agent().post('/session', { email: demo.deactivated, password: 'not-it-at-all' });
    const unknown = await h.agent().post('/session', { email: 'nobody@hartwell-reyes.test', password: DEMO_PASSWORD });

    expect(outcome(unknown)).toBe('401 invalid_credentials');
    for (const res of [rightPassword, wrongPassword]) {
      expect(res.status).toBe(unknown.status);
      expect(res.body).toEqual(unknown.body);
      expect(res.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(unknown.headers.get('set-cookie')).toBeNull();
    }

    const admin = await h.signIn(demo.adminWith2fa);
    const log = await admin.get(`/firm/events?targetId=${encodeURIComponent(id)}&limit=50`);
    expect(log.status).toBe(200);
    const failed = log.body.items.filter((e: { action: string }) => e.action === 'session.sign_in_failed');
    expect(failed).toHaveLength(2);
    for (const event of failed) {
      expect(event).toMatchObject({ target: { id }, details: { reason: 'deactivated' } });
    }
  });
});
