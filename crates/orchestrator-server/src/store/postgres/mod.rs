//! The PostgreSQL backend: one database shared by several server instances.
//!
//! * The queue is claimed with `FOR UPDATE SKIP LOCKED`, in `seq` order (an
//!   identity column: the order does not depend on any instance's clock).
//! * A claim takes a lease from the *database's* clock; progress and the
//!   heartbeat renew it; every write of a run is fenced on its attempt, so a
//!   run whose lease was taken back cannot overwrite the new run's work.
//!   Any instance reaps expired leases, a few rows at a time, `SKIP LOCKED`.
//! * Idempotency: the key is inserted first (`ON CONFLICT DO NOTHING`), so of
//!   two instances racing on one key, one creates the task and the other
//!   reads the winner.
//! * Changes are announced with `pg_notify` inside the writing transaction
//!   (a rolled-back change announces nothing), carrying only the task id;
//!   progress is announced at most every 250 ms per task, because every
//!   commit with a NOTIFY is serialised.
//! * The queue-full check counts `PENDING` rows in the submit's own
//!   transaction; instances submitting at the same moment can each pass it,
//!   so `max_queued` is soft here, exceeded by at most the number of submits
//!   in flight at once.

mod listener;
mod schema;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use orchestrator::{TaskError, TaskState};
use serde_json::Value;
use tokio_postgres::{NoTls, Row};

use super::{
    ActivityBucket, Cancelled, ChangeFeed, Claim, Counts, Finish, InstanceBeat, NewTask, Reaped,
    RunRef, Scope, SessionRecord, StateCount, StoreError, StoreErrorKind, StoreFuture, Submitted,
    TASK_COLUMN_COUNT, TaskQuery, TaskRecord, TaskStore, WORKER_LOST,
};
use crate::config::{DatabaseTimeouts, DatabaseUrl};
use crate::store::console;
use crate::store::deliveries::DELIVERY_COLUMNS;
use crate::store::events::{self, EventPage, EventQuery};
use crate::store::listing::{self, Param};
use crate::store::{Delivery, DeliveryClaim, DeliveryReport, DeliveryResult, DeliveryState};

/// The channel of task changes; the payload is `"<instance> <task id>"`.
const TASK_CHANNEL: &str = "orchestrator_task";
/// The channel of queue changes; the payload is the sending instance.
const QUEUE_CHANNEL: &str = "orchestrator_queue";
/// Progress is announced at most this often per task.
const PROGRESS_NOTIFY_EVERY: Duration = Duration::from_millis(250);
/// Connections in the pool.
const POOL_SIZE: usize = 16;

const COLUMNS: &str = task_columns!();
const GET_TASK: &str = concat!("SELECT ", task_columns!(), " FROM tasks WHERE id = $1");
/// [`COLUMNS`] of the table aliased `t`, where a join makes names ambiguous.
const T_COLUMNS: &str = "t.id, t.tenant, t.bot_id, t.action, t.input, t.status, t.progress, \
                         t.result, t.error_code, t.error_message, t.created_at, t.started_at, \
                         t.completed_at, t.attempts, t.progress_message, t.labels, t.retry_of, \
                         t.webhook_url";

fn pg_err(e: tokio_postgres::Error) -> StoreError {
    // The driver's own message is only "db error"; the server's says what.
    let what = match e.as_db_error() {
        Some(db) => format!("PostgreSQL {}: {}", db.code().code(), db.message()),
        None => "PostgreSQL".to_owned(),
    };
    let kind = pg_kind(&e);
    StoreError::caused_by(what, e).with_kind(kind)
}

/// Whether a PostgreSQL failure can pass: by its SQLSTATE when the server
/// sent one, else by whether the connection itself failed.
fn pg_kind(e: &tokio_postgres::Error) -> StoreErrorKind {
    let Some(code) = e.code() else {
        // No SQLSTATE: the connection failed, closed or timed out (a driver
        // bug or a type mismatch would be a bug, and carries no I/O cause).
        let io = std::error::Error::source(e).is_some_and(|c| c.is::<std::io::Error>());
        return if e.is_closed() || io || e.to_string().contains("timeout") {
            StoreErrorKind::Unavailable
        } else {
            StoreErrorKind::Other
        };
    };
    let code = code.code();
    match code {
        // disk_full
        "53100" => StoreErrorKind::DiskFull,
        // serialization_failure, deadlock_detected, lock_not_available
        "40001" | "40P01" | "55P03" => StoreErrorKind::Contention,
        // query_canceled: statement_timeout
        "57014" => StoreErrorKind::Timeout,
        // admin_shutdown, crash_shutdown, cannot_connect_now,
        // read_only_sql_transaction (a standby after a failover)
        "57P01" | "57P02" | "57P03" | "25006" => StoreErrorKind::Unavailable,
        // connection exceptions, insufficient resources (too many
        // connections, out of memory), system errors (I/O)
        _ if code.starts_with("08") || code.starts_with("53") || code.starts_with("58") => {
            StoreErrorKind::Unavailable
        }
        _ => StoreErrorKind::Other,
    }
}

/// A failure to get a pooled connection.
fn pool_err(e: deadpool_postgres::PoolError) -> StoreError {
    use deadpool_postgres::PoolError;
    match e {
        PoolError::Backend(e) => pg_err(e),
        PoolError::Timeout(which) => StoreError::new(format!(
            "no PostgreSQL connection: the pool's {which:?} timeout passed"
        ))
        .with_kind(StoreErrorKind::Timeout),
        PoolError::Closed => {
            StoreError::new("the PostgreSQL pool is closed").with_kind(StoreErrorKind::Unavailable)
        }
        other => StoreError::caused_by("no PostgreSQL connection", other),
    }
}

/// Tasks in PostgreSQL.
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    url: DatabaseUrl,
    /// The longest any one store operation may take, pool wait included.
    deadline: Duration,
    /// This process, as the sender of notifications (so its listener can
    /// skip its own).
    instance: String,
    /// When each task's progress was last announced.
    progress_notified: Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.inner.url)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` and brings the schema up to date (under an
    /// advisory lock, so instances starting together take turns), with the
    /// default [`DatabaseTimeouts`].
    pub async fn connect(url: &DatabaseUrl) -> Result<PostgresStore, StoreError> {
        PostgresStore::connect_with(url, DatabaseTimeouts::default()).await
    }

    /// Like [`connect`](Self::connect), waiting on the database at most as
    /// long as `timeouts` say: connecting, waiting for a pooled connection,
    /// and each operation (PostgreSQL's `statement_timeout`, and a deadline
    /// of the server's own, which holds even when the database's processes
    /// are stopped and cannot time anything out).
    pub async fn connect_with(
        url: &DatabaseUrl,
        timeouts: DatabaseTimeouts,
    ) -> Result<PostgresStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .expose()
            .parse()
            .map_err(|e| StoreError::caused_by(format!("the database URL {url}"), e))?;
        let statement_ms = timeouts.statement.as_millis().max(1);
        config
            .connect_timeout(timeouts.connect)
            .options(format!("-c statement_timeout={statement_ms}"))
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(timeouts.acquire))
            .create_timeout(Some(timeouts.connect))
            .recycle_timeout(Some(timeouts.connect))
            .build()
            .map_err(|e| StoreError::caused_by("cannot set up the connection pool", e))?;
        let mut client = pool
            .get()
            .await
            .map_err(|e| pool_err(e).context(format!("cannot connect to {url}")))?;
        schema::migrate(&mut client).await?;
        Ok(PostgresStore {
            inner: Arc::new(Inner {
                pool,
                url: url.clone(),
                deadline: timeouts.acquire + timeouts.statement,
                instance: format!("inst-{}", uuid::Uuid::new_v4()),
                progress_notified: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// `op` (the store operation `what`), given up as a
    /// [`StoreErrorKind::Timeout`] past the deadline.
    fn bounded<'a, T: Send + 'a>(
        &'a self,
        what: &'static str,
        op: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'a,
    ) -> StoreFuture<'a, T> {
        let deadline = self.inner.deadline;
        Box::pin(async move {
            match tokio::time::timeout(deadline, op).await {
                Ok(done) => done,
                Err(_) => Err(StoreError::timed_out(
                    format!("PostgreSQL {what}"),
                    deadline,
                )),
            }
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.inner.pool.get().await.map_err(pool_err)
    }

    fn task_payload(&self, id: &str) -> String {
        format!("{} {id}", self.inner.instance)
    }

    /// Whether this progress write should be announced (at most every
    /// [`PROGRESS_NOTIFY_EVERY`] per task).
    fn announce_progress(&self, id: &str) -> bool {
        let mut last = self
            .inner
            .progress_notified
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        match last.get(id) {
            Some(at) if now.duration_since(*at) < PROGRESS_NOTIFY_EVERY => false,
            _ => {
                last.insert(id.to_owned(), now);
                true
            }
        }
    }

    fn forget_progress(&self, id: &str) {
        self.inner
            .progress_notified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }
}

fn from_row(row: &Row) -> Result<TaskRecord, StoreError> {
    from_row_at(row, 0)
}

/// A task from the row's columns from `at` on (a join's own come first).
fn from_row_at(row: &Row, at: usize) -> Result<TaskRecord, StoreError> {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
    let status: String = row.try_get(at + 5).map_err(pg_err)?;
    let state = match TaskState::parse(&status) {
        TaskState::Unknown(other) => {
            return Err(StoreError::new(format!(
                "unknown task status `{other}` in the database"
            )));
        }
        known => known,
    };
    let code: Option<String> = row.try_get(at + 8).map_err(pg_err)?;
    let message: Option<String> = row.try_get(at + 9).map_err(pg_err)?;
    let progress: Option<i16> = row.try_get(at + 6).map_err(pg_err)?;
    let attempts: i32 = row.try_get(at + 13).map_err(pg_err)?;
    Ok(TaskRecord {
        id: row.try_get(at).map_err(pg_err)?,
        tenant: row.try_get(at + 1).map_err(pg_err)?,
        bot_id: row.try_get(at + 2).map_err(pg_err)?,
        action: row.try_get(at + 3).map_err(pg_err)?,
        input: json(row.try_get(at + 4).map_err(pg_err)?).unwrap_or(Value::Null),
        state,
        progress: progress.map(|p| p.clamp(0, 100) as u8),
        progress_message: row.try_get(at + 14).map_err(pg_err)?,
        result: json(row.try_get(at + 7).map_err(pg_err)?),
        error: code.map(|c| TaskError::new(c, message.unwrap_or_default())),
        created_at: row.try_get(at + 10).map_err(pg_err)?,
        started_at: row.try_get(at + 11).map_err(pg_err)?,
        completed_at: row.try_get(at + 12).map_err(pg_err)?,
        attempts: u32::try_from(attempts.max(0)).unwrap_or(0),
        labels: row
            .try_get::<_, Option<String>>(at + 15)
            .map_err(pg_err)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default(),
        retry_of: row.try_get(at + 16).map_err(pg_err)?,
        webhook_url: row.try_get(at + 17).map_err(pg_err)?,
    })
}

/// PostgreSQL's numbered placeholder.
fn placeholder(i: usize) -> String {
    format!("${i}")
}

/// The built statement's parameters, as tokio-postgres takes them.
fn sql_params(params: &[Param]) -> Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> {
    params
        .iter()
        .map(|p| -> Box<dyn tokio_postgres::types::ToSql + Sync + Send> {
            match p {
                Param::Text(t) => Box::new(t.clone()),
                Param::Int(i) => Box::new(*i),
            }
        })
        .collect()
}

fn param_refs(
    params: &[Box<dyn tokio_postgres::types::ToSql + Sync + Send>],
) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

/// How many tasks wait and run, read on `client`.
async fn counts_with(client: &impl tokio_postgres::GenericClient) -> Result<Counts, StoreError> {
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE status = 'PENDING'),
                    count(*) FILTER (WHERE status = 'RUNNING')
             FROM tasks WHERE status IN ('PENDING', 'RUNNING')",
            &[],
        )
        .await
        .map_err(pg_err)?;
    let n = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
    Ok(Counts {
        pending: n(0),
        running: n(1),
    })
}

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn attempt(run: &RunRef) -> i32 {
    i32::try_from(run.attempt).unwrap_or(i32::MAX)
}

/// The task `id`, by `statement` ([`GET_TASK`], or that prepared).
async fn get_task<S>(
    client: &impl tokio_postgres::GenericClient,
    statement: &S,
    id: &str,
) -> Result<Option<TaskRecord>, StoreError>
where
    S: tokio_postgres::ToStatement + ?Sized + Sync + Send,
{
    client
        .query_opt(statement, &[&id])
        .await
        .map_err(pg_err)?
        .as_ref()
        .map(from_row)
        .transpose()
}

impl TaskStore for PostgresStore {
    fn submit(&self, task: NewTask, max_queued: u64) -> StoreFuture<'_, Submitted> {
        self.bounded("submit", async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(pg_err)?;
            if let Some(key) = &task.idempotency_key {
                // The key first: of two submits racing on it, the second
                // waits here for the first to commit, then reads its task.
                let inserted = tx
                    .execute(
                        "INSERT INTO idempotency_keys (tenant, key, fingerprint, task_id, created_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        &[&task.tenant, key, &task.fingerprint, &task.id, &task.now],
                    )
                    .await
                    .map_err(pg_err)?;
                if inserted == 0 {
                    let row = tx
                        .query_one(
                            "SELECT fingerprint, task_id FROM idempotency_keys
                             WHERE tenant = $1 AND key = $2 FOR UPDATE",
                            &[&task.tenant, key],
                        )
                        .await
                        .map_err(pg_err)?;
                    let (fingerprint, task_id): (String, String) = (row.get(0), row.get(1));
                    if fingerprint != task.fingerprint {
                        return Ok(Submitted::KeyReused);
                    }
                    if let Some(existing) = get_task(&*tx, GET_TASK, &task_id).await? {
                        return Ok(Submitted::Existing(existing));
                    }
                    // The task expired before its key: the key starts over.
                    tx.execute(
                        "UPDATE idempotency_keys SET task_id = $3, created_at = $4
                         WHERE tenant = $1 AND key = $2",
                        &[&task.tenant, key, &task.id, &task.now],
                    )
                    .await
                    .map_err(pg_err)?;
                }
            }
            let pending: i64 = tx
                .query_one("SELECT count(*) FROM tasks WHERE status = 'PENDING'", &[])
                .await
                .map_err(pg_err)?
                .get(0);
            if u64::try_from(pending).unwrap_or(0) >= max_queued {
                return Ok(Submitted::QueueFull); // the key insert rolls back
            }
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO tasks (id, tenant, bot_id, action, input, status, created_at, updated_at,
                                            labels, retry_of, webhook_url)
                         VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $6, $7, $8, $9)
                         RETURNING {COLUMNS}"
                    ),
                    &[
                        &task.id,
                        &task.tenant,
                        &task.bot_id,
                        &task.action,
                        &task.input.to_string(),
                        &task.now,
                        &(!task.labels.is_empty())
                            .then(|| serde_json::to_string(&task.labels).ok())
                            .flatten(),
                        &task.retry_of,
                        &task.webhook_url,
                    ],
                )
                .await
                .map_err(pg_err)?;
            if !task.labels.is_empty() {
                let (keys, values): (Vec<&str>, Vec<&str>) = task.labels.iter().unzip();
                tx.execute(
                    "INSERT INTO task_labels (task_id, tenant, key, value, created_at)
                     SELECT $1, $2, k, v, $5 FROM unnest($3::text[], $4::text[]) AS l (k, v)",
                    &[&task.id, &task.tenant, &keys, &values, &task.now],
                )
                .await
                .map_err(pg_err)?;
            }
            let created = from_row(&row)?;
            tx.execute(
                "SELECT pg_notify($1, $2), pg_notify($3, $4)",
                &[
                    &TASK_CHANNEL,
                    &self.task_payload(&created.id),
                    &QUEUE_CHANNEL,
                    &self.inner.instance,
                ],
            )
            .await
            .map_err(pg_err)?;
            tx.commit().await.map_err(pg_err)?;
            Ok(Submitted::Created(created))
        })
    }

    fn get(&self, tenant: &str, id: &str) -> StoreFuture<'_, Option<TaskRecord>> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.bounded("get", async move {
            let client = self.client().await?;
            // The hottest query (every status GET): prepared once per
            // pooled connection, then one round trip each.
            let statement = client.prepare_cached(GET_TASK).await.map_err(pg_err)?;
            Ok(get_task(&**client, &statement, &id)
                .await?
                .filter(|t| t.tenant == tenant))
        })
    }

    fn claim_next(&self, claim: &Claim) -> StoreFuture<'_, Option<TaskRecord>> {
        let claim = claim.clone();
        self.bounded("claim next", async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    &format!(
                        "WITH next AS (
                             SELECT id FROM tasks WHERE status = 'PENDING'
                             ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED
                         ), claimed AS (
                             UPDATE tasks t SET status = 'RUNNING', progress = 0, progress_message = NULL, started_at = $1,
                                 updated_at = $1, attempts = attempts + 1, claimed_by = $2,
                                 lease_expires_at = now() + make_interval(secs => $3)
                             FROM next WHERE t.id = next.id
                             RETURNING {T_COLUMNS}
                         )
                         SELECT claimed.*, pg_notify($4, $5 || ' ' || claimed.id) FROM claimed"
                    ),
                    &[
                        &claim.now,
                        &claim.instance,
                        &seconds(claim.lease),
                        &TASK_CHANNEL,
                        &self.inner.instance,
                    ],
                )
                .await
                .map_err(pg_err)?;
            row.as_ref().map(from_row).transpose()
        })
    }

    fn set_progress(
        &self,
        run: &RunRef,
        percent: u8,
        message: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, bool> {
        let (run, message) = (run.clone(), message.to_owned());
        self.bounded("set progress", async move {
            let client = self.client().await?;
            let update = "UPDATE tasks SET progress = $3, progress_message = $6, updated_at = $4,
                              lease_expires_at = now() + make_interval(secs => $5)
                          WHERE id = $1 AND attempts = $2 AND status = 'RUNNING'";
            let percent = i16::from(percent);
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
                &run.id,
                &attempt(&run),
                &percent,
                &now,
                &seconds(lease),
                &message,
            ];
            let n = if self.announce_progress(&run.id) {
                let payload = self.task_payload(&run.id);
                client
                    .query(
                        &format!(
                            "WITH u AS ({update} RETURNING id)
                             SELECT pg_notify('{TASK_CHANNEL}', $7) FROM u"
                        ),
                        &[
                            params[0], params[1], params[2], params[3], params[4], params[5],
                            &payload,
                        ],
                    )
                    .await
                    .map_err(pg_err)?
                    .len() as u64
            } else {
                client.execute(update, &params).await.map_err(pg_err)?
            };
            Ok(n == 1)
        })
    }

    fn finish(
        &self,
        run: &RunRef,
        finish: Finish,
        now: i64,
    ) -> StoreFuture<'_, Option<TaskRecord>> {
        let run = run.clone();
        self.bounded("finish", async move {
            self.forget_progress(&run.id);
            let client = self.client().await?;
            let payload = self.task_payload(&run.id);
            let (status, result, code, message) = match finish {
                Finish::Completed(result) => ("COMPLETED", Some(result.to_string()), None, None),
                Finish::Failed(error) => ("FAILED", None, Some(error.code), Some(error.message)),
            };
            let row = client
                .query_opt(
                    &format!(
                        "WITH u AS (
                             UPDATE tasks t SET status = $3,
                                 progress = CASE WHEN $3 = 'COMPLETED' THEN 100 ELSE progress END,
                                 result = $4, error_code = $5, error_message = $6,
                                 completed_at = $7, updated_at = $7,
                                 claimed_by = NULL, lease_expires_at = NULL
                             WHERE id = $1 AND attempts = $2 AND status = 'RUNNING'
                             RETURNING {T_COLUMNS}
                         )
                         SELECT u.*, pg_notify('{TASK_CHANNEL}', $8) FROM u"
                    ),
                    &[
                        &run.id,
                        &attempt(&run),
                        &status,
                        &result,
                        &code,
                        &message,
                        &now,
                        &payload,
                    ],
                )
                .await
                .map_err(pg_err)?;
            row.as_ref().map(from_row).transpose()
        })
    }

    fn release(&self, run: &RunRef, now: i64) -> StoreFuture<'_, ()> {
        let run = run.clone();
        self.bounded("release", async move {
            self.forget_progress(&run.id);
            let client = self.client().await?;
            client
                .query(
                    &format!(
                        "WITH u AS (
                             UPDATE tasks SET status = 'PENDING', progress = NULL, progress_message = NULL, updated_at = $3,
                                 claimed_by = NULL, lease_expires_at = NULL
                             WHERE id = $1 AND attempts = $2 AND status = 'RUNNING'
                             RETURNING id
                         )
                         SELECT pg_notify('{TASK_CHANNEL}', $4), pg_notify('{QUEUE_CHANNEL}', $5) FROM u"
                    ),
                    &[
                        &run.id,
                        &attempt(&run),
                        &now,
                        &self.task_payload(&run.id),
                        &self.inner.instance,
                    ],
                )
                .await
                .map_err(pg_err)?;
            Ok(())
        })
    }

    fn heartbeat(
        &self,
        instance: &str,
        runs: &[RunRef],
        lease: Duration,
        _now: i64,
    ) -> StoreFuture<'_, Vec<RunRef>> {
        let (instance, runs) = (instance.to_owned(), runs.to_vec());
        self.bounded("heartbeat", async move {
            let client = self.client().await?;
            let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
            let rows = client
                .query(
                    "UPDATE tasks SET lease_expires_at = now() + make_interval(secs => $3)
                     WHERE claimed_by = $1 AND status = 'RUNNING' AND id = ANY($2)
                     RETURNING id, attempts",
                    &[&instance, &ids, &seconds(lease)],
                )
                .await
                .map_err(pg_err)?;
            let kept: Vec<RunRef> = rows
                .iter()
                .map(|r| RunRef {
                    id: r.get(0),
                    attempt: u32::try_from(r.get::<_, i32>(1).max(0)).unwrap_or(0),
                })
                .collect();
            Ok(runs.into_iter().filter(|r| !kept.contains(r)).collect())
        })
    }

    fn reap_expired(&self, max_attempts: u32, limit: u32, now: i64) -> StoreFuture<'_, Reaped> {
        self.bounded("reap expired", async move {
            let client = self.client().await?;
            let max_attempts = i32::try_from(max_attempts).unwrap_or(i32::MAX);
            let rows = client
                .query(
                    &format!(
                        "WITH expired AS (
                             SELECT id FROM tasks
                             WHERE status = 'RUNNING' AND lease_expires_at < now()
                             LIMIT $1::bigint FOR UPDATE SKIP LOCKED
                         ), reaped AS (
                             UPDATE tasks t SET
                                 status = CASE WHEN attempts >= $2::integer THEN 'FAILED' ELSE 'PENDING' END,
                                 progress = CASE WHEN attempts >= $2 THEN progress ELSE NULL END,
                                 error_code = CASE WHEN attempts >= $2 THEN '{WORKER_LOST}' END,
                                 error_message = CASE WHEN attempts >= $2 THEN
                                     'the task''s worker was lost ' || attempts || ' times; it is not tried again' END,
                                 completed_at = CASE WHEN attempts >= $2 THEN $3::bigint END,
                                 updated_at = $3::bigint, claimed_by = NULL, lease_expires_at = NULL
                             FROM expired WHERE t.id = expired.id
                             RETURNING t.id, t.status
                         )
                         SELECT id, status, pg_notify('{TASK_CHANNEL}', $4 || ' ' || id) FROM reaped"
                    ),
                    &[
                        &i64::from(limit),
                        &max_attempts,
                        &now,
                        &self.inner.instance,
                    ],
                )
                .await
                .map_err(pg_err)?;
            let mut reaped = Reaped::default();
            for row in rows {
                let (id, status): (String, String) = (row.get(0), row.get(1));
                if status == "FAILED" {
                    reaped.failed.push(id);
                } else {
                    reaped.requeued.push(id);
                }
            }
            if !reaped.requeued.is_empty() {
                client
                    .execute(
                        &format!("SELECT pg_notify('{QUEUE_CHANNEL}', $1)"),
                        &[&self.inner.instance],
                    )
                    .await
                    .map_err(pg_err)?;
            }
            Ok(reaped)
        })
    }

    fn recover_at_start(&self, _max_attempts: u32, _now: i64) -> StoreFuture<'_, Reaped> {
        // Other instances may be alive and running these tasks: their leases
        // decide, not this start.
        Box::pin(async { Ok(Reaped::default()) })
    }

    fn cancel(&self, tenant: &str, id: &str, now: i64) -> StoreFuture<'_, Cancelled> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.bounded("cancel", async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(pg_err)?;
            let n = tx
                .query(
                    &format!(
                        "WITH u AS (
                             UPDATE tasks SET status = 'CANCELLED', completed_at = $3, updated_at = $3,
                                 claimed_by = NULL, lease_expires_at = NULL
                             WHERE id = $1 AND tenant = $2 AND status IN ('PENDING', 'RUNNING')
                             RETURNING id
                         )
                         SELECT pg_notify('{TASK_CHANNEL}', $4) FROM u"
                    ),
                    &[&id, &tenant, &now, &self.task_payload(&id)],
                )
                .await
                .map_err(pg_err)?
                .len();
            let task = get_task(&*tx, GET_TASK, &id)
                .await?
                .filter(|t| t.tenant == tenant);
            tx.commit().await.map_err(pg_err)?;
            Ok(match (n, task) {
                (_, None) => Cancelled::NotFound,
                (1, Some(task)) => Cancelled::Now(task),
                (_, Some(task)) => Cancelled::AlreadyFinished(task),
            })
        })
    }

    fn list(&self, scope: Scope<'_>, query: &TaskQuery) -> StoreFuture<'_, Vec<TaskRecord>> {
        let built = listing::page_statement(scope, query, placeholder);
        self.bounded("list", async move {
            let client = self.client().await?;
            let params = sql_params(&built.params);
            client
                .query(&built.sql, &param_refs(&params))
                .await
                .map_err(pg_err)?
                .iter()
                .map(from_row)
                .collect()
        })
    }

    fn cancel_matching(
        &self,
        scope: Scope<'_>,
        query: &TaskQuery,
        now: i64,
    ) -> StoreFuture<'_, Vec<String>> {
        let Some(query) = query.unfinished() else {
            return Box::pin(std::future::ready(Ok(Vec::new())));
        };
        let payload = self.task_payload("");
        let built = listing::ids_statement(
            scope,
            &query,
            placeholder,
            vec![Param::Int(now), Param::Text(payload)],
        );
        self.bounded("cancel matching", async move {
            let client = self.client().await?;
            let params = sql_params(&built.params);
            // Each cancelled task is announced, as a single cancel is, so
            // that other instances stop its run and answer its long polls.
            let sql = format!(
                "WITH u AS (
                     UPDATE tasks SET status = 'CANCELLED', completed_at = $1, updated_at = $1,
                         claimed_by = NULL, lease_expires_at = NULL
                     WHERE id IN ({}) AND status IN ('PENDING', 'RUNNING')
                     RETURNING id
                 )
                 SELECT id, pg_notify('{TASK_CHANNEL}', $2 || id) FROM u",
                built.sql
            );
            Ok(client
                .query(&sql, &param_refs(&params))
                .await
                .map_err(pg_err)?
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect())
        })
    }

    fn delete_finished(&self, before: i64, limit: u32) -> StoreFuture<'_, u64> {
        self.bounded("delete finished", async move {
            let client = self.client().await?;
            client
                .execute(
                    "DELETE FROM tasks WHERE id IN (
                         SELECT id FROM tasks WHERE completed_at < $1 LIMIT $2
                         FOR UPDATE SKIP LOCKED)",
                    &[&before, &i64::from(limit)],
                )
                .await
                .map_err(pg_err)
        })
    }

    fn events(&self, tenant: &str, query: &EventQuery) -> StoreFuture<'_, EventPage> {
        let built = events::events_statement(tenant, query, placeholder);
        let tenant = tenant.to_owned();
        self.bounded("events", async move {
            let client = self.client().await?;
            let params = sql_params(&built.params);
            let rows = client
                .query(&built.sql, &param_refs(&params))
                .await
                .map_err(pg_err)?;
            let mut events = Vec::with_capacity(rows.len());
            for row in &rows {
                let task = from_row(row)?;
                let e = TASK_COLUMN_COUNT;
                events.push(events::event_of(
                    task,
                    events::EventColumns {
                        id: row.try_get(e).map_err(pg_err)?,
                        kind: row.try_get(e + 1).map_err(pg_err)?,
                        at: row.try_get(e + 2).map_err(pg_err)?,
                        status: row.try_get(e + 3).map_err(pg_err)?,
                        progress: row
                            .try_get::<_, Option<i16>>(e + 4)
                            .map_err(pg_err)?
                            .map(i64::from),
                        progress_message: row.try_get(e + 5).map_err(pg_err)?,
                        attempt: row
                            .try_get::<_, Option<i32>>(e + 6)
                            .map_err(pg_err)?
                            .map(i64::from),
                        instance: row.try_get(e + 7).map_err(pg_err)?,
                    },
                ));
            }
            let swept_through = client
                .query_opt(
                    "SELECT swept_through FROM event_horizons WHERE tenant = $1",
                    &[&tenant],
                )
                .await
                .map_err(pg_err)?
                .map(|r| r.try_get::<_, i64>(0))
                .transpose()
                .map_err(pg_err)?
                .unwrap_or(0);
            Ok(EventPage {
                events,
                swept_through,
            })
        })
    }

    fn newest_event(&self, tenant: &str) -> StoreFuture<'_, i64> {
        let tenant = tenant.to_owned();
        self.bounded("newest event", async move {
            let client = self.client().await?;
            client
                .query_one(
                    "SELECT COALESCE(max(id), 0)::bigint FROM task_events WHERE tenant = $1",
                    &[&tenant],
                )
                .await
                .map_err(pg_err)?
                .try_get(0)
                .map_err(pg_err)
        })
    }

    fn last_event(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<i64>> {
        let (tenant, id) = (tenant.to_owned(), task_id.to_owned());
        self.bounded("last event", async move {
            let client = self.client().await?;
            client
                .query_one(
                    "SELECT max(e.id) FROM task_events e JOIN tasks t ON t.id = e.task_id
                     WHERE t.id = $1 AND t.tenant = $2",
                    &[&id, &tenant],
                )
                .await
                .map_err(pg_err)?
                .try_get(0)
                .map_err(pg_err)
        })
    }

    fn claim_deliveries(&self, claim: &DeliveryClaim) -> StoreFuture<'_, Vec<Delivery>> {
        let claim = claim.clone();
        self.bounded("claim deliveries", async move {
            let client = self.client().await?;
            // SKIP LOCKED: instances claiming at once take different rows;
            // the lease keeps a row from others until it runs out.
            let sql = format!(
                "WITH due AS (
                     SELECT event_id FROM webhook_deliveries
                     WHERE state = 'pending' AND next_attempt_at <= $3
                       AND (lease_until IS NULL OR lease_until < $3)
                     ORDER BY next_attempt_at LIMIT $4
                     FOR UPDATE SKIP LOCKED),
                 leased AS (
                     UPDATE webhook_deliveries d SET leased_by = $1, lease_until = $2
                     FROM due WHERE d.event_id = due.event_id
                     RETURNING d.*)
                 SELECT {DELIVERY_COLUMNS}, {T_COLUMNS} FROM leased d
                 JOIN tasks t ON t.id = d.task_id"
            );
            let limit = i64::from(claim.limit);
            let rows = client
                .query(
                    &sql,
                    &[&claim.instance, &claim.lease_until, &claim.now, &limit],
                )
                .await
                .map_err(pg_err)?;
            rows.iter()
                .map(|row| {
                    let attempts: i32 = row.try_get(5).map_err(pg_err)?;
                    Ok(Delivery {
                        event_id: row.try_get(0).map_err(pg_err)?,
                        tenant: row.try_get(1).map_err(pg_err)?,
                        kind: row.try_get(2).map_err(pg_err)?,
                        url: row.try_get(3).map_err(pg_err)?,
                        at: row.try_get(4).map_err(pg_err)?,
                        attempts: u32::try_from(attempts.max(0)).unwrap_or(0),
                        task: from_row_at(row, 6)?,
                    })
                })
                .collect()
        })
    }

    fn record_delivery(&self, report: &DeliveryReport) -> StoreFuture<'_, ()> {
        let r = report.clone();
        self.bounded("record delivery", async move {
            let client = self.client().await?;
            let next_at = match r.result {
                DeliveryResult::Retry { next_at } => Some(next_at),
                _ => None,
            };
            let delivered_at = (r.result == DeliveryResult::Delivered).then_some(r.now);
            let attempts = i32::try_from(r.attempts).unwrap_or(i32::MAX);
            client
                .execute(
                    "UPDATE webhook_deliveries SET state = $1, attempts = $2,
                         next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4,
                         delivered_at = $5, leased_by = NULL, lease_until = NULL
                     WHERE event_id = $6 AND leased_by = $7",
                    &[
                        &r.result.state(),
                        &attempts,
                        &next_at,
                        &r.error,
                        &delivered_at,
                        &r.event_id,
                        &r.instance,
                    ],
                )
                .await
                .map_err(pg_err)?;
            Ok(())
        })
    }

    fn delivery_of(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<DeliveryState>> {
        let (tenant, id) = (tenant.to_owned(), task_id.to_owned());
        self.bounded("delivery of a task", async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT state, attempts, last_error, delivered_at, next_attempt_at
                     FROM webhook_deliveries WHERE task_id = $1 AND tenant = $2
                     ORDER BY event_id DESC LIMIT 1",
                    &[&id, &tenant],
                )
                .await
                .map_err(pg_err)?;
            row.map(|r| {
                let state: String = r.try_get(0).map_err(pg_err)?;
                let attempts: i32 = r.try_get(1).map_err(pg_err)?;
                let next: i64 = r.try_get(4).map_err(pg_err)?;
                Ok(DeliveryState {
                    attempts: u32::try_from(attempts.max(0)).unwrap_or(0),
                    last_error: r.try_get(2).map_err(pg_err)?,
                    delivered_at: r.try_get(3).map_err(pg_err)?,
                    next_attempt_at: (state == "pending").then_some(next),
                    state,
                })
            })
            .transpose()
        })
    }

    fn purge_idempotency_keys(&self, before: i64) -> StoreFuture<'_, u64> {
        self.bounded("purge idempotency keys", async move {
            let client = self.client().await?;
            client
                .execute(
                    "DELETE FROM idempotency_keys k WHERE k.created_at < $1
                     AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = k.task_id)",
                    &[&before],
                )
                .await
                .map_err(pg_err)
        })
    }

    fn check_ready(&self, now: i64) -> StoreFuture<'_, Counts> {
        self.bounded("check ready", async move {
            let client = self.client().await?;
            let counts = counts_with(&**client).await?;
            client
                .execute(
                    "INSERT INTO readiness (id, checked_at) VALUES (1, $1)
                     ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                    &[&now],
                )
                .await
                .map_err(pg_err)?;
            Ok(counts)
        })
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        self.bounded("counts", async move {
            let client = self.client().await?;
            counts_with(&**client).await
        })
    }

    fn count_states(
        &self,
        scope: Scope<'_>,
        query: &TaskQuery,
        states: &[TaskState],
        cap: u32,
    ) -> StoreFuture<'_, Vec<StateCount>> {
        let statements = listing::count_statements(scope, query, states, cap, placeholder);
        self.bounded("count states", async move {
            let client = self.client().await?;
            let mut counts = Vec::with_capacity(statements.len());
            for (state, built) in statements {
                let params = sql_params(&built.params);
                let n: i64 = client
                    .query_one(&built.sql, &param_refs(&params))
                    .await
                    .map_err(pg_err)?
                    .try_get(0)
                    .map_err(pg_err)?;
                counts.push(StateCount {
                    state,
                    count: u64::try_from(n).unwrap_or(0),
                });
            }
            Ok(counts)
        })
    }

    fn activity(
        &self,
        scope: Scope<'_>,
        since: i64,
        bucket_ms: i64,
        buckets: u32,
    ) -> StoreFuture<'_, Vec<ActivityBucket>> {
        let built = console::activity_statement(scope, since, bucket_ms, placeholder);
        self.bounded("activity", async move {
            let client = self.client().await?;
            let params = sql_params(&built.params);
            let rows = client
                .query(&built.sql, &param_refs(&params))
                .await
                .map_err(pg_err)?;
            let mut folded = Vec::with_capacity(rows.len());
            for row in &rows {
                let status: String = row.try_get(1).map_err(pg_err)?;
                folded.push((
                    row.try_get::<_, i64>(0).map_err(pg_err)?,
                    TaskState::parse(&status),
                    u64::try_from(row.try_get::<_, i64>(2).map_err(pg_err)?).unwrap_or(0),
                ));
            }
            Ok(console::fold_activity(folded, buckets))
        })
    }

    fn record_instance(&self, beat: &InstanceBeat) -> StoreFuture<'_, ()> {
        let beat = beat.clone();
        self.bounded("record instance", async move {
            let client = self.client().await?;
            let workers = i32::try_from(beat.workers).unwrap_or(i32::MAX);
            client
                .execute(
                    "INSERT INTO instances (id, workers, started_at, heartbeat_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO UPDATE SET workers = EXCLUDED.workers,
                         heartbeat_at = EXCLUDED.heartbeat_at",
                    &[&beat.id, &workers, &beat.started_at, &beat.heartbeat_at],
                )
                .await
                .map_err(pg_err)?;
            Ok(())
        })
    }

    fn instances(&self, since: i64) -> StoreFuture<'_, Vec<InstanceBeat>> {
        self.bounded("instances", async move {
            let client = self.client().await?;
            // Instances not heard from since are forgotten here, so the
            // table holds only the living and the recently gone.
            client
                .execute("DELETE FROM instances WHERE heartbeat_at < $1", &[&since])
                .await
                .map_err(pg_err)?;
            let rows = client
                .query(
                    "SELECT id, workers, started_at, heartbeat_at FROM instances
                     ORDER BY heartbeat_at DESC, id",
                    &[],
                )
                .await
                .map_err(pg_err)?;
            rows.iter()
                .map(|r| {
                    Ok(InstanceBeat {
                        id: r.try_get(0).map_err(pg_err)?,
                        workers: u32::try_from(r.try_get::<_, i32>(1).map_err(pg_err)?)
                            .unwrap_or(0),
                        started_at: r.try_get(2).map_err(pg_err)?,
                        heartbeat_at: r.try_get(3).map_err(pg_err)?,
                    })
                })
                .collect()
        })
    }

    fn create_session(&self, session: &SessionRecord) -> StoreFuture<'_, ()> {
        let session = session.clone();
        self.bounded("create session", async move {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO console_sessions (token_sha256, key_sha256, tenant, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &session.token_sha256,
                        &session.key_sha256,
                        &session.tenant,
                        &session.created_at,
                        &session.expires_at,
                    ],
                )
                .await
                .map_err(pg_err)?;
            Ok(())
        })
    }

    fn session(&self, token_sha256: &str, now: i64) -> StoreFuture<'_, Option<SessionRecord>> {
        let token = token_sha256.to_owned();
        self.bounded("session", async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT token_sha256, key_sha256, tenant, created_at, expires_at
                     FROM console_sessions WHERE token_sha256 = $1 AND expires_at > $2",
                    &[&token, &now],
                )
                .await
                .map_err(pg_err)?;
            row.map(|r| {
                Ok(SessionRecord {
                    token_sha256: r.try_get(0).map_err(pg_err)?,
                    key_sha256: r.try_get(1).map_err(pg_err)?,
                    tenant: r.try_get(2).map_err(pg_err)?,
                    created_at: r.try_get(3).map_err(pg_err)?,
                    expires_at: r.try_get(4).map_err(pg_err)?,
                })
            })
            .transpose()
        })
    }

    fn end_session(&self, token_sha256: &str) -> StoreFuture<'_, bool> {
        let token = token_sha256.to_owned();
        self.bounded("end session", async move {
            let client = self.client().await?;
            let n = client
                .execute(
                    "DELETE FROM console_sessions WHERE token_sha256 = $1",
                    &[&token],
                )
                .await
                .map_err(pg_err)?;
            Ok(n > 0)
        })
    }

    fn purge_sessions(&self, now: i64) -> StoreFuture<'_, u64> {
        self.bounded("purge sessions", async move {
            let client = self.client().await?;
            client
                .execute(
                    "DELETE FROM console_sessions WHERE expires_at <= $1",
                    &[&now],
                )
                .await
                .map_err(pg_err)
        })
    }

    fn changes(&self) -> Option<ChangeFeed> {
        Some(listener::start(
            self.inner.url.clone(),
            self.inner.instance.clone(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_connection_names_the_database_but_never_its_password() {
        let url = DatabaseUrl::new("postgres://app:s3cret-pw@127.0.0.1:1/tasks?password=s3cret-pw");
        let err = PostgresStore::connect(&url).await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("127.0.0.1:1"), "{shown}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
    }
}
