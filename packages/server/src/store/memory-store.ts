import type {
  AuditRecord,
  FirmRecord,
  IdempotencyRecord,
  MailRecord,
  SessionRecord,
  Store,
  UserListQuery,
  UserRecord,
  UserSummary,
} from './records.js';
import { foldKey, requirementStatusOf, sortKeysOf, sortValueOf, twoFactorStatusOf } from './user-order.js';

const copy = <T>(value: T): T => structuredClone(value);

/** Code point order, which is UTF-8 byte order: JS `<` compares UTF-16 units, which puts astral characters too early. */
const compareText = (a: string, b: string): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800..DFFF) move above U+E000..FFFF, the rest of the BMP stays below.
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
};

/** Compares sort values the way SQLite's BINARY collation does for our keys. */
const compareValues = (a: string | number, b: string | number): number =>
  typeof a === 'string' && typeof b === 'string' ? compareText(a, b) : a < b ? -1 : a > b ? 1 : 0;

/**
 * Everything in maps: for tests and for the browser. Writes inside `transaction` are undone if it
 * throws, like a database rollback. Values are copied in and out so callers never share state.
 */
export class MemoryStore implements Store {
  #firms = new Map<string, FirmRecord>();
  #users = new Map<string, UserRecord>();
  #sessions = new Map<string, SessionRecord>();
  #events: AuditRecord[] = [];
  #mail: MailRecord[] = [];
  #failures = new Map<string, { id: number; at: string }[]>();
  #idempotency = new Map<string, IdempotencyRecord>();
  #seq = 0;
  #undo: (() => void)[] | null = null;

  #remember<K, V>(map: Map<K, V>, key: K): void {
    if (!this.#undo) return;
    const had = map.has(key);
    const previous = map.get(key);
    this.#undo.push(() => (had ? map.set(key, previous as V) : map.delete(key)));
  }

  /** Before a push: undo truncates back to the current length. */
  #rememberLength<T>(array: T[]): void {
    if (!this.#undo) return;
    const length = array.length;
    this.#undo.push(() => {
      array.length = length;
    });
  }

  /** Before replacing `array[index]`: undo puts the old element back. */
  #rememberElement<T>(array: T[], index: number): void {
    if (!this.#undo) return;
    const previous = array[index] as T;
    this.#undo.push(() => {
      array[index] = previous;
    });
  }

  #set<K, V>(map: Map<K, V>, key: K, value: V): void {
    this.#remember(map, key);
    map.set(key, copy(value));
  }

  #delete<K, V>(map: Map<K, V>, key: K): void {
    this.#remember(map, key);
    map.delete(key);
  }

  transaction<T>(fn: () => T): T {
    if (this.#undo) return fn();
    this.#undo = [];
    try {
      const result = fn();
      this.#undo = null;
      return result;
    } catch (error) {
      const undo = this.#undo ?? [];
      this.#undo = null;
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  insertFirm(firm: FirmRecord): void {
    this.#set(this.#firms, firm.id, firm);
  }

  findFirmByName(name: string): FirmRecord | undefined {
    for (const firm of this.#firms.values()) if (firm.name === name) return copy(firm);
    return undefined;
  }

  getFirm(id: string): FirmRecord | undefined {
    const firm = this.#firms.get(id);
    return firm && copy(firm);
  }

  insertUser(user: UserRecord): void {
    if (this.#users.has(user.id) || this.findUserByEmail(user.email)) {
      throw new Error(`user ${user.id} <${user.email}> already exists`);
    }
    this.#set(this.#users, user.id, user);
  }

  getUser(id: string): UserRecord | undefined {
    const user = this.#users.get(id);
    return user && copy(user);
  }

  findUserByEmail(email: string): UserRecord | undefined {
    const wanted = foldKey(email);
    for (const user of this.#users.values()) if (foldKey(user.email) === wanted) return copy(user);
    return undefined;
  }

  updateUser(user: UserRecord): void {
    if (!this.#users.has(user.id)) throw new Error(`user ${user.id} does not exist`);
    this.#set(this.#users, user.id, user);
  }

  #activeUsers(firmId: string): UserRecord[] {
    return [...this.#users.values()].filter((user) => user.firmId === firmId && user.active);
  }

  listUsers(query: UserListQuery): { items: UserRecord[]; total: number } {
    const keys = sortKeysOf(query.sort);
    const compare = (a: UserRecord, b: UserRecord) => {
      for (const key of keys) {
        const order = compareValues(sortValueOf(a, key.field), sortValueOf(b, key.field));
        if (order !== 0) return key.descending ? -order : order;
      }
      return 0;
    };
    const matches = this.#activeUsers(query.firmId).filter(
      (user) =>
        (!query.search || foldKey(user.name).includes(query.search) || foldKey(user.email).includes(query.search)) &&
        (!query.status || twoFactorStatusOf(user) === query.status) &&
        (!query.requirement || requirementStatusOf(user) === query.requirement),
    );
    matches.sort(compare);
    const after = query.after;
    const start = after
      ? matches.filter((user) => {
          for (const [index, key] of keys.entries()) {
            const order = compareValues(sortValueOf(user, key.field), after[index] as string | number);
            if (order !== 0) return key.descending ? order < 0 : order > 0;
          }
          return false;
        })
      : matches;
    return { items: start.slice(0, query.limit).map(copy), total: matches.length };
  }

  summarizeUsers(firmId: string): UserSummary {
    const summary = { total: 0, enabled: 0, invited: 0, notEnabled: 0, required: 0, notAvailable: 0 };
    for (const user of this.#activeUsers(firmId)) {
      summary.total++;
      const status = twoFactorStatusOf(user);
      if (status === 'enabled') summary.enabled++;
      else if (status === 'invited') summary.invited++;
      else summary.notEnabled++;
      const requirement = requirementStatusOf(user);
      if (requirement === 'required') summary.required++;
      else if (requirement === 'not_available') summary.notAvailable++;
    }
    return summary;
  }

  findUsersDueForMigration(createdBefore: string): UserRecord[] {
    return [...this.#users.values()]
      .filter((user) => user.active && !user.identityMigrated && user.createdAt < createdBefore)
      .map(copy);
  }

  insertSession(session: SessionRecord): void {
    this.#set(this.#sessions, session.idHash, session);
  }

  getSession(idHash: string): SessionRecord | undefined {
    const session = this.#sessions.get(idHash);
    return session && copy(session);
  }

  updateSession(session: SessionRecord): void {
    if (this.#sessions.has(session.idHash)) this.#set(this.#sessions, session.idHash, session);
  }

  deleteSession(idHash: string): void {
    this.#delete(this.#sessions, idHash);
  }

  deleteUserSessions(userId: string): number {
    let count = 0;
    for (const [idHash, session] of this.#sessions) {
      if (session.userId === userId) {
        this.#delete(this.#sessions, idHash);
        count++;
      }
    }
    return count;
  }

  deleteExpiredSessions(createdBefore: string, lastSeenBefore: string): number {
    let count = 0;
    for (const [idHash, session] of this.#sessions) {
      if (session.createdAt < createdBefore || session.lastSeenAt < lastSeenBefore) {
        this.#delete(this.#sessions, idHash);
        count++;
      }
    }
    return count;
  }

  insertEvent(event: AuditRecord): void {
    this.#rememberLength(this.#events);
    this.#events.push(copy({ ...event, seq: ++this.#seq }));
  }

  listEvents(query: { firmId: string; beforeSeq?: number; targetId?: string; limit: number }): AuditRecord[] {
    const result: AuditRecord[] = [];
    for (let i = this.#events.length - 1; i >= 0 && result.length < query.limit; i--) {
      const event = this.#events[i] as AuditRecord;
      if (event.firmId !== query.firmId) continue;
      if (query.beforeSeq !== undefined && (event.seq as number) >= query.beforeSeq) continue;
      if (query.targetId !== undefined && event.target?.id !== query.targetId) continue;
      result.push(copy(event));
    }
    return result;
  }

  insertMail(mail: MailRecord): void {
    this.#rememberLength(this.#mail);
    this.#mail.push(copy({ ...mail, seq: ++this.#seq }));
  }

  listMail(query: { limit: number; unsentOnly?: boolean; maxAttempts?: number }): MailRecord[] {
    const maxAttempts = query.maxAttempts ?? Number.POSITIVE_INFINITY;
    const list = query.unsentOnly
      ? this.#mail.filter((mail) => mail.sentAt === null && mail.attempts < maxAttempts)
      : [...this.#mail].reverse();
    return list.slice(0, query.limit).map(copy);
  }

  updateMail(mail: MailRecord): void {
    const index = this.#mail.findIndex((existing) => existing.id === mail.id);
    if (index < 0) return;
    this.#rememberElement(this.#mail, index);
    this.#mail[index] = copy(mail);
  }

  addFailure(key: string, at: string): number {
    const id = ++this.#seq;
    this.#set(this.#failures, key, [...(this.#failures.get(key) ?? []), { id, at }]);
    return id;
  }

  failuresSince(key: string, since: string): string[] {
    // In time order, as SQLite's ORDER BY at.
    return (this.#failures.get(key) ?? [])
      .map((failure) => failure.at)
      .filter((at) => at > since)
      .sort();
  }

  clearFailures(key: string): void {
    this.#delete(this.#failures, key);
  }

  hasFailure(id: number): boolean {
    for (const list of this.#failures.values()) if (list.some((failure) => failure.id === id)) return true;
    return false;
  }

  deleteFailuresBefore(before: string): void {
    for (const [key, list] of this.#failures) {
      const kept = list.filter((failure) => failure.at >= before);
      if (kept.length === list.length) continue;
      if (kept.length) this.#set(this.#failures, key, kept);
      else this.#delete(this.#failures, key);
    }
  }

  getIdempotency(viewerId: string, key: string): IdempotencyRecord | undefined {
    const record = this.#idempotency.get(`${viewerId}\u0000${key}`);
    return record && copy(record);
  }

  putIdempotency(record: IdempotencyRecord): void {
    this.#set(this.#idempotency, `${record.viewerId}\u0000${record.key}`, record);
  }

  deleteIdempotency(viewerId: string, key: string): void {
    this.#delete(this.#idempotency, `${viewerId}\u0000${key}`);
  }

  purgeIdempotency(createdBefore: string): void {
    for (const [id, record] of this.#idempotency)
      if (record.createdAt < createdBefore) this.#delete(this.#idempotency, id);
  }

  close(): void {}
}
