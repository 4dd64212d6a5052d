import type { UserRecord } from '@firm-security/server';
import { totpCodeAt } from '@firm-security/server';
import { describe, expect, it } from 'vitest';
import {
  type Agent,
  createHarness,
  DEMO_PASSWORD,
  demo,
  demoSeed,
  type Harness,
  seedSecretOf,
  type TestResponse,
} from './harness.js';

/**
 * Who may call what. Every firm endpoint against every kind of caller, the stage rules of the
 * session and self-service endpoints, and the agreement between what the API says a viewer may do
 * (`permissions`, `allowedActions`) and what the endpoints then answer.
 */

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------
// helpers

/** Signs in all the way; a required user without 2FA sets it up first, which completes the session. */
const signInComplete = async (h: Harness, email: string): Promise<Agent> => {
  const agent = await h.signIn(email);
  if ((await agent.get('/me')).body.session.stage === 'two_factor_setup') {
    const setup = await agent.post('/me/two-factor/setup', {});
    expect(setup.status).toBe(200);
    const activated = await agent.post('/me/two-factor/activate', {
      code: await totpCodeAt(setup.body.secret, h.clock.now()),
    });
    expect(activated.status).toBe(200);
  }
  return agent;
};

/** A session that has only passed the password step. */
const passwordOnly = async (h: Harness, email: string): Promise<Agent> => {
  const agent = h.agent();
  const res = await agent.post('/session', { email, password: DEMO_PASSWORD });
  expect(res.status).toBe(200);
  return agent;
};

const user = (h: Harness, email: string): UserRecord => {
  const record = h.store.getUser(h.ids[email] as string);
  if (!record) throw new Error(`no user ${email}`);
  return record;
};

const firmIdOf = (h: Harness) => user(h, demo.primary).firmId;

/** Everything a firm action could change: every active user, the audit log, the outbox, the target's sessions. */
const snapshot = (h: Harness) => ({
  users: Object.values(h.ids).map((id) => h.store.getUser(id)),
  events: h.store.listEvents({ firmId: firmIdOf(h), limit: 10_000 }).map((e) => e.id),
  mail: h.store.listMail({ limit: 10_000 }).map((m) => m.id),
});

const expectProblem = (res: TestResponse, status: number, code: string) => {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(typeof res.body.detail).toBe('string');
};

const latestEvent = (h: Harness, targetEmail: string) =>
  h.store.listEvents({ firmId: firmIdOf(h), targetId: h.ids[targetEmail] as string, limit: 1 })[0];

// ---------------------------------------------------------------------------------------------
// the firm endpoints

interface FirmEndpoint {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  /** The user the call is about, if any. */
  target?: string;
  path: (h: Harness) => string;
  body?: unknown;
  /** Assertions for an allowed call: the answer, and for mutations the state it left behind. */
  verifySuccess: (h: Harness, res: TestResponse, before: UserRecord | undefined, viewerEmail: string) => void;
}

const idOf = (h: Harness, email: string) => h.ids[email] as string;

const firmEndpoints: FirmEndpoint[] = [
  {
    name: 'GET /firm/users',
    method: 'GET',
    path: () => '/firm/users',
    verifySuccess: (_h, res) => {
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(12);
      expect(res.body.items).toHaveLength(12);
      expect(res.body.items.map((u: any) => u.email)).not.toContain(demo.deactivated);
    },
  },
  {
    name: 'GET /firm/users/{id}',
    method: 'GET',
    target: demo.userWith2fa,
    path: (h) => `/firm/users/${idOf(h, demo.userWith2fa)}`,
    verifySuccess: (h, res, before) => {
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(idOf(h, demo.userWith2fa));
      expect(res.body.email).toBe(demo.userWith2fa);
      expect(res.headers.get('etag')).toBe(`W/"${before?.version}"`);
    },
  },
  {
    name: 'POST /firm/users/{id}/invitation',
    method: 'POST',
    target: demo.plain2,
    path: (h) => `/firm/users/${idOf(h, demo.plain2)}/invitation`,
    body: {},
    verifySuccess: (h, res, before) => {
      expect(res.status).toBe(200);
      expect(res.body.twoFactor.status).toBe('invited');
      expect(res.body.invitation).toMatchObject({ sentAt: new Date(h.clock.now()).toISOString(), reminderCount: 0 });
      const after = user(h, demo.plain2);
      expect(after.invitation).not.toBeNull();
      expect(after.version).toBe((before?.version ?? 0) + 1);
      expect(res.body.version).toBe(after.version);
      expect(latestEvent(h, demo.plain2)?.action).toBe('two_factor.invited');
      expect(h.store.listMail({ limit: 1 })[0]).toMatchObject({ kind: 'invitation', to: demo.plain2 });
    },
  },
  {
    name: 'POST /firm/users/{id}/invitation/reminders',
    method: 'POST',
    target: demo.invited,
    path: (h) => `/firm/users/${idOf(h, demo.invited)}/invitation/reminders`,
    body: {},
    verifySuccess: (h, res, before) => {
      expect(res.status).toBe(200);
      const after = user(h, demo.invited);
      expect(after.invitation?.reminderCount).toBe((before?.invitation?.reminderCount ?? -10) + 1);
      expect(after.invitation?.lastReminderAt).toBe(new Date(h.clock.now()).toISOString());
      expect(after.version).toBe((before?.version ?? 0) + 1);
      expect(res.body.invitation.reminderCount).toBe(after.invitation?.reminderCount);
      expect(latestEvent(h, demo.invited)?.action).toBe('two_factor.reminder_sent');
      expect(h.store.listMail({ limit: 1 })[0]).toMatchObject({ kind: 'reminder', to: demo.invited });
    },
  },
  {
    name: 'PUT /firm/users/{id}/requirement',
    method: 'PUT',
    target: demo.plain,
    path: (h) => `/firm/users/${idOf(h, demo.plain)}/requirement`,
    body: { required: true },
    verifySuccess: (h, res, before) => {
      expect(res.status).toBe(200);
      expect(res.body.requirement).toEqual({ status: 'required', reason: null });
      const after = user(h, demo.plain);
      expect(before?.required).toBe(false);
      expect(after.required).toBe(true);
      expect(after.version).toBe((before?.version ?? 0) + 1);
      expect(latestEvent(h, demo.plain)?.action).toBe('two_factor.requirement_changed');
    },
  },
  {
    name: 'POST /firm/users/{id}/two-factor/disable',
    method: 'POST',
    target: demo.otherUserWith2fa,
    path: (h) => `/firm/users/${idOf(h, demo.otherUserWith2fa)}/two-factor/disable`,
    body: { confirm: true },
    verifySuccess: (h, res, before, viewerEmail) => {
      expect(res.status).toBe(200);
      expect(res.body.twoFactor).toEqual({ status: 'not_enabled', enabledAt: null, backupCodesRemaining: null });
      const after = user(h, demo.otherUserWith2fa);
      expect(before?.totpSecret).not.toBeNull();
      expect(after.totpSecret).toBeNull();
      expect(after.backupCodes).toEqual([]);
      expect(after.required).toBe(before?.required);
      expect(after.version).toBe((before?.version ?? 0) + 1);
      const event = latestEvent(h, demo.otherUserWith2fa);
      expect(event?.action).toBe('two_factor.disabled');
      expect(event?.actor?.id).toBe(idOf(h, viewerEmail));
      expect(h.store.listMail({ limit: 1 })[0]).toMatchObject({
        kind: 'two_factor_disabled',
        to: demo.otherUserWith2fa,
      });
    },
  },
  {
    name: 'GET /firm/events',
    method: 'GET',
    path: () => '/firm/events',
    verifySuccess: (_h, res) => {
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.items)).toBe(true);
      // the caller's own sign-in is in the log, newest first
      expect(res.body.items[0]?.action).toBe('session.signed_in');
      const times = res.body.items.map((e: any) => e.at);
      expect([...times].sort().reverse()).toEqual(times);
    },
  },
];

type Outcome = 'allowed' | { status: number; code: string };

interface Caller {
  name: string;
  /** The signed-in person, if any. */
  email?: string;
  connect: (h: Harness) => Promise<Agent>;
  expect: (endpoint: FirmEndpoint) => Outcome;
}

const denyAll =
  (status: number, code: string): Caller['expect'] =>
  () => ({ status, code });

const callers: Caller[] = [
  { name: 'anonymous', connect: async (h) => h.agent(), expect: denyAll(401, 'unauthenticated') },
  {
    name: 'signed-out session (stale cookie)',
    connect: async (h) => {
      const agent = await h.signIn(demo.adminWith2fa);
      const { cookie, csrf } = agent;
      expect((await agent.request('DELETE', '/session')).status).toBe(204);
      agent.cookie = cookie;
      agent.csrf = csrf;
      return agent;
    },
    expect: denyAll(401, 'unauthenticated'),
  },
  {
    name: 'password-only session of a 2FA administrator',
    email: demo.adminWith2fa,
    connect: (h) => passwordOnly(h, demo.adminWith2fa),
    expect: denyAll(403, 'two_factor_pending'),
  },
  {
    name: 'password-only session of a 2FA user',
    email: demo.userWith2fa,
    connect: (h) => passwordOnly(h, demo.userWith2fa),
    expect: denyAll(403, 'two_factor_pending'),
  },
  {
    name: 'setup-stage session (required user Ethan Brooks)',
    email: demo.required,
    connect: async (h) => {
      const agent = await passwordOnly(h, demo.required);
      expect((await agent.get('/me')).body.session.stage).toBe('two_factor_setup');
      return agent;
    },
    expect: denyAll(403, 'two_factor_setup_required'),
  },
  {
    name: 'plain user without 2FA',
    email: demo.plain,
    connect: (h) => h.signIn(demo.plain),
    expect: denyAll(403, 'forbidden'),
  },
  {
    name: 'plain user with 2FA',
    email: demo.userWith2fa,
    connect: (h) => h.signIn(demo.userWith2fa),
    expect: denyAll(403, 'forbidden'),
  },
  {
    name: 'administrator without 2FA',
    email: demo.adminWithout2fa,
    connect: (h) => h.signIn(demo.adminWithout2fa),
    expect: (endpoint) =>
      endpoint.name.endsWith('/two-factor/disable') ? { status: 403, code: 'viewer_two_factor_required' } : 'allowed',
  },
  {
    name: 'administrator with 2FA',
    email: demo.adminWith2fa,
    connect: (h) => h.signIn(demo.adminWith2fa),
    expect: () => 'allowed',
  },
  {
    name: 'primary subscriber',
    email: demo.primary,
    connect: (h) => h.signIn(demo.primary),
    expect: () => 'allowed',
  },
];

const cells = callers.flatMap((caller) =>
  firmEndpoints.map((endpoint) => ({ caller, endpoint, outcome: caller.expect(endpoint) })),
);

describe('firm endpoints: every caller against every endpoint', () => {
  it('covers every firm operation of the contract', async () => {
    const { operations } = await import('@firm-security/contract');
    const firmOps = operations
      .filter((op) => op.access === 'firm')
      .map((op) => `${op.method.toUpperCase()} ${op.path}`)
      .sort();
    expect(firmEndpoints.map((e) => e.name).sort()).toEqual(firmOps);
  });

  it.each(cells.map((c) => [c.caller.name, c.endpoint.name, c.outcome === 'allowed' ? 'allowed' : c.outcome.code, c]))(
    '%s -> %s: %s',
    async (_caller, _endpoint, _outcome, { caller, endpoint, outcome }) => {
      const h = await createHarness();
      const agent = await caller.connect(h);
      const before = snapshot(h);
      const targetBefore = endpoint.target ? user(h, endpoint.target) : undefined;

      const res = await agent.request(endpoint.method, endpoint.path(h), { body: endpoint.body });

      if (outcome === 'allowed') {
        endpoint.verifySuccess(h, res, targetBefore, caller.email as string);
        if (endpoint.method === 'GET') expect(snapshot(h)).toEqual(before);
      } else {
        expectProblem(res, outcome.status, outcome.code);
        // nothing changed: no user, no audit event, no email
        expect(snapshot(h)).toEqual(before);
        if (endpoint.target) expect(user(h, endpoint.target)).toEqual(targetBefore);
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// stage rules of the session and self-service endpoints

type Stage = 'anonymous' | 'two_factor' | 'two_factor_setup' | 'complete';

interface StageCell {
  stage: Stage;
  endpoint: string;
  outcome: Outcome;
}

/** Who is in each stage: a 2FA administrator (pending or complete), the required user (setup). */
const personOf: Record<Stage, string | undefined> = {
  anonymous: undefined,
  two_factor: demo.adminWith2fa,
  two_factor_setup: demo.required,
  complete: demo.adminWith2fa,
};

const connectStage = async (h: Harness, stage: Stage): Promise<Agent> => {
  if (stage === 'anonymous') return h.agent();
  if (stage === 'complete') return h.signIn(demo.adminWith2fa);
  const agent = await passwordOnly(h, personOf[stage] as string);
  expect((await agent.get('/me')).body.session.stage).toBe(stage);
  return agent;
};

/** A valid request for each endpoint, so that the stage is the only thing that can fail. */
const selfCalls: Record<string, (h: Harness, agent: Agent, stage: Stage) => Promise<TestResponse>> = {
  'POST /session': (_h, agent, stage) =>
    agent.post('/session', { email: personOf[stage] ?? demo.plain, password: DEMO_PASSWORD }),
  'POST /session/two-factor': async (h, agent, stage) =>
    agent.post('/session/two-factor', {
      code: stage === 'two_factor_setup' ? '123456' : await h.codeFor(demo.adminWith2fa),
    }),
  'POST /session/step-up': async (h, agent, stage) =>
    agent.post('/session/step-up', {
      code: stage === 'two_factor_setup' ? '123456' : await h.codeFor(demo.adminWith2fa),
    }),
  'DELETE /session': (_h, agent) => agent.request('DELETE', '/session'),
  'GET /me': (_h, agent) => agent.get('/me'),
  'POST /me/two-factor/setup': (_h, agent) => agent.post('/me/two-factor/setup', {}),
  'POST /me/two-factor/activate': async (h, agent, stage) => {
    if (stage === 'two_factor_setup') {
      const setup = await agent.post('/me/two-factor/setup', {});
      expect(setup.status).toBe(200);
      return agent.post('/me/two-factor/activate', { code: await totpCodeAt(setup.body.secret, h.clock.now()) });
    }
    return agent.post('/me/two-factor/activate', { code: await h.codeFor(demo.adminWith2fa) });
  },
  'POST /me/two-factor/backup-codes': async (h, agent, stage) =>
    agent.post('/me/two-factor/backup-codes', {
      code: stage === 'two_factor_setup' ? '123456' : await h.codeFor(demo.adminWith2fa),
    }),
  'POST /me/two-factor/disable': async (h, agent, stage) =>
    agent.post('/me/two-factor/disable', {
      code: stage === 'two_factor_setup' ? '123456' : await h.codeFor(demo.adminWith2fa),
    }),
};

const stageTable: Record<Stage, Record<string, Outcome>> = {
  anonymous: Object.fromEntries(
    Object.keys(selfCalls).map((e) => [
      e,
      e === 'POST /session' ? 'allowed' : { status: 401, code: 'unauthenticated' },
    ]),
  ),
  two_factor: {
    'POST /session': 'allowed',
    'POST /session/two-factor': 'allowed',
    'POST /session/step-up': { status: 403, code: 'two_factor_pending' },
    'DELETE /session': 'allowed',
    'GET /me': 'allowed',
    'POST /me/two-factor/setup': { status: 403, code: 'two_factor_pending' },
    'POST /me/two-factor/activate': { status: 403, code: 'two_factor_pending' },
    'POST /me/two-factor/backup-codes': { status: 403, code: 'two_factor_pending' },
    'POST /me/two-factor/disable': { status: 403, code: 'two_factor_pending' },
  },
  two_factor_setup: {
    'POST /session': 'allowed',
    'POST /session/two-factor': { status: 403, code: 'two_factor_setup_required' },
    'POST /session/step-up': { status: 403, code: 'two_factor_setup_required' },
    'DELETE /session': 'allowed',
    'GET /me': 'allowed',
    'POST /me/two-factor/setup': 'allowed',
    'POST /me/two-factor/activate': 'allowed',
    'POST /me/two-factor/backup-codes': { status: 403, code: 'two_factor_setup_required' },
    'POST /me/two-factor/disable': { status: 403, code: 'two_factor_setup_required' },
  },
  complete: {
    'POST /session': 'allowed',
    // allowed by the stage lists, then refused by the rules
    'POST /session/two-factor': { status: 409, code: 'invalid_stage' },
    'POST /session/step-up': 'allowed',
    'DELETE /session': 'allowed',
    'GET /me': 'allowed',
    'POST /me/two-factor/setup': { status: 409, code: 'two_factor_already_enabled' },
    'POST /me/two-factor/activate': { status: 409, code: 'two_factor_already_enabled' },
    'POST /me/two-factor/backup-codes': 'allowed',
    'POST /me/two-factor/disable': 'allowed',
  },
};

const successStatus: Record<string, number> = {
  'POST /session/step-up': 204,
  'DELETE /session': 204,
};

describe('stage rules of the session and self-service endpoints', () => {
  it('covers every non-firm operation of the contract', async () => {
    const { operations } = await import('@firm-security/contract');
    const ops = operations
      .filter((op) => op.access !== 'firm')
      .map((op) => `${op.method.toUpperCase()} ${op.path}`)
      .sort();
    expect(Object.keys(selfCalls).sort()).toEqual(ops);
  });

  const stageCells: StageCell[] = (Object.keys(stageTable) as Stage[]).flatMap((stage) =>
    Object.entries(stageTable[stage]).map(([endpoint, outcome]) => ({ stage, endpoint, outcome })),
  );

  it.each(stageCells.map((c) => [c.stage, c.endpoint, c.outcome === 'allowed' ? 'allowed' : c.outcome.code, c]))(
    'stage %s -> %s: %s',
    async (_s, _e, _o, { stage, endpoint, outcome }) => {
      const h = await createHarness();
      const agent = await connectStage(h, stage);
      const person = personOf[stage];
      const before = person ? user(h, person) : undefined;
      const call = selfCalls[endpoint];
      if (!call) throw new Error(endpoint);
      const res = await call(h, agent, stage);

      if (outcome !== 'allowed') {
        expectProblem(res, outcome.status, outcome.code);
        if (person) expect(user(h, person)).toEqual(before);
        // the session survives a refusal, in the same stage
        const me = await agent.get('/me');
        expect(me.status).toBe(stage === 'anonymous' ? 401 : 200);
        if (stage !== 'anonymous') expect(me.body.session.stage).toBe(stage);
        return;
      }

      expect(res.status, JSON.stringify(res.body)).toBe(successStatus[endpoint] ?? 200);
      switch (endpoint) {
        case 'POST /session':
          expect(res.body.stage).toBe(stage === 'anonymous' ? 'complete' : stage === 'complete' ? 'two_factor' : stage);
          break;
        case 'POST /session/two-factor':
        case 'POST /me/two-factor/activate':
          expect((await agent.get('/me')).body.session.stage).toBe('complete');
          break;
        case 'DELETE /session':
          expect((await agent.get('/me')).status).toBe(401);
          break;
        case 'GET /me':
          expect(res.body.session.stage).toBe(stage);
          expect(res.body.user.email).toBe(person);
          expect(res.body.session.csrfToken).toBe(agent.csrf);
          break;
        case 'POST /me/two-factor/setup':
          expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
          expect(user(h, demo.required).pendingTotpSecret).not.toBeNull();
          break;
        case 'POST /me/two-factor/backup-codes':
          expect(res.body.backupCodes).toHaveLength(10);
          break;
        case 'POST /me/two-factor/disable':
          expect(res.body.user.twoFactor.status).toBe('not_enabled');
          break;
        case 'POST /session/step-up':
          expect((await agent.get('/me')).body.session.verifiedAt).toBe(new Date(h.clock.now()).toISOString());
          break;
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// what the API says one may do agrees with what it then does

const activeEmails = demoSeed.users.filter((u) => u.active).map((u) => u.email);

describe('GET /me permissions agree with the endpoints', () => {
  it.each(activeEmails)('viewer %s', async (email) => {
    // viewFirmSecurity
    {
      const h = await createHarness();
      const agent = await signInComplete(h, email);
      const me = await agent.get('/me');
      expect(me.status).toBe(200);
      expect(me.body.session.stage).toBe('complete');
      const permission = me.body.permissions.viewFirmSecurity;
      const list = await agent.get('/firm/users');
      const events = await agent.get('/firm/events');
      if (permission.allowed) {
        expect(list.status).toBe(200);
        expect(events.status).toBe(200);
      } else {
        expectProblem(list, 403, permission.reason);
        expectProblem(events, 403, permission.reason);
      }
    }
    // disableTwoFactor: may this viewer disable another user's 2FA (one whose 2FA is on)
    {
      const h = await createHarness();
      const agent = await signInComplete(h, email);
      const me = await agent.get('/me');
      const permission = me.body.permissions.disableTwoFactor;
      const target = email === demo.userWith2fa ? demo.otherUserWith2fa : demo.userWith2fa;
      const before = user(h, target);
      const res = await agent.post(`/firm/users/${idOf(h, target)}/two-factor/disable`, { confirm: true });
      if (permission.allowed) {
        expect(res.status).toBe(200);
        expect(user(h, target).totpSecret).toBeNull();
      } else {
        expectProblem(res, 403, permission.reason);
        expect(user(h, target)).toEqual(before);
      }
    }
  });

  it.each([
    [demo.primary, 'two_factor_pending'],
    [demo.required, 'two_factor_setup_required'],
  ])(
    'before sign-in is complete (%s) the permissions carry the stage problem the endpoints answer',
    async (email, reason) => {
      const h = await createHarness();
      const agent = await passwordOnly(h, email);
      const me = await agent.get('/me');
      expect(me.body.permissions).toEqual({
        viewFirmSecurity: { allowed: false, reason },
        disableTwoFactor: { allowed: false, reason },
      });
      expectProblem(await agent.get('/firm/users'), 403, reason);
    },
  );

  it('reports the expected permissions for each kind of viewer', async () => {
    const h = await createHarness();
    const permissionsOf = async (email: string) => (await (await h.signIn(email)).get('/me')).body.permissions;
    expect(await permissionsOf(demo.primary)).toEqual({
      viewFirmSecurity: { allowed: true },
      disableTwoFactor: { allowed: true },
    });
    expect(await permissionsOf(demo.adminWith2fa)).toEqual({
      viewFirmSecurity: { allowed: true },
      disableTwoFactor: { allowed: true },
    });
    expect(await permissionsOf(demo.adminWithout2fa)).toEqual({
      viewFirmSecurity: { allowed: true },
      disableTwoFactor: { allowed: false, reason: 'viewer_two_factor_required' },
    });
    expect(await permissionsOf(demo.plain)).toEqual({
      viewFirmSecurity: { allowed: false, reason: 'forbidden' },
      disableTwoFactor: { allowed: false, reason: 'forbidden' },
    });
  });
});

type ActionName = 'invite' | 'remind' | 'setRequirement' | 'disableTwoFactor';

const performAction = (agent: Agent, action: ActionName, target: any): Promise<TestResponse> => {
  const base = `/firm/users/${target.id}`;
  switch (action) {
    case 'invite':
      return agent.post(`${base}/invitation`, {});
    case 'remind':
      return agent.post(`${base}/invitation/reminders`, {});
    case 'setRequirement':
      return agent.put(`${base}/requirement`, { required: target.requirement.status !== 'required' });
    case 'disableTwoFactor':
      return agent.post(`${base}/two-factor/disable`, { confirm: true });
  }
};

/** What a successful action must have changed in the store. */
const expectActionDone = (action: ActionName, before: UserRecord, after: UserRecord) => {
  expect(after.version).toBe(before.version + 1);
  switch (action) {
    case 'invite':
      expect(before.invitation).toBeNull();
      expect(after.invitation).not.toBeNull();
      break;
    case 'remind':
      expect(after.invitation?.reminderCount).toBe((before.invitation?.reminderCount ?? -10) + 1);
      break;
    case 'setRequirement':
      expect(after.required).toBe(!before.required);
      break;
    case 'disableTwoFactor':
      expect(before.totpSecret).not.toBeNull();
      expect(after.totpSecret).toBeNull();
      break;
  }
};

const actions: ActionName[] = ['invite', 'remind', 'setRequirement', 'disableTwoFactor'];
const adminViewers = [demo.primary, demo.adminWith2fa, demo.adminWithout2fa];

describe('allowedActions agree with the endpoints', () => {
  describe.each(adminViewers)('viewer %s', (viewerEmail) => {
    it.each(activeEmails)('target %s', async (targetEmail) => {
      const seen: Record<string, unknown> = {};
      for (const action of actions) {
        // a fresh firm for every action, so that actions do not interfere
        const h = await createHarness();
        const agent = await h.signIn(viewerEmail);
        const list = await agent.get('/firm/users?limit=200');
        expect(list.status).toBe(200);
        const target = list.body.items.find((u: any) => u.email === targetEmail);
        expect(target).toBeDefined();
        // the single-user view says the same as the list
        const single = await agent.get(`/firm/users/${target.id}`);
        expect(single.body.allowedActions).toEqual(target.allowedActions);

        const permission = target.allowedActions[action];
        seen[action] = permission;
        const before = user(h, targetEmail);
        const res = await performAction(agent, action, target);
        if (permission.allowed) {
          expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
          expectActionDone(action, before, user(h, targetEmail));
        } else {
          expect(permission.reason).not.toBe('step_up_required');
          expect(res.body.code, action).toBe(permission.reason);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(user(h, targetEmail)).toEqual(before);
          if (permission.reason === 'reminder_too_soon') {
            expect(permission.retryAt).toBeDefined();
            expect(Number(res.headers.get('retry-after'))).toBe(
              Math.ceil((Date.parse(permission.retryAt) - h.clock.now()) / 1000),
            );
          }
        }
      }
      expect(Object.keys(seen)).toHaveLength(4);
    });
  });

  it('the table holds the reasons the contract names for the demo firm', async () => {
    const h = await createHarness();
    const primary = await h.signIn(demo.primary);
    const byEmail = Object.fromEntries(
      (await primary.get('/firm/users?limit=200')).body.items.map((u: any) => [u.email, u.allowedActions]),
    );
    expect(byEmail[demo.primary].disableTwoFactor).toEqual({ allowed: false, reason: 'self_action_not_allowed' });
    expect(byEmail[demo.userWith2fa]).toEqual({
      invite: { allowed: false, reason: 'already_enabled' },
      remind: { allowed: false, reason: 'not_invited' },
      setRequirement: { allowed: true },
      disableTwoFactor: { allowed: true },
    });
    expect(byEmail[demo.invited].invite).toEqual({ allowed: false, reason: 'already_invited' });
    expect(byEmail[demo.invited].remind).toEqual({ allowed: true });
    expect(byEmail[demo.notMigrated].setRequirement).toEqual({ allowed: false, reason: 'identity_not_migrated' });
    expect(byEmail[demo.plain].disableTwoFactor).toEqual({ allowed: false, reason: 'two_factor_not_enabled' });

    const admin = await h.signIn(demo.adminWith2fa);
    const asAdmin = (await admin.get(`/firm/users/${idOf(h, demo.primary)}`)).body.allowedActions;
    expect(asAdmin.disableTwoFactor).toEqual({ allowed: false, reason: 'primary_subscriber_protected' });

    const noTwoFactor = await h.signIn(demo.adminWithout2fa);
    const asNoTwoFactor = (await noTwoFactor.get(`/firm/users/${idOf(h, demo.userWith2fa)}`)).body.allowedActions;
    expect(asNoTwoFactor.disableTwoFactor).toEqual({ allowed: false, reason: 'viewer_two_factor_required' });
  });

  it('reminder_too_soon carries retryAt, and the reminder endpoint agrees (429 with Retry-After)', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.primary);
    const id = idOf(h, demo.plain2);
    expect((await admin.post(`/firm/users/${id}/invitation`, {})).status).toBe(200);
    const invitedAt = h.clock.now();
    h.clock.advance(10 * MINUTE);

    const shown = (await admin.get(`/firm/users/${id}`)).body.allowedActions.remind;
    expect(shown).toEqual({
      allowed: false,
      reason: 'reminder_too_soon',
      retryAt: new Date(invitedAt + 60 * MINUTE).toISOString(),
    });
    const before = user(h, demo.plain2);
    const refused = await admin.post(`/firm/users/${id}/invitation/reminders`, {});
    expectProblem(refused, 429, 'reminder_too_soon');
    expect(refused.headers.get('retry-after')).toBe(String(50 * 60));
    expect(user(h, demo.plain2)).toEqual(before);

    h.clock.advance(50 * MINUTE);
    expect((await admin.get(`/firm/users/${id}`)).body.allowedActions.remind).toEqual({ allowed: true });
    const sent = await admin.post(`/firm/users/${id}/invitation/reminders`, {});
    expect(sent.status).toBe(200);
    expect(sent.body.invitation.reminderCount).toBe(1);
  });

  it('step_up_required never shows in allowedActions, but the endpoint asks for it after the window', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.adminWith2fa);
    const id = idOf(h, demo.userWith2fa);
    h.clock.advance(16 * MINUTE);

    expect((await admin.get(`/firm/users/${id}`)).body.allowedActions.disableTwoFactor).toEqual({ allowed: true });
    expect((await admin.get('/me')).body.permissions.disableTwoFactor).toEqual({ allowed: true });
    const before = user(h, demo.userWith2fa);
    const refused = await admin.post(`/firm/users/${id}/two-factor/disable`, { confirm: true });
    expectProblem(refused, 403, 'step_up_required');
    expect(user(h, demo.userWith2fa)).toEqual(before);

    const code = await totpCodeAt(seedSecretOf(demo.adminWith2fa), h.clock.now());
    expect((await admin.post('/session/step-up', { code })).status).toBe(204);
    const done = await admin.post(`/firm/users/${id}/two-factor/disable`, { confirm: true });
    expect(done.status).toBe(200);
    expect(user(h, demo.userWith2fa).totpSecret).toBeNull();
  });

  it('a plain user sees no allowedActions at all: every firm read is forbidden', async () => {
    const h = await createHarness();
    const plain = await h.signIn(demo.userWith2fa);
    expectProblem(await plain.get(`/firm/users/${idOf(h, demo.plain)}`), 403, 'forbidden');
  });
});
