import type {
  AuditAction,
  RequirementStatus,
  Role,
  SessionStage,
  TwoFactorStatus,
  UserSort,
} from '@firm-security/contract';
import type { StoredBackupCode } from '../two-factor/backup-codes.js';

export interface FirmRecord {
  id: string;
  name: string;
  createdAt: string;
}

export interface InvitationRecord {
  sentAt: string;
  reminderCount: number;
  lastReminderAt: string | null;
}

/** One user as stored. Secrets are sealed (AES-GCM); backup codes are hashed. */
export interface UserRecord {
  id: string;
  firmId: string;
  name: string;
  email: string;
  role: Role;
  isPrimarySubscriber: boolean;
  active: boolean;
  passwordHash: string;
  identityMigrated: boolean;
  createdAt: string;
  /** The administrator's switch; only effective once the user is migrated. */
  required: boolean;
  totpSecret: string | null;
  totpEnabledAt: string | null;
  /** Last accepted TOTP step for the current secret (replay protection). */
  totpLastStep: number | null;
  /** A secret from setup that activation has not confirmed yet. */
  pendingTotpSecret: string | null;
  backupCodes: StoredBackupCode[];
  invitation: InvitationRecord | null;
  lastSignInAt: string | null;
  version: number;
}

export interface SessionRecord {
  /** SHA-256 of the cookie token: a stolen database holds no usable session. */
  idHash: string;
  userId: string;
  stage: SessionStage;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  verifiedAt: string | null;
}

export interface AuditRecord {
  /** Assigned by the store, increasing; orders the log and makes its cursor. */
  seq?: number;
  id: string;
  firmId: string;
  at: string;
  action: AuditAction;
  actor: { id: string; name: string } | null;
  target: { id: string; name: string } | null;
  details: Record<string, unknown>;
}

export type MailKind = 'invitation' | 'reminder' | 'two_factor_disabled';

export interface MailRecord {
  seq?: number;
  id: string;
  firmId: string;
  userId: string;
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt: string;
  sentAt: string | null;
  attempts: number;
  lastError: string | null;
}

export interface IdempotencyRecord {
  viewerId: string;
  key: string;
  state: 'pending' | 'done';
  fingerprint: string | null;
  status: number | null;
  headers: Record<string, string>;
  body: string | null;
  createdAt: string;
}

export interface UserListQuery {
  firmId: string;
  /** Lower-cased already. */
  search?: string;
  status?: TwoFactorStatus;
  requirement?: RequirementStatus;
  sort: UserSort;
  /** Sort values of the last row of the previous page. */
  after?: readonly (string | number)[];
  limit: number;
}

export interface UserSummary {
  total: number;
  enabled: number;
  invited: number;
  notEnabled: number;
  required: number;
  notAvailable: number;
}

/**
 * Persistence. Synchronous on purpose: a transaction is a plain function, so every rule check and
 * every write of one action happen atomically (better-sqlite3 is synchronous; so is memory).
 * Async work (crypto, hashing) happens before a transaction starts.
 */
export interface Store {
  transaction<T>(fn: () => T): T;

  insertFirm(firm: FirmRecord): void;
  findFirmByName(name: string): FirmRecord | undefined;
  getFirm(id: string): FirmRecord | undefined;

  insertUser(user: UserRecord): void;
  getUser(id: string): UserRecord | undefined;
  findUserByEmail(email: string): UserRecord | undefined;
  /** Replaces the user with the same id. */
  updateUser(user: UserRecord): void;
  listUsers(query: UserListQuery): { items: UserRecord[]; total: number };
  summarizeUsers(firmId: string): UserSummary;
  /** Unmigrated active users created before `createdBefore`. */
  findUsersDueForMigration(createdBefore: string): UserRecord[];

  insertSession(session: SessionRecord): void;
  getSession(idHash: string): SessionRecord | undefined;
  updateSession(session: SessionRecord): void;
  deleteSession(idHash: string): void;
  deleteUserSessions(userId: string): number;
  /** Removes sessions created before `createdBefore` or last seen before `lastSeenBefore`. */
  deleteExpiredSessions(createdBefore: string, lastSeenBefore: string): number;

  insertEvent(event: AuditRecord): void;
  listEvents(query: { firmId: string; beforeSeq?: number; targetId?: string; limit: number }): AuditRecord[];

  insertMail(mail: MailRecord): void;
  /** Newest first; with `unsentOnly`, oldest first and only those tried fewer than `maxAttempts` times. */
  listMail(query: { limit: number; unsentOnly?: boolean; maxAttempts?: number }): MailRecord[];
  updateMail(mail: MailRecord): void;

  /** Returns an id for `hasFailure`. */
  addFailure(key: string, at: string): number;
  failuresSince(key: string, since: string): string[];
  clearFailures(key: string): void;
  /** Whether the failure `addFailure` returned this id for is still there (not cleared). */
  hasFailure(id: number): boolean;
  /** Forgets failures older than any throttle window. */
  deleteFailuresBefore(before: string): void;

  getIdempotency(viewerId: string, key: string): IdempotencyRecord | undefined;
  putIdempotency(record: IdempotencyRecord): void;
  deleteIdempotency(viewerId: string, key: string): void;
  purgeIdempotency(createdBefore: string): void;

  close(): void;
}
