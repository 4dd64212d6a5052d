/**
 * Cross-package: the reference server routes exactly what the OpenAPI document lists, answers
 * every other method with 405 + Allow and every other path with 404, and its real responses
 * match the document's schemas.
 */

// The root package has no workspace dependencies, so cross-package tests import the sources directly.
import { createOpenApiDocument, type Operation, type OperationId, operations } from '@firm-security/contract';
import { silentLogger, totpCodeAt } from '@firm-security/server';
import { type RunningServer, startServer } from '@firm-security/server/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentValidator } from '../packages/contract/test/json-schema.js';
import {
  Agent,
  createHarness,
  DEMO_PASSWORD,
  demo,
  type Harness,
  seedSecretOf,
  type TestResponse,
} from '../packages/server/test/harness.js';

type Json = Record<string, any>;

const BASE = '/api/v1';
const doc = createOpenApiDocument() as Json;
const schemas = documentValidator(doc);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every (path, method) the document lists. */
const documented = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  HTTP_METHODS.filter((method) => item[method]).map((method) => ({
    path,
    method: method.toUpperCase(),
    operation: item[method] as Json,
  })),
);
const documentedPaths = Object.keys(doc.paths as Json);

/** Methods a client may send to a path: the listed ones, plus HEAD wherever GET is listed. */
const allowedMethods = (path: string): string[] => {
  const listed = documented.filter((d) => d.path === path).map((d) => d.method);
  return listed.includes('GET') ? [...listed, 'HEAD'] : listed;
};

/** Methods probed for 405: the usual ones, and a WebDAV one nobody routes. */
const PROBE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'];

/** Paths near the real ones (and outside the base path) that the API does not have. */
const UNDOCUMENTED = [
  '/',
  '/api',
  '/api/v1',
  '/api/v1/',
  '/api/v2/me',
  '/api/v1.1/me',
  '/api/v1me',
  '/me',
  '/session',
  '/firm/users',
  '/api/v1/firm',
  '/api/v1/firm/',
  '/api/v1/firm/users/',
  '/api/v1/firm/users/x/',
  '/api/v1/firm/users/x/y',
  '/api/v1/firm/users//invitation',
  '/api/v1/firm/users/x/invitation/',
  '/api/v1/firm/users/x/invitation/reminders/1',
  '/api/v1/firm/users/x/two-factor',
  '/api/v1/firm/users/x/two-factor/enable',
  '/api/v1/firm/users/x/requirement/extra',
  '/api/v1/firm/events/',
  '/api/v1/firm/events/x',
  '/api/v1/firm/user',
  '/api/v1/Firm/Users',
  '/api/v1/ME',
  '/api/v1/me/',
  '/api/v1/me.json',
  '/api/v1//me',
  '/api/v1/me/two-factor',
  '/api/v1/me/two-factor/',
  '/api/v1/me/two-factor/enable',
  '/api/v1/sessions',
  '/api/v1/session/',
  '/api/v1/session/two-factor/',
  '/api/v1/users',
  '/api/v1/openapi.json',
];

interface Target {
  name: string;
  origin: string;
  fetch: (request: Request) => Promise<Response>;
  userId: string;
}

/** Checks a problem response; returns its body (undefined for HEAD, which has none). */
const expectProblem = async (response: Response, code: string, status: number, head = false) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toBe('no-store');
  if (head) {
    expect(await response.text()).toBe('');
    return undefined;
  }
  const body = await response.json();
  expect(body).toMatchObject({ code, status, type: `urn:firm-security:problem:${code}` });
  expect(typeof body.detail).toBe('string');
  const check = schemas.validate('Problem', body);
  expect(check.valid, JSON.stringify(check.errors)).toBe(true);
  return body;
};

const harness = await createHarness();
let running: RunningServer;

beforeAll(async () => {
  running = await startServer({
    port: 0,
    db: ':memory:',
    seed: 'demo',
    scryptCost: { logN: 4, r: 8, p: 1 },
    log: silentLogger,
  });
});
afterAll(async () => {
  await running?.close();
});

const targets: (() => Target)[] = [
  () => ({
    name: 'in-process app',
    origin: 'http://firm.test',
    fetch: harness.fetch,
    userId: harness.ids[demo.plain] as string,
  }),
  () => ({
    name: 'HTTP over loopback',
    origin: running.origin,
    fetch: (request) => fetch(request),
    userId: running.store.findUserByEmail(demo.plain)?.id as string,
  }),
];

describe('the document and the contract table', () => {
  it('lists the same (path, method) pairs as `operations`', () => {
    const fromDoc = documented.map((d) => `${d.method} ${d.path} ${d.operation.operationId}`).sort();
    const fromTable = (operations as readonly Operation[])
      .map((op) => `${op.method.toUpperCase()} ${op.path} ${op.operationId}`)
      .sort();
    expect(fromDoc).toEqual(fromTable);
    expect(fromDoc).toHaveLength(16);
  });

  it('serves the API under the servers url of the document', () => {
    expect(doc.servers[0].url).toBe(BASE);
  });
});

describe.each(targets.map((t, i) => [['in-process app', 'HTTP over loopback'][i], t] as const))('%s', (_, target) => {
  let t: Target;
  beforeAll(() => {
    t = target();
  });
  const send = (method: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    return t.fetch(new Request(`${t.origin}${path}`, { ...init, method, headers }));
  };
  const concrete = (path: string) => `${BASE}${path.replace('{id}', encodeURIComponent(t.userId))}`;

  describe('every documented route is served', () => {
    it.each(documented.map((d) => [`${d.method} ${d.path}`, d] as const))(
      '%s',
      async (_, { path, method, operation }) => {
        const url = concrete(path);
        const public_ = operation.security?.length === 0;
        const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
        const response = await send(method, url, body ? { body, headers: { 'content-type': 'application/json' } } : {});
        // 404 (unknown route) and 405 come before everything else, so these prove the route exists.
        expect(response.status).not.toBe(404);
        expect(response.status).not.toBe(405);
        if (public_) {
          // POST /session with {} reaches body validation.
          await expectProblem(response, 'validation_failed', 422);
        } else {
          await expectProblem(response, 'unauthenticated', 401);
        }
        expect(Object.keys(operation.responses)).toContain(String(response.status));
        if (method === 'GET') {
          await expectProblem(await send('HEAD', url), 'unauthenticated', 401, true);
        }
      },
    );

    it('routes any id segment, including encoded slashes and unicode, to the {id} routes', async () => {
      // (Not `..` or `%2E%2E`: the URL parser resolves dot segments before any server sees them.)
      for (const id of ['usr_does_not_exist', 'a%2Fb', '%C3%A9t%C3%A9', '...', 'usr_1;x=y', 'x'.repeat(300)]) {
        const response = await send('GET', `${BASE}/firm/users/${id}`);
        await expectProblem(response, 'unauthenticated', 401);
      }
    });
  });

  describe('wrong methods answer 405 with Allow', () => {
    const cases = documentedPaths.flatMap((path) =>
      PROBE_METHODS.filter((m) => !allowedMethods(path).includes(m)).map(
        (method) => [`${method} ${path}`, path, method] as const,
      ),
    );

    it('probes every documented path with at least one wrong method', () => {
      for (const path of documentedPaths) expect(cases.some(([, p]) => p === path)).toBe(true);
    });

    it.each(cases)('%s', async (_, path, method) => {
      const response = await send(method, concrete(path));
      const allow = (response.headers.get('allow') ?? '').split(/,\s*/).filter(Boolean).sort();
      expect(allow).toEqual([...allowedMethods(path)].sort());
      const body = await expectProblem(response, 'method_not_allowed', 405, method === 'HEAD');
      if (method === 'HEAD') {
        expect(body).toBeUndefined();
      } else {
        expect([...body.allow].sort()).toEqual([...allowedMethods(path)].sort());
      }
    });

    it('answers 405 before authentication and before reading the body', async () => {
      const response = await send('PATCH', concrete('/firm/users/{id}'), {
        body: 'x'.repeat(100 * 1024),
        headers: { 'content-type': 'text/plain', cookie: 'firm_session=bogus' },
      });
      await expectProblem(response, 'method_not_allowed', 405);
    });
  });

  describe('undocumented paths answer 404 not_found', () => {
    it.each(UNDOCUMENTED)('%s', async (path) => {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        const response = await send(method, path, method === 'GET' ? {} : { body: '{}' });
        expect(response.headers.get('allow'), `${method} ${path}`).toBeNull();
        await expectProblem(response, 'not_found', 404);
      }
      await expectProblem(await send('HEAD', path), 'not_found', 404, true);
    });

    it('documented paths with a query string are still routed (the query is not part of the path)', async () => {
      await expectProblem(await send('GET', `${BASE}/me?x=1`), 'unauthenticated', 401);
    });
  });
});

describe('a custom base path moves every route', () => {
  it('serves /security/... and nothing under /api/v1', async () => {
    const h = await createHarness({ basePath: '/security/' });
    const at = (method: string, path: string) => h.fetch(new Request(`http://firm.test${path}`, { method }));
    for (const { path, method, operation } of documented) {
      const url = path.replace('{id}', 'usr_x');
      const moved = await at(method, `/security${url}`);
      expect(moved.status, `${method} /security${url}`).toBe(operation.security?.length === 0 ? 422 : 401);
      await expectProblem(await at(method, `${BASE}${url}`), 'not_found', 404);
    }
  });
});

// ---- every operation, called for real, answers as the document says ----

describe('real responses match the document', () => {
  let h: Harness;
  const seen = new Set<OperationId>();
  const byId = Object.fromEntries((operations as readonly Operation[]).map((op) => [op.operationId, op]));

  /** Calls an operation by id and checks the response against the document: status, content type, schema, ETag. */
  const call = async (
    agent: Agent,
    operationId: OperationId,
    options: { id?: string; body?: unknown } = {},
  ): Promise<TestResponse> => {
    const op = byId[operationId] as Operation;
    const path = op.path.replace('{id}', options.id ?? '');
    const response = await agent.request(op.method.toUpperCase(), path, {
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const documentedResponse = doc.paths[op.path][op.method].responses[String(response.status)];
    expect(documentedResponse, `${operationId} answered an undocumented ${response.status}`).toBeDefined();
    const contentTypes = Object.keys(documentedResponse.content ?? {});
    if (contentTypes.length === 0) {
      expect(response.body).toBe('');
    } else {
      expect(response.headers.get('content-type')?.split(';')[0]).toBe(contentTypes[0]);
      const ref: string = documentedResponse.content[contentTypes[0] as string].schema.$ref;
      const check = schemas.validate(ref.replace('#/components/schemas/', ''), response.body);
      expect(check.valid, `${operationId} ${response.status}: ${JSON.stringify(check.errors)}`).toBe(true);
    }
    if (documentedResponse.headers?.ETag) {
      expect(response.headers.get('etag')).toBe(`W/"${response.body.version}"`);
    }
    if (response.status < 300) seen.add(operationId);
    return response;
  };

  beforeAll(async () => {
    h = await createHarness();
  });

  it('an administrator session: sign-in, viewer, the firm endpoints and step-up', async () => {
    const admin = new Agent(h.fetch);
    const started = await call(admin, 'signIn', { body: { email: demo.primary, password: DEMO_PASSWORD } });
    expect(started.status).toBe(200);
    expect(started.body.stage).toBe('two_factor');
    const verified = await call(admin, 'verifySignIn', { body: { code: await h.codeFor(demo.primary) } });
    expect(verified.status).toBe(200);

    expect((await call(admin, 'getViewer')).status).toBe(200);
    const page = await call(admin, 'listUsers');
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThan(5);
    for (const user of page.body.items) expect((await call(admin, 'getUser', { id: user.id })).status).toBe(200);

    expect((await call(admin, 'inviteUser', { id: h.ids[demo.plain] as string })).status).toBe(200);
    expect((await call(admin, 'remindUser', { id: h.ids[demo.invited] as string })).status).toBe(200);
    const required = await call(admin, 'setRequirement', {
      id: h.ids[demo.plain2] as string,
      body: { required: true },
    });
    expect(required.status).toBe(200);
    expect(required.body.requirement.status).toBe('required');
    const disabled = await call(admin, 'disableUserTwoFactor', {
      id: h.ids[demo.userWith2fa] as string,
      body: { confirm: true },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.twoFactor.status).toBe('not_enabled');

    const events = await call(admin, 'listEvents');
    expect(events.status).toBe(200);
    expect(events.body.items.length).toBeGreaterThanOrEqual(5);

    expect((await call(admin, 'stepUp', { body: { code: await h.codeFor(demo.primary) } })).status).toBe(204);

    // Problems are documented and well-formed too.
    expect((await call(admin, 'getUser', { id: 'usr_nope' })).status).toBe(404);
    expect((await call(admin, 'inviteUser', { id: h.ids[demo.adminWith2fa] as string })).status).toBe(409);
    expect((await call(admin, 'remindUser', { id: h.ids[demo.invited] as string })).status).toBe(429);
    expect(
      (await call(admin, 'setRequirement', { id: h.ids[demo.notMigrated] as string, body: { required: true } })).status,
    ).toBe(409);
    expect(
      (await call(admin, 'disableUserTwoFactor', { id: h.ids[demo.primary] as string, body: { confirm: true } }))
        .status,
    ).toBe(403);
  });

  it('a user session: 2FA setup, activation, backup codes, self-disable and sign-out', async () => {
    const user = new Agent(h.fetch);
    expect((await call(user, 'signIn', { body: { email: demo.plain, password: DEMO_PASSWORD } })).status).toBe(200);
    const setup = await call(user, 'setUpTwoFactor');
    expect(setup.status).toBe(200);
    h.clock.advance(30_000);
    const activated = await call(user, 'activateTwoFactor', {
      body: { code: await totpCodeAt(setup.body.secret, h.clock.now()) },
    });
    expect(activated.status).toBe(200);
    expect(activated.body.backupCodes).toHaveLength(10);
    h.clock.advance(30_000);
    const regenerated = await call(user, 'regenerateBackupCodes', {
      body: { code: await totpCodeAt(setup.body.secret, h.clock.now()) },
    });
    expect(regenerated.status).toBe(200);
    const wrong = await call(user, 'disableOwnTwoFactor', { body: { code: '000000' } });
    expect([409, 422]).toContain(wrong.status);
    h.clock.advance(30_000);
    const off = await call(user, 'disableOwnTwoFactor', {
      body: { code: await totpCodeAt(setup.body.secret, h.clock.now()) },
    });
    expect(off.status).toBe(200);
    expect(off.body.user.twoFactor.status).toBe('not_enabled');
    expect((await call(user, 'signOut')).status).toBe(204);
    expect((await call(user, 'getViewer')).status).toBe(401);
  });

  it('a wrong code at sign-in is a documented 401', async () => {
    const agent = new Agent(h.fetch);
    const started = await call(agent, 'signIn', { body: { email: demo.otherUserWith2fa, password: DEMO_PASSWORD } });
    expect(started.body.stage).toBe('two_factor');
    const code = await totpCodeAt(seedSecretOf(demo.otherUserWith2fa), h.clock.now() + 10 * 60_000);
    expect((await call(agent, 'verifySignIn', { body: { code } })).status).toBe(401);
    expect((await call(agent, 'signIn', { body: { email: demo.primary, password: 'wrong-password' } })).status).toBe(
      401,
    );
  });

  it('covered every operation of the contract with a success', () => {
    expect([...seen].sort()).toEqual(operations.map((op) => op.operationId).sort());
  });
});
