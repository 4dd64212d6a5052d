/**
 * Regression tests for the server review (/work/review/server-review.md) that need the BUILT CLI
 * (`dist/node/cli.js`) as a child process: finding 5 (SIGTERM and keep-alive connections) and
 * finding 18 (CLI flags), plus the `--app-url` flag of finding 10.
 * Build first: pnpm --filter @firm-security/server run build
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { totpCodeAt } from '@firm-security/server';
import { SqliteStore } from '@firm-security/server/node';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertCliBuilt, type Cli, killAllClis, runCli, startCli } from './cli-process.js';
import { Agent, DEMO_PASSWORD, demo, seedSecretOf } from './harness.js';

beforeAll(assertCliBuilt);

// Never leave a server behind, whatever happened in the test.
afterEach(killAllClis);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'firm-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

/** `origin` lets a test move the API: the agent requests `${origin}/api/v1/...`. */
const signIn = async (cli: Cli, email: string, origin = cli.origin): Promise<Agent> => {
  const agent = new Agent((request) => fetch(request), origin);
  const started = await agent.post('/session', { email, password: DEMO_PASSWORD });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  if (started.body.stage === 'two_factor') {
    const verified = await agent.post('/session/two-factor', {
      code: await totpCodeAt(seedSecretOf(email), Date.now()),
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  }
  return agent;
};

const userIdOf = async (agent: Agent, email: string): Promise<string> => {
  const page = await agent.get('/firm/users?limit=200');
  expect(page.status).toBe(200);
  return page.body.items.find((u: { email: string }) => u.email === email).id;
};

/** A raw HTTP/1.1 connection: what was received, and whether the server closed it. */
const rawConnection = async (port: number) => {
  const socket: Socket = connect(port, '127.0.0.1');
  const state = { received: '', closed: false };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    state.received += chunk;
  });
  // Writing after the server hung up fails with EPIPE or ECONNRESET: that is the expected outcome.
  socket.on('error', () => {});
  socket.on('close', () => {
    state.closed = true;
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state };
};

/** Whether `text` holds one complete HTTP response (Content-Length or chunked). */
const firstResponseComplete = (text: string): boolean => {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = text.slice(0, end).toLowerCase();
  const body = text.slice(end + 4);
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
  if (length !== undefined) return Buffer.byteLength(body) >= Number(length);
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return /(^|\r\n)0\r\n\r\n/.test(body);
  return false;
};

const requestHead = (cli: Cli, agent: Agent, method: string, path: string, extra: string[] = []) =>
  [
    `${method} /api/v1${path} HTTP/1.1`,
    `Host: 127.0.0.1:${cli.port}`,
    'Connection: keep-alive',
    `Cookie: ${agent.cookie}`,
    `X-CSRF-Token: ${agent.csrf}`,
    ...extra,
    '',
    '',
  ].join('\r\n');

describe('5. SIGTERM with a keep-alive connection (built CLI)', () => {
  it('finishes the request in flight with Connection: close, serves nothing more on that socket, and exits 0 promptly', async () => {
    const cli = await startCli(['--seed', 'demo']);
    const admin = await signIn(cli, demo.primary);
    const target = await userIdOf(admin, 'lucas.moreau@hartwell-reyes.test');

    const { socket, state } = await rawConnection(cli.port);
    const body = '{"required":true}';
    socket.write(
      requestHead(cli, admin, 'PUT', `/firm/users/${target}/requirement`, [
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
      ]) + body.slice(0, 3),
    );
    await sleep(200);

    const signalledAt = Date.now();
    process.kill(cli.pid, 'SIGTERM');
    await sleep(500);
    expect(cli.proc.exitCode, 'the server waits for the request in flight').toBeNull();
    expect(state.received).toBe('');

    socket.write(body.slice(3));
    await waitFor(() => firstResponseComplete(state.received), 'the response to the request in flight');
    const head = state.received.slice(0, state.received.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toMatch(/\r\nconnection: close\r?$/im);
    expect(head).not.toMatch(/keep-alive/i);

    // A keep-alive client reuses the socket: the server must not answer on it any more.
    if (!state.closed) socket.write(requestHead(cli, admin, 'GET', '/me'));
    await waitFor(() => state.closed, 'the server to close the connection', 5_000);
    expect(state.received.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);

    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(3_000);
    socket.destroy();
  });

  it('cuts off a request that never finishes after the 10 s grace period, and exits 0', async () => {
    const cli = await startCli(['--seed', 'demo']);
    const admin = await signIn(cli, demo.primary);
    const target = await userIdOf(admin, 'lucas.moreau@hartwell-reyes.test');

    const { socket, state } = await rawConnection(cli.port);
    socket.write(
      `${requestHead(cli, admin, 'PUT', `/firm/users/${target}/requirement`, [
        'Content-Type: application/json',
        'Content-Length: 17',
      ])}{"re`,
    );
    await sleep(200);
    const signalledAt = Date.now();
    process.kill(cli.pid, 'SIGTERM');

    const outcome = await Promise.race([cli.exited, sleep(20_000).then(() => 'still running 20 s after SIGTERM')]);
    expect(outcome).toEqual({ code: 0, signal: null });
    const took = Date.now() - signalledAt;
    expect(took).toBeGreaterThanOrEqual(9_000);
    expect(took).toBeLessThan(15_000);
    await waitFor(() => state.closed, 'the connection to be closed', 2_000);
    socket.destroy();
  }, 40_000);
});

describe('18. CLI flags', () => {
  it('--port abc exits 2 with a message about the port, not about seconds', async () => {
    for (const port of ['abc', '70000', '-1', '80.5']) {
      const result = await runCli([`--port=${port}`, '--host', '127.0.0.1']);
      expect(result.code, `--port ${port}: ${result.output}`).toBe(2);
      expect(result.output).toMatch(/--port/);
      expect(result.output).toMatch(/65535/);
      expect(result.output).not.toMatch(/seconds/);
      expect(result.output).not.toMatch(/listening on/);
    }
  });

  it('totp with a mistyped --db fails without creating a database file', async () => {
    const typo = join(dir, 'typo.db');
    const result = await runCli(['totp', '--db', typo, demo.primary]);
    expect(result.code, result.output).not.toBe(0);
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(`${typo}.key`)).toBe(false);

    const missingDir = await runCli(['totp', '--db', '/nonexistent/x.db', demo.primary]);
    expect(missingDir.code, missingDir.output).not.toBe(0);
    expect(existsSync('/nonexistent/x.db')).toBe(false);
  });

  it('the demo help of an in-memory database does not suggest `totp --db :memory:`', async () => {
    const cli = await startCli(['--seed', 'demo']);
    await waitFor(() => /in-memory|A fresh code/.test(cli.output()), 'the demo help');
    expect(cli.output()).not.toContain('--db :memory:');
    expect(cli.output()).not.toContain('npm run totp');
    process.kill(cli.pid, 'SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('--app-url notaurl refuses to start with a clear message', async () => {
    const result = await runCli(['--port', '0', '--host', '127.0.0.1', '--app-url', 'notaurl']);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toMatch(/notaurl/);
    expect(result.output).toMatch(/absolute URL|app-?url/i);
    expect(result.output).not.toMatch(/listening on/);
  });

  it('--app-url https://… puts that address in invitation emails and makes the session cookie Secure', async () => {
    const db = join(dir, 'firm.db');
    const appUrl = 'https://app.example.test';
    const cli = await startCli(['--db', db, '--seed', 'demo', '--app-url', appUrl]);

    // Over plain http to the server itself, the cookie is still Secure: the app is served over https.
    const started = await fetch(`${cli.url}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demo.primary, password: DEMO_PASSWORD }),
    });
    expect(started.status).toBe(200);
    expect(started.headers.get('set-cookie')).toMatch(/^firm_session=[^;]+;.*;\s*Secure(;|$)/i);
    await started.text();

    const admin = await signIn(cli, demo.primary);
    const target = await userIdOf(admin, demo.plain);
    const invited = await admin.post(`/firm/users/${target}/invitation`, {});
    expect(invited.status, JSON.stringify(invited.body)).toBe(200);

    process.kill(cli.pid, 'SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });

    const store = new SqliteStore(db, { fileMustExist: true });
    try {
      const mails = store.listMail({ limit: 50 }).filter((m) => m.to === demo.plain && m.kind === 'invitation');
      expect(mails).toHaveLength(1);
      const mail = mails[0] as (typeof mails)[number];
      expect(mail.text).toContain(appUrl);
      expect(mail.html).toContain(appUrl);
      expect(mail.text).not.toContain(cli.origin);
      expect(mail.html).not.toContain(cli.origin);
    } finally {
      store.close();
    }
  });
});

describe('--step-up-window and --base-path (contract review findings 12 and 13)', () => {
  it('--step-up-window 3: disabling a 2FA is allowed just after the sign-in code, step_up_required 3 s later', async () => {
    const cli = await startCli(['--seed', 'demo', '--step-up-window', '3']);
    const admin = await signIn(cli, demo.primary);
    const verifiedAt = Date.now();
    const disable = async (email: string) =>
      admin.post(`/firm/users/${await userIdOf(admin, email)}/two-factor/disable`, { confirm: true });
    const early = await disable(demo.otherUserWith2fa);
    expect(early.status, JSON.stringify(early.body)).toBe(200);

    await sleep(verifiedAt + 3_500 - Date.now());
    const late = await disable(demo.userWith2fa);
    // Well inside the default 15 min: only the flag makes this a step_up_required.
    expect(late.status, JSON.stringify(late.body)).toBe(403);
    expect(late.body.code).toBe('step_up_required');
  });

  it('--base-path /security/api/v1: the API answers there and 404s under /api/v1', async () => {
    const cli = await startCli(['--seed', 'demo', '--base-path', '/security/api/v1']);
    expect(cli.output()).toContain(`listening on ${cli.origin}/security/api/v1`);
    // The agent puts /api/v1 after its origin, so this origin makes it call /security/api/v1/...
    const admin = await signIn(cli, demo.primary, `${cli.origin}/security`);
    expect(admin.cookie).toBeDefined();
    const me = await admin.get('/me');
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body.user.email).toBe(demo.primary);

    const old = await fetch(`${cli.origin}/api/v1/me`, { headers: { cookie: admin.cookie as string } });
    expect(old.status).toBe(404);
    expect((await old.json()).code).toBe('not_found');
  });
});
