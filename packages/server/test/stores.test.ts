import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserSort } from '@firm-security/contract';
import {
  type AuditRecord,
  type IdempotencyRecord,
  type MailRecord,
  MemoryStore,
  type SessionRecord,
  type Store,
  type UserListQuery,
  type UserRecord,
} from '@firm-security/server';
import { SqliteStore } from '@firm-security/server/node';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// The producer of `after` (the service builds its cursors with it): the store's keyset contract.
import { sortValuesOf } from '../src/store/user-order.js';

/** One shared suite, three backends. Each factory returns a fresh, empty store and its cleanup. */
const backends: [string, () => { store: Store; cleanup: () => void }][] = [
  ['MemoryStore', () => ({ store: new MemoryStore(), cleanup: () => {} })],
  [
    'SqliteStore :memory:',
    () => {
      const store = new SqliteStore(':memory:');
      return { store, cleanup: () => store.close() };
    },
  ],
  [
    'SqliteStore file',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'firm-store-'));
      const store = new SqliteStore(join(dir, 'test.db'));
      return {
        store,
        cleanup: () => {
          store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

const SORTS: UserSort[] = ['name', '-name', 'email', '-email', 'status', '-status'];
const STATUS_RANK = { enabled: 0, invited: 1, not_enabled: 2 } as const;
const FIRM = 'firm_a';
const OTHER_FIRM = 'firm_b';

let counter = 0;
const makeUser = (overrides: Partial<UserRecord> = {}): UserRecord => {
  counter++;
  const n = String(counter).padStart(5, '0');
  return {
    id: `usr_${n}`,
    firmId: FIRM,
    name: `User ${n}`,
    email: `user.${n}@example.test`,
    role: 'user',
    isPrimarySubscriber: false,
    active: true,
    passwordHash: 'scrypt$4$8$1$c2FsdA$aGFzaA',
    identityMigrated: true,
    createdAt: '2026-11-01T00:00:00.000Z',
    required: false,
    totpSecret: null,
    totpEnabledAt: null,
    totpLastStep: null,
    pendingTotpSecret: null,
    backupCodes: [],
    invitation: null,
    lastSignInAt: null,
    version: 1,
    ...overrides,
  };
};

const ENABLED = { totpSecret: 'v1.aXY.Y2lwaGVy', totpEnabledAt: '2026-11-02T00:00:00.000Z' } as const;
const INVITED = {
  invitation: { sentAt: '2026-11-20T15:00:00.000Z', reminderCount: 1, lastReminderAt: '2026-11-21T15:00:00.000Z' },
} as const;

const statusOf = (u: UserRecord) => (u.totpSecret !== null ? 'enabled' : u.invitation ? 'invited' : 'not_enabled');
const requirementOf = (u: UserRecord) =>
  !u.identityMigrated ? 'not_available' : u.required ? 'required' : 'not_required';

/** Code point order (what SQLite's BINARY collation does with UTF-8), independent of the stores. */
const compareText = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
};

/** The contract's order, checked between neighbours: the sort field (case-insensitive), status ties by name. */
const inContractOrder = (a: UserRecord, b: UserRecord, sort: UserSort): boolean => {
  const descending = sort.startsWith('-');
  const field = sort.replace('-', '');
  let order: number;
  if (field === 'status') {
    order = STATUS_RANK[statusOf(a)] - STATUS_RANK[statusOf(b)];
    if (descending) order = -order;
    if (order === 0) order = compareText(a.name.toLowerCase(), b.name.toLowerCase());
  } else {
    const key = (u: UserRecord) => (field === 'name' ? u.name : u.email).toLowerCase();
    order = compareText(key(a), key(b));
    if (descending) order = -order;
  }
  return order <= 0;
};

/** Walks every page of a query; returns the ids in page order. */
const walk = (
  store: Store,
  query: Omit<UserListQuery, 'after'>,
): { ids: string[]; pages: number; totals: number[] } => {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: (string | number)[] | undefined;
  let pages = 0;
  for (;;) {
    const page = store.listUsers({ ...query, ...(after ? { after } : {}) });
    totals.push(page.total);
    pages++;
    if (pages > 10_000) throw new Error('pagination does not end');
    ids.push(...page.items.map((u) => u.id));
    const last = page.items.at(-1);
    if (page.items.length < query.limit || !last) return { ids, pages, totals };
    after = sortValuesOf(last, query.sort);
  }
};

const session = (userId: string, n: number, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  idHash: `hash_${userId}_${n}`,
  userId,
  stage: 'complete',
  csrfToken: `csrf_${n}`,
  createdAt: '2026-11-28T12:00:00.000Z',
  lastSeenAt: '2026-11-28T12:00:00.000Z',
  verifiedAt: null,
  ...overrides,
});

const event = (n: number, overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  id: `evt_${n}`,
  firmId: FIRM,
  at: `2026-11-28T12:00:${String(n % 60).padStart(2, '0')}.000Z`,
  action: 'two_factor.invited',
  actor: { id: 'usr_actor', name: 'Actor' },
  target: { id: `usr_target_${n % 3}`, name: `Target ${n % 3}` },
  details: { n },
  ...overrides,
});

const mail = (n: number, overrides: Partial<MailRecord> = {}): MailRecord => ({
  id: `msg_${n}`,
  firmId: FIRM,
  userId: `usr_${n % 4}`,
  kind: 'reminder',
  to: `someone.${n}@example.test`,
  subject: `Subject ${n}`,
  text: `Text ${n}`,
  html: `<p>Html ${n}</p>`,
  createdAt: '2026-11-28T12:00:00.000Z',
  sentAt: null,
  attempts: 0,
  lastError: null,
  ...overrides,
});

const idem = (viewerId: string, key: string, createdAt: string, overrides: Partial<IdempotencyRecord> = {}) =>
  ({
    viewerId,
    key,
    state: 'done',
    fingerprint: 'f'.repeat(64),
    status: 200,
    headers: { 'content-type': 'application/json', etag: 'W/"2"' },
    body: '{"ok":true}',
    createdAt,
    ...overrides,
  }) satisfies IdempotencyRecord;

/** Every stored thing a transaction could touch, for before/after comparisons. */
const dumpOf = (store: Store, userIds: string[], sessionIds: string[]) => ({
  users: userIds.map((id) => store.getUser(id) ?? null),
  firms: [store.getFirm(FIRM) ?? null, store.getFirm('firm_new') ?? null],
  sessions: sessionIds.map((id) => store.getSession(id) ?? null),
  events: store.listEvents({ firmId: FIRM, limit: 1000 }).map(({ seq: _, ...e }) => e),
  mail: store.listMail({ limit: 1000 }).map(({ seq: _, ...m }) => m),
  failures: ['k1', 'k2'].map((key) => store.failuresSince(key, '2000-01-01T00:00:00.000Z')),
  idempotency: [store.getIdempotency('v1', 'a') ?? null, store.getIdempotency('v1', 'b') ?? null],
});

describe.each(backends)('%s', (_name, create) => {
  let store: Store;
  let cleanup: () => void;

  beforeEach(() => {
    ({ store, cleanup } = create());
    store.insertFirm({ id: FIRM, name: 'Firm A', createdAt: '2026-01-01T00:00:00.000Z' });
    store.insertFirm({ id: OTHER_FIRM, name: 'Firm B', createdAt: '2026-01-01T00:00:00.000Z' });
  });
  afterEach(() => cleanup());

  describe('firms', () => {
    it('inserts, gets and finds by exact name', () => {
      expect(store.getFirm(FIRM)).toEqual({ id: FIRM, name: 'Firm A', createdAt: '2026-01-01T00:00:00.000Z' });
      expect(store.findFirmByName('Firm B')?.id).toBe(OTHER_FIRM);
      expect(store.findFirmByName('firm b')).toBeUndefined();
      expect(store.getFirm('firm_zzz')).toBeUndefined();
    });
  });

  describe('users', () => {
    it('round-trips every field of a user', () => {
      const user = makeUser({
        name: 'Zoë Ångström',
        email: 'Zoe.Angstrom@Example.TEST',
        role: 'administrator',
        isPrimarySubscriber: true,
        ...ENABLED,
        totpLastStep: 59_000_123,
        pendingTotpSecret: 'v1.cGVuZA.c2VjcmV0',
        backupCodes: [
          { hash: 'a'.repeat(64), usedAt: null },
          { hash: 'b'.repeat(64), usedAt: '2026-11-03T00:00:00.000Z' },
        ],
        invitation: { sentAt: '2026-11-20T15:00:00.000Z', reminderCount: 0, lastReminderAt: null },
        lastSignInAt: '2026-11-27T08:00:00.000Z',
        version: 7,
      });
      store.insertUser(user);
      expect(store.getUser(user.id)).toEqual(user);
      expect(store.getUser('usr_missing')).toBeUndefined();
    });

    it('finds by email case-insensitively and keeps the email as written', () => {
      const user = makeUser({ email: 'Ann.Lee@Example.TEST' });
      store.insertUser(user);
      for (const variant of ['ann.lee@example.test', 'ANN.LEE@EXAMPLE.TEST', 'Ann.Lee@Example.TEST']) {
        expect(store.findUserByEmail(variant)?.id).toBe(user.id);
      }
      expect(store.findUserByEmail('ann.lee@example.test')?.email).toBe('Ann.Lee@Example.TEST');
      expect(store.findUserByEmail('ann.lee@example.tes')).toBeUndefined();
      expect(store.findUserByEmail('nn.lee@example.test')).toBeUndefined();
    });

    it('refuses a second user with the same id or the same email in another case', () => {
      const user = makeUser({ email: 'dup@example.test' });
      store.insertUser(user);
      expect(() => store.insertUser(makeUser({ email: 'DUP@example.test' }))).toThrow();
      expect(() => store.insertUser({ ...makeUser(), id: user.id })).toThrow();
      expect(store.getUser(user.id)).toEqual(user);
    });

    it('updates every field, and refuses an unknown user', () => {
      const user = makeUser();
      store.insertUser(user);
      const updated: UserRecord = {
        ...user,
        name: 'Renamed',
        email: 'Renamed@Example.test',
        required: true,
        ...ENABLED,
        totpLastStep: 42,
        backupCodes: [{ hash: 'c'.repeat(64), usedAt: null }],
        invitation: INVITED.invitation,
        lastSignInAt: '2026-11-28T00:00:00.000Z',
        version: 2,
      };
      store.updateUser(updated);
      expect(store.getUser(user.id)).toEqual(updated);
      expect(store.findUserByEmail('renamed@example.test')?.id).toBe(user.id);
      expect(store.findUserByEmail(user.email)).toBeUndefined();
      // Clearing nullable fields again.
      const cleared: UserRecord = { ...updated, totpSecret: null, totpEnabledAt: null, invitation: null, version: 3 };
      store.updateUser(cleared);
      expect(store.getUser(user.id)).toEqual(cleared);
      expect(() => store.updateUser(makeUser())).toThrow();
    });

    it('hands out copies: changing a returned record changes nothing stored', () => {
      const user = makeUser({ backupCodes: [{ hash: 'a', usedAt: null }], invitation: INVITED.invitation });
      store.insertUser(user);
      const got = store.getUser(user.id) as UserRecord;
      got.name = 'Mutated';
      (got.backupCodes[0] as { usedAt: string | null }).usedAt = 'now';
      (got.invitation as { reminderCount: number }).reminderCount = 99;
      user.name = 'Mutated too';
      const again = store.getUser(user.id) as UserRecord;
      expect(again.name).not.toContain('Mutated');
      expect(again.backupCodes[0]?.usedAt).toBeNull();
      expect(again.invitation?.reminderCount).toBe(1);
    });
  });

  describe('listUsers and summarizeUsers', () => {
    /** A small firm with one user in every state, plus users who must never be listed. */
    const fixture = () => {
      const users = {
        enabledAdmin: makeUser({ name: 'Alice Archer', email: 'alice@firm.test', role: 'administrator', ...ENABLED }),
        enabledRequired: makeUser({ name: 'bob Baker', email: 'BOB@firm.test', required: true, ...ENABLED }),
        invited: makeUser({ name: 'Carol Cole', email: 'carol@firm.test', ...INVITED }),
        invitedUnmigrated: makeUser({
          name: 'Dan Drake',
          email: 'dan@other.test',
          identityMigrated: false,
          ...INVITED,
        }),
        required: makeUser({ name: 'Eve Evans', email: 'eve@firm.test', required: true }),
        plain: makeUser({ name: 'frank Fox', email: 'frank@firm.test' }),
        unmigrated: makeUser({ name: 'Gina Gray', email: 'gina@firm.test', identityMigrated: false }),
        // Required but not migrated: not available, never counted as required.
        unmigratedRequired: makeUser({
          name: 'Hal Hunt',
          email: 'hal@firm.test',
          identityMigrated: false,
          required: true,
        }),
        deactivated: makeUser({ name: 'Alice Inactive', email: 'inactive@firm.test', active: false, ...ENABLED }),
        otherFirm: makeUser({ name: 'Alice Elsewhere', email: 'alice@elsewhere.test', firmId: OTHER_FIRM }),
      };
      for (const user of Object.values(users)) store.insertUser(user);
      return users;
    };
    const ids = (items: UserRecord[]) => items.map((u) => u.id).sort();
    const list = (query: Partial<UserListQuery>) =>
      store.listUsers({ firmId: FIRM, sort: 'name', limit: 100, ...query });

    it('lists active users of the firm only', () => {
      const u = fixture();
      const all = list({});
      expect(all.total).toBe(8);
      expect(ids(all.items)).toEqual(
        ids([
          u.enabledAdmin,
          u.enabledRequired,
          u.invited,
          u.invitedUnmigrated,
          u.required,
          u.plain,
          u.unmigrated,
          u.unmigratedRequired,
        ]),
      );
      expect(store.listUsers({ firmId: OTHER_FIRM, sort: 'name', limit: 10 }).items.map((x) => x.id)).toEqual([
        u.otherFirm.id,
      ]);
      expect(store.listUsers({ firmId: 'firm_none', sort: 'name', limit: 10 })).toEqual({ items: [], total: 0 });
    });

    it('filters by status, requirement and both', () => {
      const u = fixture();
      expect(ids(list({ status: 'enabled' }).items)).toEqual(ids([u.enabledAdmin, u.enabledRequired]));
      expect(ids(list({ status: 'invited' }).items)).toEqual(ids([u.invited, u.invitedUnmigrated]));
      expect(ids(list({ status: 'not_enabled' }).items)).toEqual(
        ids([u.required, u.plain, u.unmigrated, u.unmigratedRequired]),
      );
      expect(ids(list({ requirement: 'required' }).items)).toEqual(ids([u.enabledRequired, u.required]));
      expect(ids(list({ requirement: 'not_required' }).items)).toEqual(ids([u.enabledAdmin, u.invited, u.plain]));
      expect(ids(list({ requirement: 'not_available' }).items)).toEqual(
        ids([u.invitedUnmigrated, u.unmigrated, u.unmigratedRequired]),
      );
      expect(ids(list({ status: 'not_enabled', requirement: 'required' }).items)).toEqual(ids([u.required]));
      expect(ids(list({ status: 'invited', requirement: 'not_available' }).items)).toEqual(ids([u.invitedUnmigrated]));
      expect(list({ status: 'enabled', requirement: 'not_available' })).toEqual({ items: [], total: 0 });
    });

    it('searches name or email as a case-insensitive substring (the query comes lower-cased)', () => {
      const u = fixture();
      expect(ids(list({ search: 'alice' }).items)).toEqual(ids([u.enabledAdmin]));
      expect(ids(list({ search: 'bob' }).items)).toEqual(ids([u.enabledRequired])); // email BOB@, name bob
      expect(ids(list({ search: 'baker' }).items)).toEqual(ids([u.enabledRequired]));
      expect(ids(list({ search: 'other.test' }).items)).toEqual(ids([u.invitedUnmigrated]));
      expect(ids(list({ search: 'firm.test' }).items)).toHaveLength(7);
      expect(ids(list({ search: 'a' }).items)).toHaveLength(8);
      expect(list({ search: 'zzz' })).toEqual({ items: [], total: 0 });
      expect(list({ search: 'inactive' }).total).toBe(0);
      expect(ids(list({ search: 'e', status: 'invited', requirement: 'not_required' }).items)).toEqual(
        ids([u.invited]),
      );
    });

    it('limits a page but counts every match in total', () => {
      fixture();
      const page = list({ limit: 3 });
      expect(page.items).toHaveLength(3);
      expect(page.total).toBe(8);
      expect(list({ limit: 3, status: 'not_enabled' }).total).toBe(4);
    });

    it.each(SORTS)('sorts by %s', (sort) => {
      const u = fixture();
      const names = list({ sort }).items.map((x) => x.name);
      const expected: Record<UserSort, UserRecord[]> = {
        name: [
          u.enabledAdmin,
          u.enabledRequired,
          u.invited,
          u.invitedUnmigrated,
          u.required,
          u.plain,
          u.unmigrated,
          u.unmigratedRequired,
        ],
        '-name': [
          u.unmigratedRequired,
          u.unmigrated,
          u.plain,
          u.required,
          u.invitedUnmigrated,
          u.invited,
          u.enabledRequired,
          u.enabledAdmin,
        ],
        email: [
          u.enabledAdmin,
          u.enabledRequired,
          u.invited,
          u.invitedUnmigrated,
          u.required,
          u.plain,
          u.unmigrated,
          u.unmigratedRequired,
        ],
        '-email': [
          u.unmigratedRequired,
          u.unmigrated,
          u.plain,
          u.required,
          u.invitedUnmigrated,
          u.invited,
          u.enabledRequired,
          u.enabledAdmin,
        ],
        status: [
          u.enabledAdmin,
          u.enabledRequired,
          u.invited,
          u.invitedUnmigrated,
          u.required,
          u.plain,
          u.unmigrated,
          u.unmigratedRequired,
        ],
        '-status': [
          u.required,
          u.plain,
          u.unmigrated,
          u.unmigratedRequired,
          u.invited,
          u.invitedUnmigrated,
          u.enabledAdmin,
          u.enabledRequired,
        ],
      };
      expect(names).toEqual(expected[sort].map((x) => x.name));
    });

    it('orders status by enabled, invited, not_enabled with ties by name, also when names and emails disagree', () => {
      const a = makeUser({ name: 'Zed', email: 'a@firm.test', ...ENABLED });
      const b = makeUser({ name: 'amy', email: 'z@firm.test', ...ENABLED });
      const c = makeUser({ name: 'Yan', email: 'b@firm.test' });
      const d = makeUser({ name: 'Bea', email: 'y@firm.test', ...INVITED });
      for (const user of [a, b, c, d]) store.insertUser(user);
      expect(list({ sort: 'status' }).items.map((x) => x.name)).toEqual(['amy', 'Zed', 'Bea', 'Yan']);
      expect(list({ sort: '-status' }).items.map((x) => x.name)).toEqual(['Yan', 'Bea', 'amy', 'Zed']);
      expect(list({ sort: 'email' }).items.map((x) => x.name)).toEqual(['Zed', 'Yan', 'Bea', 'amy']);
    });

    it('orders names outside the Basic Multilingual Plane by code point, like SQLite does', () => {
      // UTF-16 puts an astral character (a surrogate pair, 0xD83D...) before U+FF21; code points do not.
      const fullwidth = makeUser({ name: '\uFF21 Fullwidth', email: '\uFF21@firm.test' });
      const emoji = makeUser({ name: '\u{1F600} Smile', email: '\u{1F600}@firm.test' });
      const ascii = makeUser({ name: 'Zed', email: 'zed@firm.test' });
      for (const user of [emoji, fullwidth, ascii]) store.insertUser(user);
      const expected = [ascii.id, fullwidth.id, emoji.id];
      expect(list({ sort: 'name' }).items.map((x) => x.id)).toEqual(expected);
      expect(list({ sort: 'email' }).items.map((x) => x.id)).toEqual(expected);
      expect(list({ sort: '-name' }).items.map((x) => x.id)).toEqual([...expected].reverse());
      const { ids: paged } = walk(store, { firmId: FIRM, sort: 'name', limit: 1 });
      expect(paged).toEqual(expected);
      const { ids: pagedDown } = walk(store, { firmId: FIRM, sort: '-email', limit: 1 });
      expect(pagedDown).toEqual([...expected].reverse());
    });

    it('summarizes the active users of a firm', () => {
      fixture();
      expect(store.summarizeUsers(FIRM)).toEqual({
        total: 8,
        enabled: 2,
        invited: 2,
        notEnabled: 4,
        required: 2,
        notAvailable: 3,
      });
      expect(store.summarizeUsers(OTHER_FIRM)).toEqual({
        total: 1,
        enabled: 0,
        invited: 0,
        notEnabled: 1,
        required: 0,
        notAvailable: 0,
      });
      expect(store.summarizeUsers('firm_none')).toEqual({
        total: 0,
        enabled: 0,
        invited: 0,
        notEnabled: 0,
        required: 0,
        notAvailable: 0,
      });
    });

    it('summary and unfiltered total agree, and filtered totals add up', () => {
      fixture();
      const summary = store.summarizeUsers(FIRM);
      expect(list({}).total).toBe(summary.total);
      expect(list({ status: 'enabled' }).total).toBe(summary.enabled);
      expect(list({ status: 'invited' }).total).toBe(summary.invited);
      expect(list({ status: 'not_enabled' }).total).toBe(summary.notEnabled);
      expect(list({ requirement: 'required' }).total).toBe(summary.required);
      expect(list({ requirement: 'not_available' }).total).toBe(summary.notAvailable);
    });

    describe('keyset pagination over a few hundred users with duplicate names', () => {
      let population: UserRecord[];
      beforeEach(() => {
        const first = ['Ann', 'ann', 'ANN', 'Bo', 'Émile', 'Zoë', 'Chen', 'bo'];
        const last = ['Smith', 'smith', 'Ng', "O'Neil", 'Ähm'];
        population = Array.from({ length: 320 }, (_, i) => {
          const bucket = (i * 37) % 10;
          return makeUser({
            // Many exact duplicates, many duplicates up to case.
            name: `${first[i % first.length]} ${last[(i >> 3) % last.length]}`,
            email: `${first[(i * 7) % first.length]}.${i % 13}.${i}@Firm.test`,
            identityMigrated: bucket !== 0,
            required: bucket >= 7,
            active: i % 41 !== 5,
            firmId: i % 53 === 7 ? OTHER_FIRM : FIRM,
            ...(bucket >= 1 && bucket < 5 ? ENABLED : bucket >= 5 && bucket < 7 ? INVITED : {}),
          });
        });
        // Insert in a scrambled order so that insertion order says nothing.
        for (const user of [...population].sort((a, b) => compareText(a.email.slice(-3), b.email.slice(-3)))) {
          store.insertUser(user);
        }
      });

      const expectedIds = (filter: (u: UserRecord) => boolean) =>
        population
          .filter((u) => u.active && u.firmId === FIRM && filter(u))
          .map((u) => u.id)
          .sort();

      it.each(SORTS)('visits every user exactly once, in order, sorted by %s', (sort) => {
        const expected = expectedIds(() => true);
        const full = store.listUsers({ firmId: FIRM, sort, limit: 1000 }).items;
        expect(full.map((u) => u.id).sort()).toEqual(expected);
        for (let i = 1; i < full.length; i++) {
          expect(inContractOrder(full[i - 1] as UserRecord, full[i] as UserRecord, sort)).toBe(true);
        }
        for (const limit of [1, 7, 50, 200]) {
          const { ids: visited, totals } = walk(store, { firmId: FIRM, sort, limit });
          expect(new Set(visited).size).toBe(visited.length);
          // Pages are the same order as one big page.
          expect(visited).toEqual(full.map((u) => u.id));
          expect(new Set(totals)).toEqual(new Set([expected.length]));
        }
      });

      it.each(SORTS)('pages through a filtered and searched list sorted by %s', (sort) => {
        const cases: [Partial<UserListQuery>, (u: UserRecord) => boolean][] = [
          [{ status: 'invited' }, (u) => statusOf(u) === 'invited'],
          [{ requirement: 'required' }, (u) => requirementOf(u) === 'required'],
          [
            { search: 'ann', status: 'not_enabled' },
            (u) =>
              statusOf(u) === 'not_enabled' &&
              (u.name.toLowerCase().includes('ann') || u.email.toLowerCase().includes('ann')),
          ],
          [{ search: 'smith' }, (u) => u.name.toLowerCase().includes('smith')],
        ];
        for (const [filter, predicate] of cases) {
          const expected = expectedIds(predicate);
          expect(expected.length).toBeGreaterThan(0);
          const { ids: visited, totals } = walk(store, { firmId: FIRM, sort, limit: 9, ...filter });
          expect([...visited].sort()).toEqual(expected);
          expect(new Set(totals)).toEqual(new Set([expected.length]));
        }
      });

      it('keeps the position of a cursor when the row it came from changes or goes away', () => {
        const first = store.listUsers({ firmId: FIRM, sort: 'name', limit: 10 }).items;
        const last = first.at(-1) as UserRecord;
        const after = sortValuesOf(last, 'name');
        const before = store.listUsers({ firmId: FIRM, sort: 'name', limit: 10, after }).items.map((u) => u.id);
        store.updateUser({ ...last, active: false });
        expect(store.listUsers({ firmId: FIRM, sort: 'name', limit: 10, after }).items.map((u) => u.id)).toEqual(
          before,
        );
      });
    });
  });

  describe('findUsersDueForMigration', () => {
    it('returns active unmigrated users created strictly before the cutoff (more than the delay ago), of every firm', () => {
      const due = makeUser({ identityMigrated: false, createdAt: '2026-11-01T00:00:00.000Z' });
      const exactly = makeUser({ identityMigrated: false, createdAt: '2026-11-02T00:00:00.000Z' });
      const otherFirm = makeUser({
        identityMigrated: false,
        firmId: OTHER_FIRM,
        createdAt: '2026-10-01T00:00:00.000Z',
      });
      const tooNew = makeUser({ identityMigrated: false, createdAt: '2026-11-02T00:00:00.001Z' });
      const migrated = makeUser({ identityMigrated: true, createdAt: '2026-10-01T00:00:00.000Z' });
      const inactive = makeUser({ identityMigrated: false, active: false, createdAt: '2026-10-01T00:00:00.000Z' });
      for (const user of [due, exactly, otherFirm, tooNew, migrated, inactive]) store.insertUser(user);
      const found = store.findUsersDueForMigration('2026-11-02T00:00:00.000Z');
      expect(found.map((u) => u.id).sort()).toEqual([due.id, otherFirm.id].sort());
      expect(found.find((u) => u.id === due.id)).toEqual(due);
      expect(store.findUsersDueForMigration('2026-01-01T00:00:00.000Z')).toEqual([]);
    });
  });

  describe('sessions', () => {
    it('inserts, gets, updates and deletes sessions', () => {
      const a = makeUser();
      const b = makeUser();
      store.insertUser(a);
      store.insertUser(b);
      const s1 = session(a.id, 1, { stage: 'two_factor' });
      const s2 = session(a.id, 2);
      const s3 = session(b.id, 3);
      for (const s of [s1, s2, s3]) store.insertSession(s);
      expect(store.getSession(s1.idHash)).toEqual(s1);
      expect(store.getSession('nope')).toBeUndefined();

      const updated: SessionRecord = {
        ...s1,
        stage: 'complete',
        csrfToken: 'csrf_new',
        lastSeenAt: '2026-11-28T13:00:00.000Z',
        verifiedAt: '2026-11-28T13:00:00.000Z',
      };
      store.updateSession(updated);
      expect(store.getSession(s1.idHash)).toEqual(updated);
      // Updating a deleted session does not bring it back.
      store.deleteSession(s2.idHash);
      store.updateSession(s2);
      expect(store.getSession(s2.idHash)).toBeUndefined();

      store.insertSession(session(a.id, 4));
      expect(store.deleteUserSessions(a.id)).toBe(2);
      expect(store.getSession(s1.idHash)).toBeUndefined();
      expect(store.getSession(s3.idHash)).toEqual(s3);
      expect(store.deleteUserSessions(a.id)).toBe(0);
      store.deleteSession('nope'); // no error
    });
  });

  describe('audit events', () => {
    it('lists newest first, per firm, with limit, beforeSeq and targetId', () => {
      for (let n = 1; n <= 30; n++) store.insertEvent(event(n));
      store.insertEvent(event(31, { firmId: OTHER_FIRM }));
      store.insertEvent(event(32, { actor: null, target: null, action: 'session.sign_in_failed', details: {} }));

      const all = store.listEvents({ firmId: FIRM, limit: 100 });
      expect(all.map((e) => e.id)).toEqual(
        [32, ...Array.from({ length: 30 }, (_, i) => 30 - i)].map((n) => `evt_${n}`),
      );
      const seqs = all.map((e) => e.seq as number);
      expect(seqs.every((s) => Number.isInteger(s))).toBe(true);
      expect([...seqs].sort((x, y) => y - x)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(seqs.length);

      const { seq: _, ...first } = all[0] as AuditRecord;
      expect(first).toEqual(event(32, { actor: null, target: null, action: 'session.sign_in_failed', details: {} }));
      const { seq: __, ...third } = all[2] as AuditRecord;
      expect(third).toEqual(event(29));

      // Paging with beforeSeq visits everything once.
      const visited: string[] = [];
      let beforeSeq: number | undefined;
      for (;;) {
        const page = store.listEvents({ firmId: FIRM, limit: 7, ...(beforeSeq ? { beforeSeq } : {}) });
        visited.push(...page.map((e) => e.id));
        if (page.length < 7) break;
        beforeSeq = page.at(-1)?.seq;
      }
      expect(visited).toEqual(all.map((e) => e.id));

      const target = store.listEvents({ firmId: FIRM, limit: 100, targetId: 'usr_target_1' });
      expect(target.map((e) => e.id)).toEqual(all.filter((e) => e.target?.id === 'usr_target_1').map((e) => e.id));
      expect(target).toHaveLength(10);
      const olderTarget = store.listEvents({
        firmId: FIRM,
        limit: 3,
        targetId: 'usr_target_1',
        beforeSeq: target[2]?.seq as number,
      });
      expect(olderTarget.map((e) => e.id)).toEqual(target.slice(3, 6).map((e) => e.id));
      expect(store.listEvents({ firmId: FIRM, limit: 100, targetId: 'usr_unknown' })).toEqual([]);
      expect(store.listEvents({ firmId: OTHER_FIRM, limit: 100 }).map((e) => e.id)).toEqual(['evt_31']);
    });
  });

  describe('mail outbox', () => {
    it('lists newest first, or the unsent oldest first, and updates delivery state', () => {
      for (let n = 1; n <= 6; n++) store.insertMail(mail(n));
      const all = store.listMail({ limit: 100 });
      expect(all.map((m) => m.id)).toEqual(['msg_6', 'msg_5', 'msg_4', 'msg_3', 'msg_2', 'msg_1']);
      const { seq: _, ...stored } = all[5] as MailRecord;
      expect(stored).toEqual(mail(1));
      expect(store.listMail({ limit: 2 }).map((m) => m.id)).toEqual(['msg_6', 'msg_5']);
      expect(store.listMail({ limit: 100, unsentOnly: true }).map((m) => m.id)).toEqual([
        'msg_1',
        'msg_2',
        'msg_3',
        'msg_4',
        'msg_5',
        'msg_6',
      ]);

      const m1 = all[5] as MailRecord;
      const m3 = all[3] as MailRecord;
      store.updateMail({ ...m1, sentAt: '2026-11-28T12:01:00.000Z', attempts: 1 });
      store.updateMail({ ...m3, attempts: 2, lastError: 'connection refused' });
      store.updateMail(mail(99, { sentAt: '2026-11-28T12:01:00.000Z' })); // unknown: no-op

      expect(store.listMail({ limit: 3, unsentOnly: true }).map((m) => m.id)).toEqual(['msg_2', 'msg_3', 'msg_4']);
      const after = store.listMail({ limit: 100 });
      expect(after).toHaveLength(6);
      expect(after.find((m) => m.id === 'msg_1')).toMatchObject({ sentAt: '2026-11-28T12:01:00.000Z', attempts: 1 });
      expect(after.find((m) => m.id === 'msg_3')).toMatchObject({
        sentAt: null,
        attempts: 2,
        lastError: 'connection refused',
        subject: 'Subject 3',
      });
      expect(after.map((m) => m.seq)).toEqual(all.map((m) => m.seq));
    });
  });

  describe('failures', () => {
    it('counts failures per key strictly after a time, and clears one key', () => {
      const times = ['2026-11-28T12:00:00.000Z', '2026-11-28T12:05:00.000Z', '2026-11-28T12:10:00.000Z'];
      for (const at of times) store.addFailure('password:a@x.test', at);
      store.addFailure('password:a@x.test', times[2] as string); // same instant twice counts twice
      store.addFailure('code:usr_1', times[1] as string);
      expect(store.failuresSince('password:a@x.test', '2026-11-28T11:00:00.000Z')).toEqual([
        times[0],
        times[1],
        times[2],
        times[2],
      ]);
      expect(store.failuresSince('password:a@x.test', times[0] as string)).toEqual([times[1], times[2], times[2]]);
      expect(store.failuresSince('password:a@x.test', times[2] as string)).toEqual([]);
      expect(store.failuresSince('password:b@x.test', '2000-01-01T00:00:00.000Z')).toEqual([]);
      store.clearFailures('password:a@x.test');
      expect(store.failuresSince('password:a@x.test', '2000-01-01T00:00:00.000Z')).toEqual([]);
      expect(store.failuresSince('code:usr_1', '2000-01-01T00:00:00.000Z')).toEqual([times[1]]);
    });
  });

  describe('idempotency records', () => {
    it('puts, replaces, gets per viewer, deletes and purges by age', () => {
      const pending = idem('v1', 'key-1', '2026-11-27T12:00:00.000Z', {
        state: 'pending',
        fingerprint: null,
        status: null,
        headers: {},
        body: null,
      });
      store.putIdempotency(pending);
      expect(store.getIdempotency('v1', 'key-1')).toEqual(pending);
      expect(store.getIdempotency('v2', 'key-1')).toBeUndefined();
      expect(store.getIdempotency('v1', 'key-2')).toBeUndefined();

      const done = idem('v1', 'key-1', '2026-11-27T12:00:00.000Z', { status: 409 });
      store.putIdempotency(done);
      expect(store.getIdempotency('v1', 'key-1')).toEqual(done);

      store.putIdempotency(idem('v2', 'key-1', '2026-11-28T11:00:00.000Z'));
      store.putIdempotency(idem('v1', 'old', '2026-11-26T12:00:00.000Z'));
      store.putIdempotency(idem('v1', 'edge', '2026-11-27T12:00:00.000Z'));

      store.deleteIdempotency('v2', 'key-1');
      expect(store.getIdempotency('v2', 'key-1')).toBeUndefined();
      expect(store.getIdempotency('v1', 'key-1')).toEqual(done);
      store.putIdempotency(idem('v2', 'key-1', '2026-11-28T11:00:00.000Z'));

      // Purge removes records strictly older than the cutoff.
      store.purgeIdempotency('2026-11-27T12:00:00.000Z');
      expect(store.getIdempotency('v1', 'old')).toBeUndefined();
      expect(store.getIdempotency('v1', 'edge')).toBeDefined();
      expect(store.getIdempotency('v1', 'key-1')).toEqual(done);
      expect(store.getIdempotency('v2', 'key-1')).toBeDefined();
      store.purgeIdempotency('2026-11-28T12:00:00.000Z');
      for (const [viewer, key] of [
        ['v1', 'edge'],
        ['v1', 'key-1'],
        ['v2', 'key-1'],
      ] as const) {
        expect(store.getIdempotency(viewer, key)).toBeUndefined();
      }
    });
  });

  describe('transactions', () => {
    const prepare = () => {
      const a = makeUser({ email: 'a@tx.test' });
      const b = makeUser({ email: 'b@tx.test', ...INVITED });
      store.insertUser(a);
      store.insertUser(b);
      store.insertSession(session(a.id, 1));
      store.insertSession(session(b.id, 2));
      store.insertEvent(event(1));
      store.insertMail(mail(1));
      store.addFailure('k1', '2026-11-28T12:00:00.000Z');
      store.addFailure('k2', '2026-11-28T12:00:00.000Z');
      store.putIdempotency(idem('v1', 'a', '2026-11-28T12:00:00.000Z'));
      return {
        a,
        b,
        userIds: [a.id, b.id, 'usr_tx_new'],
        sessionIds: [`hash_${a.id}_1`, `hash_${b.id}_2`, 'hash_new'],
      };
    };

    it('a throw inside a transaction leaves nothing written', () => {
      const { a, b, userIds, sessionIds } = prepare();
      const before = dumpOf(store, userIds, sessionIds);
      const boom = new Error('boom');
      expect(() =>
        store.transaction(() => {
          store.insertFirm({ id: 'firm_new', name: 'New', createdAt: '2026-11-28T12:00:00.000Z' });
          store.insertUser(makeUser({ id: 'usr_tx_new', email: 'new@tx.test', firmId: 'firm_new' }));
          store.updateUser({ ...a, name: 'Changed', version: 2, ...ENABLED });
          store.updateUser({ ...b, invitation: null, version: 5 });
          store.insertSession({ ...session(a.id, 9), idHash: 'hash_new' });
          store.updateSession({ ...session(b.id, 2), stage: 'two_factor' });
          store.deleteSession(`hash_${a.id}_1`);
          store.deleteUserSessions(b.id);
          store.insertEvent(event(2));
          store.insertMail(mail(2));
          const [first] = store.listMail({ limit: 1, unsentOnly: true });
          store.updateMail({ ...(first as MailRecord), sentAt: '2026-11-28T12:00:01.000Z', attempts: 1 });
          store.addFailure('k1', '2026-11-28T12:00:01.000Z');
          store.clearFailures('k2');
          store.putIdempotency(idem('v1', 'b', '2026-11-28T12:00:00.000Z'));
          store.deleteIdempotency('v1', 'a');
          store.purgeIdempotency('2030-01-01T00:00:00.000Z');
          // The writes are visible inside the transaction...
          expect(store.getUser(a.id)?.name).toBe('Changed');
          expect(store.getSession(`hash_${a.id}_1`)).toBeUndefined();
          throw boom;
        }),
      ).toThrow(boom);
      // ...and gone after it.
      expect(dumpOf(store, userIds, sessionIds)).toEqual(before);
      expect(store.findFirmByName('New')).toBeUndefined();
      expect(store.findUserByEmail('new@tx.test')).toBeUndefined();
    });

    it('lists, counts and email lookups read inside a rolled-back transaction do not outlive it', () => {
      const { a, b } = prepare();
      const query = { firmId: FIRM, sort: 'name', limit: 50 } as const;
      const filtered = { ...query, status: 'enabled' } as const;
      const before = [store.listUsers(query), store.listUsers(filtered), store.summarizeUsers(FIRM)];
      expect(() =>
        store.transaction(() => {
          store.updateUser({ ...a, name: 'Zed', email: 'zed@tx.test', version: 2, ...ENABLED });
          store.updateUser({ ...b, active: false, version: 5 });
          // Read inside, so any cache is filled with the state the rollback undoes.
          expect(store.listUsers(filtered).items.map((user) => user.id)).toContain(a.id);
          expect(store.summarizeUsers(FIRM).total).toBe((before[2] as { total: number }).total - 1);
          expect(store.findUserByEmail('zed@tx.test')?.id).toBe(a.id);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect([store.listUsers(query), store.listUsers(filtered), store.summarizeUsers(FIRM)]).toEqual(before);
      expect(store.findUserByEmail('zed@tx.test')).toBeUndefined();
      expect(store.findUserByEmail('A@tx.test')?.id).toBe(a.id);
    });

    it('a failing write rolls back the writes before it, and the store stays usable', () => {
      const { a, userIds, sessionIds } = prepare();
      const before = dumpOf(store, userIds, sessionIds);
      expect(() =>
        store.transaction(() => {
          store.updateUser({ ...a, name: 'Changed', version: 2 });
          store.insertEvent(event(3));
          store.insertUser(makeUser({ email: 'A@TX.test' })); // duplicate email
        }),
      ).toThrow();
      expect(dumpOf(store, userIds, sessionIds)).toEqual(before);

      const result = store.transaction(() => {
        store.updateUser({ ...a, name: 'Committed', version: 2 });
        store.insertEvent(event(4));
        return 'done';
      });
      expect(result).toBe('done');
      expect(store.getUser(a.id)?.name).toBe('Committed');
      expect(store.listEvents({ firmId: FIRM, limit: 1 })[0]?.id).toBe('evt_4');
    });

    it('a nested transaction joins the outer one: an outer throw undoes the inner writes', () => {
      const { a, userIds, sessionIds } = prepare();
      const before = dumpOf(store, userIds, sessionIds);
      expect(() =>
        store.transaction(() => {
          store.transaction(() => {
            store.updateUser({ ...a, name: 'Inner', version: 2 });
            store.insertMail(mail(7));
          });
          throw new Error('outer');
        }),
      ).toThrow('outer');
      expect(dumpOf(store, userIds, sessionIds)).toEqual(before);
    });
  });
});

// ---- Both stores give identical answers for the same operations ----

const nameArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('Ann', 'ann', 'ANN', 'Bo', 'Émile', 'émile', 'Zoë', 'Ann Smith', 'ann smith'),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }) },
  {
    weight: 2,
    // Characters around the UTF-16 surrogate range, where UTF-16 order and code point order differ.
    arbitrary: fc.string({
      unit: fc.constantFrom('a', 'Z', 'é', '\uD7FF', '\uE000', '\uFF21', '\u{1F600}', '\u{10FFFF}'),
      minLength: 1,
      maxLength: 4,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('😀 Smile', '\uff21 Fullwidth', '\u{1F600}', '\uFB01 ligature', 'İstanbul') },
);

const userSpecArb = fc.record({
  name: nameArb,
  emailLocal: fc.oneof(
    fc.constantFrom('ann', 'Ann', 'bo', 'ZED', 'émile'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
  ),
  status: fc.constantFrom('enabled', 'invited', 'not_enabled'),
  identityMigrated: fc.boolean(),
  required: fc.boolean(),
  active: fc.nat(9).map((n) => n !== 0),
  otherFirm: fc.nat(9).map((n) => n === 0),
  idKey: fc.nat(1_000_000),
});

type UserSpec = typeof userSpecArb extends fc.Arbitrary<infer T> ? T : never;

const recordsOf = (specs: UserSpec[]): UserRecord[] =>
  specs.map((spec, i) =>
    makeUser({
      // Ids in a random order relative to insertion, names and emails.
      id: `usr_${String(spec.idKey).padStart(7, '0')}_${i}`,
      name: spec.name,
      email: `${spec.emailLocal}.${i}@Example.test`,
      identityMigrated: spec.identityMigrated,
      required: spec.required,
      active: spec.active,
      firmId: spec.otherFirm ? OTHER_FIRM : FIRM,
      ...(spec.status === 'enabled' ? ENABLED : spec.status === 'invited' ? INVITED : {}),
    }),
  );

const queryArb = (users: UserRecord[]) =>
  fc.record({
    search: fc.option(
      fc.oneof(
        // A substring of someone's name or email, lower-cased as the service does.
        fc
          .tuple(fc.constantFrom(...users.flatMap((u) => [u.name, u.email])), fc.nat(), fc.nat())
          .map(([text, i, j]) => {
            const chars = [...text.toLowerCase()];
            const start = i % chars.length;
            return chars.slice(start, start + 1 + (j % 4)).join('');
          }),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }).map((s) => s.toLowerCase()),
      ),
      { nil: undefined },
    ),
    status: fc.option(fc.constantFrom('enabled', 'invited', 'not_enabled' as const), { nil: undefined }),
    requirement: fc.option(fc.constantFrom('required', 'not_required', 'not_available' as const), { nil: undefined }),
    sort: fc.constantFrom(...SORTS),
    limit: fc.integer({ min: 1, max: 25 }),
  });

const seeded = (users: UserRecord[]) => {
  const memory = new MemoryStore();
  const sqlite = new SqliteStore(':memory:');
  for (const store of [memory, sqlite]) {
    store.insertFirm({ id: FIRM, name: 'Firm A', createdAt: '2026-01-01T00:00:00.000Z' });
    store.insertFirm({ id: OTHER_FIRM, name: 'Firm B', createdAt: '2026-01-01T00:00:00.000Z' });
    for (const user of users) store.insertUser(user);
  }
  return { memory, sqlite };
};

describe('MemoryStore and SqliteStore agree', () => {
  it('on list queries, keyset pages, summaries, lookups and migration candidates (property)', () => {
    fc.assert(
      fc.property(
        fc
          .array(userSpecArb, { minLength: 1, maxLength: 40 })
          .map(recordsOf)
          .chain((users) => fc.tuple(fc.constant(users), fc.array(queryArb(users), { minLength: 1, maxLength: 5 }))),
        ([users, queries]) => {
          const { memory, sqlite } = seeded(users);
          try {
            for (const query of queries) {
              const q = { firmId: FIRM, ...query };
              const m = memory.listUsers(q);
              const s = sqlite.listUsers(q);
              expect(s).toEqual(m);
              // The same pages, one cursor at a time; every match once.
              const mw = walk(memory, q);
              const sw = walk(sqlite, q);
              expect(sw).toEqual(mw);
              expect(new Set(mw.ids).size).toBe(mw.ids.length);
              expect(mw.ids.length).toBe(m.total);
              // And the order is the contract's.
              const all = memory.listUsers({ ...q, limit: 1000 }).items;
              for (let i = 1; i < all.length; i++) {
                expect(inContractOrder(all[i - 1] as UserRecord, all[i] as UserRecord, q.sort)).toBe(true);
              }
            }
            for (const firmId of [FIRM, OTHER_FIRM]) {
              expect(sqlite.summarizeUsers(firmId)).toEqual(memory.summarizeUsers(firmId));
            }
            for (const user of users) {
              expect(sqlite.getUser(user.id)).toEqual(user);
              expect(memory.getUser(user.id)).toEqual(user);
              expect(sqlite.findUserByEmail(user.email.toUpperCase())?.id).toBe(
                memory.findUserByEmail(user.email.toUpperCase())?.id,
              );
            }
            const byId = (list: UserRecord[]) => list.map((u) => u.id).sort();
            expect(byId(sqlite.findUsersDueForMigration('2030-01-01T00:00:00.000Z'))).toEqual(
              byId(memory.findUsersDueForMigration('2030-01-01T00:00:00.000Z')),
            );
          } finally {
            sqlite.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('on random sequences of writes, reads and rolled-back transactions (property)', () => {
    type Op =
      | { kind: 'update'; index: number; status: 'enabled' | 'invited' | 'not_enabled'; required: boolean }
      | { kind: 'event'; index: number; target: number }
      | { kind: 'mail'; index: number }
      | { kind: 'send'; index: number }
      | { kind: 'session'; index: number; user: number }
      | { kind: 'endSessions'; user: number }
      | { kind: 'failure'; key: number; minute: number }
      | { kind: 'clearFailures'; key: number }
      | { kind: 'idempotency'; viewer: number; key: number; minute: number }
      | { kind: 'purge'; minute: number }
      | { kind: 'rollback'; ops: number }
      | { kind: 'read'; sort: number; status: 'enabled' | 'invited' | 'not_enabled' | undefined };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('update' as const),
        index: fc.nat(7),
        status: fc.constantFrom('enabled', 'invited', 'not_enabled' as const),
        required: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('event' as const), index: fc.nat(1000), target: fc.nat(7) }),
      fc.record({ kind: fc.constant('mail' as const), index: fc.nat(1000) }),
      fc.record({ kind: fc.constant('send' as const), index: fc.nat(20) }),
      fc.record({ kind: fc.constant('session' as const), index: fc.nat(1000), user: fc.nat(7) }),
      fc.record({ kind: fc.constant('endSessions' as const), user: fc.nat(7) }),
      fc.record({ kind: fc.constant('failure' as const), key: fc.nat(2), minute: fc.nat(59) }),
      fc.record({ kind: fc.constant('clearFailures' as const), key: fc.nat(2) }),
      fc.record({ kind: fc.constant('idempotency' as const), viewer: fc.nat(2), key: fc.nat(3), minute: fc.nat(59) }),
      fc.record({ kind: fc.constant('purge' as const), minute: fc.nat(59) }),
      fc.record({ kind: fc.constant('rollback' as const), ops: fc.nat(3) }),
      // Reads between writes, inside and outside rolled-back transactions: they fill any list cache.
      fc.record({
        kind: fc.constant('read' as const),
        sort: fc.nat(SORTS.length - 1),
        status: fc.option(fc.constantFrom('enabled', 'invited', 'not_enabled' as const), { nil: undefined }),
      }),
    );
    const at = (minute: number) => `2026-11-28T12:${String(minute).padStart(2, '0')}:00.000Z`;

    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const users = Array.from({ length: 8 }, (_, i) => makeUser({ email: `p${i}@prop.test` }));
        const { memory, sqlite } = seeded(users);
        const seen = { events: new Set<string>(), mail: new Set<string>(), sessions: new Set<string>() };
        const reads = new Map<Store, unknown[]>([
          [memory, []],
          [sqlite, []],
        ]);
        const apply = (store: Store, op: Op, pass: number) => {
          switch (op.kind) {
            case 'update': {
              const current = store.getUser((users[op.index] as UserRecord).id) as UserRecord;
              store.updateUser({
                ...current,
                totpSecret: null,
                totpEnabledAt: null,
                invitation: null,
                required: op.required,
                version: current.version + 1,
                ...(op.status === 'enabled' ? ENABLED : op.status === 'invited' ? INVITED : {}),
              });
              return;
            }
            case 'event': {
              const target = users[op.target] as UserRecord;
              const id = `evt_${op.index}_${pass}`;
              store.insertEvent(event(op.index, { id, target: { id: target.id, name: target.name } }));
              seen.events.add(id);
              return;
            }
            case 'mail': {
              const id = `msg_${op.index}_${pass}`;
              store.insertMail(mail(op.index, { id }));
              seen.mail.add(id);
              return;
            }
            case 'send': {
              const unsent = store.listMail({ limit: 50, unsentOnly: true });
              const m = unsent[op.index % Math.max(unsent.length, 1)];
              if (m) store.updateMail({ ...m, sentAt: at(1), attempts: m.attempts + 1 });
              return;
            }
            case 'session': {
              const id = `hash_${op.index}_${pass}`;
              store.insertSession({ ...session((users[op.user] as UserRecord).id, op.index), idHash: id });
              seen.sessions.add(id);
              return;
            }
            case 'endSessions':
              store.deleteUserSessions((users[op.user] as UserRecord).id);
              return;
            case 'failure':
              store.addFailure(`k${op.key}`, at(op.minute));
              return;
            case 'clearFailures':
              store.clearFailures(`k${op.key}`);
              return;
            case 'idempotency':
              store.putIdempotency(idem(`v${op.viewer}`, `key${op.key}`, at(op.minute)));
              return;
            case 'purge':
              store.purgeIdempotency(at(op.minute));
              return;
            case 'rollback':
              return;
            case 'read': {
              const query = {
                firmId: FIRM,
                sort: SORTS[op.sort] as UserSort,
                limit: 3,
                ...(op.status && { status: op.status }),
              };
              const first = store.listUsers(query);
              const last = first.items.at(-1);
              const next = last ? store.listUsers({ ...query, after: sortValuesOf(last, query.sort) }) : undefined;
              reads.get(store)?.push([first, next, store.summarizeUsers(FIRM)]);
              return;
            }
          }
        };
        const run = (store: Store) => {
          ops.forEach((op, pass) => {
            if (op.kind !== 'rollback') {
              store.transaction(() => apply(store, op, pass));
              return;
            }
            // Re-apply the previous few operations inside a transaction that throws.
            expect(() =>
              store.transaction(() => {
                for (const [offset, previous] of ops.slice(Math.max(0, pass - op.ops), pass).entries()) {
                  apply(store, previous, 1000 + pass * 10 + offset);
                }
                throw new Error('rollback');
              }),
            ).toThrow('rollback');
          });
        };
        const snapshot = (store: Store) => ({
          users: users.map((u) => store.getUser(u.id)),
          list: SORTS.map((sort) => store.listUsers({ firmId: FIRM, sort, limit: 100 })),
          summary: store.summarizeUsers(FIRM),
          events: store.listEvents({ firmId: FIRM, limit: 1000 }).map(({ seq: _, ...e }) => e),
          byTarget: users.map((u) => store.listEvents({ firmId: FIRM, limit: 1000, targetId: u.id }).map((e) => e.id)),
          mail: store.listMail({ limit: 1000 }).map(({ seq: _, ...m }) => m),
          unsent: store.listMail({ limit: 1000, unsentOnly: true }).map((m) => m.id),
          sessions: [...seen.sessions].sort().map((id) => store.getSession(id) ?? null),
          failures: [0, 1, 2].map((k) => store.failuresSince(`k${k}`, at(0))),
          idempotency: [0, 1, 2].flatMap((v) => [0, 1, 2, 3].map((k) => store.getIdempotency(`v${v}`, `key${k}`))),
        });
        try {
          run(memory);
          run(sqlite);
          const m = snapshot(memory);
          // Rolled-back inserts never appear.
          for (const id of m.events.map((e) => e.id)) expect(Number(id.split('_')[2])).toBeLessThan(1000);
          expect(snapshot(sqlite)).toEqual(m);
          expect(reads.get(sqlite)).toEqual(reads.get(memory));
        } finally {
          sqlite.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
