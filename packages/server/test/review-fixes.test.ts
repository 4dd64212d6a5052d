/**
 * Regression tests for the server review (/work/review/server-review.md), findings 6, 7, 12, 14,
 * 19 and 23. Each test asserts the fixed behaviour and fails against the behaviour the review found.
 * The CLI-level findings (5 and 18) are in cli.test.ts.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { userSorts } from '@firm-security/contract';
import { type MailRecord, MemoryStore, type SeedData, type Store, silentLogger } from '@firm-security/server';
import { type RunningServer, SqliteStore, startServer } from '@firm-security/server/node';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { type Agent, BASE, createHarness, DEMO_PASSWORD, demo, type Harness, START } from './harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

const stores: [string, () => Store][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore(':memory:')],
];

/** The stored id of a session, from the agent's cookie. */
const sessionIdHashOf = (agent: Agent): string => {
  const token = /firm_session=([^;]*)/.exec(agent.cookie ?? '')?.[1];
  if (!token) throw new Error('the agent has no session cookie');
  return sha256Hex(token);
};

// ---------------------------------------------------------------------------------------------
// 6. The outbox must not stall behind dead mail, and a burst must not trickle out 50 per 30 s.
// ---------------------------------------------------------------------------------------------

interface SmtpListener {
  url: string;
  /** Recipients of the mails accepted, in order. */
  delivered: string[];
  /** RCPT TO commands seen, by address (accepted or refused). */
  rcpt: Map<string, number>;
  close(): Promise<void>;
}

/** An SMTP relay on loopback that refuses every recipient whose address starts with `dead`. */
const startSmtp = async (): Promise<SmtpListener> => {
  const delivered: string[] = [];
  const rcpt = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      rcpt.set(address.address, (rcpt.get(address.address) ?? 0) + 1);
      if (address.address.startsWith('dead')) {
        callback(Object.assign(new Error(`Mailbox ${address.address} unavailable`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        for (const to of session.envelope.rcptTo) delivered.push(to.address);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    // Pooled, so the relay's 100 ms greeting delay is paid once per connection rather than once per mail.
    url: `smtp://127.0.0.1:${port}?pool=true`,
    delivered,
    rcpt,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const outboxRow = (n: number, to: string): MailRecord => ({
  id: `mail_review_${n}`,
  firmId: 'firm_review',
  userId: `usr_review_${n}`,
  kind: 'invitation',
  to,
  subject: `Mail ${n}`,
  text: `Mail ${n}`,
  html: `<p>Mail ${n}</p>`,
  createdAt: iso(Date.now()),
  sentAt: null,
  attempts: 0,
  lastError: null,
});

describe('6. SMTP dispatcher', () => {
  let smtp: SmtpListener | undefined;
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.close();
    await smtp?.close();
    running = undefined;
    smtp = undefined;
  });

  const start = async () => {
    smtp = await startSmtp();
    running = await startServer({
      host: '127.0.0.1',
      port: 0,
      db: ':memory:',
      smtpUrl: smtp.url,
      scryptCost: { logN: 4, r: 8, p: 1 },
      log: silentLogger,
    });
    return { smtp, running, dispatcher: running.dispatcher as NonNullable<RunningServer['dispatcher']> };
  };

  it('delivers a good mail queued behind 60 undeliverable ones once they have had their 5 attempts', async () => {
    const { smtp, running, dispatcher } = await start();
    await dispatcher.idle();
    const dead = Array.from({ length: 60 }, (_, i) => `dead${i}@bounce.test`);
    for (const [i, to] of dead.entries()) running.store.insertMail(outboxRow(i, to));
    running.store.insertMail(outboxRow(60, 'alive@firm.test'));

    let kicks = 0;
    while (!smtp.delivered.includes('alive@firm.test') && kicks < 20) {
      dispatcher.kick();
      await dispatcher.idle();
      kicks++;
    }
    expect(smtp.delivered, `not delivered after ${kicks} drains`).toContain('alive@firm.test');
    const good = running.store.listMail({ limit: 500 }).find((m) => m.to === 'alive@firm.test');
    expect(good).toMatchObject({ attempts: 1, lastError: null });
    expect(good?.sentAt).not.toBeNull();

    // The dead mails stop being tried at 5 attempts and stay in the outbox with their error.
    for (let i = 0; i < 10; i++) {
      dispatcher.kick();
      await dispatcher.idle();
    }
    const rows = running.store.listMail({ limit: 500 }).filter((m) => m.to.startsWith('dead'));
    expect(rows).toHaveLength(60);
    for (const row of rows) {
      expect(row.sentAt).toBeNull();
      expect(row.attempts).toBe(5);
      expect(row.lastError).toMatch(/unavailable|550/);
    }
    for (const to of dead) expect(smtp.rcpt.get(to), to).toBe(5);
    expect(smtp.delivered).toEqual(['alive@firm.test']);
  });

  it('delivers a burst of 120 mails after a single kick, without waiting for the retry timer', async () => {
    const { smtp, running, dispatcher } = await start();
    await dispatcher.idle();
    const recipients = Array.from({ length: 120 }, (_, i) => `user${i}@firm.test`);
    for (const [i, to] of recipients.entries()) running.store.insertMail(outboxRow(i, to));

    dispatcher.kick();
    await dispatcher.idle();

    expect(running.store.listMail({ limit: 500, unsentOnly: true })).toHaveLength(0);
    expect([...smtp.delivered].sort()).toEqual([...recipients].sort());
    expect(running.store.listMail({ limit: 500 }).every((m) => m.sentAt !== null && m.attempts === 1)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Cursors of firms with long, non-ASCII names and long emails must be accepted back.
// ---------------------------------------------------------------------------------------------

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
/** A 254-character address: a 64-character local part and a 189-character domain. */
const longEmail = (n: number) =>
  `${String(n).padStart(2, '0')}${'x'.repeat(62)}@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(56)}.test`;

const longNames = [
  '法'.repeat(200),
  '法'.repeat(200), // a tie: the id decides
  `${'法'.repeat(199)}律`,
  '律'.repeat(200),
  'É'.repeat(200),
  `${'𝔉'.repeat(99)}法法`,
  '"\\'.repeat(100),
  '\u0007'.repeat(200), // JSON escapes each one as six bytes: the longest cursor a name can make
  `${'ü'.repeat(100)}${'法'.repeat(100)}`,
  'Ω'.repeat(200),
  '法'.repeat(200),
  `a${'法'.repeat(199)}`,
];

const longSeed = (): SeedData => ({
  firm: { name: '法律事務所'.repeat(40) },
  users: longNames.map((name, i) => ({
    name,
    email: longEmail(i),
    password: DEMO_PASSWORD,
    role: i === 0 ? 'administrator' : i % 4 === 1 ? 'administrator' : 'user',
    isPrimarySubscriber: i === 0,
    active: true,
    identityMigrated: true,
    required: false,
    twoFactor: i % 3 === 1 ? { status: 'enabled', totpSecret: SECRET } : { status: 'not_enabled' },
    ...(i % 3 === 2 ? { invitation: { sentAt: iso(START - HOUR), reminderCount: 0 } } : {}),
  })),
});

describe.each(stores)('7. user-list cursors (%s)', (_name, makeStore) => {
  it('pages to the end with every sort at limits 1 to 3, for 200-character non-ASCII names', async () => {
    const seed = longSeed();
    expect(seed.users.every((u) => u.name.length <= 200 && u.email.length <= 254)).toBe(true);
    const h = await createHarness({ seed, store: makeStore() });
    const admin = await h.signIn(longEmail(0));
    let longest = 0;
    for (const sort of userSorts) {
      const all = await admin.get(`/firm/users?sort=${encodeURIComponent(sort)}&limit=200`);
      expect(all.status).toBe(200);
      const expected = all.body.items.map((u: { id: string }) => u.id);
      expect(expected).toHaveLength(longNames.length);
      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 50; page++) {
          const query: string = `sort=${encodeURIComponent(sort)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
          const res = await admin.get(`/firm/users?${query}`);
          expect(res.status, `${sort} limit ${limit} page ${page + 1}: ${JSON.stringify(res.body)}`).toBe(200);
          seen.push(...res.body.items.map((u: { id: string }) => u.id));
          cursor = res.body.nextCursor;
          if (cursor === null) break;
          longest = Math.max(longest, cursor.length);
        }
        expect(cursor, `${sort} limit ${limit} never ended`).toBeNull();
        expect(seen, `${sort} limit ${limit}`).toEqual(expected);
      }
    }
    // The cursors really were longer than the old 512-character bound.
    expect(longest).toBeGreaterThan(512);
  });
});

// ---------------------------------------------------------------------------------------------
// 12. A malformed Idempotency-Key ranks after 413 and 415.
// ---------------------------------------------------------------------------------------------

describe('12. error precedence of a malformed Idempotency-Key', () => {
  const BAD_KEY = 'bad key with spaces';

  it('answers 413 to an oversized body, 415 to a non-JSON body, and 422 (Idempotency-Key) otherwise', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.primary);
    const target = h.ids[demo.plain] as string;
    const path = `/firm/users/${target}/invitation`;

    const big = await admin.request('POST', path, {
      rawBody: JSON.stringify({ padding: 'a'.repeat(70 * 1024) }),
      headers: { 'content-type': 'application/json', 'idempotency-key': BAD_KEY },
    });
    expect(big.status, JSON.stringify(big.body)).toBe(413);
    expect(big.body.code).toBe('payload_too_large');

    const text = await admin.request('POST', path, {
      rawBody: 'not json',
      headers: { 'content-type': 'text/plain', 'idempotency-key': BAD_KEY },
    });
    expect(text.status, JSON.stringify(text.body)).toBe(415);
    expect(text.body.code).toBe('unsupported_media_type');

    const good = await admin.post(path, {}, { 'idempotency-key': BAD_KEY });
    expect(good.status, JSON.stringify(good.body)).toBe(422);
    expect(good.body.code).toBe('validation_failed');
    expect(good.body.errors).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);

    // None of them did anything.
    expect(h.store.getUser(target)?.invitation).toBeNull();
    expect(h.store.listMail({ limit: 10 })).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 14. Expired sessions and old failures are cleaned up.
// ---------------------------------------------------------------------------------------------

describe.each(stores)('14. maintenance clean-up (%s)', (_name, makeStore) => {
  it('runMaintenance() deletes expired sessions and failures older than 15 minutes, and keeps the rest', async () => {
    const h = await createHarness({ store: makeStore() });
    const anonymous = h.agent();
    const wrong = async (email: string) =>
      expect((await anonymous.post('/session', { email, password: 'wrong password!' })).status).toBe(401);

    h.clock.ms = START;
    const old = await h.signIn(demo.plain); // 13 h old at the end: past the 12 h maximum
    await wrong('spray-1@nowhere.test');
    h.clock.ms = START + 4 * HOUR + 59 * MINUTE;
    const idle = await h.signIn(demo.plain2); // 8 h 1 min idle at the end: past the 8 h idle limit
    h.clock.ms = START + 12 * HOUR + 59 * MINUTE;
    const fresh = await h.signIn(demo.plain);
    h.clock.ms = START + 13 * HOUR - 10 * MINUTE;
    await wrong('spray-2@nowhere.test');
    h.clock.ms = START + 13 * HOUR;

    const since = iso(0);
    expect(h.store.getSession(sessionIdHashOf(old))).toBeDefined();
    expect(h.store.getSession(sessionIdHashOf(idle))).toBeDefined();
    expect(h.store.failuresSince('password:spray-1@nowhere.test', since)).toHaveLength(1);

    const result = h.server.runMaintenance();

    expect(result.sessionsExpired).toBe(2);
    expect(h.store.getSession(sessionIdHashOf(old))).toBeUndefined();
    expect(h.store.getSession(sessionIdHashOf(idle))).toBeUndefined();
    expect(h.store.getSession(sessionIdHashOf(fresh))).toBeDefined();
    expect(h.store.failuresSince('password:spray-1@nowhere.test', since)).toHaveLength(0);
    expect(h.store.failuresSince('password:spray-2@nowhere.test', since)).toHaveLength(1);
    expect((await fresh.get('/me')).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// 19. Migration runs after authentication, and only for users created more than the delay ago.
// ---------------------------------------------------------------------------------------------

describe.each(stores)('19. identity migration (%s)', (_name, makeStore) => {
  const DELAY_S = 3600;

  it('an anonymous request to /firm/users does not run it; an authenticated one does', async () => {
    const h = await createHarness({ store: makeStore(), migrationDelaySeconds: DELAY_S });
    const id = h.ids[demo.notMigrated] as string;
    const admin = await h.signIn(demo.primary);
    h.clock.ms = START + 2 * DELAY_S * 1000;

    const anonymous = await h.agent().get('/firm/users');
    expect(anonymous.status).toBe(401);
    const forged = await h.agent().get('/firm/users', { cookie: 'firm_session=not-a-session' });
    expect(forged.status).toBe(401);
    expect(h.store.getUser(id)?.identityMigrated).toBe(false);

    const listed = await admin.get('/firm/users?limit=200');
    expect(listed.status).toBe(200);
    expect(h.store.getUser(id)?.identityMigrated).toBe(true);
    const hana = listed.body.items.find((u: { id: string }) => u.id === id);
    expect(hana.requirement.status).not.toBe('not_available');
  });

  it('a user created exactly the migration delay ago is not migrated yet; one millisecond later they are', async () => {
    const h = await createHarness({ store: makeStore(), migrationDelaySeconds: DELAY_S });
    const id = h.ids[demo.notMigrated] as string;
    const createdAt = Date.parse(h.store.getUser(id)?.createdAt as string);

    h.clock.ms = createdAt + DELAY_S * 1000;
    expect(h.server.runMaintenance().migrated).toBe(0);
    expect(h.store.getUser(id)?.identityMigrated).toBe(false);

    h.clock.ms += 1;
    expect(h.server.runMaintenance().migrated).toBeGreaterThanOrEqual(1);
    expect(h.store.getUser(id)?.identityMigrated).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// 23. A request slow enough to lose its Idempotency-Key reservation must not clobber the new owner.
// ---------------------------------------------------------------------------------------------

/** A request whose body stays open until `finish()`, sent straight to the app. */
const heldRequest = (h: Harness, agent: Agent, path: string, headers: Record<string, string>) => {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: agent.cookie as string,
      'x-csrf-token': agent.csrf as string,
      ...headers,
    },
    body,
    duplex: 'half',
  };
  const response = h.fetch(new Request(`http://firm.test${BASE}${path}`, init));
  return {
    response,
    finish(text: string) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  };
};

const waitUntil = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('23. Idempotency-Key taken over from a slow request', () => {
  it('the slow request, finishing last, does not overwrite the stored response of the request that took over', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.primary);
    const viewerId = h.ids[demo.primary] as string;
    const path = `/firm/users/${h.ids[demo.plain]}/invitation`;
    const key = 'slow-invite-1';

    const slow = heldRequest(h, admin, path, { 'idempotency-key': key });
    await waitUntil(() => h.store.getIdempotency(viewerId, key)?.state === 'pending', 'the reservation');

    const early = await admin.post(path, {}, { 'idempotency-key': key });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('idempotency_in_progress');

    h.clock.advance(MINUTE + 1000);
    const second = await admin.post(path, {}, { 'idempotency-key': key });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.twoFactor.status).toBe('invited');

    slow.finish('{}');
    const late = await slow.response;
    // It ran after the invitation was sent, so it is refused; that refusal must not be remembered.
    expect(late.status).toBe(409);
    expect((await late.json()).code).toBe('already_invited');

    const third = await admin.post(path, {}, { 'idempotency-key': key });
    expect(third.status).toBe(200);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(third.body).toEqual(second.body);
    expect(h.store.listMail({ limit: 10 }).filter((m) => m.kind === 'invitation')).toHaveLength(1);
  });

  it('the slow request, released after a 412, does not delete the stored response of the request that took over', async () => {
    const h = await createHarness();
    const admin = await h.signIn(demo.primary);
    const viewerId = h.ids[demo.primary] as string;
    const target = h.ids[demo.plain2] as string;
    const path = `/firm/users/${target}/invitation`;
    const key = 'slow-invite-2';
    const version = h.store.getUser(target)?.version as number;

    const slow = heldRequest(h, admin, path, { 'idempotency-key': key, 'if-match': `W/"${version}"` });
    await waitUntil(() => h.store.getIdempotency(viewerId, key)?.state === 'pending', 'the reservation');

    h.clock.advance(MINUTE + 1000);
    const second = await admin.post(path, {}, { 'idempotency-key': key });
    expect(second.status, JSON.stringify(second.body)).toBe(200);

    slow.finish('{}');
    const late = await slow.response;
    expect(late.status).toBe(412); // the version moved on: not stored, the reservation is released

    const third = await admin.post(path, {}, { 'idempotency-key': key });
    expect(third.status, JSON.stringify(third.body)).toBe(200);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(third.body).toEqual(second.body);
  });
});
