//! The SQLite backend: one writer connection and a few readers, WAL mode.
//! rusqlite is blocking, so every call runs on tokio's blocking pool.
//!
//! One process owns a SQLite file — it holds an OS lock on `<file>.lock` for
//! as long as the store lives, and a second process is refused, naming the
//! one that has it — so a `RUNNING` task found at start-up was left by a
//! dead process: [`TaskStore::recover_at_start`] takes it back at once.
//! Leases are still recorded, and every write of a run is fenced on its
//! attempt, like on the shared backends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use std::time::Duration;
use writer::{Durability, GroupWriter};

use orchestrator::{TaskError, TaskState};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

use super::{
    ActivityBucket, Cancelled, Claim, Counts, Finish, InstanceBeat, NewTask, Reaped, RunRef, Scope,
    SessionRecord, StateCount, StoreError, StoreFuture, Submitted, TASK_COLUMN_COUNT, TaskQuery,
    TaskRecord, TaskStore, WORKER_LOST,
};
use crate::config::Database;
use crate::store::console;
use crate::store::deliveries::DELIVERY_COLUMNS;
use crate::store::events::{self, EventPage, EventQuery};
use crate::store::listing::{self, Param};
use crate::store::{Delivery, DeliveryClaim, DeliveryReport, DeliveryResult, DeliveryState};

mod owner;
mod schema;
mod writer;

const COLUMNS: &str = task_columns!();
const GET_TASK: &str = concat!("SELECT ", task_columns!(), " FROM tasks WHERE id = ?1");

const READERS: usize = 4;
/// How long a statement waits for a lock held by another connection, unless
/// told otherwise (`--db-busy-timeout`).
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Tasks in SQLite.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("readers", &self.inner.readers.len())
            .finish_non_exhaustive()
    }
}

struct Inner {
    writer: GroupWriter,
    /// The lock that makes the file this process's (`None` in memory);
    /// the OS releases it when the process ends, however it ends.
    _owner: Option<std::fs::File>,
    /// Empty for `:memory:`, where only the writer sees the data.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl SqliteStore {
    /// Opens (creating if needed) the database and brings its schema up to
    /// date, with durable commits. `Database::Postgres` is refused: that is
    /// another backend.
    pub fn open(database: &Database) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(database, true, DEFAULT_BUSY_TIMEOUT)
    }

    /// Like [`open`](Self::open); with `durable_commits` off, submits,
    /// finishes and cancels commit like everything else, without waiting
    /// for the disk (`synchronous = NORMAL`): faster, and safe across a
    /// crash of the process, but an OS crash or power cut can lose the last
    /// of them — including tasks already answered `202 Accepted`.
    /// `busy_timeout` is how long a statement waits for a lock another
    /// connection holds before failing as [`StoreErrorKind::Contention`]
    /// (a `503` to the client).
    ///
    /// [`StoreErrorKind::Contention`]: crate::StoreErrorKind::Contention
    pub fn open_with(
        database: &Database,
        durable_commits: bool,
        busy_timeout: Duration,
    ) -> Result<SqliteStore, StoreError> {
        let mut owner = None;
        let (writer, readers) = match database {
            Database::Memory => (
                schema::prepare(
                    Connection::open_in_memory().map_err(StoreError::from)?,
                    busy_timeout,
                )?,
                Vec::new(),
            ),
            Database::File(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    if database.is_default_location() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            StoreError::caused_by(format!("cannot create {}", dir.display()), e)
                        })?;
                    } else if !dir.is_dir() {
                        return Err(StoreError::new(format!(
                            "cannot open the database {}: the directory {} does not exist \
                             (is the path right? create the directory first)",
                            path.display(),
                            dir.display()
                        )));
                    }
                }
                owner = Some(owner::take(path)?);
                let writer = Connection::open(path).map_err(|e| {
                    StoreError::caused_by(format!("cannot open {}", path.display()), e)
                })?;
                // The writer sets up WAL and the schema before any reader opens.
                let writer = schema::prepare(writer, busy_timeout)?;
                let readers = (0..READERS)
                    .map(|_| schema::open_reader(path, busy_timeout).map(Mutex::new))
                    .collect::<Result<_, _>>()?;
                (writer, readers)
            }
            Database::Postgres(_) => {
                return Err(StoreError::new("a PostgreSQL URL is not a SQLite database"));
            }
        };
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: GroupWriter::start(writer, durable_commits)?,
                _owner: owner,
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// Runs `f` in the writer's next group commit; resolves once committed.
    fn write<T: Send + 'static>(
        &self,
        durability: Durability,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.writer.run(durability, f).await })
    }

    /// Runs `f` with a reader connection (through the writer for
    /// `:memory:`, whose data only the writer's connection sees).
    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        if self.inner.readers.is_empty() {
            return self.write(Durability::Relaxed, f);
        }
        let inner = self.inner.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let i = inner.next_reader.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
                let conn = inner.readers[i]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                f(&conn)
            })
            .await
            .map_err(|e| StoreError::caused_by("the SQLite worker thread failed", e))?
        })
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<TaskRecord> {
    from_row_at(row, 0)
}

/// A task from the row's columns from `at` on (a join's own come first).
fn from_row_at(row: &Row<'_>, at: usize) -> rusqlite::Result<TaskRecord> {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
    let status: String = row.get(at + 5)?;
    let state = match TaskState::parse(&status) {
        TaskState::Unknown(other) => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                at + 5,
                rusqlite::types::Type::Text,
                format!("unknown task status `{other}` in the database").into(),
            ));
        }
        known => known,
    };
    let code: Option<String> = row.get(at + 8)?;
    let message: Option<String> = row.get(at + 9)?;
    Ok(TaskRecord {
        id: row.get(at)?,
        tenant: row.get(at + 1)?,
        bot_id: row.get(at + 2)?,
        action: row.get(at + 3)?,
        input: json(row.get(at + 4)?).unwrap_or(Value::Null),
        state,
        progress: row
            .get::<_, Option<i64>>(at + 6)?
            .map(|p| p.clamp(0, 100) as u8),
        progress_message: row.get(at + 14)?,
        result: json(row.get(at + 7)?),
        error: code.map(|c| TaskError::new(c, message.unwrap_or_default())),
        created_at: row.get(at + 10)?,
        started_at: row.get(at + 11)?,
        completed_at: row.get(at + 12)?,
        attempts: row.get::<_, i64>(at + 13)?.clamp(0, i64::from(u32::MAX)) as u32,
        labels: row
            .get::<_, Option<String>>(at + 15)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default(),
        retry_of: row.get(at + 16)?,
        webhook_url: row.get(at + 17)?,
    })
}

/// SQLite's numbered placeholder.
fn placeholder(i: usize) -> String {
    format!("?{i}")
}

fn sql_params(params: &[Param]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(t) => rusqlite::types::Value::Text(t.clone()),
            Param::Int(i) => rusqlite::types::Value::Integer(*i),
        })
        .collect()
}

fn get_task(conn: &Connection, id: &str) -> Result<Option<TaskRecord>, StoreError> {
    // The hottest query (every status GET): parsed once per connection.
    conn.prepare_cached(GET_TASK)
        .map_err(StoreError::from)?
        .query_row([id], from_row)
        .optional()
        .map_err(StoreError::from)
}

fn lease_until(now: i64, lease: Duration) -> i64 {
    now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
}

/// Takes back the `RUNNING` tasks `filter` selects (at most `limit`):
/// requeued, or `FAILED` once they have had `max_attempts` runs.
fn take_back(
    tx: &Connection,
    filter: &str,
    filter_params: &[&dyn rusqlite::ToSql],
    max_attempts: u32,
    limit: u32,
    now: i64,
) -> Result<Reaped, StoreError> {
    let mut reaped = Reaped::default();
    let expired: Vec<(String, i64)> = {
        let mut stmt = tx
            .prepare(&format!(
                "SELECT id, attempts FROM tasks WHERE status = 'RUNNING' AND {filter} LIMIT {limit}"
            ))
            .map_err(StoreError::from)?;
        stmt.query_map(filter_params, |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(StoreError::from)?
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)?
    };
    for (id, attempts) in expired {
        if attempts >= i64::from(max_attempts) {
            tx.execute(
                "UPDATE tasks SET status = 'FAILED', error_code = ?2, error_message = ?3,
                     completed_at = ?4, updated_at = ?4, claimed_by = NULL, lease_expires_at = NULL
                 WHERE id = ?1",
                params![
                    id,
                    WORKER_LOST,
                    format!("the task's worker was lost {attempts} times; it is not tried again"),
                    now
                ],
            )
            .map_err(StoreError::from)?;
            reaped.failed.push(id);
        } else {
            tx.execute(
                "UPDATE tasks SET status = 'PENDING', progress = NULL, progress_message = NULL, updated_at = ?2,
                     claimed_by = NULL, lease_expires_at = NULL
                 WHERE id = ?1",
                params![id, now],
            )
            .map_err(StoreError::from)?;
            reaped.requeued.push(id);
        }
    }
    Ok(reaped)
}

impl TaskStore for SqliteStore {
    fn submit(&self, task: NewTask, max_queued: u64) -> StoreFuture<'_, Submitted> {
        self.write(Durability::Durable, move |tx| {
            if let Some(key) = &task.idempotency_key {
                let seen: Option<(String, String)> = tx
                    .query_row(
                        "SELECT fingerprint, task_id FROM idempotency_keys
                         WHERE tenant = ?1 AND key = ?2",
                        params![task.tenant, key],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(StoreError::from)?;
                if let Some((fingerprint, task_id)) = seen {
                    if fingerprint != task.fingerprint {
                        return Ok(Submitted::KeyReused);
                    }
                    if let Some(existing) = get_task(tx, &task_id)? {
                        return Ok(Submitted::Existing(existing));
                    }
                    // The task expired before its key: the key starts over.
                }
            }
            let pending: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM tasks WHERE status = 'PENDING'",
                    [],
                    |r| r.get(0),
                )
                .map_err(StoreError::from)?;
            if pending as u64 >= max_queued {
                return Ok(Submitted::QueueFull);
            }
            let labels = (!task.labels.is_empty())
                .then(|| serde_json::to_string(&task.labels).ok())
                .flatten();
            tx.execute(
                "INSERT INTO tasks (id, tenant, bot_id, action, input, status, created_at, updated_at,
                                    labels, retry_of, webhook_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'PENDING', ?6, ?6, ?7, ?8, ?9)",
                params![
                    task.id,
                    task.tenant,
                    task.bot_id,
                    task.action,
                    task.input.to_string(),
                    task.now,
                    labels,
                    task.retry_of,
                    task.webhook_url,
                ],
            )
            .map_err(StoreError::from)?;
            for (key, value) in task.labels.iter() {
                tx.prepare_cached(
                    "INSERT INTO task_labels (task_id, tenant, key, value, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut s| s.execute(params![task.id, task.tenant, key, value, task.now]))
                .map_err(StoreError::from)?;
            }
            if let Some(key) = &task.idempotency_key {
                tx.execute(
                    "INSERT OR REPLACE INTO idempotency_keys (tenant, key, fingerprint, task_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![task.tenant, key, task.fingerprint, task.id, task.now],
                )
                .map_err(StoreError::from)?;
            }
            let created =
                get_task(tx, &task.id)?.ok_or_else(|| StoreError::new("the new task vanished"))?;
            Ok(Submitted::Created(created))
        })
    }

    fn get(&self, tenant: &str, id: &str) -> StoreFuture<'_, Option<TaskRecord>> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.read(move |conn| Ok(get_task(conn, &id)?.filter(|t| t.tenant == tenant)))
    }

    fn claim_next(&self, claim: &Claim) -> StoreFuture<'_, Option<TaskRecord>> {
        let claim = claim.clone();
        self.write(Durability::Relaxed, move |conn| {
            conn.query_row(
                &format!(
                    "UPDATE tasks SET status = 'RUNNING', progress = 0, progress_message = NULL, started_at = ?1,
                         updated_at = ?1, attempts = attempts + 1, claimed_by = ?2,
                         lease_expires_at = ?3
                     WHERE id = (SELECT id FROM tasks WHERE status = 'PENDING'
                                 ORDER BY rowid LIMIT 1)
                     RETURNING {COLUMNS}"
                ),
                params![
                    claim.now,
                    claim.instance,
                    lease_until(claim.now, claim.lease)
                ],
                from_row,
            )
            .optional()
            .map_err(StoreError::from)
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
        self.write(Durability::Relaxed, move |conn| {
            let n = conn
                .execute(
                    "UPDATE tasks SET progress = ?3, progress_message = ?6, updated_at = ?4,
                         lease_expires_at = ?5
                     WHERE id = ?1 AND attempts = ?2 AND status = 'RUNNING'",
                    params![
                        run.id,
                        run.attempt,
                        percent,
                        now,
                        lease_until(now, lease),
                        message
                    ],
                )
                .map_err(StoreError::from)?;
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
        self.write(Durability::Durable, move |conn| {
            let n = match finish {
                Finish::Completed(result) => conn.execute(
                    "UPDATE tasks SET status = 'COMPLETED', progress = 100, result = ?3,
                         completed_at = ?4, updated_at = ?4, claimed_by = NULL, lease_expires_at = NULL
                     WHERE id = ?1 AND attempts = ?2 AND status = 'RUNNING'",
                    params![run.id, run.attempt, result.to_string(), now],
                ),
                Finish::Failed(error) => conn.execute(
                    "UPDATE tasks SET status = 'FAILED', error_code = ?3, error_message = ?4,
                         completed_at = ?5, updated_at = ?5, claimed_by = NULL, lease_expires_at = NULL
                     WHERE id = ?1 AND attempts = ?2 AND status = 'RUNNING'",
                    params![run.id, run.attempt, error.code, error.message, now],
                ),
            }
            .map_err(StoreError::from)?;
            if n == 1 { get_task(conn, &run.id) } else { Ok(None) }
        })
    }

    fn check_ready(&self, now: i64) -> StoreFuture<'_, Counts> {
        Box::pin(async move {
            let counts = self.counts().await?;
            self.write(Durability::Relaxed, move |conn| {
                conn.execute(
                    "INSERT INTO readiness (id, checked_at) VALUES (1, ?1)
                     ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                    params![now],
                )
                .map_err(StoreError::from)?;
                Ok(())
            })
            .await?;
            Ok(counts)
        })
    }

    fn release(&self, run: &RunRef, now: i64) -> StoreFuture<'_, ()> {
        let run = run.clone();
        self.write(Durability::Relaxed, move |conn| {
            conn.execute(
                "UPDATE tasks SET status = 'PENDING', progress = NULL, progress_message = NULL, updated_at = ?3,
                     claimed_by = NULL, lease_expires_at = NULL
                 WHERE id = ?1 AND attempts = ?2 AND status = 'RUNNING'",
                params![run.id, run.attempt, now],
            )
            .map_err(StoreError::from)?;
            Ok(())
        })
    }

    fn heartbeat(
        &self,
        instance: &str,
        runs: &[RunRef],
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Vec<RunRef>> {
        let (instance, runs) = (instance.to_owned(), runs.to_vec());
        self.write(Durability::Relaxed, move |tx| {
            let mut lost = Vec::new();
            for run in runs {
                let n = tx
                    .execute(
                        "UPDATE tasks SET lease_expires_at = ?4
                         WHERE id = ?1 AND attempts = ?2 AND claimed_by = ?3 AND status = 'RUNNING'",
                        params![run.id, run.attempt, instance, lease_until(now, lease)],
                    )
                    .map_err(StoreError::from)?;
                if n == 0 {
                    lost.push(run);
                }
            }
            Ok(lost)
        })
    }

    fn reap_expired(&self, max_attempts: u32, limit: u32, now: i64) -> StoreFuture<'_, Reaped> {
        self.write(Durability::Relaxed, move |tx| {
            take_back(
                tx,
                "lease_expires_at < ?1",
                &[&now],
                max_attempts,
                limit,
                now,
            )
        })
    }

    fn recover_at_start(&self, max_attempts: u32, now: i64) -> StoreFuture<'_, Reaped> {
        self.write(Durability::Relaxed, move |tx| {
            take_back(tx, "1 = 1", &[], max_attempts, u32::MAX, now)
        })
    }

    fn cancel(&self, tenant: &str, id: &str, now: i64) -> StoreFuture<'_, Cancelled> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.write(Durability::Durable, move |tx| {
            let n = tx
                .execute(
                    "UPDATE tasks SET status = 'CANCELLED', completed_at = ?3, updated_at = ?3,
                         claimed_by = NULL, lease_expires_at = NULL
                     WHERE id = ?1 AND tenant = ?2 AND status IN ('PENDING', 'RUNNING')",
                    params![id, tenant, now],
                )
                .map_err(StoreError::from)?;
            Ok(
                match (n, get_task(tx, &id)?.filter(|t| t.tenant == tenant)) {
                    (_, None) => Cancelled::NotFound,
                    (1, Some(task)) => Cancelled::Now(task),
                    (_, Some(task)) => Cancelled::AlreadyFinished(task),
                },
            )
        })
    }

    fn list(&self, scope: Scope<'_>, query: &TaskQuery) -> StoreFuture<'_, Vec<TaskRecord>> {
        let built = listing::page_statement(scope, query, placeholder);
        self.read(move |conn| {
            let mut statement = conn.prepare(&built.sql).map_err(StoreError::from)?;
            let rows = statement
                .query_map(
                    rusqlite::params_from_iter(sql_params(&built.params)),
                    from_row,
                )
                .map_err(StoreError::from)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(StoreError::from)
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
        let built = listing::ids_statement(scope, &query, placeholder, vec![Param::Int(now)]);
        self.write(Durability::Durable, move |tx| {
            let sql = format!(
                "UPDATE tasks SET status = 'CANCELLED', completed_at = ?1, updated_at = ?1,
                     claimed_by = NULL, lease_expires_at = NULL
                 WHERE id IN ({}) RETURNING id",
                built.sql
            );
            let mut statement = tx.prepare(&sql).map_err(StoreError::from)?;
            let ids = statement
                .query_map(rusqlite::params_from_iter(sql_params(&built.params)), |r| {
                    r.get(0)
                })
                .map_err(StoreError::from)?;
            ids.collect::<rusqlite::Result<Vec<String>>>()
                .map_err(StoreError::from)
        })
    }

    fn delete_finished(&self, before: i64, limit: u32) -> StoreFuture<'_, u64> {
        self.write(Durability::Relaxed, move |conn| {
            // The same rows for both deletes: the tasks table does not change
            // in between, and the statement is the same.
            const OLD: &str = "SELECT id FROM tasks
                 WHERE completed_at IS NOT NULL AND completed_at < ?1 ORDER BY completed_at LIMIT ?2";
            conn.execute(
                &format!("DELETE FROM task_labels WHERE task_id IN ({OLD})"),
                params![before, limit],
            )
            .map_err(StoreError::from)?;
            let n = conn
                .execute(
                    &format!("DELETE FROM tasks WHERE id IN ({OLD})"),
                    params![before, limit],
                )
                .map_err(StoreError::from)?;
            Ok(n as u64)
        })
    }

    fn purge_idempotency_keys(&self, before: i64) -> StoreFuture<'_, u64> {
        self.write(Durability::Relaxed, move |conn| {
            let n = conn
                .execute(
                    "DELETE FROM idempotency_keys WHERE created_at < ?1
                     AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.id = idempotency_keys.task_id)",
                    [before],
                )
                .map_err(StoreError::from)?;
            Ok(n as u64)
        })
    }

    fn events(&self, tenant: &str, query: &EventQuery) -> StoreFuture<'_, EventPage> {
        let built = events::events_statement(tenant, query, placeholder);
        let tenant = tenant.to_owned();
        self.read(move |conn| {
            let mut statement = conn.prepare(&built.sql).map_err(StoreError::from)?;
            let rows = statement
                .query_map(
                    rusqlite::params_from_iter(sql_params(&built.params)),
                    |row| {
                        let task = from_row(row)?;
                        let e = TASK_COLUMN_COUNT;
                        Ok(events::event_of(
                            task,
                            events::EventColumns {
                                id: row.get(e)?,
                                kind: row.get(e + 1)?,
                                at: row.get(e + 2)?,
                                status: row.get(e + 3)?,
                                progress: row.get(e + 4)?,
                                progress_message: row.get(e + 5)?,
                                attempt: row.get(e + 6)?,
                                instance: row.get(e + 7)?,
                            },
                        ))
                    },
                )
                .map_err(StoreError::from)?;
            let events = rows
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(StoreError::from)?;
            let swept_through = conn
                .query_row(
                    "SELECT swept_through FROM event_horizons WHERE tenant = ?1",
                    params![tenant],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::from)?
                .unwrap_or(0);
            Ok(EventPage {
                events,
                swept_through,
            })
        })
    }

    fn newest_event(&self, tenant: &str) -> StoreFuture<'_, i64> {
        let tenant = tenant.to_owned();
        self.read(move |conn| {
            conn.query_row(
                "SELECT COALESCE(max(id), 0) FROM task_events WHERE tenant = ?1",
                params![tenant],
                |r| r.get(0),
            )
            .map_err(StoreError::from)
        })
    }

    fn last_event(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<i64>> {
        let (tenant, id) = (tenant.to_owned(), task_id.to_owned());
        self.read(move |conn| {
            conn.query_row(
                "SELECT max(e.id) FROM task_events e JOIN tasks t ON t.id = e.task_id
                 WHERE t.id = ?1 AND t.tenant = ?2",
                params![id, tenant],
                |r| r.get(0),
            )
            .map_err(StoreError::from)
        })
    }

    fn claim_deliveries(&self, claim: &DeliveryClaim) -> StoreFuture<'_, Vec<Delivery>> {
        let claim = claim.clone();
        // Relaxed: a lease lost in a crash only means a delivery is sent
        // again, which at-least-once allows.
        self.write(Durability::Relaxed, move |tx| {
            let ids: Vec<i64> = tx
                .prepare_cached(
                    "UPDATE webhook_deliveries SET leased_by = ?1, lease_until = ?2
                     WHERE event_id IN (
                         SELECT event_id FROM webhook_deliveries
                         WHERE state = 'pending' AND next_attempt_at <= ?3
                           AND (lease_until IS NULL OR lease_until < ?3)
                         ORDER BY next_attempt_at LIMIT ?4)
                     RETURNING event_id",
                )
                .and_then(|mut s| {
                    s.query_map(
                        params![claim.instance, claim.lease_until, claim.now, claim.limit],
                        |r| r.get(0),
                    )?
                    .collect()
                })
                .map_err(StoreError::from)?;
            let mut out = Vec::with_capacity(ids.len());
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS}, {} FROM webhook_deliveries d
                 JOIN tasks t ON t.id = d.task_id WHERE d.event_id = ?1",
                listing::qualified_columns()
            );
            for id in ids {
                let found = tx
                    .prepare_cached(&sql)
                    .and_then(|mut s| {
                        s.query_row([id], |row| {
                            Ok(Delivery {
                                event_id: row.get(0)?,
                                tenant: row.get(1)?,
                                kind: row.get(2)?,
                                url: row.get(3)?,
                                at: row.get(4)?,
                                attempts: row.get::<_, i64>(5)?.clamp(0, i64::from(u32::MAX))
                                    as u32,
                                task: from_row_at(row, 6)?,
                            })
                        })
                        .optional()
                    })
                    .map_err(StoreError::from)?;
                out.extend(found);
            }
            Ok(out)
        })
    }

    fn record_delivery(&self, report: &DeliveryReport) -> StoreFuture<'_, ()> {
        let r = report.clone();
        let durability = match r.result {
            DeliveryResult::Retry { .. } => Durability::Relaxed,
            _ => Durability::Durable,
        };
        self.write(durability, move |tx| {
            let next_at = match r.result {
                DeliveryResult::Retry { next_at } => Some(next_at),
                _ => None,
            };
            let delivered_at = (r.result == DeliveryResult::Delivered).then_some(r.now);
            tx.prepare_cached(
                "UPDATE webhook_deliveries SET state = ?1, attempts = ?2,
                     next_attempt_at = COALESCE(?3, next_attempt_at), last_error = ?4,
                     delivered_at = ?5, leased_by = NULL, lease_until = NULL
                 WHERE event_id = ?6 AND leased_by = ?7",
            )
            .and_then(|mut s| {
                s.execute(params![
                    r.result.state(),
                    r.attempts,
                    next_at,
                    r.error,
                    delivered_at,
                    r.event_id,
                    r.instance
                ])
            })
            .map_err(StoreError::from)?;
            Ok(())
        })
    }

    fn delivery_of(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<DeliveryState>> {
        let (tenant, task_id) = (tenant.to_owned(), task_id.to_owned());
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT state, attempts, last_error, delivered_at, next_attempt_at
                 FROM webhook_deliveries WHERE task_id = ?1 AND tenant = ?2
                 ORDER BY event_id DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![task_id, tenant], |r| {
                    let state: String = r.get(0)?;
                    let next: i64 = r.get(4)?;
                    Ok(DeliveryState {
                        attempts: r.get::<_, i64>(1)?.clamp(0, i64::from(u32::MAX)) as u32,
                        last_error: r.get(2)?,
                        delivered_at: r.get(3)?,
                        next_attempt_at: (state == "pending").then_some(next),
                        state,
                    })
                })
                .optional()
            })
            .map_err(StoreError::from)
        })
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        self.read(|conn| {
            let count = |status: &str| -> Result<u64, StoreError> {
                let n: i64 = conn
                    .query_row(
                        "SELECT COUNT(*) FROM tasks WHERE status = ?1",
                        [status],
                        |r| r.get(0),
                    )
                    .map_err(StoreError::from)?;
                Ok(n.max(0) as u64)
            };
            Ok(Counts {
                pending: count("PENDING")?,
                running: count("RUNNING")?,
            })
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
        self.read(move |conn| {
            statements
                .into_iter()
                .map(|(state, built)| {
                    let n: i64 = conn
                        .prepare_cached(&built.sql)
                        .and_then(|mut s| {
                            s.query_row(
                                rusqlite::params_from_iter(sql_params(&built.params)),
                                |r| r.get(0),
                            )
                        })
                        .map_err(StoreError::from)?;
                    Ok(StateCount {
                        state,
                        count: n.max(0) as u64,
                    })
                })
                .collect()
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
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(&built.sql).map_err(StoreError::from)?;
            let rows = statement
                .query_map(rusqlite::params_from_iter(sql_params(&built.params)), |r| {
                    let status: String = r.get(1)?;
                    Ok((
                        r.get::<_, i64>(0)?,
                        TaskState::parse(&status),
                        r.get::<_, i64>(2)?.max(0) as u64,
                    ))
                })
                .map_err(StoreError::from)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(StoreError::from)?;
            Ok(console::fold_activity(rows, buckets))
        })
    }

    fn record_instance(&self, beat: &InstanceBeat) -> StoreFuture<'_, ()> {
        let beat = beat.clone();
        self.write(Durability::Relaxed, move |conn| {
            conn.execute(
                "INSERT INTO instances (id, workers, started_at, heartbeat_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET workers = excluded.workers,
                     heartbeat_at = excluded.heartbeat_at",
                params![beat.id, beat.workers, beat.started_at, beat.heartbeat_at],
            )
            .map_err(StoreError::from)?;
            Ok(())
        })
    }

    fn instances(&self, since: i64) -> StoreFuture<'_, Vec<InstanceBeat>> {
        self.read(move |conn| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT id, workers, started_at, heartbeat_at FROM instances
                     WHERE heartbeat_at >= ?1 ORDER BY heartbeat_at DESC, id",
                )
                .map_err(StoreError::from)?;
            let rows = statement
                .query_map(params![since], |r| {
                    Ok(InstanceBeat {
                        id: r.get(0)?,
                        workers: r.get(1)?,
                        started_at: r.get(2)?,
                        heartbeat_at: r.get(3)?,
                    })
                })
                .map_err(StoreError::from)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(StoreError::from)
        })
    }

    fn create_session(&self, session: &SessionRecord) -> StoreFuture<'_, ()> {
        let session = session.clone();
        self.write(Durability::Durable, move |conn| {
            conn.execute(
                "INSERT INTO console_sessions (token_sha256, key_sha256, tenant, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    session.token_sha256,
                    session.key_sha256,
                    session.tenant,
                    session.created_at,
                    session.expires_at
                ],
            )
            .map_err(StoreError::from)?;
            Ok(())
        })
    }

    fn session(&self, token_sha256: &str, now: i64) -> StoreFuture<'_, Option<SessionRecord>> {
        let token = token_sha256.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT token_sha256, key_sha256, tenant, created_at, expires_at
                 FROM console_sessions WHERE token_sha256 = ?1 AND expires_at > ?2",
            )
            .map_err(StoreError::from)?
            .query_row(params![token, now], |r| {
                Ok(SessionRecord {
                    token_sha256: r.get(0)?,
                    key_sha256: r.get(1)?,
                    tenant: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                })
            })
            .optional()
            .map_err(StoreError::from)
        })
    }

    fn end_session(&self, token_sha256: &str) -> StoreFuture<'_, bool> {
        let token = token_sha256.to_owned();
        self.write(Durability::Durable, move |conn| {
            let n = conn
                .execute(
                    "DELETE FROM console_sessions WHERE token_sha256 = ?1",
                    params![token],
                )
                .map_err(StoreError::from)?;
            Ok(n > 0)
        })
    }

    fn purge_sessions(&self, now: i64) -> StoreFuture<'_, u64> {
        self.write(Durability::Relaxed, move |conn| {
            let n = conn
                .execute(
                    "DELETE FROM console_sessions WHERE expires_at <= ?1",
                    params![now],
                )
                .map_err(StoreError::from)?;
            Ok(n as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn busy_full_and_unopenable_databases_are_faults_that_pass_and_bad_sql_is_not() {
        use crate::store::StoreErrorKind;
        let failure = |code: std::ffi::c_int| {
            StoreError::from(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                None,
            ))
            .kind()
        };
        assert_eq!(
            failure(rusqlite::ffi::SQLITE_BUSY),
            StoreErrorKind::Contention
        );
        assert_eq!(
            failure(rusqlite::ffi::SQLITE_LOCKED),
            StoreErrorKind::Contention
        );
        assert_eq!(
            failure(rusqlite::ffi::SQLITE_FULL),
            StoreErrorKind::DiskFull
        );
        assert_eq!(
            failure(rusqlite::ffi::SQLITE_IOERR),
            StoreErrorKind::Unavailable
        );
        assert_eq!(
            failure(rusqlite::ffi::SQLITE_CANTOPEN),
            StoreErrorKind::Unavailable
        );
        assert_eq!(
            failure(rusqlite::ffi::SQLITE_CONSTRAINT),
            StoreErrorKind::Other
        );
        let conn = Connection::open_in_memory().unwrap();
        let bad = conn.execute("SELEKT 1", []).unwrap_err();
        assert_eq!(StoreError::from(bad).kind(), StoreErrorKind::Other);
    }

    use super::*;

    #[test]
    fn a_database_of_the_first_schema_is_migrated_and_keeps_its_tasks_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
            conn.execute_batch("PRAGMA user_version = 1").unwrap();
            conn.execute(
                "INSERT INTO tasks (id, bot_id, action, input, status, created_at, updated_at)
                 VALUES ('t-old', 'b', 'analyze-document', '{}', 'PENDING', 1, 1)",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO idempotency_keys VALUES ('k', 'fp', 't-old', 1)",
                [],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&Database::File(path.clone())).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let task = rt.block_on(store.get("default", "t-old")).unwrap().unwrap();
        assert_eq!(task.tenant, "default");
        let conn = Connection::open(&path).unwrap();
        let (version, keys): (i64, i64) = (
            conn.query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap(),
            conn.query_row(
                "SELECT COUNT(*) FROM idempotency_keys WHERE tenant = 'default'",
                [],
                |r| r.get(0),
            )
            .unwrap(),
        );
        assert_eq!((version, keys), (schema::MIGRATIONS.len() as i64, 1));
        // Opening again applies nothing twice.
        drop(store);
        SqliteStore::open(&Database::File(path)).unwrap();
    }
}
