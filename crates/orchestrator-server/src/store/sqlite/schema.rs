//! The SQLite schema, one versioned step at a time, and how each connection
//! is set up (WAL, busy timeout, read-only readers).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::store::StoreError;

/// The schema, one step per version. `PRAGMA user_version` records how many
/// steps a database has had; each step runs once, in its own transaction.
pub(super) const MIGRATIONS: [&str; 9] = [
    // 1: tasks and idempotency keys.
    "CREATE TABLE IF NOT EXISTS tasks (
        id            TEXT PRIMARY KEY,
        bot_id        TEXT NOT NULL,
        action        TEXT NOT NULL,
        input         TEXT NOT NULL,
        status        TEXT NOT NULL,
        progress      INTEGER,
        result        TEXT,
        error_code    TEXT,
        error_message TEXT,
        created_at    INTEGER NOT NULL,
        started_at    INTEGER,
        completed_at  INTEGER,
        updated_at    INTEGER NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (status, created_at);
    CREATE TABLE IF NOT EXISTS idempotency_keys (
        key         TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        task_id     TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);",
    // 2: tenants, leases, and indexes for the queue and the retention sweep.
    // The queue's order is the rowid (insertion order), not a clock.
    "ALTER TABLE tasks ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';
    ALTER TABLE tasks ADD COLUMN claimed_by TEXT;
    ALTER TABLE tasks ADD COLUMN lease_expires_at INTEGER;
    DROP INDEX tasks_by_status;
    CREATE INDEX tasks_pending ON tasks (status) WHERE status = 'PENDING';
    CREATE INDEX tasks_running ON tasks (lease_expires_at) WHERE status = 'RUNNING';
    CREATE INDEX tasks_finished ON tasks (completed_at) WHERE completed_at IS NOT NULL;
    CREATE TABLE tenant_idempotency_keys (
        tenant      TEXT NOT NULL,
        key         TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        task_id     TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (tenant, key)
    );
    INSERT INTO tenant_idempotency_keys (tenant, key, fingerprint, task_id, created_at)
        SELECT 'default', key, fingerprint, task_id, created_at FROM idempotency_keys;
    DROP TABLE idempotency_keys;
    ALTER TABLE tenant_idempotency_keys RENAME TO idempotency_keys;
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);",
    // 3: the row `/readyz` writes, to learn that writes go through.
    "CREATE TABLE readiness (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        checked_at INTEGER NOT NULL
    );",
    // 4: what a running task says it is doing, beside its percentage.
    "ALTER TABLE tasks ADD COLUMN progress_message TEXT;",
    // 5: labels and retries, and the indexes of listings: newest first,
    // by tenant, by state, or by one label (whose rows carry the task's
    // creation time, so that a label filter walks them in listing order).
    "ALTER TABLE tasks ADD COLUMN labels TEXT;
    ALTER TABLE tasks ADD COLUMN retry_of TEXT;
    CREATE TABLE task_labels (
        task_id    TEXT NOT NULL,
        tenant     TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX task_labels_listing ON task_labels (tenant, key, value, created_at DESC, task_id DESC);
    CREATE INDEX tasks_listing ON tasks (tenant, created_at DESC, id DESC);
    CREATE INDEX tasks_listing_by_status ON tasks (tenant, status, created_at DESC, id DESC);",
    // 6: a label's rows carry their task's state too (kept by a trigger,
    // so that no write can forget it), and a label and a state are one
    // index walk, not a walk past every newer task of the label in
    // another state.
    "ALTER TABLE task_labels ADD COLUMN status TEXT NOT NULL DEFAULT 'PENDING';
    UPDATE task_labels SET status = (SELECT t.status FROM tasks t WHERE t.id = task_labels.task_id)
        WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = task_labels.task_id);
    CREATE INDEX task_labels_listing_by_status
        ON task_labels (tenant, key, value, status, created_at DESC, task_id DESC);
    CREATE TRIGGER tasks_label_status AFTER UPDATE OF status ON tasks
        WHEN old.status IS NOT new.status
    BEGIN
        UPDATE task_labels SET status = new.status WHERE task_id = new.id;
    END;",
    // 7: the event log. Every change of a task that a client can see (its
    // state, its progress) appends an event in the writing transaction,
    // by trigger, so that no write path can forget one. The event keeps
    // what changes over the task's life; the rest is the task's own row,
    // kept as long as the task. One writer at a time: ids are commit order.
    // AUTOINCREMENT: an id is never handed out twice, even after the
    // newest events are swept. `event_horizons` remembers, per tenant, the
    // newest event the sweep took, so that a resume from before it is told.
    "CREATE TABLE task_events (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant           TEXT NOT NULL,
        task_id          TEXT NOT NULL,
        type             TEXT NOT NULL,
        at               INTEGER NOT NULL,
        status           TEXT NOT NULL,
        progress         INTEGER,
        progress_message TEXT
    );
    CREATE INDEX task_events_by_tenant ON task_events (tenant, id);
    CREATE INDEX task_events_by_task ON task_events (task_id, id);
    CREATE TABLE event_horizons (
        tenant        TEXT PRIMARY KEY,
        swept_through INTEGER NOT NULL
    );
    CREATE TRIGGER tasks_event_on_insert AFTER INSERT ON tasks
    BEGIN
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message)
            VALUES (new.tenant, new.id, 'submitted', new.updated_at, new.status, new.progress,
                    new.progress_message);
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message)
            SELECT tenant, id, 'retried', new.updated_at, status, progress, progress_message
            FROM tasks WHERE id = new.retry_of AND tenant = new.tenant;
    END;
    CREATE TRIGGER tasks_event_on_update AFTER UPDATE ON tasks
        WHEN old.status IS NOT new.status OR old.progress IS NOT new.progress
            OR old.progress_message IS NOT new.progress_message
    BEGIN
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message)
            VALUES (new.tenant, new.id,
                    CASE WHEN old.status = 'RUNNING' AND new.status = 'RUNNING' THEN 'progress'
                         WHEN new.status = 'RUNNING' THEN 'started'
                         WHEN new.status = 'PENDING' THEN 'requeued'
                         WHEN new.status = 'COMPLETED' THEN 'completed'
                         WHEN new.status = 'FAILED' THEN 'failed'
                         ELSE 'cancelled' END,
                    new.updated_at, new.status, new.progress, new.progress_message);
    END;
    CREATE TRIGGER tasks_event_horizon BEFORE DELETE ON tasks
    BEGIN
        INSERT INTO event_horizons (tenant, swept_through)
            SELECT old.tenant, max(id) FROM task_events WHERE task_id = old.id
            GROUP BY task_id
            ON CONFLICT (tenant) DO UPDATE
            SET swept_through = max(swept_through, excluded.swept_through);
        DELETE FROM task_events WHERE task_id = old.id;
    END;",
    // 8: webhooks. A task may name where its finish is posted; each
    // terminal event of such a task becomes a delivery, in the
    // transaction that logged it (the trigger), so no finish can commit
    // without its delivery. A delivery is leased while it is being sent
    // and goes with its task when the sweep deletes it.
    "ALTER TABLE tasks ADD COLUMN webhook_url TEXT;
    CREATE TABLE webhook_deliveries (
        event_id        INTEGER PRIMARY KEY,
        tenant          TEXT NOT NULL,
        task_id         TEXT NOT NULL,
        type            TEXT NOT NULL,
        url             TEXT NOT NULL,
        at              INTEGER NOT NULL,
        state           TEXT NOT NULL DEFAULT 'pending',
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        delivered_at    INTEGER,
        leased_by       TEXT,
        lease_until     INTEGER
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE state = 'pending';
    CREATE INDEX webhook_deliveries_by_task ON webhook_deliveries (task_id);
    CREATE TRIGGER task_events_webhook AFTER INSERT ON task_events
        WHEN new.type IN ('completed', 'failed', 'cancelled')
    BEGIN
        INSERT INTO webhook_deliveries (event_id, tenant, task_id, type, url, at, next_attempt_at)
            SELECT new.id, new.tenant, new.task_id, new.type, t.webhook_url, new.at, new.at
            FROM tasks t WHERE t.id = new.task_id AND t.webhook_url IS NOT NULL;
    END;
    CREATE TRIGGER tasks_webhook_deliveries_go BEFORE DELETE ON tasks
    BEGIN
        DELETE FROM webhook_deliveries WHERE task_id = old.id;
    END;",
    // 9: the operator console. An event names the attempt the task was on
    // and the instance that held it (a timeline says who claimed it on
    // which attempt); the triggers are made again to write them. Every
    // tenant's listing in its own order (an operator's view), sessions
    // (only hashes), and the instances' heartbeats.
    "ALTER TABLE task_events ADD COLUMN attempt INTEGER;
    ALTER TABLE task_events ADD COLUMN instance TEXT;
    DROP TRIGGER tasks_event_on_insert;
    DROP TRIGGER tasks_event_on_update;
    CREATE TRIGGER tasks_event_on_insert AFTER INSERT ON tasks
    BEGIN
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message,
                                 attempt, instance)
            VALUES (new.tenant, new.id, 'submitted', new.updated_at, new.status, new.progress,
                    new.progress_message, new.attempts, new.claimed_by);
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message,
                                 attempt, instance)
            SELECT tenant, id, 'retried', new.updated_at, status, progress, progress_message,
                   attempts, claimed_by
            FROM tasks WHERE id = new.retry_of AND tenant = new.tenant;
    END;
    CREATE TRIGGER tasks_event_on_update AFTER UPDATE ON tasks
        WHEN old.status IS NOT new.status OR old.progress IS NOT new.progress
            OR old.progress_message IS NOT new.progress_message
    BEGIN
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message,
                                 attempt, instance)
            VALUES (new.tenant, new.id,
                    CASE WHEN old.status = 'RUNNING' AND new.status = 'RUNNING' THEN 'progress'
                         WHEN new.status = 'RUNNING' THEN 'started'
                         WHEN new.status = 'PENDING' THEN 'requeued'
                         WHEN new.status = 'COMPLETED' THEN 'completed'
                         WHEN new.status = 'FAILED' THEN 'failed'
                         ELSE 'cancelled' END,
                    new.updated_at, new.status, new.progress, new.progress_message,
                    new.attempts, new.claimed_by);
    END;
    CREATE INDEX tasks_every_tenant ON tasks (created_at DESC, id DESC);
    CREATE INDEX tasks_every_tenant_by_status ON tasks (status, created_at DESC, id DESC);
    CREATE INDEX task_labels_every_tenant
        ON task_labels (key, value, status, created_at DESC, task_id DESC);
    CREATE TABLE console_sessions (
        token_sha256 TEXT PRIMARY KEY,
        key_sha256   TEXT NOT NULL,
        tenant       TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
    CREATE TABLE instances (
        id           TEXT PRIMARY KEY,
        workers      INTEGER NOT NULL,
        started_at   INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
    ) WITHOUT ROWID;",
];

pub(super) fn prepare(
    mut conn: Connection,
    busy_timeout: Duration,
) -> Result<Connection, StoreError> {
    conn.busy_timeout(busy_timeout).map_err(StoreError::from)?;
    // WAL: readers never block the writer. Each write then picks its own
    // `synchronous` level (see `Durability`); FULL to start with.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .map_err(StoreError::from)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Applies the migrations the database has not had, each in a transaction
/// that first takes the write lock, so two processes opening one file at
/// once apply each step once.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    for (i, step) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let current: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        if current >= version {
            continue;
        }
        tx.execute_batch(step)
            .map_err(|e| StoreError::caused_by(format!("migration {version}"), e))?;
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))
            .map_err(StoreError::from)?;
        tx.commit().map_err(StoreError::from)?;
        tracing::info!(version, "database schema migrated");
    }
    Ok(())
}

pub(super) fn open_reader(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(StoreError::from)?;
    conn.busy_timeout(busy_timeout).map_err(StoreError::from)?;
    Ok(conn)
}
