// The HTTP contract of CONTRACT.md, checked against the reference server over real HTTP on loopback.
// Each describe block starts its own server (SQLite in a temp directory, demo firm, movable clock), so
// blocks never see each other's state. Every response of every test is also checked by helpers.ts: security
// headers, success status and zod schema (and ETag), problem+json shape, and that the operation's OpenAPI
// responses document the problem's code with its status. The last block checks that the
// suite saw every endpoint succeed and every problem code of the table, with each of its statuses.

import {
  BackupCodesSchema,
  EventPageSchema,
  FirmUserSchema,
  type Operation,
  operations,
  problemCatalog,
  SessionCompletedSchema,
  SessionStartedSchema,
  TwoFactorSetupSchema,
  UserPageSchema,
  ViewerSchema,
} from '@firm-security/contract';
import { seedFirm, totpCodeAt } from '@firm-security/server';
import { describe, expect, it } from 'vitest';
import {
  type Agent,
  coverage,
  DEMO_PASSWORD,
  demo,
  documents,
  type Env,
  expectOk,
  expectProblem,
  HOUR,
  ifMatch,
  iso,
  MINUTE,
  retryAfterOf,
  seedSecretOf,
  type TestResponse,
  useServer,
  waitFor,
  wrongCodeFor,
} from './helpers.js';

const lucas = 'lucas.moreau@hartwell-reyes.test';
const chloe = 'chloe.dubois@hartwell-reyes.test';
const ghost = 'nobody@hartwell-reyes.test';

/** The demo firm's active users, in the default order (name). */
const NAMES = [
  'Amara Nwosu',
  'Chloé Dubois',
  'Daniel Okafor',
  'Ethan Brooks',
  'Grace Kim',
  'Hana Sato',
  'Liam Chen',
  'Lucas Moreau',
  'Morgan Hartwell',
  'Oliver Bennett',
  'Priya Natarajan',
  'Sofia Alvarez',
];
const ENABLED = ['Liam Chen', 'Morgan Hartwell', 'Priya Natarajan', 'Sofia Alvarez'];
const NOT_ENABLED = [
  'Amara Nwosu',
  'Chloé Dubois',
  'Daniel Okafor',
  'Ethan Brooks',
  'Hana Sato',
  'Lucas Moreau',
  'Oliver Bennett',
];
const INITIAL_SUMMARY = { total: 12, enabled: 4, invited: 1, notEnabled: 7, required: 1, notAvailable: 1 };

const ops = operations as readonly Operation[];

/** A body that passes the schema of each operation, so only the condition under test can fail. */
const validBody: Record<string, unknown> = {
  signIn: { email: demo.plain, password: DEMO_PASSWORD },
  verifySignIn: { code: '123456' },
  stepUp: { code: '123456' },
  setUpTwoFactor: {},
  activateTwoFactor: { code: '123456' },
  regenerateBackupCodes: { code: '123456' },
  disableOwnTwoFactor: { code: '123456' },
  inviteUser: {},
  remindUser: {},
  setRequirement: { required: true },
  disableUserTwoFactor: { confirm: true },
};

/** Calls an operation of the table on a real user id, with a valid body. */
const call = (
  agent: Agent,
  op: Operation,
  userId: string,
  options: { csrf?: boolean; headers?: Record<string, string> } = {},
) =>
  agent.request(op.method.toUpperCase(), op.path.replace('{id}', userId), {
    ...options,
    ...(op.operationId in validBody ? { body: validBody[op.operationId] } : {}),
  });

const names = (page: { items: { name: string }[] }) => page.items.map((u) => u.name);

/** Signs in with the password only; the session stays in its first stage. */
const startSession = async (env: Env, email: string, password = DEMO_PASSWORD) => {
  const agent = env.agent();
  const started = await agent.post('/session', { email, password });
  return { agent, started };
};

/** Every page of a list, following nextCursor. */
const allPages = async (agent: Agent, path: string) => {
  const pages: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: TestResponse = await agent.get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    pages.push(expectOk(page));
    cursor = page.body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
};

const events = async (agent: Agent, query = '') =>
  EventPageSchema.parse(expectOk(await agent.get(`/firm/events${query}`)));

// ---------------------------------------------------------------------------------------------------

describe('sign-in and sessions', () => {
  const env = useServer();

  it('POST /session without 2FA: complete stage, HttpOnly SameSite=Lax cookie, no CSRF token needed', async () => {
    const { agent, started } = await startSession(env, demo.plain);
    const body = SessionStartedSchema.parse(expectOk(started));
    expect(body.stage).toBe('complete');
    const cookie = started.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^firm_session=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const viewer = ViewerSchema.parse(expectOk(await agent.get('/me')));
    expect(viewer.user.email).toBe(demo.plain);
    expect(viewer.session).toEqual({ stage: 'complete', csrfToken: body.csrfToken, verifiedAt: null });
    expect(viewer.permissions.viewFirmSecurity).toEqual({ allowed: false, reason: 'forbidden' });
  });

  it('POST /session for a 2FA user starts stage two_factor; the code completes it and rotates cookie and token', async () => {
    const { agent, started } = await startSession(env, demo.userWith2fa);
    expect(SessionStartedSchema.parse(expectOk(started)).stage).toBe('two_factor');
    const pendingCookie = agent.cookie;
    const pendingViewer = ViewerSchema.parse(expectOk(await agent.get('/me')));
    expect(pendingViewer.session.stage).toBe('two_factor');
    expect(pendingViewer.session.verifiedAt).toBeNull();

    const verified = await agent.post('/session/two-factor', { code: await env.codeFor(demo.userWith2fa) });
    const completed = SessionCompletedSchema.parse(expectOk(verified));
    expect(completed.csrfToken).not.toBe(started.body.csrfToken);
    expect(agent.cookie).toBeDefined();
    expect(agent.cookie).not.toBe(pendingCookie);
    const viewer = ViewerSchema.parse(expectOk(await agent.get('/me')));
    expect(viewer.session).toEqual({
      stage: 'complete',
      csrfToken: completed.csrfToken,
      verifiedAt: iso(env.clock.now()),
    });

    const stale = env.agent();
    stale.cookie = pendingCookie;
    expectProblem(await stale.get('/me'), 'unauthenticated');
  });

  it('POST /session for a required user without 2FA starts stage two_factor_setup', async () => {
    const { started } = await startSession(env, demo.required);
    expect(expectOk(started).stage).toBe('two_factor_setup');
  });

  it('POST /session always starts a new session and ends the one it was sent with', async () => {
    const agent = await env.signIn(demo.plain2);
    const first = agent.cookie;
    // Sent with the cookie but without the CSRF token: sign-in needs none.
    const again = await agent.request('POST', '/session', {
      body: { email: demo.plain2, password: DEMO_PASSWORD },
      csrf: false,
    });
    expectOk(again);
    expect(agent.cookie).not.toBe(first);
    expectOk(await agent.get('/me'));
    const old = env.agent();
    old.cookie = first;
    expectProblem(await old.get('/me'), 'unauthenticated');
  });

  it('invalid_credentials: identical for a wrong password, an unknown email and a deactivated user', async () => {
    const wrong = await startSession(env, demo.plain2, 'not-the-password');
    const unknown = await startSession(env, ghost, 'not-the-password');
    const deactivated = await startSession(env, demo.deactivated);
    const bodies = [wrong.started, unknown.started, deactivated.started].map((r) =>
      expectProblem(r, 'invalid_credentials'),
    );
    for (const body of bodies)
      expect({ title: body.title, detail: body.detail }).toEqual({
        title: bodies[0]?.title,
        detail: bodies[0]?.detail,
      });
    for (const r of [wrong, unknown, deactivated]) {
      expect(r.started.headers.get('set-cookie')).toBeNull();
      expect(r.agent.cookie).toBeUndefined();
    }
  });

  it('TOTP accepts the current step +/- 1 only (server time)', async () => {
    const secret = seedSecretOf(demo.primary);
    env.clock.advance(5 * MINUTE);
    const { agent } = await startSession(env, demo.primary);
    const now = env.clock.now();
    expectProblem(
      await agent.post('/session/two-factor', { code: await totpCodeAt(secret, now - 60_000) }),
      'invalid_code',
      401,
    );
    expectProblem(
      await agent.post('/session/two-factor', { code: await totpCodeAt(secret, now + 60_000) }),
      'invalid_code',
      401,
    );
    expectOk(await agent.post('/session/two-factor', { code: await totpCodeAt(secret, now - 30_000) }));
    const next = await startSession(env, demo.primary);
    expectOk(await next.agent.post('/session/two-factor', { code: await totpCodeAt(secret, now + 30_000) }));
    // The current step is inside the window but at or before the last accepted one.
    const third = await startSession(env, demo.primary);
    expectProblem(
      await third.agent.post('/session/two-factor', { code: await totpCodeAt(secret, now) }),
      'code_already_used',
      401,
    );
  });

  it('invalid_code at sign-in is 401 and the pending session survives it', async () => {
    const { agent } = await startSession(env, demo.otherUserWith2fa);
    const wrong = await wrongCodeFor(seedSecretOf(demo.otherUserWith2fa), env.clock.now());
    expectProblem(await agent.post('/session/two-factor', { code: wrong }), 'invalid_code', 401);
    expect(expectOk(await agent.get('/me')).session.stage).toBe('two_factor');
    expectOk(await agent.post('/session/two-factor', { code: await env.codeFor(demo.otherUserWith2fa) }));
  });

  it('code_already_used at sign-in is 401: a step already accepted for the user', async () => {
    const code = await env.codeFor(demo.otherUserWith2fa);
    const first = await startSession(env, demo.otherUserWith2fa);
    expectOk(await first.agent.post('/session/two-factor', { code }));
    const second = await startSession(env, demo.otherUserWith2fa);
    expectProblem(await second.agent.post('/session/two-factor', { code }), 'code_already_used', 401);
    expect(expectOk(await second.agent.get('/me')).session.stage).toBe('two_factor');
  });

  it('invalid_stage: POST /session/two-factor in a complete session', async () => {
    const agent = await env.signIn(demo.plain);
    expectProblem(await agent.post('/session/two-factor', { code: '123456' }), 'invalid_stage');
  });

  it('DELETE /session signs out (204, cookie cleared); the old cookie is then unauthenticated', async () => {
    const agent = await env.signIn(demo.plain);
    const cookie = agent.cookie;
    const out = await agent.request('DELETE', '/session');
    expectOk(out, 204);
    expect(out.body).toBe('');
    expect(out.headers.get('set-cookie')).toMatch(/firm_session=;.*Max-Age=0/i);
    const old = env.agent();
    old.cookie = cookie;
    expectProblem(await old.get('/me'), 'unauthenticated');
  });

  it('unauthenticated: every signed-in operation without a session, or with an unknown one', async () => {
    const target = env.id(demo.plain);
    for (const op of ops.filter((o) => o.access !== 'public')) {
      const anonymous = env.agent();
      expectProblem(await call(anonymous, op, target), 'unauthenticated');
      const forged = env.agent();
      forged.cookie = 'firm_session=forged-token';
      forged.csrf = 'forged-token';
      expectProblem(await call(forged, op, target), 'unauthenticated');
    }
  });

  it('csrf_failed: every state-changing signed-in operation without, or with a wrong, X-CSRF-Token', async () => {
    const agent = await env.signIn(demo.primary);
    const target = env.id(demo.plain);
    for (const op of ops.filter((o) => o.csrf)) {
      expectProblem(await call(agent, op, target, { csrf: false }), 'csrf_failed');
      expectProblem(await call(agent, op, target, { headers: { 'x-csrf-token': 'wrong' } }), 'csrf_failed');
    }
    // Still signed in (DELETE /session did nothing) and reads need no token.
    expectOk(await agent.request('GET', '/me', { csrf: false }));
    expectOk(await agent.request('GET', '/firm/users', { csrf: false }));
  });

  it('two_factor_pending: stage two_factor allows only its four calls', async () => {
    const { agent } = await startSession(env, demo.adminWith2fa);
    const allowed = new Set(['signIn', 'verifySignIn', 'getViewer', 'signOut']);
    for (const op of ops.filter((o) => !allowed.has(o.operationId))) {
      expectProblem(await call(agent, op, env.id(demo.plain)), 'two_factor_pending');
    }
    expectOk(await agent.get('/me'));
  });

  it('two_factor_setup_required: stage two_factor_setup allows only its five calls', async () => {
    const { agent } = await startSession(env, demo.required);
    const allowed = new Set(['signIn', 'getViewer', 'setUpTwoFactor', 'activateTwoFactor', 'signOut']);
    for (const op of ops.filter((o) => !allowed.has(o.operationId))) {
      expectProblem(await call(agent, op, env.id(demo.plain)), 'two_factor_setup_required');
    }
    expect(expectOk(await agent.get('/me')).session.stage).toBe('two_factor_setup');
  });

  it('two_factor_not_enabled: the code step of a sign-in whose user turned 2FA off meanwhile', async () => {
    const { agent: pending } = await startSession(env, demo.userWith2fa);
    const signedIn = await env.signIn(demo.userWith2fa);
    expectOk(await signedIn.post('/me/two-factor/disable', { code: await env.codeFor(demo.userWith2fa) }));
    const code = await env.codeFor(demo.userWith2fa);
    expectProblem(await pending.post('/session/two-factor', { code }), 'two_factor_not_enabled');
  });
});

describe('session lifetime', () => {
  const env = useServer();

  it('an idle session expires after 8 h', async () => {
    const agent = await env.signIn(demo.plain);
    env.clock.advance(8 * HOUR - MINUTE);
    expectOk(await agent.get('/me'));
    env.clock.advance(8 * HOUR + MINUTE);
    expectProblem(await agent.get('/me'), 'unauthenticated');
  });

  it('a session ends 12 h after it started, however active', async () => {
    const agent = await env.signIn(demo.plain2);
    for (let hours = 0; hours < 11; hours += 2) {
      env.clock.advance(2 * HOUR);
      expectOk(await agent.get('/me'));
    }
    env.clock.advance(HOUR + MINUTE);
    expectProblem(await agent.get('/me'), 'unauthenticated');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('throttling', () => {
  const env = useServer();

  it('10 failed passwords for one email: the next attempt is 429 until the oldest failure is 15 min old', async () => {
    const start = env.clock.now();
    for (let i = 0; i < 10; i++) {
      if (i) env.clock.advance(MINUTE);
      expectProblem((await startSession(env, lucas, 'wrong-password')).started, 'invalid_credentials');
    }
    // Even the right password is throttled now; the oldest failure leaves the window at start + 15 min.
    const limited = (await startSession(env, lucas)).started;
    expectProblem(limited, 'rate_limited');
    expect(retryAfterOf(limited)).toBe((start + 15 * MINUTE - env.clock.now()) / 1000);
    // Throttled attempts are not failures: after the oldest leaves the window, one attempt is free.
    for (let i = 0; i < 5; i++)
      expectProblem((await startSession(env, lucas, 'wrong-password')).started, 'rate_limited');
    env.clock.ms = start + 15 * MINUTE + 1000;
    const { agent, started } = await startSession(env, lucas);
    expectOk(started);
    expectOk(await agent.get('/me'));
    // Success reset the count: nine failures in the window would otherwise throttle the second wrong attempt.
    expectProblem((await startSession(env, lucas, 'wrong-password')).started, 'invalid_credentials');
    expectProblem((await startSession(env, lucas, 'wrong-password')).started, 'invalid_credentials');
  });

  it('an unknown email is throttled the same way', async () => {
    for (let i = 0; i < 10; i++)
      expectProblem((await startSession(env, ghost, 'guess')).started, 'invalid_credentials');
    const limited = (await startSession(env, ghost, 'guess')).started;
    expectProblem(limited, 'rate_limited');
    expect(retryAfterOf(limited)).toBe(15 * 60);
  });

  it('5 failed codes for one user: the next code is 429 (sign-in), throttled attempts are not counted', async () => {
    const secret = seedSecretOf(demo.otherUserWith2fa);
    const { agent } = await startSession(env, demo.otherUserWith2fa);
    const start = env.clock.now();
    for (let i = 0; i < 5; i++) {
      expectProblem(
        await agent.post('/session/two-factor', { code: await wrongCodeFor(secret, env.clock.now()) }),
        'invalid_code',
        401,
      );
    }
    const limited = await agent.post('/session/two-factor', { code: await totpCodeAt(secret, env.clock.now()) });
    expectProblem(limited, 'rate_limited');
    expect(retryAfterOf(limited)).toBe(15 * 60);
    for (let i = 0; i < 3; i++)
      expectProblem(await agent.post('/session/two-factor', { code: '000000' }), 'rate_limited');
    env.clock.ms = start + 15 * MINUTE + 1000;
    expectOk(await agent.post('/session/two-factor', { code: await totpCodeAt(secret, env.clock.now()) }));
  });

  it('the code throttle is per user across calls, and a success resets it', async () => {
    const secret = seedSecretOf(demo.userWith2fa);
    const { agent } = await startSession(env, demo.userWith2fa);
    for (let i = 0; i < 4; i++) {
      expectProblem(
        await agent.post('/session/two-factor', { code: await wrongCodeFor(secret, env.clock.now()) }),
        'invalid_code',
        401,
      );
    }
    expectOk(await agent.post('/session/two-factor', { code: await env.codeFor(demo.userWith2fa) }));
    // Four more failures after the reset, on step-up (422), and a fifth is still a plain invalid_code.
    for (let i = 0; i < 5; i++) {
      expectProblem(
        await agent.post('/session/step-up', { code: await wrongCodeFor(secret, env.clock.now()) }),
        'invalid_code',
        422,
      );
    }
    const limited = await agent.post('/session/step-up', { code: await env.codeFor(demo.userWith2fa) });
    expectProblem(limited, 'rate_limited');
    retryAfterOf(limited);
    // The session is still valid: only the code is throttled.
    expectOk(await agent.get('/me'));
  });
});

// ---------------------------------------------------------------------------------------------------

describe('self-service 2FA', () => {
  const env = useServer();

  it('setup then activate: a secret once, 10 backup codes, and the next sign-in asks for a code', async () => {
    const agent = await env.signIn(demo.plain);
    const setup = TwoFactorSetupSchema.parse(expectOk(await agent.post('/me/two-factor/setup')));
    expect(setup.secret).toMatch(/^[A-Z2-7]{32,}$/);
    expect(setup.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.otpauthUri).toContain(`secret=${setup.secret}`);

    const wrong = await wrongCodeFor(setup.secret, env.clock.now());
    expectProblem(await agent.post('/me/two-factor/activate', { code: wrong }), 'invalid_code', 422);
    expectOk(await agent.get('/me'));

    env.clock.advance(30_000);
    const activated = BackupCodesSchema.parse(
      expectOk(await agent.post('/me/two-factor/activate', { code: await totpCodeAt(setup.secret, env.clock.now()) })),
    );
    expect(new Set(activated.backupCodes).size).toBe(10);
    for (const code of activated.backupCodes) {
      expect(code.replace(/-/g, '').length).toBeGreaterThanOrEqual(10);
      expect(code).not.toMatch(/[01OIL]/);
    }
    const viewer = ViewerSchema.parse(expectOk(await agent.get('/me')));
    expect(viewer.user.twoFactor).toEqual({
      status: 'enabled',
      enabledAt: iso(env.clock.now()),
      backupCodesRemaining: 10,
    });
    expect(JSON.stringify(viewer)).not.toContain(setup.secret);

    expectProblem(await agent.post('/me/two-factor/setup'), 'two_factor_already_enabled');
    expectProblem(await agent.post('/me/two-factor/activate', { code: '123456' }), 'two_factor_already_enabled');
    const next = await startSession(env, demo.plain);
    expect(next.started.body.stage).toBe('two_factor');
    // A backup code signs in, once.
    const backup = (activated.backupCodes[0] as string).toLowerCase();
    expectOk(await next.agent.post('/session/two-factor', { backupCode: backup }));
    expect(expectOk(await next.agent.get('/me')).user.twoFactor.backupCodesRemaining).toBe(9);
    const again = await startSession(env, demo.plain);
    expectProblem(await again.agent.post('/session/two-factor', { backupCode: backup }), 'invalid_code', 401);
  });

  it('setup_not_started: activate before setup', async () => {
    const agent = await env.signIn(demo.plain2);
    expectProblem(await agent.post('/me/two-factor/activate', { code: '123456' }), 'setup_not_started');
  });

  it('a required user completes a two_factor_setup session by activating, and then cannot turn 2FA off', async () => {
    const { agent, started } = await startSession(env, demo.required);
    expect(started.body.stage).toBe('two_factor_setup');
    const setup = expectOk(await agent.post('/me/two-factor/setup', {}));
    env.clock.advance(30_000);
    expectOk(await agent.post('/me/two-factor/activate', { code: await totpCodeAt(setup.secret, env.clock.now()) }));
    const viewer = ViewerSchema.parse(expectOk(await agent.get('/me')));
    expect(viewer.session.stage).toBe('complete');
    expect(viewer.session.verifiedAt).toBe(iso(env.clock.now()));
    env.clock.advance(30_000);
    const code = await totpCodeAt(setup.secret, env.clock.now());
    expectProblem(await agent.post('/me/two-factor/disable', { code }), 'two_factor_required');
  });

  it('POST /me/two-factor/backup-codes replaces the set; wrong and replayed codes are 422', async () => {
    const agent = await env.signIn(demo.userWith2fa);
    const first = BackupCodesSchema.parse(
      expectOk(await agent.post('/me/two-factor/backup-codes', { code: await env.codeFor(demo.userWith2fa) })),
    );
    const usedCode = await env.codeFor(demo.userWith2fa);
    const second = BackupCodesSchema.parse(
      expectOk(await agent.post('/me/two-factor/backup-codes', { code: usedCode })),
    );
    expect(second.backupCodes.some((c) => first.backupCodes.includes(c))).toBe(false);
    expectProblem(await agent.post('/me/two-factor/backup-codes', { code: usedCode }), 'code_already_used', 422);
    const wrong = await wrongCodeFor(seedSecretOf(demo.userWith2fa), env.clock.now());
    expectProblem(await agent.post('/me/two-factor/backup-codes', { code: wrong }), 'invalid_code', 422);
    expectOk(await agent.get('/me'));

    const old = await startSession(env, demo.userWith2fa);
    expectProblem(
      await old.agent.post('/session/two-factor', { backupCode: first.backupCodes[0] }),
      'invalid_code',
      401,
    );
    expectOk(await old.agent.post('/session/two-factor', { backupCode: second.backupCodes[0] }));
  });

  it('POST /session/step-up: 204 and a new verifiedAt; wrong or replayed codes are 422 and the session stays', async () => {
    const agent = await env.signIn(demo.primary);
    env.clock.advance(10 * MINUTE);
    const code = await env.codeFor(demo.primary);
    const stepped = await agent.post('/session/step-up', { code });
    expectOk(stepped, 204);
    expect(stepped.body).toBe('');
    expect(expectOk(await agent.get('/me')).session.verifiedAt).toBe(iso(env.clock.now()));
    expectProblem(await agent.post('/session/step-up', { code }), 'code_already_used', 422);
    const wrong = await wrongCodeFor(seedSecretOf(demo.primary), env.clock.now());
    expectProblem(await agent.post('/session/step-up', { code: wrong }), 'invalid_code', 422);
    expect(expectOk(await agent.get('/me')).session.stage).toBe('complete');
  });

  it('POST /me/two-factor/disable turns one’s own 2FA off (Viewer); a wrong code is 422', async () => {
    const agent = await env.signIn(demo.otherUserWith2fa);
    const wrong = await wrongCodeFor(seedSecretOf(demo.otherUserWith2fa), env.clock.now());
    expectProblem(await agent.post('/me/two-factor/disable', { code: wrong }), 'invalid_code', 422);
    const viewer = ViewerSchema.parse(
      expectOk(await agent.post('/me/two-factor/disable', { code: await env.codeFor(demo.otherUserWith2fa) })),
    );
    expect(viewer.user.twoFactor).toEqual({ status: 'not_enabled', enabledAt: null, backupCodesRemaining: null });
    expect((await startSession(env, demo.otherUserWith2fa)).started.body.stage).toBe('complete');
  });

  it('two_factor_not_enabled: step-up, backup codes and self-disable while 2FA is off', async () => {
    const agent = await env.signIn(chloe);
    for (const path of ['/session/step-up', '/me/two-factor/backup-codes', '/me/two-factor/disable']) {
      expectProblem(await agent.post(path, { code: '123456' }), 'two_factor_not_enabled');
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('firm users: list and get', () => {
  const env = useServer();
  let admin: Agent;
  const other = {
    firm: { name: 'Quill & Partners' },
    users: [
      {
        name: 'Olga Quill',
        email: 'olga.quill@quill-partners.test',
        password: 'quill-partners-password',
        role: 'administrator' as const,
        isPrimarySubscriber: true,
        active: true,
        identityMigrated: true,
        required: false,
        twoFactor: { status: 'not_enabled' as const },
      },
    ],
  };

  it('GET /firm/users: active users by name, total and summary', async () => {
    admin = await env.signIn(demo.primary);
    const page = UserPageSchema.parse(expectOk(await admin.get('/firm/users')));
    expect(names(page)).toEqual(NAMES);
    expect(page.total).toBe(12);
    expect(page.nextCursor).toBeNull();
    expect(page.summary).toEqual(INITIAL_SUMMARY);
    expect(page.items.map((u) => u.email)).not.toContain(demo.deactivated);
    const grace = page.items.find((u) => u.email === demo.invited);
    expect(grace?.twoFactor.status).toBe('invited');
    expect(grace?.invitation).toEqual({
      sentAt: '2026-11-20T15:00:00.000Z',
      reminderCount: 2,
      lastReminderAt: '2026-11-25T15:00:00.000Z',
    });
    const hana = page.items.find((u) => u.email === demo.notMigrated);
    expect(hana?.requirement).toEqual({ status: 'not_available', reason: 'identity_not_migrated' });
    expect(hana?.allowedActions.setRequirement).toEqual({ allowed: false, reason: 'identity_not_migrated' });
  });

  it('filters by status, requirement and search (case-insensitive, name or email); summary ignores filters', async () => {
    const list = async (query: string) => UserPageSchema.parse(expectOk(await admin.get(`/firm/users?${query}`)));
    const cases: [string, string[]][] = [
      ['status=enabled', ENABLED],
      ['status=invited', ['Grace Kim']],
      ['status=not_enabled', NOT_ENABLED],
      ['requirement=required', ['Ethan Brooks']],
      ['requirement=not_available', ['Hana Sato']],
      ['requirement=not_required', NAMES.filter((n) => n !== 'Ethan Brooks' && n !== 'Hana Sato')],
      ['search=CH', ['Chloé Dubois', 'Liam Chen']],
      ['search=bennett%40', ['Oliver Bennett']],
      ['search=%C3%A9', ['Chloé Dubois']],
      ['search=HARTWELL-REYES', NAMES],
      ['search=victor', []],
      ['search=zzz', []],
      ['status=not_enabled&requirement=not_required&search=AN', ['Daniel Okafor']],
    ];
    for (const [query, expected] of cases) {
      const page = await list(query);
      expect({ query, names: names(page), total: page.total }).toEqual({
        query,
        names: expected,
        total: expected.length,
      });
      expect(page.summary).toEqual(INITIAL_SUMMARY);
    }
  });

  it('sorts by name, email and status, both ways (status: enabled, invited, not_enabled; ties by name)', async () => {
    const sorted = async (sort: string) => names(expectOk(await admin.get(`/firm/users?sort=${sort}`)));
    expect(await sorted('name')).toEqual(NAMES);
    expect(await sorted('-name')).toEqual([...NAMES].reverse());
    expect(await sorted('email')).toEqual(NAMES);
    expect(await sorted('-email')).toEqual([...NAMES].reverse());
    expect(await sorted('status')).toEqual([...ENABLED, 'Grace Kim', ...NOT_ENABLED]);
    expect(await sorted('-status')).toEqual([...NOT_ENABLED, 'Grace Kim', ...ENABLED]);
  });

  it('pages with limit and cursor, for any sort and filter', async () => {
    for (const [query, expected] of [
      ['limit=5', NAMES],
      ['limit=1&sort=-name', [...NAMES].reverse()],
      ['limit=3&sort=status', [...ENABLED, 'Grace Kim', ...NOT_ENABLED]],
      ['limit=2&sort=-email&status=not_enabled', [...NOT_ENABLED].reverse()],
    ] as [string, string[]][]) {
      const pages = await allPages(admin, `/firm/users?${query}`);
      const limit = Number(/limit=(\d+)/.exec(query)?.[1]);
      expect(pages.length).toBe(Math.ceil(expected.length / limit));
      for (const page of pages) {
        UserPageSchema.parse(page);
        expect(page.total).toBe(expected.length);
        expect(page.items.length).toBeLessThanOrEqual(limit);
      }
      expect(pages.flatMap(names)).toEqual(expected);
      expect(pages.at(-1).nextCursor).toBeNull();
    }
    expect(names(expectOk(await admin.get('/firm/users?limit=200')))).toEqual(NAMES);
  });

  it('validation_failed for a bad query, with the parameter name as path', async () => {
    const firstPage = expectOk(await admin.get('/firm/users?limit=2&sort=name'));
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['sort=age', 'sort'],
      ['status=on', 'status'],
      ['requirement=yes', 'requirement'],
      ['colour=blue', 'colour'],
      [`search=${'x'.repeat(201)}`, 'search'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${firstPage.nextCursor}&sort=email`, 'cursor'],
    ];
    for (const [query, path] of cases) {
      const body = expectProblem(await admin.get(`/firm/users?${query}`), 'validation_failed');
      expect({ query, paths: body.errors?.map((e) => e.path) }).toEqual({ query, paths: [path] });
      expect(body.errors?.[0]?.message.length).toBeGreaterThan(0);
    }
  });

  it('GET /firm/users/{id}: the FirmUser with a weak ETag of its version', async () => {
    const response = await admin.get(`/firm/users/${env.id(demo.userWith2fa)}`);
    const user = FirmUserSchema.parse(expectOk(response));
    expect(response.headers.get('etag')).toBe(`W/"${user.version}"`);
    expect(user).toMatchObject({
      email: demo.userWith2fa,
      name: 'Sofia Alvarez',
      role: 'user',
      isPrimarySubscriber: false,
      twoFactor: { status: 'enabled', backupCodesRemaining: 0 },
      invitation: null,
      requirement: { status: 'not_required', reason: null },
      allowedActions: {
        invite: { allowed: false, reason: 'already_enabled' },
        remind: { allowed: false, reason: 'not_invited' },
        setRequirement: { allowed: true },
        disableTwoFactor: { allowed: true },
      },
    });
    const self = FirmUserSchema.parse(expectOk(await admin.get(`/firm/users/${env.id(demo.primary)}`)));
    expect(self.isPrimarySubscriber).toBe(true);
    expect(self.allowedActions.disableTwoFactor).toEqual({ allowed: false, reason: 'self_action_not_allowed' });
    const head = await admin.request('HEAD', `/firm/users/${env.id(demo.primary)}`);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('lastSignInAt changes on sign-in without bumping the version', async () => {
    const path = `/firm/users/${env.id(demo.plain)}`;
    const before = expectOk(await admin.get(path));
    expect(before.lastSignInAt).toBeNull();
    env.clock.advance(MINUTE);
    await env.signIn(demo.plain);
    const after = await admin.get(path);
    expect(expectOk(after).lastSignInAt).toBe(iso(env.clock.now()));
    expect(after.body.version).toBe(before.version);
    expect(after.headers.get('etag')).toBe(`W/"${before.version}"`);
  });

  it('not_found: unknown id, deactivated user, another firm’s user (and the other firm sees only itself)', async () => {
    await seedFirm(env.running.server.context, other);
    const olgaId = env.id('olga.quill@quill-partners.test');
    for (const id of ['usr_does_not_exist', env.id(demo.deactivated), olgaId]) {
      expectProblem(await admin.get(`/firm/users/${id}`), 'not_found');
      expectProblem(await admin.post(`/firm/users/${id}/invitation`), 'not_found');
      expectProblem(await admin.post(`/firm/users/${id}/invitation/reminders`), 'not_found');
      expectProblem(await admin.put(`/firm/users/${id}/requirement`, { required: true }), 'not_found');
      expectProblem(await admin.post(`/firm/users/${id}/two-factor/disable`, { confirm: true }), 'not_found');
    }
    // The other firm sees only itself.
    const { agent: olga } = await startSession(env, 'olga.quill@quill-partners.test', 'quill-partners-password');
    const page = UserPageSchema.parse(expectOk(await olga.get('/firm/users')));
    expect(names(page)).toEqual(['Olga Quill']);
    expect(page.summary.total).toBe(1);
    expectProblem(await olga.get(`/firm/users/${env.id(demo.primary)}`), 'not_found');
    const log = EventPageSchema.parse(expectOk(await olga.get('/firm/events?limit=200')));
    expect(log.items.map((e) => e.action)).toEqual(['session.signed_in']);
    expect(log.items[0]?.target?.id).toBe(olgaId);
  });

  it('forbidden: firm endpoints for a viewer who is neither an administrator nor the primary subscriber', async () => {
    const sofia = await env.signIn(demo.userWith2fa);
    const target = env.id(demo.plain2);
    for (const op of ops.filter((o) => o.access === 'firm')) expectProblem(await call(sofia, op, target), 'forbidden');
    const viewer = ViewerSchema.parse(expectOk(await sofia.get('/me')));
    expect(viewer.permissions).toEqual({
      viewFirmSecurity: { allowed: false, reason: 'forbidden' },
      disableTwoFactor: { allowed: false, reason: 'forbidden' },
    });
  });

  it('an administrator without 2FA may view the firm but not disable anyone’s 2FA', async () => {
    const daniel = await env.signIn(demo.adminWithout2fa);
    expectOk(await daniel.get('/firm/users'));
    const viewer = ViewerSchema.parse(expectOk(await daniel.get('/me')));
    expect(viewer.permissions).toEqual({
      viewFirmSecurity: { allowed: true },
      disableTwoFactor: { allowed: false, reason: 'viewer_two_factor_required' },
    });
    const liam = FirmUserSchema.parse(expectOk(await daniel.get(`/firm/users/${env.id(demo.otherUserWith2fa)}`)));
    expect(liam.allowedActions.disableTwoFactor).toEqual({ allowed: false, reason: 'viewer_two_factor_required' });
  });
});

// ---------------------------------------------------------------------------------------------------

describe('firm actions: invite, remind, requirement', () => {
  const env = useServer();
  let admin: Agent;

  const mailTo = (email: string, kind: string) => env.mail().filter((m) => m.to === email && m.kind === kind);

  it('POST /firm/users/{id}/invitation invites, emails and audits', async () => {
    admin = await env.signIn(demo.primary);
    const id = env.id(demo.plain);
    const before = expectOk(await admin.get(`/firm/users/${id}`));
    expect(before.allowedActions.invite).toEqual({ allowed: true });
    const response = await admin.post(`/firm/users/${id}/invitation`);
    const user = FirmUserSchema.parse(expectOk(response));
    const now = env.clock.now();
    expect(user.twoFactor.status).toBe('invited');
    expect(user.invitation).toEqual({ sentAt: iso(now), reminderCount: 0, lastReminderAt: null });
    expect(user.version).toBe(before.version + 1);
    expect(response.headers.get('etag')).toBe(`W/"${user.version}"`);
    expect(user.allowedActions.invite).toEqual({ allowed: false, reason: 'already_invited' });
    expect(user.allowedActions.remind).toEqual({
      allowed: false,
      reason: 'reminder_too_soon',
      retryAt: iso(now + HOUR),
    });
    expect(mailTo(demo.plain, 'invitation')).toHaveLength(1);
    const log = await events(admin, `?targetId=${id}`);
    expect(log.items[0]).toMatchObject({
      action: 'two_factor.invited',
      actor: { id: env.id(demo.primary), name: 'Morgan Hartwell' },
      target: { id, name: 'Oliver Bennett' },
    });
  });

  it('already_invited and already_enabled', async () => {
    expectProblem(await admin.post(`/firm/users/${env.id(demo.invited)}/invitation`), 'already_invited');
    expectProblem(await admin.post(`/firm/users/${env.id(demo.userWith2fa)}/invitation`, {}), 'already_enabled');
    expect(mailTo(demo.invited, 'invitation')).toHaveLength(0);
  });

  it('POST .../invitation/reminders reminds and counts; reminder_too_soon inside the cooldown; not_invited', async () => {
    const id = env.id(demo.invited);
    const reminded = FirmUserSchema.parse(expectOk(await admin.post(`/firm/users/${id}/invitation/reminders`)));
    const at = env.clock.now();
    expect(reminded.invitation).toEqual({
      sentAt: '2026-11-20T15:00:00.000Z',
      reminderCount: 3,
      lastReminderAt: iso(at),
    });
    expect(reminded.allowedActions.remind).toEqual({
      allowed: false,
      reason: 'reminder_too_soon',
      retryAt: iso(at + HOUR),
    });
    expect(mailTo(demo.invited, 'reminder')).toHaveLength(1);
    expect((await events(admin, `?targetId=${id}`)).items[0]).toMatchObject({
      action: 'two_factor.reminder_sent',
      details: { reminderCount: 3 },
    });

    env.clock.advance(20 * MINUTE);
    const tooSoon = await admin.post(`/firm/users/${id}/invitation/reminders`);
    expectProblem(tooSoon, 'reminder_too_soon');
    expect(retryAfterOf(tooSoon)).toBe(40 * 60);
    expect(mailTo(demo.invited, 'reminder')).toHaveLength(1);
    const shown = expectOk(await admin.get(`/firm/users/${id}`));
    expect(shown.allowedActions.remind).toEqual({
      allowed: false,
      reason: 'reminder_too_soon',
      retryAt: iso(at + HOUR),
    });
    expect(shown.invitation.reminderCount).toBe(3);

    env.clock.advance(40 * MINUTE);
    expect(expectOk(await admin.get(`/firm/users/${id}`)).allowedActions.remind).toEqual({ allowed: true });
    expect(expectOk(await admin.post(`/firm/users/${id}/invitation/reminders`)).invitation.reminderCount).toBe(4);

    expectProblem(await admin.post(`/firm/users/${env.id(demo.plain2)}/invitation/reminders`), 'not_invited');
    expectProblem(await admin.post(`/firm/users/${env.id(demo.userWith2fa)}/invitation/reminders`), 'not_invited');
  });

  it('the reminder cooldown also counts from invitation.sentAt', async () => {
    admin = await env.signIn(demo.primary);
    const id = env.id(chloe);
    const invited = expectOk(await admin.post(`/firm/users/${id}/invitation`));
    const sentAt = Date.parse(invited.invitation.sentAt);
    env.clock.advance(10 * MINUTE);
    const tooSoon = await admin.post(`/firm/users/${id}/invitation/reminders`);
    expectProblem(tooSoon, 'reminder_too_soon');
    expect(retryAfterOf(tooSoon)).toBe((sentAt + HOUR - env.clock.now()) / 1000);
  });

  it('PUT /firm/users/{id}/requirement sets and clears the requirement; the same value changes nothing', async () => {
    const id = env.id(demo.plain2);
    const before = expectOk(await admin.get(`/firm/users/${id}`));
    const response = await admin.put(`/firm/users/${id}/requirement`, { required: true });
    const required = FirmUserSchema.parse(expectOk(response));
    expect(required.requirement).toEqual({ status: 'required', reason: null });
    expect(required.version).toBe(before.version + 1);
    expect(response.headers.get('etag')).toBe(`W/"${required.version}"`);
    expect((await events(admin, `?targetId=${id}`)).items[0]).toMatchObject({
      action: 'two_factor.requirement_changed',
      details: { required: true },
    });
    const same = FirmUserSchema.parse(expectOk(await admin.put(`/firm/users/${id}/requirement`, { required: true })));
    expect(same.version).toBe(required.version);
    const summary = expectOk(await admin.get('/firm/users?limit=1')).summary;
    expect(summary.required).toBe(2);
    // The requirement takes effect at the next sign-in.
    expect((await startSession(env, demo.plain2)).started.body.stage).toBe('two_factor_setup');
    const cleared = FirmUserSchema.parse(
      expectOk(await admin.put(`/firm/users/${id}/requirement`, { required: false })),
    );
    expect(cleared.requirement.status).toBe('not_required');
    expect(cleared.version).toBe(required.version + 1);
  });

  it('identity_not_migrated: requirement change for a user not yet migrated', async () => {
    expectProblem(
      await admin.put(`/firm/users/${env.id(demo.notMigrated)}/requirement`, { required: true }),
      'identity_not_migrated',
    );
  });

  it('validation_failed on the requirement body, with JSON Pointer paths', async () => {
    const path = `/firm/users/${env.id(demo.plain2)}/requirement`;
    for (const [body, pointer] of [
      [{ required: 'yes' }, '/required'],
      [{}, '/required'],
      [{ required: null }, '/required'],
    ] as [unknown, string][]) {
      const problem = expectProblem(await admin.put(path, body), 'validation_failed');
      expect(problem.errors?.map((e) => e.path)).toEqual([pointer]);
    }
    const unknownKey = expectProblem(await admin.put(path, { required: true, because: 'x' }), 'validation_failed');
    expect(unknownKey.errors?.length).toBe(1);
    expect(unknownKey.errors?.[0]).toEqual({ path: '/because', message: 'is not a field of this request' });
  });

  it('version_conflict: If-Match "N" or W/"N" that is not the current version; the matching one succeeds', async () => {
    const id = env.id(lucas);
    const path = `/firm/users/${id}/requirement`;
    const current = expectOk(await admin.get(`/firm/users/${id}`)).version as number;
    for (const weak of [false, true]) {
      const conflict = await admin.put(path, { required: true }, ifMatch(current + 1, weak));
      expectProblem(conflict, 'version_conflict');
      expect(conflict.headers.get('etag')).toBe(`W/"${current}"`);
    }
    expect(expectOk(await admin.get(`/firm/users/${id}`)).requirement.status).toBe('not_required');
    const strong = expectOk(await admin.put(path, { required: true }, ifMatch(current)));
    expect(strong.version).toBe(current + 1);
    const weak = expectOk(await admin.put(path, { required: false }, ifMatch(current + 1, true)));
    expect(weak.version).toBe(current + 2);
    expect(expectOk(await admin.put(path, { required: true }, { 'if-match': '*' })).version).toBe(current + 3);
    for (const bad of ['3', '"abc"', 'W/3', '"1", "2"']) {
      const problem = expectProblem(
        await admin.put(path, { required: true }, { 'if-match': bad }),
        'validation_failed',
      );
      expect(problem.errors?.map((e) => e.path)).toEqual(['If-Match']);
    }
    // Every mutating firm endpoint checks it.
    const stale = ifMatch(1);
    expectProblem(
      await admin.post(`/firm/users/${env.id(demo.invited)}/invitation/reminders`, {}, ifMatch(99)),
      'version_conflict',
    );
    expectProblem(
      await admin.post(`/firm/users/${env.id(demo.plain2)}/invitation`, {}, ifMatch(99)),
      'version_conflict',
    );
    expectProblem(await admin.put(path, { required: true }, stale), 'version_conflict');
    expectProblem(
      await admin.post(
        `/firm/users/${env.id(demo.otherUserWith2fa)}/two-factor/disable`,
        { confirm: true },
        ifMatch(99),
      ),
      'version_conflict',
    );
    expect(expectOk(await admin.get(`/firm/users/${env.id(demo.otherUserWith2fa)}`)).twoFactor.status).toBe('enabled');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('firm actions: disable a user’s 2FA', () => {
  const env = useServer();

  it('the version bumps when a visible field changes (backup codes), not on a TOTP sign-in', async () => {
    const morgan = await env.signIn(demo.primary);
    const path = `/firm/users/${env.id(demo.otherUserWith2fa)}`;
    const v1 = expectOk(await morgan.get(path)).version as number;
    const liam = await env.signIn(demo.otherUserWith2fa);
    expect(expectOk(await morgan.get(path)).version).toBe(v1);
    const codes = expectOk(
      await liam.post('/me/two-factor/backup-codes', { code: await env.codeFor(demo.otherUserWith2fa) }),
    ).backupCodes;
    expect(expectOk(await morgan.get(path))).toMatchObject({
      version: v1 + 1,
      twoFactor: { backupCodesRemaining: 10 },
    });
    const { agent } = await startSession(env, demo.otherUserWith2fa);
    expectOk(await agent.post('/session/two-factor', { backupCode: codes[3] }));
    expect(expectOk(await morgan.get(path))).toMatchObject({ version: v1 + 2, twoFactor: { backupCodesRemaining: 9 } });
    const log = await events(morgan, `?targetId=${env.id(demo.otherUserWith2fa)}&limit=2`);
    expect(log.items.map((e) => e.action)).toEqual(['session.signed_in', 'two_factor.backup_code_used']);
  });

  it('enabling 2FA clears the invitation', async () => {
    const morgan = await env.signIn(demo.primary);
    const path = `/firm/users/${env.id(demo.invited)}`;
    expect(expectOk(await morgan.get(path)).twoFactor.status).toBe('invited');
    const grace = await env.signIn(demo.invited);
    const setup = expectOk(await grace.post('/me/two-factor/setup'));
    env.clock.advance(30_000);
    expectOk(await grace.post('/me/two-factor/activate', { code: await totpCodeAt(setup.secret, env.clock.now()) }));
    const user = FirmUserSchema.parse(expectOk(await morgan.get(path)));
    expect(user.twoFactor).toEqual({ status: 'enabled', enabledAt: iso(env.clock.now()), backupCodesRemaining: 10 });
    expect(user.invitation).toBeNull();
    expect(user.allowedActions.remind).toEqual({ allowed: false, reason: 'not_invited' });
    expectProblem(await morgan.post(`${path}/invitation/reminders`), 'not_invited');
    expectProblem(await morgan.post(`${path}/invitation`), 'already_enabled');
  });

  it('disables: secret gone, backup codes void, sessions ended, notice emailed, audited; re-enabling gives a new set', async () => {
    const sofia = await env.signIn(demo.userWith2fa);
    const oldCodes = BackupCodesSchema.parse(
      expectOk(await sofia.post('/me/two-factor/backup-codes', { code: await env.codeFor(demo.userWith2fa) })),
    ).backupCodes;
    const pending = (await startSession(env, demo.userWith2fa)).agent;
    const priya = await env.signIn(demo.adminWith2fa);
    const id = env.id(demo.userWith2fa);
    const before = FirmUserSchema.parse(expectOk(await priya.get(`/firm/users/${id}`)));
    expect(before.twoFactor.backupCodesRemaining).toBe(10);

    const response = await priya.post(
      `/firm/users/${id}/two-factor/disable`,
      { confirm: true },
      ifMatch(before.version, true),
    );
    const user = FirmUserSchema.parse(expectOk(response));
    expect(user.twoFactor).toEqual({ status: 'not_enabled', enabledAt: null, backupCodesRemaining: null });
    expect(user.version).toBe(before.version + 1);
    expect(user.requirement).toEqual(before.requirement);
    expect(response.headers.get('etag')).toBe(`W/"${user.version}"`);
    expect(user.allowedActions.disableTwoFactor).toEqual({ allowed: false, reason: 'two_factor_not_enabled' });
    expect(user.allowedActions.invite).toEqual({ allowed: true });

    const stored = env.running.store.findUserByEmail(demo.userWith2fa);
    expect(stored?.totpSecret).toBeNull();
    expect(stored?.backupCodes).toEqual([]);
    expectProblem(await sofia.get('/me'), 'unauthenticated');
    expectProblem(await pending.get('/me'), 'unauthenticated');
    const notice = env.mail().filter((m) => m.to === demo.userWith2fa);
    expect(notice.map((m) => m.kind)).toEqual(['two_factor_disabled']);
    const log = await events(priya, `?targetId=${id}`);
    expect(log.items[0]).toMatchObject({
      action: 'two_factor.disabled',
      actor: { id: env.id(demo.adminWith2fa), name: 'Priya Natarajan' },
      target: { id, name: 'Sofia Alvarez' },
      details: { sessionsEnded: 2, backupCodesVoided: 10 },
    });

    // Signing in no longer asks for a code; turning 2FA on again yields a new set and the old codes stay void.
    const { agent, started } = await startSession(env, demo.userWith2fa);
    expect(started.body.stage).toBe('complete');
    const setup = expectOk(await agent.post('/me/two-factor/setup'));
    env.clock.advance(30_000);
    const newCodes = BackupCodesSchema.parse(
      expectOk(await agent.post('/me/two-factor/activate', { code: await totpCodeAt(setup.secret, env.clock.now()) })),
    ).backupCodes;
    expect(newCodes.some((c) => oldCodes.includes(c))).toBe(false);
    const next = await startSession(env, demo.userWith2fa);
    expect(next.started.body.stage).toBe('two_factor');
    expectProblem(await next.agent.post('/session/two-factor', { backupCode: oldCodes[1] }), 'invalid_code', 401);
    expectOk(await next.agent.post('/session/two-factor', { backupCode: newCodes[1] }));
  });

  it('the requirement stays: a required user disabled by an administrator must set 2FA up again', async () => {
    const { agent } = await startSession(env, demo.required);
    const setup = expectOk(await agent.post('/me/two-factor/setup'));
    env.clock.advance(30_000);
    expectOk(await agent.post('/me/two-factor/activate', { code: await totpCodeAt(setup.secret, env.clock.now()) }));
    const priya = await env.signIn(demo.adminWith2fa);
    const user = expectOk(
      await priya.post(`/firm/users/${env.id(demo.required)}/two-factor/disable`, { confirm: true }),
    );
    expect(user.requirement).toEqual({ status: 'required', reason: null });
    expect(user.twoFactor.status).toBe('not_enabled');
    expect((await startSession(env, demo.required)).started.body.stage).toBe('two_factor_setup');
  });

  it('confirmation_required for a missing body, a missing or false confirm; a wrong type is validation_failed', async () => {
    const priya = await env.signIn(demo.adminWith2fa);
    const path = `/firm/users/${env.id(demo.otherUserWith2fa)}/two-factor/disable`;
    expectProblem(await priya.post(path), 'confirmation_required');
    expectProblem(await priya.post(path, {}), 'confirmation_required');
    expectProblem(await priya.post(path, { confirm: false }), 'confirmation_required');
    for (const confirm of ['true', 1, null]) {
      const problem = expectProblem(await priya.post(path, { confirm }), 'validation_failed');
      expect(problem.errors?.map((e) => e.path)).toEqual(['/confirm']);
    }
    expect(expectOk(await priya.get(`/firm/users/${env.id(demo.otherUserWith2fa)}`)).twoFactor.status).toBe('enabled');
  });

  it('self_action_not_allowed, primary_subscriber_protected, two_factor_not_enabled, viewer_two_factor_required', async () => {
    const priya = await env.signIn(demo.adminWith2fa);
    const disable = (agent: Agent, email: string) =>
      agent.post(`/firm/users/${env.id(email)}/two-factor/disable`, { confirm: true });
    expectProblem(await disable(priya, demo.adminWith2fa), 'self_action_not_allowed');
    expectProblem(await disable(priya, demo.primary), 'primary_subscriber_protected');
    expectProblem(await disable(priya, demo.plain), 'two_factor_not_enabled');
    const daniel = await env.signIn(demo.adminWithout2fa);
    expectProblem(await disable(daniel, demo.otherUserWith2fa), 'viewer_two_factor_required');
    const morgan = await env.signIn(demo.primary);
    expectProblem(await disable(morgan, demo.primary), 'self_action_not_allowed');
    expect(
      env
        .mail()
        .filter((m) => m.kind === 'two_factor_disabled')
        .map((m) => m.to),
    ).not.toContain(demo.otherUserWith2fa);
  });

  it('step_up_required past the 15 min window; POST /session/step-up fixes it', async () => {
    const priya = await env.signIn(demo.adminWith2fa);
    const path = `/firm/users/${env.id(demo.otherUserWith2fa)}/two-factor/disable`;
    env.clock.advance(15 * MINUTE + 1000);
    expectProblem(await priya.post(path, { confirm: true }), 'step_up_required');
    // Never shown as a permission: the dialog recovers from it.
    const target = expectOk(await priya.get(`/firm/users/${env.id(demo.otherUserWith2fa)}`));
    expect(target.allowedActions.disableTwoFactor).toEqual({ allowed: true });
    expect(expectOk(await priya.get('/me')).permissions.disableTwoFactor).toEqual({ allowed: true });
    expect(target.twoFactor.status).toBe('enabled');

    expectOk(await priya.post('/session/step-up', { code: await env.codeFor(demo.adminWith2fa) }), 204);
    const user = FirmUserSchema.parse(expectOk(await priya.post(path, { confirm: true })));
    expect(user.twoFactor.status).toBe('not_enabled');
    const log = await events(priya, `?targetId=${env.id(demo.adminWith2fa)}&limit=1`);
    expect(log.items[0]?.action).toBe('session.stepped_up');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('audit log', () => {
  const env = useServer();
  let admin: Agent;

  it('GET /firm/events: newest first, with actors, targets and details', async () => {
    admin = await env.signIn(demo.primary);
    const morganId = env.id(demo.primary);
    expectOk(await admin.post(`/firm/users/${env.id(demo.plain)}/invitation`));
    expectOk(await admin.put(`/firm/users/${env.id(demo.plain2)}/requirement`, { required: true }));
    expectOk(await admin.post(`/firm/users/${env.id(demo.invited)}/invitation/reminders`));
    const page = await events(admin);
    expect(page.items.slice(0, 4).map((e) => e.action)).toEqual([
      'two_factor.reminder_sent',
      'two_factor.requirement_changed',
      'two_factor.invited',
      'session.signed_in',
    ]);
    expect(page.items[3]).toMatchObject({
      actor: { id: morganId },
      target: { id: morganId },
      details: { method: 'totp' },
    });
    for (const event of page.items.slice(0, 3)) expect(event.actor).toEqual({ id: morganId, name: 'Morgan Hartwell' });
    const times = page.items.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('records failures for known users only: sign_in_failed, code_failed; unknown emails stay out', async () => {
    const before = (await events(admin, '?limit=200')).items.length;
    await startSession(env, ghost, 'guess');
    expect((await events(admin, '?limit=200')).items.length).toBe(before);

    await startSession(env, demo.plain2, 'wrong-password');
    expect((await events(admin, '?limit=1')).items[0]).toMatchObject({
      action: 'session.sign_in_failed',
      actor: null,
      target: { id: env.id(demo.plain2), name: 'Amara Nwosu' },
    });
    const { agent } = await startSession(env, demo.userWith2fa);
    await agent.post('/session/two-factor', {
      code: await wrongCodeFor(seedSecretOf(demo.userWith2fa), env.clock.now()),
    });
    expect((await events(admin, '?limit=1')).items[0]).toMatchObject({
      action: 'two_factor.code_failed',
      target: { id: env.id(demo.userWith2fa) },
      details: { context: 'sign_in', reason: 'invalid_code' },
    });
  });

  it('targetId filters; an unknown targetId gives an empty list', async () => {
    const id = env.id(demo.plain);
    const page = await events(admin, `?targetId=${id}`);
    expect(page.items.map((e) => e.action)).toEqual(['two_factor.invited']);
    expect(page.items.every((e) => e.target?.id === id)).toBe(true);
    expect(await events(admin, '?targetId=usr_unknown')).toEqual({ items: [], nextCursor: null });
    for (const length of [129, 4000]) {
      expect(await events(admin, `?targetId=${'x'.repeat(length)}`)).toEqual({ items: [], nextCursor: null });
    }
    expect(await events(admin, `?targetId=${env.id(demo.deactivated)}`)).toEqual({ items: [], nextCursor: null });
  });

  it('pages with limit and cursor', async () => {
    const all = (await events(admin, '?limit=200')).items;
    expect(all.length).toBeGreaterThan(5);
    const pages = await allPages(admin, '/firm/events?limit=2');
    for (const page of pages) EventPageSchema.parse(page);
    expect(pages.flatMap((p) => p.items)).toEqual(all);
    expect(pages.length).toBe(Math.ceil(all.length / 2));
  });

  it('validation_failed for a bad query', async () => {
    for (const [query, path] of [
      ['limit=0', 'limit'],
      ['limit=x', 'limit'],
      ['cursor=%%%', 'cursor'],
      ['before=1', 'before'],
    ]) {
      const problem = expectProblem(await admin.get(`/firm/events?${query}`), 'validation_failed');
      expect(problem.errors?.map((e) => e.path)).toEqual([path]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('idempotency', () => {
  const env = useServer();
  let morgan: Agent;
  let firstAt = 0;
  const invitations = (email: string) => env.mail().filter((m) => m.to === email && m.kind === 'invitation').length;

  it('a repeat returns the stored response with Idempotent-Replayed: true and does nothing again', async () => {
    morgan = await env.signIn(demo.primary);
    const path = `/firm/users/${env.id(demo.plain)}/invitation`;
    const key = { 'idempotency-key': 'invite-oliver-1' };
    firstAt = env.clock.now();
    const first = await morgan.post(path, {}, key);
    expectOk(first);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    env.clock.advance(5 * MINUTE);
    const again = await morgan.post(path, {}, key);
    expect(expectOk(again)).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(invitations(demo.plain)).toBe(1);
    const log = await events(morgan, `?targetId=${env.id(demo.plain)}`);
    expect(log.items.filter((e) => e.action === 'two_factor.invited')).toHaveLength(1);
    // Without the key, the same request runs and meets the new state.
    expectProblem(await morgan.post(path, {}), 'already_invited');
  });

  it('keys are scoped to the viewer', async () => {
    const priya = await env.signIn(demo.adminWith2fa);
    const reused = await priya.post(
      `/firm/users/${env.id(demo.plain)}/invitation`,
      {},
      { 'idempotency-key': 'invite-oliver-1' },
    );
    expectProblem(reused, 'already_invited');
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
  });

  it('idempotency_key_reused: the same key with another path or body', async () => {
    const key = { 'idempotency-key': 'disable-liam' };
    const path = `/firm/users/${env.id(demo.otherUserWith2fa)}/two-factor/disable`;
    expectProblem(await morgan.post(path, { confirm: false }, key), 'confirmation_required');
    // A stored problem replays too.
    const replayed = await morgan.post(path, { confirm: false }, key);
    expectProblem(replayed, 'confirmation_required');
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expectProblem(await morgan.post(path, { confirm: true }, key), 'idempotency_key_reused');
    expectProblem(
      await morgan.post(`/firm/users/${env.id(demo.plain2)}/invitation`, {}, { 'idempotency-key': 'invite-oliver-1' }),
      'idempotency_key_reused',
    );
    // Idempotency errors come before 413/415/422.
    const big = JSON.stringify({ confirm: true, pad: 'x'.repeat(70 * 1024) });
    expectProblem(
      await morgan.request('POST', path, { rawBody: big, headers: { 'content-type': 'application/json', ...key } }),
      'idempotency_key_reused',
    );
    expectProblem(
      await morgan.request('POST', path, { rawBody: 'confirm', headers: { 'content-type': 'text/plain', ...key } }),
      'idempotency_key_reused',
    );
    expect(expectOk(await morgan.get(`/firm/users/${env.id(demo.otherUserWith2fa)}`)).twoFactor.status).toBe('enabled');
  });

  it('412 and 429 answers are not stored: the same key runs again', async () => {
    const id = env.id(lucas);
    const invite = `/firm/users/${id}/invitation`;
    const key = { 'idempotency-key': 'invite-lucas' };
    const version = expectOk(await morgan.get(`/firm/users/${id}`)).version as number;
    expectProblem(await morgan.post(invite, {}, { ...key, ...ifMatch(version + 5) }), 'version_conflict');
    const ran = await morgan.post(invite, {}, { ...key, ...ifMatch(version) });
    expect(expectOk(ran).twoFactor.status).toBe('invited');
    expect(ran.headers.get('idempotent-replayed')).toBeNull();

    const remind = `/firm/users/${id}/invitation/reminders`;
    const remindKey = { 'idempotency-key': 'remind-lucas' };
    expectProblem(await morgan.post(remind, {}, remindKey), 'reminder_too_soon');
    env.clock.advance(HOUR);
    const reminded = await morgan.post(remind, {}, remindKey);
    expect(expectOk(reminded).invitation.reminderCount).toBe(1);
    expect(reminded.headers.get('idempotent-replayed')).toBeNull();
  });

  it('idempotency_in_progress while the first request is still running; then it replays', async () => {
    morgan = await env.signIn(demo.primary);
    const path = `/firm/users/${env.id(demo.notMigrated)}/invitation`;
    const key = 'invite-hana';
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    controller.enqueue(new TextEncoder().encode('{'));
    const first = env.fetcher(
      new Request(env.url(path), {
        method: 'POST',
        body,
        duplex: 'half',
        headers: {
          cookie: morgan.cookie as string,
          'x-csrf-token': morgan.csrf as string,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
      } as RequestInit & { duplex: 'half' }),
    );
    const morganId = env.id(demo.primary);
    await waitFor(() => env.running.store.getIdempotency(morganId, key)?.state === 'pending');

    const second = await morgan.post(path, {}, { 'idempotency-key': key });
    expectProblem(second, 'idempotency_in_progress');
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(invitations(demo.notMigrated)).toBe(0);

    controller.enqueue(new TextEncoder().encode('}'));
    controller.close();
    const done = await first;
    expect(done.status).toBe(200);
    const firstBody = await done.json();
    expect(firstBody.twoFactor.status).toBe('invited');

    const third = await morgan.post(path, {}, { 'idempotency-key': key });
    expect(expectOk(third)).toEqual(firstBody);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(invitations(demo.notMigrated)).toBe(1);
  });

  it('validation_failed for a malformed key, with the header name as path', async () => {
    const path = `/firm/users/${env.id(chloe)}/invitation`;
    for (const key of ['has space', 'x'.repeat(256), 'tab\there', 'caf\u00e9']) {
      const problem = expectProblem(await morgan.post(path, {}, { 'idempotency-key': key }), 'validation_failed');
      expect(problem.errors?.map((e) => e.path)).toEqual(['Idempotency-Key']);
    }
    expect(invitations(chloe)).toBe(0);
  });

  it('keys live at least 24 h', async () => {
    env.clock.ms = firstAt + 24 * HOUR - 2 * MINUTE;
    morgan = await env.signIn(demo.primary);
    const again = await morgan.post(
      `/firm/users/${env.id(demo.plain)}/invitation`,
      {},
      { 'idempotency-key': 'invite-oliver-1' },
    );
    expectOk(again);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('HTTP protocol', () => {
  const env = useServer();
  let admin: Agent;

  it('not_found for unknown routes, inside and outside the base path', async () => {
    admin = await env.signIn(demo.primary);
    for (const [method, path] of [
      ['GET', '/api/v1/firm/nothing'],
      ['POST', '/api/v1/unknown'],
      ['GET', `/api/v1/firm/users/${env.id(demo.plain)}/invitation/reminders/extra`],
      ['GET', '/api/v2/firm/users'],
      ['GET', '/api'],
      ['GET', '/api/v1'],
    ]) {
      expectProblem(await admin.request(method as string, path as string), 'not_found');
    }
  });

  it('method_not_allowed with an Allow header on known routes', async () => {
    const id = env.id(demo.plain);
    for (const [method, path, allow] of [
      ['DELETE', '/firm/users', 'GET, HEAD'],
      ['PATCH', `/firm/users/${id}`, 'GET, HEAD'],
      ['GET', '/session', 'POST, DELETE'],
      ['PUT', `/firm/users/${id}/invitation`, 'POST'],
      ['GET', `/firm/users/${id}/requirement`, 'PUT'],
      ['POST', '/me', 'GET, HEAD'],
      ['DELETE', '/firm/events', 'GET, HEAD'],
    ] as [string, string, string][]) {
      const response = await admin.request(method, path);
      const body = expectProblem(response, 'method_not_allowed');
      const header = (response.headers.get('allow') ?? '').split(/,\s*/).sort();
      expect({ path, method, allow: header }).toEqual({ path, method, allow: allow.split(', ').sort() });
      expect([...(body.allow ?? [])].sort()).toEqual(header);
    }
  });

  it('payload_too_large over 64 KiB, declared or streamed; exactly 64 KiB is read', async () => {
    const exact = JSON.stringify({ email: demo.plain, password: 'x' });
    const padded = exact.replace('"x"', `"${'x'.repeat(64 * 1024 - exact.length + 1)}"`);
    expect(padded.length).toBe(64 * 1024);
    const fits = await env
      .agent()
      .request('POST', '/session', { rawBody: padded, headers: { 'content-type': 'application/json' } });
    expect(expectProblem(fits, 'validation_failed').errors?.map((e) => e.path)).toEqual(['/password']);
    const over = `${padded} `;
    expectProblem(
      await env.agent().request('POST', '/session', { rawBody: over, headers: { 'content-type': 'application/json' } }),
      'payload_too_large',
    );
    // Chunked, without Content-Length.
    const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const streamed = await env.fetcher(
      new Request(env.url('/session'), {
        method: 'POST',
        body: stream,
        duplex: 'half',
        headers: { 'content-type': 'application/json' },
      } as RequestInit & { duplex: 'half' }),
    );
    expect(streamed.status).toBe(413);
    expect((await streamed.json()).code).toBe('payload_too_large');
    // On a signed-in endpoint too.
    const path = `/firm/users/${env.id(demo.otherUserWith2fa)}/two-factor/disable`;
    expectProblem(
      await admin.request('POST', path, {
        rawBody: `{"confirm":true,"x":"${'y'.repeat(70_000)}"}`,
        headers: { 'content-type': 'application/json' },
      }),
      'payload_too_large',
    );
    // And where the operation takes no body: the sign-out does not happen.
    const oliver = await env.signIn(demo.plain);
    expectProblem(
      await oliver.request('DELETE', '/session', {
        rawBody: 'x'.repeat(70_000),
        headers: { 'content-type': 'text/plain' },
      }),
      'payload_too_large',
    );
    expectOk(await oliver.get('/me'));
  });

  it('unsupported_media_type for a body that is not JSON; JSON media types and empty bodies are fine', async () => {
    const body = JSON.stringify({ email: demo.plain, password: DEMO_PASSWORD });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
    ]) {
      expectProblem(
        await env.agent().request('POST', '/session', { rawBody: body, headers: { 'content-type': type } }),
        'unsupported_media_type',
      );
    }
    expectProblem(
      await admin.request('POST', `/firm/users/${env.id(lucas)}/invitation`, {
        rawBody: '{}',
        headers: { 'content-type': 'text/plain' },
      }),
      'unsupported_media_type',
    );
    for (const type of ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.firm+json']) {
      expectOk(await env.agent().request('POST', '/session', { rawBody: body, headers: { 'content-type': type } }));
    }
  });

  it('validation_failed for a body that does not parse or does not match, with JSON Pointer paths', async () => {
    const post = (rawBody: BodyInit) =>
      env.agent().request('POST', '/session', { rawBody, headers: { 'content-type': 'application/json' } });
    for (const [raw, paths] of [
      ['{"email":', ['']],
      ['[]', ['']],
      ['"text"', ['']],
      [JSON.stringify({ email: 42, password: 'x' }), ['/email']],
      [JSON.stringify({ email: demo.plain }), ['/password']],
      [JSON.stringify({ email: '', password: '' }), ['/email', '/password']],
    ] as [string, string[]][]) {
      const problem = expectProblem(await post(raw), 'validation_failed');
      expect({ raw, paths: problem.errors?.map((e) => e.path) }).toEqual({ raw, paths });
    }
    const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    expectProblem(await post(invalidUtf8), 'validation_failed');
    for (const code of ['12345', '1234567', 'abcdef', 123456]) {
      const problem = expectProblem(await admin.post('/session/step-up', { code }), 'validation_failed');
      expect(problem.errors?.map((e) => e.path)).toEqual(['/code']);
    }
  });

  it('every response carries nosniff and no-store, successes and problems alike (checked for every request)', async () => {
    const responses = [
      await admin.get('/me'),
      await admin.get('/firm/users'),
      await env.agent().get('/me'),
      await admin.request('GET', '/nowhere'),
    ];
    for (const response of responses) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('precedence of combined failures', () => {
  const env = useServer();

  it('unknown route beats 405; 405 beats unauthenticated', async () => {
    const anonymous = env.agent();
    expectProblem(await anonymous.request('DELETE', '/nope'), 'not_found');
    expectProblem(await anonymous.request('DELETE', '/firm/users'), 'method_not_allowed');
  });

  it('unauthenticated beats csrf, media type and validation', async () => {
    const anonymous = env.agent();
    expectProblem(await anonymous.get('/firm/users?limit=0'), 'unauthenticated');
    expectProblem(
      await anonymous.request('POST', `/firm/users/${env.id(demo.plain)}/two-factor/disable`, {
        rawBody: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
      'unauthenticated',
    );
    expectProblem(
      await anonymous.post(`/firm/users/usr_unknown/two-factor/disable`, { confirm: 'yes' }),
      'unauthenticated',
    );
  });

  it('csrf_failed beats the stage and forbidden', async () => {
    const { agent: pending } = await startSession(env, demo.userWith2fa);
    expectProblem(await pending.request('POST', '/me/two-factor/setup', { csrf: false }), 'csrf_failed');
    const oliver = await env.signIn(demo.plain);
    expectProblem(
      await oliver.request('POST', `/firm/users/${env.id(demo.plain2)}/invitation`, { csrf: false }),
      'csrf_failed',
    );
  });

  it('the stage beats forbidden', async () => {
    const { agent: pending } = await startSession(env, demo.otherUserWith2fa);
    expectProblem(await pending.get('/firm/users'), 'two_factor_pending');
    const { agent: setup } = await startSession(env, demo.required);
    expectProblem(await setup.get('/firm/users'), 'two_factor_setup_required');
  });

  it('forbidden beats idempotency, 413, 415 and validation', async () => {
    const oliver = await env.signIn(demo.plain);
    const path = `/firm/users/${env.id(demo.plain2)}/invitation`;
    expectProblem(await oliver.post(path, {}, { 'idempotency-key': 'not a valid key' }), 'forbidden');
    expectProblem(
      await oliver.request('POST', path, { rawBody: 'x'.repeat(70_000), headers: { 'content-type': 'text/plain' } }),
      'forbidden',
    );
    expectProblem(await oliver.get('/firm/users?limit=0'), 'forbidden');
  });

  it('413 beats 415, 415 beats 422', async () => {
    const agent = env.agent();
    expectProblem(
      await agent.request('POST', '/session', {
        rawBody: 'x'.repeat(70_000),
        headers: { 'content-type': 'text/plain' },
      }),
      'payload_too_large',
    );
    expectProblem(
      await agent.request('POST', '/session', { rawBody: 'not json', headers: { 'content-type': 'text/plain' } }),
      'unsupported_media_type',
    );
  });

  it('validation beats not_found; not_found beats version_conflict', async () => {
    const admin = await env.signIn(demo.primary);
    expectProblem(
      await admin.post('/firm/users/usr_unknown/two-factor/disable', { confirm: 'yes' }),
      'validation_failed',
    );
    expectProblem(
      await admin.post('/firm/users/usr_unknown/invitation', {}, { 'if-match': 'garbage' }),
      'validation_failed',
    );
    expectProblem(await admin.post('/firm/users/usr_unknown/invitation', {}, ifMatch(999)), 'not_found');
    expectProblem(
      await admin.put(`/firm/users/${env.id(demo.deactivated)}/requirement`, { required: true }, ifMatch(999)),
      'not_found',
    );
  });

  it('version_conflict beats the rules', async () => {
    const admin = await env.signIn(demo.primary);
    expectProblem(
      await admin.post(`/firm/users/${env.id(demo.userWith2fa)}/invitation`, {}, ifMatch(999)),
      'version_conflict',
    );
    expectProblem(
      await admin.post(`/firm/users/${env.id(demo.primary)}/two-factor/disable`, {}, ifMatch(999)),
      'version_conflict',
    );
    expectProblem(
      await admin.put(`/firm/users/${env.id(demo.notMigrated)}/requirement`, { required: true }, ifMatch(999)),
      'version_conflict',
    );
    expectProblem(
      await admin.post(`/firm/users/${env.id(demo.plain)}/invitation/reminders`, {}, ifMatch(999)),
      'version_conflict',
    );
  });

  it('self_action_not_allowed > primary_subscriber_protected > two_factor_not_enabled > viewer_two_factor_required > confirmation_required', async () => {
    const morgan = await env.signIn(demo.primary);
    expectProblem(
      await morgan.post(`/firm/users/${env.id(demo.primary)}/two-factor/disable`, {}),
      'self_action_not_allowed',
    );
    const daniel = await env.signIn(demo.adminWithout2fa);
    const disable = (email: string, body: unknown) =>
      daniel.post(`/firm/users/${env.id(email)}/two-factor/disable`, body);
    expectProblem(await disable(demo.adminWithout2fa, {}), 'self_action_not_allowed');
    expectProblem(await disable(demo.primary, {}), 'primary_subscriber_protected');
    expectProblem(await disable(demo.plain, {}), 'two_factor_not_enabled');
    expectProblem(await disable(demo.userWith2fa, {}), 'viewer_two_factor_required');
    expectProblem(await disable(demo.userWith2fa, { confirm: true }), 'viewer_two_factor_required');
  });

  it('confirmation_required beats step_up_required', async () => {
    const priya = await env.signIn(demo.adminWith2fa);
    env.clock.advance(16 * MINUTE);
    const path = `/firm/users/${env.id(demo.otherUserWith2fa)}/two-factor/disable`;
    expectProblem(await priya.post(path, {}), 'confirmation_required');
    expectProblem(await priya.post(path, { confirm: false }), 'confirmation_required');
    expectProblem(await priya.post(path, { confirm: true }), 'step_up_required');
  });

  it('state conflicts beat the code check: two_factor_not_enabled on step-up, two_factor_required on self-disable', async () => {
    const oliver = await env.signIn(demo.plain);
    expectProblem(await oliver.post('/session/step-up', { code: '000000' }), 'two_factor_not_enabled');
    expectProblem(await oliver.post('/me/two-factor/disable', { code: '000000' }), 'two_factor_not_enabled');
    const { agent: ethan } = await startSession(env, demo.required);
    const setup = expectOk(await ethan.post('/me/two-factor/setup'));
    env.clock.advance(30_000);
    expectOk(await ethan.post('/me/two-factor/activate', { code: await totpCodeAt(setup.secret, env.clock.now()) }));
    const wrong = await wrongCodeFor(setup.secret, env.clock.now());
    expectProblem(await ethan.post('/me/two-factor/disable', { code: wrong }), 'two_factor_required');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('identity migration', () => {
  const env = useServer();

  it('users not migrated show N/A; after the migration delay (24 h) the job migrates them', async () => {
    let admin = await env.signIn(demo.primary);
    const id = env.id(demo.notMigrated);
    const before = FirmUserSchema.parse(expectOk(await admin.get(`/firm/users/${id}`)));
    expect(before.requirement).toEqual({ status: 'not_available', reason: 'identity_not_migrated' });
    expectProblem(await admin.put(`/firm/users/${id}/requirement`, { required: true }), 'identity_not_migrated');

    env.clock.advance(23 * HOUR);
    admin = await env.signIn(demo.primary);
    expect(expectOk(await admin.get(`/firm/users/${id}`)).requirement.status).toBe('not_available');

    env.clock.advance(HOUR + MINUTE);
    admin = await env.signIn(demo.primary);
    const after = FirmUserSchema.parse(expectOk(await admin.get(`/firm/users/${id}`)));
    expect(after.requirement).toEqual({ status: 'not_required', reason: null });
    expect(after.allowedActions.setRequirement).toEqual({ allowed: true });
    expect(after.version).toBe(before.version + 1);
    expect(expectOk(await admin.get('/firm/users?requirement=not_available')).total).toBe(0);

    const required = FirmUserSchema.parse(
      expectOk(await admin.put(`/firm/users/${id}/requirement`, { required: true }, ifMatch(after.version))),
    );
    expect(required.requirement).toEqual({ status: 'required', reason: null });
    expect(expectOk(await admin.get('/firm/users')).summary).toEqual({
      ...INITIAL_SUMMARY,
      required: 2,
      notAvailable: 0,
    });
    expect((await startSession(env, demo.notMigrated)).started.body.stage).toBe('two_factor_setup');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('coverage of the contract by this suite', () => {
  it('saw every endpoint succeed', () => {
    const missing = ops
      .filter((op) => !coverage.successes.has(`${op.operationId} ${op.success.status}`))
      .map((op) => op.operationId);
    expect(missing).toEqual([]);
  });

  it('the documented-problems check of helpers.ts accepts what an operation documents and rejects the rest', () => {
    const byId = Object.fromEntries(ops.map((op) => [op.operationId, op]));
    const verifySignIn = byId.verifySignIn as Operation;
    expect(documents(verifySignIn, 'two_factor_not_enabled', 409)).toBe(true);
    expect(documents(verifySignIn, 'invalid_code', 401)).toBe(true);
    // What the check rejects: a code the operation does not list, or a listed code with another status.
    expect(documents(verifySignIn, 'invalid_code', 422)).toBe(false);
    expect(documents(byId.getViewer as Operation, 'not_found', 404)).toBe(false);
  });

  it('saw every problem code of the table, with each of its statuses', () => {
    const expected = Object.entries(problemCatalog)
      .filter(([code]) => code !== 'internal_error')
      .flatMap(([code, { status }]) =>
        code === 'invalid_code' || code === 'code_already_used'
          ? [`${code} 401`, `${code} 422`]
          : [`${code} ${status}`],
      );
    expect(expected.filter((key) => !coverage.problems.has(key))).toEqual([]);
  });
});
