import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditRecord,
  createSecretBox,
  generateSecretKey,
  parseSecretKey,
  SecretKeyError,
  totpCodeAt,
  type UserRecord,
} from '@firm-security/server';
import { loadSeed, SqliteStore } from '@firm-security/server/node';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertCliBuilt, type Cli, killAllClis, runCli, startCli, stopCli } from './cli-process.js';
import { Agent, DEMO_PASSWORD, demo, seedSecretOf } from './harness.js';

/**
 * Real SQLite files behind the built CLI (`firm-security-server`), run as a child process:
 * restarts, SIGTERM with a request in flight, SIGKILL in the middle of concurrent writes,
 * seeding twice, and the secret key file.
 */

beforeAll(assertCliBuilt);

// Never leave a server behind, whatever happened in the test.
afterEach(killAllClis);

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'firm-sqlite-'));
  db = join(dir, 'firm.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const agentFor = (cli: Cli) => new Agent((request) => fetch(request), cli.origin);

/** The same browser session, pointed at another server process (a new port). */
const moveAgent = (agent: Agent, cli: Cli) => {
  const moved = agentFor(cli);
  moved.cookie = agent.cookie;
  moved.csrf = agent.csrf;
  return moved;
};

/** Signs in over HTTP; a TOTP code from the demo seed's secret, `offsetMs` from now (never replayed). */
const signIn = async (cli: Cli, email: string, offsetMs = 0): Promise<Agent> => {
  const agent = agentFor(cli);
  const started = await agent.post('/session', { email, password: DEMO_PASSWORD });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  if (started.body.stage === 'two_factor') {
    const code = await totpCodeAt(seedSecretOf(email), Date.now() + offsetMs);
    const verified = await agent.post('/session/two-factor', { code });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  }
  expect(started.body.stage === 'two_factor' || started.body.stage === 'complete').toBe(true);
  return agent;
};

const usersByEmail = async (agent: Agent): Promise<Map<string, any>> => {
  const page = await agent.get('/firm/users?limit=200');
  expect(page.status).toBe(200);
  expect(page.body.nextCursor).toBeNull();
  return new Map(page.body.items.map((user: any) => [user.email, user]));
};

/** A request whose body arrives slowly: it is in flight until `finish()`. */
const slowRequest = (cli: Cli, agent: Agent, method: string, path: string, body: string) => {
  let finish!: () => void;
  let connected!: () => void;
  const connectedPromise = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      `${cli.url}${path}`,
      {
        method,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          cookie: agent.cookie as string,
          'x-csrf-token': agent.csrf as string,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode as number, text }));
      },
    );
    req.on('error', reject);
    req.on('socket', (socket) => socket.on('connect', connected));
    req.write(body.slice(0, 3));
    finish = () => req.end(body.slice(3));
  });
  return { response, connected: connectedPromise, finish: () => finish() };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything seeding could touch, as stored. */
const dumpDatabase = (file: string) => {
  const store = new SqliteStore(file);
  try {
    return {
      firms: store.db.prepare('SELECT * FROM firms ORDER BY id').all(),
      users: store.db.prepare('SELECT * FROM users ORDER BY id').all(),
      events: store.db.prepare('SELECT count(*) AS n FROM audit_events').get(),
      outbox: store.db.prepare('SELECT count(*) AS n FROM outbox').get(),
    };
  } finally {
    store.close();
  }
};

describe('firm-security-server on a SQLite file', () => {
  it('keeps every change across a graceful restart, and SIGTERM lets the request in flight finish', async () => {
    const first = await startCli(['--db', db, '--seed', 'demo']);
    const primary = await signIn(first, demo.primary);
    const users = await usersByEmail(primary);
    const plain = users.get(demo.plain);
    const plain2 = users.get(demo.plain2);
    const lucas = users.get('lucas.moreau@hartwell-reyes.test');

    const invited = await primary.post(
      `/firm/users/${plain.id}/invitation`,
      {},
      { 'if-match': `W/"${plain.version}"` },
    );
    expect(invited.status).toBe(200);
    expect(invited.body.twoFactor.status).toBe('invited');
    const required = await primary.put(`/firm/users/${plain2.id}/requirement`, { required: true });
    expect(required.status).toBe(200);
    expect(required.body.requirement.status).toBe('required');

    // A request still sending its body when SIGTERM arrives.
    const slow = slowRequest(first, primary, 'PUT', `/firm/users/${lucas.id}/requirement`, '{"required":true}');
    await slow.connected;
    await sleep(200);
    process.kill(first.pid, 'SIGTERM');
    await sleep(500);
    expect(first.proc.exitCode, 'the server waits for the request in flight').toBeNull();
    slow.finish();
    const finished = await slow.response;
    expect(finished.status, finished.text).toBe(200);
    expect(JSON.parse(finished.text).requirement.status).toBe('required');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('SIGTERM');
    // No more requests once stopped.
    await expect(fetch(`${first.url}/me`)).rejects.toThrow();

    // The same file, again (and seeding again changes nothing).
    const second = await startCli(['--db', db, '--seed', 'demo']);
    // The session survived the restart: it lives in the database too.
    const resumed = moveAgent(primary, second);
    const me = await resumed.get('/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(demo.primary);
    const after = await usersByEmail(resumed);
    expect(after.get(demo.plain).twoFactor.status).toBe('invited');
    expect(after.get(demo.plain).invitation).toEqual(invited.body.invitation);
    expect(after.get(demo.plain).version).toBe(invited.body.version);
    expect(after.get(demo.plain2).requirement.status).toBe('required');
    expect(after.get(demo.plain2).version).toBe(required.body.version);
    expect(after.get('lucas.moreau@hartwell-reyes.test').requirement.status).toBe('required');
    const events = await resumed.get(`/firm/events?targetId=${plain.id}`);
    expect(events.body.items.map((e: any) => e.action)).toContain('two_factor.invited');

    // A fresh sign-in works too (a later TOTP step: the first one is spent).
    const again = await signIn(second, demo.primary, 30_000);
    expect((await again.get('/me')).status).toBe(200);
    expect(await stopCli(second)).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('a SIGKILL in the middle of many concurrent writes leaves no partial state', async () => {
    const cli = await startCli(['--db', db, '--seed', 'demo:50', '--reminder-cooldown', '0']);
    const primary = await signIn(cli, demo.primary);
    const users = [...(await usersByEmail(primary)).values()];
    const invited = users.filter((u) => u.twoFactor.status === 'invited');
    const notEnabled = users.filter((u) => u.twoFactor.status === 'not_enabled');
    const migrated = users.filter((u) => u.requirement.status !== 'not_available' && !u.isPrimarySubscriber);
    expect(invited.length).toBeGreaterThan(3);

    const calls: (() => Promise<{ status: number; body: any }>)[] = [];
    for (let i = 0; i < 600; i++) {
      const kind = i % 6;
      if (kind < 3) {
        const target = invited[i % invited.length];
        calls.push(() => primary.post(`/firm/users/${target.id}/invitation/reminders`, {}));
      } else if (kind < 5) {
        const target = migrated[(i * 7) % migrated.length];
        calls.push(() => primary.put(`/firm/users/${target.id}/requirement`, { required: i % 4 < 2 }));
      } else {
        const target = notEnabled[(i * 5) % notEnabled.length];
        calls.push(() => primary.post(`/firm/users/${target.id}/invitation`, {}));
      }
    }

    const acknowledged = new Map<string, number>(); // user id -> highest version in a 200
    let ok = 0;
    let failed = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      process.kill(cli.pid, 'SIGKILL');
    };
    await Promise.all(
      calls.map((call) =>
        call().then(
          (response) => {
            if (response.status === 200) {
              ok++;
              const { id, version } = response.body;
              acknowledged.set(id, Math.max(acknowledged.get(id) ?? 0, version));
              if (ok >= 120) kill();
            }
          },
          () => {
            failed++;
          },
        ),
      ),
    );
    expect((await cli.exited).signal).toBe('SIGKILL');
    expect(killed).toBe(true);
    expect(ok, 'some writes were answered before the kill').toBeGreaterThanOrEqual(120);
    expect(failed, 'some writes were cut off by the kill').toBeGreaterThan(0);

    const store = new SqliteStore(db);
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      const firmId = (store.findUserByEmail(demo.primary) as UserRecord).firmId;
      const events = store.listEvents({ firmId, limit: 1_000_000 }).reverse(); // oldest first
      const mail = store.listMail({ limit: 1_000_000 });
      const seed = new Map(loadSeed('demo:50').users.map((u) => [u.email.toLowerCase(), u]));
      const bumping = new Set([
        'two_factor.invited',
        'two_factor.reminder_sent',
        'two_factor.requirement_changed',
        'two_factor.disabled',
        'two_factor.enabled',
        'two_factor.backup_codes_regenerated',
        'two_factor.backup_code_used',
      ]);
      let reminders = 0;
      for (const listed of users) {
        const user = store.getUser(listed.id) as UserRecord;
        const own = events.filter((e: AuditRecord) => e.target?.id === user.id);
        const lastInvited = own.map((e) => e.action).lastIndexOf('two_factor.invited');
        const remindersSinceInvitation = own
          .slice(lastInvited + 1)
          .filter((e) => e.action === 'two_factor.reminder_sent').length;
        const reminderMails = mail.filter((m) => m.userId === user.id && m.kind === 'reminder').length;
        const invitationMails = mail.filter((m) => m.userId === user.id && m.kind === 'invitation').length;
        const context = `${user.email}: ${JSON.stringify(user.invitation)} v${user.version}, events ${own.map((e) => e.action).join(',')}`;
        reminders += remindersSinceInvitation;

        // The invitation count, the audit log and the outbox tell the same story.
        const baseline = lastInvited >= 0 ? 0 : (seed.get(user.email.toLowerCase())?.invitation?.reminderCount ?? 0);
        if (user.invitation) expect(user.invitation.reminderCount, context).toBe(baseline + remindersSinceInvitation);
        else expect(remindersSinceInvitation, context).toBe(0);
        expect(reminderMails, context).toBe(own.filter((e) => e.action === 'two_factor.reminder_sent').length);
        expect(invitationMails, context).toBe(own.filter((e) => e.action === 'two_factor.invited').length);
        // Each reminder event carries the count it produced: no gaps, no repeats.
        const counts = own.filter((e) => e.action === 'two_factor.reminder_sent').map((e) => e.details.reminderCount);
        expect(counts, context).toEqual(counts.map((_, i) => baseline + i + 1));
        // The version is 1 plus one per version-bumping event.
        expect(user.version, context).toBe(1 + own.filter((e) => bumping.has(e.action)).length);
        // Every answered write survived the kill.
        expect(user.version, context).toBeGreaterThanOrEqual(acknowledged.get(user.id) ?? 0);
        const requirementEvents = own.filter((e) => e.action === 'two_factor.requirement_changed');
        const lastRequirement = requirementEvents.at(-1);
        if (lastRequirement) expect(user.required, context).toBe(lastRequirement.details.required);
      }
      expect(reminders).toBeGreaterThan(0);
    } finally {
      store.close();
    }

    // And the server starts again on that file.
    const again = await startCli(['--db', db]);
    expect((await agentFor(again).post('/session', { email: demo.plain, password: DEMO_PASSWORD })).status).toBe(200);
    expect(await stopCli(again)).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('seeding twice changes nothing, and does not revert changes made in between', async () => {
    const first = await startCli(['--db', db, '--seed', 'demo:50']);
    expect(await stopCli(first)).toEqual({ code: 0, signal: null });
    const once = dumpDatabase(db);
    expect(once.users).toHaveLength(13 + 50);
    expect(once.firms).toHaveLength(1);

    const second = await startCli(['--db', db, '--seed', 'demo:50']);
    expect(second.output()).toMatch(/"created":0/);
    // A change between two seedings, by an administrator without 2FA.
    const admin = await signIn(second, demo.adminWithout2fa);
    const users = await usersByEmail(admin);
    expect(users.size).toBe(12 + 50);
    expect((await admin.post(`/firm/users/${users.get(demo.plain).id}/invitation`, {})).status).toBe(200);
    expect((await admin.put(`/firm/users/${users.get(demo.plain2).id}/requirement`, { required: true })).status).toBe(
      200,
    );
    expect(await stopCli(second)).toEqual({ code: 0, signal: null });
    const changed = dumpDatabase(db);
    // Only the sign-in and the two changes differ from the first seeding.
    const differing = (changed.users as any[]).filter(
      (row, i) => JSON.stringify(row) !== JSON.stringify((once.users as any[])[i]),
    );
    expect(differing.map((row) => row.email).sort()).toEqual([demo.adminWithout2fa, demo.plain2, demo.plain].sort());
    expect(changed.firms).toEqual(once.firms);

    for (const seed of ['demo:50', 'demo', 'demo:10']) {
      const again = await startCli(['--db', db, '--seed', seed]);
      expect(await stopCli(again)).toEqual({ code: 0, signal: null });
      expect(dumpDatabase(db), `after --seed ${seed}`).toEqual(changed);
    }
  }, 120_000);

  describe('the secret key', () => {
    const sealedSecretOf = (file: string, email: string) => {
      const store = new SqliteStore(file);
      try {
        return store.findUserByEmail(email)?.totpSecret as string;
      } finally {
        store.close();
      }
    };

    it('is generated into <db>.key with mode 0600 and seals the TOTP secrets', async () => {
      const cli = await startCli(['--db', db, '--seed', 'demo']);
      expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
      const keyFile = `${db}.key`;
      expect(existsSync(keyFile)).toBe(true);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const key = parseSecretKey(readFileSync(keyFile, 'utf8'));
      expect(key).toHaveLength(32);

      const sealed = sealedSecretOf(db, demo.primary);
      expect(sealed).not.toContain(seedSecretOf(demo.primary));
      expect(await createSecretBox(key).open(sealed)).toBe(seedSecretOf(demo.primary));

      // A restart keeps the same key file.
      const again = await startCli(['--db', db]);
      expect(await stopCli(again)).toEqual({ code: 0, signal: null });
      expect(parseSecretKey(readFileSync(keyFile, 'utf8'))).toEqual(key);

      // The CLI's totp command reads it: the code is the seed secret's, for now or the next step.
      const totp = await runCli(['totp', '--db', db, demo.primary]);
      expect(totp.code, totp.output).toBe(0);
      const printed = /^(\d{6})\s/.exec(totp.output)?.[1];
      const now = Date.now();
      const candidates = await Promise.all(
        [-30_000, 0, 30_000].map((offset) => totpCodeAt(seedSecretOf(demo.primary), now + offset)),
      );
      expect(candidates).toContain(printed);

      // A user without 2FA has no code: it says so, without the whole usage text.
      const none = await runCli(['totp', '--db', db, demo.adminWithout2fa]);
      expect(none.code).toBe(2);
      expect(none.output).toContain(`${demo.adminWithout2fa} has no 2FA turned on`);
      expect(none.output).not.toMatch(/usage/i);
    }, 60_000);

    it('FIRM_SECURITY_SECRET_KEY overrides the key file, and a wrong key gives a clear error', async () => {
      const envKey = generateSecretKey();
      const cli = await startCli(['--db', db, '--seed', 'demo'], { FIRM_SECURITY_SECRET_KEY: envKey });
      // The server works with it: a TOTP sign-in opens the sealed secret.
      await signIn(cli, demo.adminWith2fa);
      expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
      expect(existsSync(`${db}.key`), 'no key file when the variable is set').toBe(false);

      const sealed = sealedSecretOf(db, demo.adminWith2fa);
      expect(await createSecretBox(parseSecretKey(envKey)).open(sealed)).toBe(seedSecretOf(demo.adminWith2fa));
      const wrongBox = createSecretBox(parseSecretKey(generateSecretKey()));
      await expect(wrongBox.open(sealed)).rejects.toThrow(SecretKeyError);
      await expect(wrongBox.open(sealed)).rejects.toThrow(/wrong FIRM_SECURITY_SECRET_KEY or key file/);

      const withKey = await runCli(['totp', '--db', db, demo.adminWith2fa], { FIRM_SECURITY_SECRET_KEY: envKey });
      expect(withKey.code, withKey.output).toBe(0);
      expect(withKey.output).toMatch(/^\d{6}\s/);

      const wrong = await runCli(['totp', '--db', db, demo.adminWith2fa], {
        FIRM_SECURITY_SECRET_KEY: generateSecretKey(),
      });
      expect(wrong.code).not.toBe(0);
      expect(wrong.output).toContain('wrong FIRM_SECURITY_SECRET_KEY or key file');
      expect(wrong.output).not.toContain(seedSecretOf(demo.adminWith2fa));

      // Without the variable the server falls back to a (new) key file, which cannot open these secrets.
      const withoutKey = await runCli(['totp', '--db', db, demo.adminWith2fa]);
      expect(withoutKey.code).not.toBe(0);
      expect(withoutKey.output).toContain('wrong FIRM_SECURITY_SECRET_KEY or key file');

      // A wrong key stops the server before it listens, instead of failing sign-ins later.
      const wrongServer = await runCli(['--host', '127.0.0.1', '--port', '0', '--db', db], {
        FIRM_SECURITY_SECRET_KEY: generateSecretKey(),
      });
      expect(wrongServer.code).not.toBe(0);
      expect(wrongServer.output).toContain('wrong FIRM_SECURITY_SECRET_KEY or key file');
      expect(wrongServer.output).not.toContain('listening on');

      // A malformed key stops the server before it listens, saying why.
      const malformed = await runCli(['--host', '127.0.0.1', '--port', '0', '--db', db], {
        FIRM_SECURITY_SECRET_KEY: 'too-short',
      });
      expect(malformed.code).not.toBe(0);
      expect(malformed.output).toMatch(/secret key must be (base64|32 bytes)/i);
      expect(malformed.output).not.toContain('listening on');
    }, 60_000);
  });
});
