/**
 * Schema migrations, applied in order; PRAGMA user_version records how many ran. Append only:
 * a released migration is never edited.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE firms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    firm_id TEXT NOT NULL REFERENCES firms(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'user')),
    is_primary_subscriber INTEGER NOT NULL,
    active INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    identity_migrated INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    required INTEGER NOT NULL,
    totp_secret TEXT,
    totp_enabled_at TEXT,
    totp_last_step INTEGER,
    pending_totp_secret TEXT,
    backup_codes TEXT NOT NULL DEFAULT '[]',
    invitation_sent_at TEXT,
    invitation_reminder_count INTEGER,
    invitation_last_reminder_at TEXT,
    last_sign_in_at TEXT,
    version INTEGER NOT NULL,
    status_rank INTEGER GENERATED ALWAYS AS (
      CASE WHEN totp_secret IS NOT NULL THEN 0 WHEN invitation_sent_at IS NOT NULL THEN 1 ELSE 2 END
    ) VIRTUAL
  );
  CREATE INDEX users_by_name ON users (firm_id, active, name_key, id);
  CREATE INDEX users_by_email ON users (firm_id, active, email_key, id);
  CREATE INDEX users_by_status ON users (firm_id, active, status_rank, name_key, id);
  CREATE INDEX users_unmigrated ON users (identity_migrated, created_at) WHERE identity_migrated = 0;

  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    stage TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    verified_at TEXT
  );
  CREATE INDEX sessions_by_user ON sessions (user_id);

  CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    firm_id TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    target_id TEXT,
    target_name TEXT,
    details TEXT NOT NULL
  );
  CREATE INDEX audit_by_firm ON audit_events (firm_id, seq);
  CREATE INDEX audit_by_target ON audit_events (firm_id, target_id, seq);

  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    firm_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  );
  CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

  CREATE TABLE failures (key TEXT NOT NULL, at TEXT NOT NULL);
  CREATE INDEX failures_by_key ON failures (key, at);

  CREATE TABLE idempotency (
    viewer_id TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    fingerprint TEXT,
    status INTEGER,
    headers TEXT NOT NULL,
    body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (viewer_id, key)
  );
  CREATE INDEX idempotency_by_age ON idempotency (created_at);
  `,
  // 2: the maintenance job deletes old failures and expired sessions by age.
  `
  CREATE INDEX failures_by_age ON failures (at);
  CREATE INDEX sessions_by_age ON sessions (created_at);
  `,
  // 3: the summary and the filtered counts of every list read only this index, not the wide rows.
  `
  CREATE INDEX users_counts ON users (firm_id, active, status_rank, identity_migrated, required, name_key, email_key);
  `,
  // 4: sort=-status orders status descending but names ascending; an index in that order saves the sort.
  `
  CREATE INDEX users_by_status_desc ON users (firm_id, active, status_rank DESC, name_key, id);
  CREATE INDEX users_by_requirement_status_desc
    ON users (firm_id, active, identity_migrated, required, status_rank DESC, name_key, id);
  `,
];
