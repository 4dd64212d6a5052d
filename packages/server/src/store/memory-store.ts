import { MemoryUserLists } from './memory-user-lists.js';
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
import { foldKey } from './user-order.js';

const copy = <T>(value: T): T => structuredClone(value);

/**
 * Everything in maps: for tests and for the browser. Writes inside `transaction` are undone if it
 * throws, like a database rollback. Values are copied in and out so callers never share state.
 */
export class MemoryStore implements Store {
  #firms = new Map<string, FirmRecord>();
  #users = new Map<string, UserRecord>();
  /** Folded email -> user id, kept with #users (sign-in and seeding look users up by email). */
  #emails = new Map<string, string>();
  #lists = new MemoryUserLists((firmId) => this.#activeUsers(firmId));
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

  /** Every write of a user: the map, the email index and the cached lists, undone together on rollback. */
  #putUser(user: UserRecord): void {
    const previous = this.#users.get(user.id);
    this.#set(this.#users, user.id, user);
    const stored = this.#users.get(user.id);
    this.#reindex(previous, stored);
    this.#undo?.push(() => this.#reindex(stored, previous));
  }

  #reindex(from: UserRecord | undefined, to: UserRecord | undefined): void {
    if (from) this.#emails.delete(foldKey(from.email));
    if (to) this.#emails.set(foldKey(to.email), to.id);
    this.#lists.update(from, to);
  }

  insertUser(user: UserRecord): void {
    if (this.#users.has(user.id) || this.findUserByEmail(user.email)) {
      throw new Error(`user ${user.id} <${user.email}> already exists`);
    }
    this.#putUser(user);
  }

  getUser(id: string): UserRecord | undefined {
    const user = this.#users.get(id);
    return user && copy(user);
  }

  findUserByEmail(email: string): UserRecord | undefined {
    const id = this.#emails.get(foldKey(email));
    return id === undefined ? undefined : this.getUser(id);
  }

  updateUser(user: UserRecord): void {
    if (!this.#users.has(user.id)) throw new Error(`user ${user.id} does not exist`);
    this.#putUser(user);
  }

  #activeUsers(firmId: string): UserRecord[] {
    return [...this.#users.values()].filter((user) => user.firmId === firmId && user.active);
  }

  listUsers(query: UserListQuery): { items: UserRecord[]; total: number } {
    const { items, total } = this.#lists.list(query);
    return { items: items.map(copy), total };
  }

  summarizeUsers(firmId: string): UserSummary {
    return this.#lists.summarize(firmId);
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
