// Shared set-up of the HTTP conformance suite: a real server on loopback (SQLite in a temp directory,
// a movable clock, the demo firm) and browser-like agents that talk to it with fetch().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createOpenApiDocument,
  type Operation,
  operations,
  type ProblemCode,
  ProblemSchema,
  problemCatalog,
} from '@firm-security/contract';
import { silentLogger, totpCodeAt } from '@firm-security/server';
import { type RunningServer, type StartServerOptions, startServer } from '@firm-security/server/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  Agent,
  DEMO_PASSWORD,
  demo,
  seedSecretOf,
  TestClock,
  type TestResponse,
} from '../../packages/server/test/harness.js';

export { Agent, DEMO_PASSWORD, demo, seedSecretOf, TestClock, type TestResponse };

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** The running server of one describe block, filled in by its beforeAll. */
export interface Env {
  running: RunningServer;
  clock: TestClock;
  /** fetch() against the server, checking the headers every response must carry. */
  fetcher: (request: Request) => Promise<Response>;
  /** User id of a seeded email (including the deactivated user). */
  id(email: string): string;
  agent(): Agent;
  /** A current code for a secret, one step later than the last one handed out (advances the clock 30 s). */
  codeFor(email: string, secret?: string): Promise<string>;
  /** Password, then a TOTP code when 2FA is on. */
  signIn(email: string): Promise<Agent>;
  /** Outbox, newest first. */
  mail(): ReturnType<RunningServer['store']['listMail']>;
  /** Absolute URL of an API path. */
  url(path: string): string;
}

/** What the suite has seen the server answer: `<operationId> <status>` and `<code> <status>`. */
export const coverage = { successes: new Set<string>(), problems: new Set<string>() };

const routeMatchers = (operations as readonly Operation[]).map((op) => ({
  op,
  pattern: new RegExp(`^/api/v1${op.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/** The operation a request calls; none for unknown routes and wrong methods (404 and 405 belong to no operation). */
const operationOf = (method: string, path: string): Operation | undefined =>
  routeMatchers.find((m) => m.pattern.test(path) && m.op.method.toUpperCase() === method.toUpperCase())?.op;

type OpenApiResponses = Record<string, { description: string }>;
const openApiPaths = createOpenApiDocument().paths as Record<string, Record<string, { responses: OpenApiResponses }>>;

/** Whether the operation's OpenAPI response for `status` lists `code` ("Problem: a, b, c"). */
export const documents = (op: Operation, code: string, status: number): boolean => {
  const description = openApiPaths[op.path]?.[op.method]?.responses[String(status)]?.description ?? '';
  return description
    .replace(/^Problem:\s*/, '')
    .split(/,\s*/)
    .includes(code);
};

/** Responses that broke a rule every response must follow: every test must leave this empty. */
const violations: string[] = [];

afterEach(() => {
  const seen = violations.splice(0);
  expect(seen, 'responses that break the rules for every response').toEqual([]);
});

/**
 * Records what the server answered, and checks what every answer must satisfy: a success has the
 * operation's status and parses with its schema (and carries `ETag: W/"<version>"` where the contract
 * says so); a problem is application/problem+json with the contract's shape, and one of the problems
 * (code and status) that the operation documents in the OpenAPI document.
 */
const record = async (request: Request, response: Response) => {
  const path = new URL(request.url).pathname;
  const where = `${request.method} ${path} -> ${response.status}`;
  const type = response.headers.get('content-type') ?? '';
  const op = operationOf(request.method, path);
  if (response.ok) {
    if (!op) return;
    coverage.successes.add(`${op.operationId} ${response.status}`);
    if (response.status !== op.success.status) violations.push(`${where}: expected ${op.success.status}`);
    if (op.success.schema) {
      if (!type.startsWith('application/json')) violations.push(`${where}: content-type ${type}`);
      const parsed = op.success.schema.safeParse(await response.clone().json());
      if (!parsed.success) violations.push(`${where}: ${parsed.error.message}`);
      else if (op.success.etag) {
        const version = (parsed.data as { version: number }).version;
        if (response.headers.get('etag') !== `W/"${version}"`) violations.push(`${where}: ETag is not W/"${version}"`);
      }
    }
    return;
  }
  if (request.method === 'HEAD') return;
  if (!type.startsWith('application/problem+json')) {
    violations.push(`${where}: content-type ${type}`);
    return;
  }
  const parsed = ProblemSchema.safeParse(await response.clone().json());
  if (!parsed.success) {
    violations.push(`${where}: not a problem: ${parsed.error.message}`);
    return;
  }
  const { code, status, type: uri } = parsed.data;
  if (status !== response.status || uri !== `urn:firm-security:problem:${code}`)
    violations.push(`${where}: problem ${code} says status ${status}, type ${uri}`);
  coverage.problems.add(`${code} ${response.status}`);
  if (op && !documents(op, code, response.status))
    violations.push(`${where}: ${op.operationId} does not document ${code} with status ${response.status}`);
};

/** Starts a fresh server for the enclosing describe block (or file) and closes it afterwards. */
export const useServer = (options: Partial<StartServerOptions> = {}): Env => {
  const env = {} as Env;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firm-security-conformance-'));
    const clock = new TestClock();
    const running = await startServer({
      port: 0,
      host: '127.0.0.1',
      db: join(dir, 'firm-security.db'),
      seed: 'demo',
      clock,
      scryptCost: { logN: 4, r: 8, p: 1 },
      log: silentLogger,
      ...options,
    });
    const fetcher = async (request: Request) => {
      const response = await fetch(request);
      await record(request, response);
      const path = new URL(request.url).pathname;
      if (response.headers.get('x-content-type-options') !== 'nosniff')
        violations.push(`${request.method} ${path}: nosniff`);
      if (response.headers.get('cache-control') !== 'no-store') violations.push(`${request.method} ${path}: no-store`);
      return response;
    };
    Object.assign(env, {
      running,
      clock,
      fetcher,
      id(email: string) {
        const user = running.store.findUserByEmail(email);
        if (!user) throw new Error(`no user ${email}`);
        return user.id;
      },
      agent: () => new Agent(fetcher, running.origin),
      async codeFor(email: string, secret = seedSecretOf(email)) {
        clock.advance(30_000);
        return totpCodeAt(secret, clock.now());
      },
      async signIn(email: string) {
        const agent = new Agent(fetcher, running.origin);
        const started = await agent.post('/session', { email, password: DEMO_PASSWORD });
        if (started.status !== 200) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(started.body)}`);
        if (started.body.stage === 'two_factor') {
          const verified = await agent.post('/session/two-factor', { code: await env.codeFor(email) });
          if (verified.status !== 200) throw new Error(`2FA of ${email} failed: ${JSON.stringify(verified.body)}`);
        }
        return agent;
      },
      mail: () => running.store.listMail({ limit: 100 }),
      url: (path: string) => `${running.url}${path}`,
    } satisfies Env);
  });
  afterAll(async () => {
    await env.running?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return env;
};

/** Asserts a problem response: status, media type, type URI, code, catalog title, detail, schema. */
export const expectProblem = (response: TestResponse, code: ProblemCode, status?: number) => {
  const expected = status ?? problemCatalog[code].status;
  expect({ status: response.status, code: response.body?.code }).toEqual({ status: expected, code });
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json\b/);
  const body = ProblemSchema.parse(response.body);
  expect(body.type).toBe(`urn:firm-security:problem:${code}`);
  expect(body.status).toBe(expected);
  expect(body.title).toBe(problemCatalog[code].title);
  expect(body.detail.trim().length).toBeGreaterThan(0);
  return body;
};

/** Asserts a 429 carries Retry-After in whole seconds (and the same `retryAfter` in the body); returns it. */
export const retryAfterOf = (response: TestResponse): number => {
  const header = response.headers.get('retry-after');
  expect(header).toMatch(/^\d+$/);
  const seconds = Number(header);
  expect(seconds).toBeGreaterThan(0);
  expect(response.body.retryAfter).toBe(seconds);
  return seconds;
};

/** Asserts a success status and a JSON media type; returns the body. */
export const expectOk = <T = any>(response: TestResponse<T>, status = 200): T => {
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  if (status !== 204) expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json\b/);
  return response.body;
};

/** `If-Match` of a version. */
export const ifMatch = (version: number, weak = false) => ({ 'if-match': weak ? `W/"${version}"` : `"${version}"` });

export const iso = (ms: number) => new Date(ms).toISOString();

/** A six-digit code that is valid for none of the steps the server accepts at `nowMs`. */
export const wrongCodeFor = async (secret: string, nowMs: number): Promise<string> => {
  const valid = new Set(await Promise.all([-1, 0, 1].map((d) => totpCodeAt(secret, nowMs + d * 30_000))));
  let n = 123_456;
  while (valid.has(String(n).padStart(6, '0'))) n += 1;
  return String(n).padStart(6, '0');
};

/** Polls until `check` holds (at most ~2 s). */
export const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
};
