//! The SQLite backend: one writer connection and a few readers, WAL mode.
//! rusqlite is blocking, so every call runs on tokio's blocking pool.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use orchestrator::{TaskError, TaskState};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};
use serde_json::Value;

use super::{
    Cancelled, Finish, NewTask, StoreError, StoreFuture, Submitted, TaskRecord, TaskStore,
};
use crate::config::Database;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tasks (
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
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);
";

const COLUMNS: &str = "id, bot_id, action, input, status, progress, result, error_code, \
                       error_message, created_at, started_at, completed_at, attempts";

const READERS: usize = 4;

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
    writer: Mutex<Connection>,
    /// Empty for `:memory:`, where only one connection sees the data.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn err(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::caused_by("SQLite", e)
}

impl SqliteStore {
    /// Opens (creating if needed) the database and its schema.
    pub fn open(database: &Database) -> Result<SqliteStore, StoreError> {
        let (writer, readers) = match database {
            Database::Memory => (
                prepare(Connection::open_in_memory().map_err(err)?)?,
                Vec::new(),
            ),
            Database::File(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::caused_by(format!("cannot create {}", dir.display()), e)
                    })?;
                }
                let writer = Connection::open(path).map_err(|e| {
                    StoreError::caused_by(format!("cannot open {}", path.display()), e)
                })?;
                // The writer sets up WAL and the schema before any reader opens.
                let writer = prepare(writer)?;
                let readers = (0..READERS)
                    .map(|_| open_reader(path).map(Mutex::new))
                    .collect::<Result<_, _>>()?;
                (writer, readers)
            }
        };
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// Runs `f` with the writer connection on the blocking pool.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let inner = self.inner.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut conn = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
                f(&mut conn)
            })
            .await
            .map_err(|e| StoreError::caused_by("the SQLite worker thread failed", e))?
        })
    }

    /// Runs `f` with a reader connection (the writer for `:memory:`).
    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let inner = self.inner.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                if inner.readers.is_empty() {
                    let conn = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
                    return f(&conn);
                }
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

fn prepare(conn: Connection) -> Result<Connection, StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(err)?;
    // WAL: readers never block the writer. NORMAL sync is durable across a
    // process crash (only an OS crash can lose the last transactions).
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .map_err(err)?;
    conn.execute_batch(SCHEMA).map_err(err)?;
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(err)?;
    Ok(conn)
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<TaskRecord> {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
    let status: String = row.get(4)?;
    let state = match TaskState::parse(&status) {
        TaskState::Unknown(other) => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                format!("unknown task status `{other}` in the database").into(),
            ));
        }
        known => known,
    };
    let code: Option<String> = row.get(7)?;
    let message: Option<String> = row.get(8)?;
    Ok(TaskRecord {
        id: row.get(0)?,
        bot_id: row.get(1)?,
        action: row.get(2)?,
        input: json(row.get(3)?).unwrap_or(Value::Null),
        state,
        progress: row.get::<_, Option<i64>>(5)?.map(|p| p.clamp(0, 100) as u8),
        result: json(row.get(6)?),
        error: code.map(|c| TaskError::new(c, message.unwrap_or_default())),
        created_at: row.get(9)?,
        started_at: row.get(10)?,
        completed_at: row.get(11)?,
        attempts: row.get::<_, i64>(12)?.clamp(0, i64::from(u32::MAX)) as u32,
    })
}

fn get_task(conn: &Connection, id: &str) -> Result<Option<TaskRecord>, StoreError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM tasks WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
    .map_err(err)
}

impl TaskStore for SqliteStore {
    fn submit(&self, task: NewTask, max_queued: u64) -> StoreFuture<'_, Submitted> {
        self.write(move |conn| {
            let tx = conn.transaction().map_err(err)?;
            if let Some(key) = &task.idempotency_key {
                let seen: Option<(String, String)> = tx
                    .query_row(
                        "SELECT fingerprint, task_id FROM idempotency_keys WHERE key = ?1",
                        [key],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(err)?;
                if let Some((fingerprint, task_id)) = seen {
                    if fingerprint != task.fingerprint {
                        return Ok(Submitted::KeyReused);
                    }
                    if let Some(existing) = get_task(&tx, &task_id)? {
                        return Ok(Submitted::Existing(existing));
                    }
                }
            }
            let pending: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM tasks WHERE status = 'PENDING'",
                    [],
                    |r| r.get(0),
                )
                .map_err(err)?;
            if pending as u64 >= max_queued {
                return Ok(Submitted::QueueFull);
            }
            tx.execute(
                "INSERT INTO tasks (id, bot_id, action, input, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 'PENDING', ?5, ?5)",
                params![
                    task.id,
                    task.bot_id,
                    task.action,
                    task.input.to_string(),
                    task.now
                ],
            )
            .map_err(err)?;
            if let Some(key) = &task.idempotency_key {
                tx.execute(
                    "INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, task_id, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![key, task.fingerprint, task.id, task.now],
                )
                .map_err(err)?;
            }
            let created =
                get_task(&tx, &task.id)?.ok_or_else(|| StoreError::new("the new task vanished"))?;
            tx.commit().map_err(err)?;
            Ok(Submitted::Created(created))
        })
    }

    fn get(&self, id: &str) -> StoreFuture<'_, Option<TaskRecord>> {
        let id = id.to_owned();
        self.read(move |conn| get_task(conn, &id))
    }

    fn claim_next(&self, now: i64) -> StoreFuture<'_, Option<TaskRecord>> {
        self.write(move |conn| {
            conn.query_row(
                &format!(
                    "UPDATE tasks SET status = 'RUNNING', progress = 0, started_at = ?1,
                         updated_at = ?1, attempts = attempts + 1
                     WHERE id = (SELECT id FROM tasks WHERE status = 'PENDING'
                                 ORDER BY created_at, rowid LIMIT 1)
                     RETURNING {COLUMNS}"
                ),
                [now],
                from_row,
            )
            .optional()
            .map_err(err)
        })
    }

    fn set_progress(&self, id: &str, percent: u8, now: i64) -> StoreFuture<'_, bool> {
        let id = id.to_owned();
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE tasks SET progress = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'RUNNING'",
                    params![id, percent, now],
                )
                .map_err(err)?;
            Ok(n == 1)
        })
    }

    fn finish(&self, id: &str, finish: Finish, now: i64) -> StoreFuture<'_, bool> {
        let id = id.to_owned();
        self.write(move |conn| {
            let n = match finish {
                Finish::Completed(result) => conn.execute(
                    "UPDATE tasks SET status = 'COMPLETED', progress = 100, result = ?2,
                         completed_at = ?3, updated_at = ?3
                     WHERE id = ?1 AND status = 'RUNNING'",
                    params![id, result.to_string(), now],
                ),
                Finish::Failed(error) => conn.execute(
                    "UPDATE tasks SET status = 'FAILED', error_code = ?2, error_message = ?3,
                         completed_at = ?4, updated_at = ?4
                     WHERE id = ?1 AND status = 'RUNNING'",
                    params![id, error.code, error.message, now],
                ),
            }
            .map_err(err)?;
            Ok(n == 1)
        })
    }

    fn cancel(&self, id: &str, now: i64) -> StoreFuture<'_, Cancelled> {
        let id = id.to_owned();
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE tasks SET status = 'CANCELLED', completed_at = ?2, updated_at = ?2
                     WHERE id = ?1 AND status IN ('PENDING', 'RUNNING')",
                    params![id, now],
                )
                .map_err(err)?;
            Ok(match (n, get_task(conn, &id)?) {
                (_, None) => Cancelled::NotFound,
                (1, Some(task)) => Cancelled::Now(task),
                (_, Some(task)) => Cancelled::AlreadyFinished(task),
            })
        })
    }

    fn release(&self, id: &str, now: i64) -> StoreFuture<'_, ()> {
        let id = id.to_owned();
        self.write(move |conn| {
            conn.execute(
                "UPDATE tasks SET status = 'PENDING', progress = NULL, updated_at = ?2
                 WHERE id = ?1 AND status = 'RUNNING'",
                params![id, now],
            )
            .map_err(err)?;
            Ok(())
        })
    }

    fn requeue_interrupted(&self, now: i64) -> StoreFuture<'_, u64> {
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE tasks SET status = 'PENDING', progress = NULL, updated_at = ?1
                     WHERE status = 'RUNNING'",
                    [now],
                )
                .map_err(err)?;
            Ok(n as u64)
        })
    }

    fn purge_idempotency_keys(&self, before: i64) -> StoreFuture<'_, u64> {
        self.write(move |conn| {
            let n = conn
                .execute(
                    "DELETE FROM idempotency_keys WHERE created_at < ?1",
                    [before],
                )
                .map_err(err)?;
            Ok(n as u64)
        })
    }

    fn pending_count(&self) -> StoreFuture<'_, u64> {
        self.read(|conn| {
            let n: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM tasks WHERE status = 'PENDING'",
                    [],
                    |r| r.get(0),
                )
                .map_err(err)?;
            Ok(n.max(0) as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn new_task(id: &str, key: Option<&str>, body: Value) -> NewTask {
        NewTask {
            id: id.into(),
            bot_id: "bot-1".into(),
            action: "analyze-document".into(),
            fingerprint: body.to_string(),
            input: body,
            idempotency_key: key.map(Into::into),
            now: 1_000,
        }
    }

    fn block<T>(f: StoreFuture<'_, T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
            .unwrap()
    }

    #[test]
    fn the_same_key_and_body_returns_the_same_task_and_a_different_body_is_refused() {
        let store = SqliteStore::open(&Database::Memory).unwrap();
        let body = json!({"document_url": "https://example.com/a.pdf"});
        let Submitted::Created(first) =
            block(store.submit(new_task("t-1", Some("k"), body.clone()), 10))
        else {
            panic!()
        };
        let again = block(store.submit(new_task("t-2", Some("k"), body), 10));
        assert_eq!(again, Submitted::Existing(first));
        let other =
            block(store.submit(new_task("t-3", Some("k"), json!({"document_url": "x"})), 10));
        assert_eq!(other, Submitted::KeyReused);
        assert_eq!(block(store.pending_count()), 1);
    }

    #[test]
    fn a_full_queue_refuses_new_tasks() {
        let store = SqliteStore::open(&Database::Memory).unwrap();
        block(store.submit(new_task("t-1", None, json!({})), 1));
        assert_eq!(
            block(store.submit(new_task("t-2", None, json!({})), 1)),
            Submitted::QueueFull
        );
    }

    #[test]
    fn claims_go_oldest_first_and_progress_stops_once_cancelled() {
        let store = SqliteStore::open(&Database::Memory).unwrap();
        block(store.submit(new_task("t-1", None, json!({})), 10));
        block(store.submit(new_task("t-2", None, json!({})), 10));
        let claimed = block(store.claim_next(2_000)).unwrap();
        assert_eq!(
            (claimed.id.as_str(), claimed.state, claimed.attempts),
            ("t-1", TaskState::Running, 1)
        );
        assert!(block(store.set_progress("t-1", 40, 2_100)));
        assert!(matches!(
            block(store.cancel("t-1", 2_200)),
            Cancelled::Now(_)
        ));
        assert!(!block(store.set_progress("t-1", 50, 2_300)));
        assert!(!block(store.finish(
            "t-1",
            Finish::Completed(json!({})),
            2_400
        )));
        assert!(matches!(
            block(store.cancel("t-1", 2_500)),
            Cancelled::AlreadyFinished(_)
        ));
        assert_eq!(block(store.cancel("nope", 2_500)), Cancelled::NotFound);
    }

    #[test]
    fn interrupted_tasks_are_requeued() {
        let store = SqliteStore::open(&Database::Memory).unwrap();
        block(store.submit(new_task("t-1", None, json!({})), 10));
        block(store.claim_next(2_000)).unwrap();
        assert_eq!(block(store.requeue_interrupted(3_000)), 1);
        let again = block(store.claim_next(4_000)).unwrap();
        assert_eq!(again.attempts, 2);
    }
}
