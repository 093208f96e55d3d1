//! The PostgreSQL schema, one versioned step at a time. Every instance runs
//! the steps at start, in one transaction that first takes an advisory lock,
//! so instances starting together on an empty database take turns: the
//! first creates the tables, the others find them done.

use tokio_postgres::Client;

use super::pg_err;
use crate::store::StoreError;

/// The advisory lock key of schema changes (any constant; "orch" in ASCII).
const MIGRATION_LOCK: i64 = 0x6f72_6368;

/// Each step's SQL; step `n` is schema version `n + 1`.
const STEPS: [&str; 4] = [
    // 1: tasks, idempotency keys, and the indexes of the queue, the reaper
    // and the sweep. `seq` orders the queue by insertion, not by any
    // instance's clock; input and result are text because jsonb reorders
    // keys (the idempotency fingerprint compares text).
    "CREATE TABLE tasks (
        seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id               text PRIMARY KEY,
        tenant           text NOT NULL,
        bot_id           text NOT NULL,
        action           text NOT NULL,
        input            text NOT NULL,
        status           text NOT NULL
                         CHECK (status IN ('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED')),
        progress         smallint,
        result           text,
        error_code       text,
        error_message    text,
        created_at       bigint NOT NULL,
        started_at       bigint,
        completed_at     bigint,
        updated_at       bigint NOT NULL,
        attempts         integer NOT NULL DEFAULT 0,
        claimed_by       text,
        lease_expires_at timestamptz
    ) WITH (fillfactor = 90);
    CREATE INDEX tasks_pending ON tasks (seq) WHERE status = 'PENDING';
    CREATE INDEX tasks_running ON tasks (claimed_by) WHERE status = 'RUNNING';
    CREATE INDEX tasks_finished ON tasks (completed_at) WHERE completed_at IS NOT NULL;
    CREATE TABLE idempotency_keys (
        tenant      text NOT NULL,
        key         text NOT NULL,
        fingerprint text NOT NULL,
        task_id     text NOT NULL,
        created_at  bigint NOT NULL,
        PRIMARY KEY (tenant, key)
    );
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);",
    // 2: the row `/readyz` writes, to learn that writes go through.
    "CREATE TABLE readiness (
        id         integer PRIMARY KEY CHECK (id = 1),
        checked_at bigint NOT NULL
    );",
    // 3: what a running task says it is doing, beside its percentage.
    "ALTER TABLE tasks ADD COLUMN progress_message text;",
    // 4: labels and retries, and the indexes of listings: newest first,
    // by tenant, by state, or by one label (whose rows carry the task's
    // creation time, so that a label filter walks them in listing order).
    "ALTER TABLE tasks ADD COLUMN labels text;
    ALTER TABLE tasks ADD COLUMN retry_of text;
    CREATE TABLE task_labels (
        task_id    text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        tenant     text NOT NULL,
        key        text NOT NULL,
        value      text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (task_id, key)
    );
    CREATE INDEX task_labels_listing ON task_labels (tenant, key, value, created_at DESC, task_id DESC);
    CREATE INDEX tasks_listing ON tasks (tenant, created_at DESC, id DESC);
    CREATE INDEX tasks_listing_by_status ON tasks (tenant, status, created_at DESC, id DESC);",
];

/// Brings the schema up to date.
pub(super) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(pg_err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg_err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS orchestrator_migrations (
            version    integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .await
    .map_err(pg_err)?;
    let current: i32 = tx
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM orchestrator_migrations",
            &[],
        )
        .await
        .map_err(pg_err)?
        .get(0);
    for (i, step) in STEPS.iter().enumerate() {
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        if version <= current {
            continue;
        }
        tx.batch_execute(step)
            .await
            .map_err(|e| StoreError::caused_by(format!("PostgreSQL migration {version}"), e))?;
        tx.execute(
            "INSERT INTO orchestrator_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(pg_err)?;
        tracing::info!(version, "database schema migrated");
    }
    tx.commit().await.map_err(pg_err)
}
