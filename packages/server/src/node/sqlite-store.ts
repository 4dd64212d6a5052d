import Database from 'better-sqlite3';
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
} from '../store/records.js';
import { foldKey, sortKeysOf } from '../store/user-order.js';
import { migrations } from './sqlite-migrations.js';

type Row = Record<string, unknown>;

const SORT_COLUMNS = { name: 'name_key', email: 'email_key', status: 'status_rank', id: 'id' } as const;

const userToRow = (u: UserRecord): Row => ({
  id: u.id,
  firm_id: u.firmId,
  name: u.name,
  name_key: foldKey(u.name),
  email: u.email,
  email_key: foldKey(u.email),
  role: u.role,
  is_primary_subscriber: u.isPrimarySubscriber ? 1 : 0,
  active: u.active ? 1 : 0,
  password_hash: u.passwordHash,
  identity_migrated: u.identityMigrated ? 1 : 0,
  created_at: u.createdAt,
  required: u.required ? 1 : 0,
  totp_secret: u.totpSecret,
  totp_enabled_at: u.totpEnabledAt,
  totp_last_step: u.totpLastStep,
  pending_totp_secret: u.pendingTotpSecret,
  backup_codes: JSON.stringify(u.backupCodes),
  invitation_sent_at: u.invitation?.sentAt ?? null,
  invitation_reminder_count: u.invitation?.reminderCount ?? null,
  invitation_last_reminder_at: u.invitation?.lastReminderAt ?? null,
  last_sign_in_at: u.lastSignInAt,
  version: u.version,
});

const rowToUser = (r: Row): UserRecord => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  name: r.name as string,
  email: r.email as string,
  role: r.role as UserRecord['role'],
  isPrimarySubscriber: r.is_primary_subscriber === 1,
  active: r.active === 1,
  passwordHash: r.password_hash as string,
  identityMigrated: r.identity_migrated === 1,
  createdAt: r.created_at as string,
  required: r.required === 1,
  totpSecret: r.totp_secret as string | null,
  totpEnabledAt: r.totp_enabled_at as string | null,
  totpLastStep: r.totp_last_step as number | null,
  pendingTotpSecret: r.pending_totp_secret as string | null,
  backupCodes: JSON.parse(r.backup_codes as string),
  invitation:
    r.invitation_sent_at === null
      ? null
      : {
          sentAt: r.invitation_sent_at as string,
          reminderCount: r.invitation_reminder_count as number,
          lastReminderAt: r.invitation_last_reminder_at as string | null,
        },
  lastSignInAt: r.last_sign_in_at as string | null,
  version: r.version as number,
});

const USER_COLUMNS = Object.keys(userToRow({ name: '', email: '', backupCodes: [] } as unknown as UserRecord));

const rowToSession = (r: Row): SessionRecord => ({
  idHash: r.id_hash as string,
  userId: r.user_id as string,
  stage: r.stage as SessionRecord['stage'],
  csrfToken: r.csrf_token as string,
  createdAt: r.created_at as string,
  lastSeenAt: r.last_seen_at as string,
  verifiedAt: r.verified_at as string | null,
});

const rowToEvent = (r: Row): AuditRecord => ({
  seq: r.seq as number,
  id: r.id as string,
  firmId: r.firm_id as string,
  at: r.at as string,
  action: r.action as AuditRecord['action'],
  actor: r.actor_id === null ? null : { id: r.actor_id as string, name: r.actor_name as string },
  target: r.target_id === null ? null : { id: r.target_id as string, name: r.target_name as string },
  details: JSON.parse(r.details as string),
});

const rowToMail = (r: Row): MailRecord => ({
  seq: r.seq as number,
  id: r.id as string,
  firmId: r.firm_id as string,
  userId: r.user_id as string,
  kind: r.kind as MailRecord['kind'],
  to: r.recipient as string,
  subject: r.subject as string,
  text: r.text as string,
  html: r.html as string,
  createdAt: r.created_at as string,
  sentAt: r.sent_at as string | null,
  attempts: r.attempts as number,
  lastError: r.last_error as string | null,
});

const rowToIdempotency = (r: Row): IdempotencyRecord => ({
  viewerId: r.viewer_id as string,
  key: r.key as string,
  state: r.state as IdempotencyRecord['state'],
  fingerprint: r.fingerprint as string | null,
  status: r.status as number | null,
  headers: JSON.parse(r.headers as string),
  body: r.body as string | null,
  createdAt: r.created_at as string,
});

/** Match counts of list filters kept per firm (see `SqliteStore#counts`). */
const MAX_CACHED_TOTALS = 64;

/**
 * The default store: one SQLite file through better-sqlite3, in WAL mode. Every action is one
 * transaction, so a crash leaves either all of it or none of it.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  #statements = new Map<string, Database.Statement>();
  /**
   * Per firm, the counts that reads keep recomputing: its summary (every list response carries one) and
   * the number of matches of each recent list filter (every page of a search counts the same rows).
   * Counting 10k rows each time was most of a page's latency. Dropped when a user of that firm is
   * written, and all of it when a transaction rolls back. Valid while this process is the only writer of
   * the file (the reference server's case).
   */
  #counts = new Map<string, { summary?: UserSummary; totals: Map<string, number> }>();

  #countsOf(firmId: string) {
    let counts = this.#counts.get(firmId);
    if (!counts) {
      counts = { totals: new Map() };
      this.#counts.set(firmId, counts);
    }
    return counts;
  }

  constructor(filename: string, options: { fileMustExist?: boolean } = {}) {
    this.db = new Database(filename, { fileMustExist: options.fileMustExist ?? false });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.#migrate();
  }

  #migrate(): void {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    for (let index = applied; index < migrations.length; index++) {
      this.db.transaction(() => {
        this.db.exec(migrations[index] as string);
        this.db.pragma(`user_version = ${index + 1}`);
      })();
    }
  }

  #sql(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get(sql: string, ...params: unknown[]): Row | undefined {
    return this.#sql(sql).get(...params) as Row | undefined;
  }

  #all(sql: string, ...params: unknown[]): Row[] {
    return this.#sql(sql).all(...params) as Row[];
  }

  #run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.#sql(sql).run(...params);
  }

  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    try {
      return this.db.transaction(fn).immediate();
    } catch (error) {
      // Counts made inside a rolled-back transaction saw writes that never happened.
      this.#counts.clear();
      throw error;
    }
  }

  insertFirm(firm: FirmRecord): void {
    this.#run('INSERT INTO firms (id, name, created_at) VALUES (?, ?, ?)', firm.id, firm.name, firm.createdAt);
  }

  findFirmByName(name: string): FirmRecord | undefined {
    const row = this.#get('SELECT * FROM firms WHERE name = ?', name);
    return row && { id: row.id as string, name: row.name as string, createdAt: row.created_at as string };
  }

  getFirm(id: string): FirmRecord | undefined {
    const row = this.#get('SELECT * FROM firms WHERE id = ?', id);
    return row && { id: row.id as string, name: row.name as string, createdAt: row.created_at as string };
  }

  insertUser(user: UserRecord): void {
    this.#counts.delete(user.firmId);
    this.#run(
      `INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES (${USER_COLUMNS.map((c) => `@${c}`).join(', ')})`,
      userToRow(user),
    );
  }

  getUser(id: string): UserRecord | undefined {
    const row = this.#get('SELECT * FROM users WHERE id = ?', id);
    return row && rowToUser(row);
  }

  findUserByEmail(email: string): UserRecord | undefined {
    const row = this.#get('SELECT * FROM users WHERE email_key = ?', foldKey(email));
    return row && rowToUser(row);
  }

  updateUser(user: UserRecord): void {
    this.#counts.delete(user.firmId);
    const result = this.#run(
      `UPDATE users SET ${USER_COLUMNS.filter((c) => c !== 'id')
        .map((c) => `${c} = @${c}`)
        .join(', ')} WHERE id = @id`,
      userToRow(user),
    );
    if (result.changes !== 1) throw new Error(`user ${user.id} does not exist`);
  }

  listUsers(query: UserListQuery): { items: UserRecord[]; total: number } {
    const where = ['firm_id = @firmId', 'active = 1'];
    const params: Record<string, unknown> = { firmId: query.firmId, limit: query.limit };
    if (query.search) {
      where.push('(instr(name_key, @search) > 0 OR instr(email_key, @search) > 0)');
      params.search = query.search;
    }
    if (query.status) {
      where.push('status_rank = @statusRank');
      params.statusRank = { enabled: 0, invited: 1, not_enabled: 2 }[query.status];
    }
    if (query.requirement === 'not_available') where.push('identity_migrated = 0');
    if (query.requirement === 'required') where.push('identity_migrated = 1 AND required = 1');
    if (query.requirement === 'not_required') where.push('identity_migrated = 1 AND required = 0');
    const filter = where.join(' AND ');
    const { totals } = this.#countsOf(query.firmId);
    const totalKey = JSON.stringify([filter, params.search, params.statusRank]);
    let total = totals.get(totalKey);
    if (total === undefined) {
      total = (this.#get(`SELECT count(*) AS n FROM users WHERE ${filter}`, params) as { n: number }).n;
      // Searches are open-ended: keep the recent ones only.
      if (totals.size >= MAX_CACHED_TOTALS) totals.clear();
      totals.set(totalKey, total);
    }

    const keys = sortKeysOf(query.sort);
    const order = keys.map((k) => `${SORT_COLUMNS[k.field]} ${k.descending ? 'DESC' : 'ASC'}`).join(', ');
    let keyset = '';
    if (query.after) {
      // (a, b, c) after (x, y, z) in a mixed-direction order, written out as ORs of equal prefixes.
      const alternatives = keys.map((key, index) => {
        const equal = keys.slice(0, index).map((k, j) => `${SORT_COLUMNS[k.field]} = @k${j}`);
        return [...equal, `${SORT_COLUMNS[key.field]} ${key.descending ? '<' : '>'} @k${index}`].join(' AND ');
      });
      keyset = ` AND (${alternatives.map((a) => `(${a})`).join(' OR ')})`;
      query.after.forEach((value, index) => {
        params[`k${index}`] = value;
      });
    }
    const rows = this.#all(`SELECT * FROM users WHERE ${filter}${keyset} ORDER BY ${order} LIMIT @limit`, params);
    return { items: rows.map(rowToUser), total };
  }

  summarizeUsers(firmId: string): UserSummary {
    const counts = this.#countsOf(firmId);
    if (counts.summary) return { ...counts.summary };
    const summary = this.#get(
      `SELECT count(*) AS total,
        coalesce(sum(status_rank = 0), 0) AS enabled,
        coalesce(sum(status_rank = 1), 0) AS invited,
        coalesce(sum(status_rank = 2), 0) AS notEnabled,
        coalesce(sum(identity_migrated = 1 AND required = 1), 0) AS required,
        coalesce(sum(identity_migrated = 0), 0) AS notAvailable
      FROM users WHERE firm_id = ? AND active = 1`,
      firmId,
    ) as unknown as UserSummary;
    counts.summary = summary;
    return { ...summary };
  }

  findUsersDueForMigration(createdBefore: string): UserRecord[] {
    return this.#all(
      'SELECT * FROM users WHERE identity_migrated = 0 AND active = 1 AND created_at < ?',
      createdBefore,
    ).map(rowToUser);
  }

  insertSession(s: SessionRecord): void {
    this.#run(
      'INSERT INTO sessions (id_hash, user_id, stage, csrf_token, created_at, last_seen_at, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      s.idHash,
      s.userId,
      s.stage,
      s.csrfToken,
      s.createdAt,
      s.lastSeenAt,
      s.verifiedAt,
    );
  }

  getSession(idHash: string): SessionRecord | undefined {
    const row = this.#get('SELECT * FROM sessions WHERE id_hash = ?', idHash);
    return row && rowToSession(row);
  }

  updateSession(s: SessionRecord): void {
    this.#run(
      'UPDATE sessions SET stage = ?, csrf_token = ?, last_seen_at = ?, verified_at = ? WHERE id_hash = ?',
      s.stage,
      s.csrfToken,
      s.lastSeenAt,
      s.verifiedAt,
      s.idHash,
    );
  }

  deleteSession(idHash: string): void {
    this.#run('DELETE FROM sessions WHERE id_hash = ?', idHash);
  }

  deleteUserSessions(userId: string): number {
    return this.#run('DELETE FROM sessions WHERE user_id = ?', userId).changes;
  }

  deleteExpiredSessions(createdBefore: string, lastSeenBefore: string): number {
    return this.#run('DELETE FROM sessions WHERE created_at < ? OR last_seen_at < ?', createdBefore, lastSeenBefore)
      .changes;
  }

  insertEvent(e: AuditRecord): void {
    this.#run(
      'INSERT INTO audit_events (id, firm_id, at, action, actor_id, actor_name, target_id, target_name, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      e.id,
      e.firmId,
      e.at,
      e.action,
      e.actor?.id ?? null,
      e.actor?.name ?? null,
      e.target?.id ?? null,
      e.target?.name ?? null,
      JSON.stringify(e.details),
    );
  }

  listEvents(query: { firmId: string; beforeSeq?: number; targetId?: string; limit: number }): AuditRecord[] {
    return this.#all(
      `SELECT * FROM audit_events WHERE firm_id = @firmId
        AND (@beforeSeq IS NULL OR seq < @beforeSeq)
        AND (@targetId IS NULL OR target_id = @targetId)
        ORDER BY seq DESC LIMIT @limit`,
      {
        firmId: query.firmId,
        beforeSeq: query.beforeSeq ?? null,
        targetId: query.targetId ?? null,
        limit: query.limit,
      },
    ).map(rowToEvent);
  }

  insertMail(m: MailRecord): void {
    this.#run(
      `INSERT INTO outbox (id, firm_id, user_id, kind, recipient, subject, text, html, created_at, sent_at, attempts, last_error)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.id,
      m.firmId,
      m.userId,
      m.kind,
      m.to,
      m.subject,
      m.text,
      m.html,
      m.createdAt,
      m.sentAt,
      m.attempts,
      m.lastError,
    );
  }

  listMail(query: { limit: number; unsentOnly?: boolean; maxAttempts?: number }): MailRecord[] {
    if (query.unsentOnly) {
      return this.#all(
        'SELECT * FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY seq ASC LIMIT ?',
        query.maxAttempts ?? Number.MAX_SAFE_INTEGER,
        query.limit,
      ).map(rowToMail);
    }
    return this.#all('SELECT * FROM outbox ORDER BY seq DESC LIMIT ?', query.limit).map(rowToMail);
  }

  updateMail(m: MailRecord): void {
    this.#run(
      'UPDATE outbox SET sent_at = ?, attempts = ?, last_error = ? WHERE id = ?',
      m.sentAt,
      m.attempts,
      m.lastError,
      m.id,
    );
  }

  addFailure(key: string, at: string): number {
    return Number(this.#run('INSERT INTO failures (key, at) VALUES (?, ?)', key, at).lastInsertRowid);
  }

  failuresSince(key: string, since: string): string[] {
    return this.#all('SELECT at FROM failures WHERE key = ? AND at > ? ORDER BY at', key, since).map(
      (r) => r.at as string,
    );
  }

  clearFailures(key: string): void {
    this.#run('DELETE FROM failures WHERE key = ?', key);
  }

  hasFailure(id: number): boolean {
    return this.#get('SELECT 1 AS found FROM failures WHERE rowid = ?', id) !== undefined;
  }

  deleteFailuresBefore(before: string): void {
    this.#run('DELETE FROM failures WHERE at < ?', before);
  }

  getIdempotency(viewerId: string, key: string): IdempotencyRecord | undefined {
    const row = this.#get('SELECT * FROM idempotency WHERE viewer_id = ? AND key = ?', viewerId, key);
    return row && rowToIdempotency(row);
  }

  putIdempotency(r: IdempotencyRecord): void {
    this.#run(
      `INSERT OR REPLACE INTO idempotency (viewer_id, key, state, fingerprint, status, headers, body, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      r.viewerId,
      r.key,
      r.state,
      r.fingerprint,
      r.status,
      JSON.stringify(r.headers),
      r.body,
      r.createdAt,
    );
  }

  deleteIdempotency(viewerId: string, key: string): void {
    this.#run('DELETE FROM idempotency WHERE viewer_id = ? AND key = ?', viewerId, key);
  }

  purgeIdempotency(createdBefore: string): void {
    this.#run('DELETE FROM idempotency WHERE created_at < ?', createdBefore);
  }

  /** One sealed TOTP secret, if any: startup opens it to catch a wrong key before serving. */
  anySealedSecret(): string | undefined {
    const row = this.#get('SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL LIMIT 1');
    return row?.totp_secret as string | undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
