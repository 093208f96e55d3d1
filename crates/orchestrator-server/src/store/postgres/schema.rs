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
const STEPS: [&str; 8] = [
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
    // 5: a label's rows carry their task's state too (kept by a trigger,
    // so that no write can forget it), and a label and a state are one
    // index walk: without, a page of FAILED tasks of a label walked past
    // every newer PENDING task of that label (12.8 ms p50 at a million).
    "ALTER TABLE task_labels ADD COLUMN status text NOT NULL DEFAULT 'PENDING';
    UPDATE task_labels l SET status = t.status FROM tasks t
        WHERE t.id = l.task_id AND t.status <> 'PENDING';
    CREATE INDEX task_labels_listing_by_status
        ON task_labels (tenant, key, value, status, created_at DESC, task_id DESC);
    CREATE FUNCTION orchestrator_label_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE task_labels SET status = NEW.status WHERE task_id = NEW.id;
        RETURN NULL;
    END $$;
    CREATE TRIGGER tasks_label_status AFTER UPDATE OF status ON tasks
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION orchestrator_label_status();",
    // 6: the event log. Every change of a task that a client can see (its
    // state, its progress) appends an event in the writing transaction,
    // by trigger, so that no write path can forget one. The event keeps
    // what changes over the task's life (state, progress); the rest is the
    // task's own row, kept as long as the task. Ids are handed out under
    // a per-tenant lock held to commit, so one tenant's events commit in
    // id order and a reader resuming after an id never skips one that
    // commits late (an identity column alone does not promise that).
    // `event_horizons` remembers, per tenant, the newest event the sweep
    // took with its task, so that a resume from before it is told.
    "CREATE TABLE task_events (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant           text NOT NULL,
        task_id          text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        type             text NOT NULL,
        at               bigint NOT NULL,
        status           text NOT NULL,
        progress         smallint,
        progress_message text
    );
    CREATE INDEX task_events_by_tenant ON task_events (tenant, id);
    CREATE INDEX task_events_by_task ON task_events (task_id, id);
    CREATE TABLE event_horizons (
        tenant        text PRIMARY KEY,
        swept_through bigint NOT NULL
    );
    CREATE FUNCTION orchestrator_task_event() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        kind text;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            kind := 'submitted';
        ELSIF OLD.status = 'RUNNING' AND NEW.status = 'RUNNING' THEN
            kind := 'progress';
        ELSE
            kind := CASE NEW.status
                WHEN 'RUNNING' THEN 'started'
                WHEN 'PENDING' THEN 'requeued'
                WHEN 'COMPLETED' THEN 'completed'
                WHEN 'FAILED' THEN 'failed'
                ELSE 'cancelled' END;
        END IF;
        PERFORM pg_advisory_xact_lock(1869771365, hashtext(NEW.tenant));
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message)
            VALUES (NEW.tenant, NEW.id, kind, NEW.updated_at, NEW.status, NEW.progress,
                    NEW.progress_message);
        IF TG_OP = 'INSERT' AND NEW.retry_of IS NOT NULL THEN
            INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message)
                SELECT tenant, id, 'retried', NEW.updated_at, status, progress, progress_message
                FROM tasks WHERE id = NEW.retry_of AND tenant = NEW.tenant;
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER tasks_event_on_insert AFTER INSERT ON tasks
        FOR EACH ROW EXECUTE FUNCTION orchestrator_task_event();
    CREATE TRIGGER tasks_event_on_update AFTER UPDATE ON tasks
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
            OR OLD.progress IS DISTINCT FROM NEW.progress
            OR OLD.progress_message IS DISTINCT FROM NEW.progress_message)
        EXECUTE FUNCTION orchestrator_task_event();
    CREATE FUNCTION orchestrator_event_horizon() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO event_horizons (tenant, swept_through)
            SELECT OLD.tenant, max(id) FROM task_events WHERE task_id = OLD.id
            HAVING max(id) IS NOT NULL
            ON CONFLICT (tenant) DO UPDATE
            SET swept_through = GREATEST(event_horizons.swept_through, EXCLUDED.swept_through);
        RETURN OLD;
    END $$;
    CREATE TRIGGER tasks_event_horizon BEFORE DELETE ON tasks
        FOR EACH ROW EXECUTE FUNCTION orchestrator_event_horizon();",
    // 7: webhooks. A task may name where its finish is posted; each
    // terminal event of such a task becomes a delivery, in the
    // transaction that logged it (the trigger), so no finish can commit
    // without its delivery. A delivery is leased by one instance while it
    // is being sent, and goes with its event when the sweep deletes it.
    "ALTER TABLE tasks ADD COLUMN webhook_url text;
    CREATE TABLE webhook_deliveries (
        event_id        bigint PRIMARY KEY REFERENCES task_events (id) ON DELETE CASCADE,
        tenant          text NOT NULL,
        task_id         text NOT NULL,
        type            text NOT NULL,
        url             text NOT NULL,
        at              bigint NOT NULL,
        state           text NOT NULL DEFAULT 'pending',
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        last_error      text,
        delivered_at    bigint,
        leased_by       text,
        lease_until     bigint
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE state = 'pending';
    CREATE INDEX webhook_deliveries_by_task ON webhook_deliveries (task_id);
    CREATE FUNCTION orchestrator_webhook_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO webhook_deliveries (event_id, tenant, task_id, type, url, at, next_attempt_at)
            SELECT NEW.id, NEW.tenant, NEW.task_id, NEW.type, t.webhook_url, NEW.at, NEW.at
            FROM tasks t WHERE t.id = NEW.task_id AND t.webhook_url IS NOT NULL;
        RETURN NULL;
    END $$;
    CREATE TRIGGER task_events_webhook AFTER INSERT ON task_events
        FOR EACH ROW WHEN (NEW.type IN ('completed', 'failed', 'cancelled'))
        EXECUTE FUNCTION orchestrator_webhook_delivery();",
    // 8: the operator console. An event names the attempt the task was on
    // and the instance that held it (a timeline says who claimed it on
    // which attempt); the trigger's function is replaced to write them.
    // Every tenant's listing in its own order (an operator's view),
    // sessions (only hashes), and the instances' heartbeats.
    "ALTER TABLE task_events ADD COLUMN attempt integer;
    ALTER TABLE task_events ADD COLUMN instance text;
    CREATE OR REPLACE FUNCTION orchestrator_task_event() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        kind text;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            kind := 'submitted';
        ELSIF OLD.status = 'RUNNING' AND NEW.status = 'RUNNING' THEN
            kind := 'progress';
        ELSE
            kind := CASE NEW.status
                WHEN 'RUNNING' THEN 'started'
                WHEN 'PENDING' THEN 'requeued'
                WHEN 'COMPLETED' THEN 'completed'
                WHEN 'FAILED' THEN 'failed'
                ELSE 'cancelled' END;
        END IF;
        PERFORM pg_advisory_xact_lock(1869771365, hashtext(NEW.tenant));
        INSERT INTO task_events (tenant, task_id, type, at, status, progress, progress_message,
                                 attempt, instance)
            VALUES (NEW.tenant, NEW.id, kind, NEW.updated_at, NEW.status, NEW.progress,
                    NEW.progress_message, NEW.attempts, NEW.claimed_by);
        IF TG_OP = 'INSERT' AND NEW.retry_of IS NOT NULL THEN
            INSERT INTO task_events (tenant, task_id, type, at, status, progress,
                                     progress_message, attempt, instance)
                SELECT tenant, id, 'retried', NEW.updated_at, status, progress,
                       progress_message, attempts, claimed_by
                FROM tasks WHERE id = NEW.retry_of AND tenant = NEW.tenant;
        END IF;
        RETURN NULL;
    END $$;
    CREATE INDEX tasks_every_tenant ON tasks (created_at DESC, id DESC);
    CREATE INDEX tasks_every_tenant_by_status ON tasks (status, created_at DESC, id DESC);
    CREATE INDEX task_labels_every_tenant
        ON task_labels (key, value, status, created_at DESC, task_id DESC);
    CREATE TABLE console_sessions (
        token_sha256 text PRIMARY KEY,
        key_sha256   text NOT NULL,
        tenant       text NOT NULL,
        created_at   bigint NOT NULL,
        expires_at   bigint NOT NULL
    );
    CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
    CREATE TABLE instances (
        id           text PRIMARY KEY,
        workers      integer NOT NULL,
        started_at   bigint NOT NULL,
        heartbeat_at bigint NOT NULL
    );",
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
