//! The one writer of a SQLite database, with group commit.
//!
//! SQLite has one writer at a time, and a durable commit waits for the disk
//! (`fsync`). Writes are therefore queued to a thread that owns the writer
//! connection: it takes every write waiting, runs each in a savepoint of one
//! transaction, commits once — one `fsync` for the lot — and only then
//! answers each caller. A write that fails rolls back its own savepoint and
//! no one else's; a commit that fails fails them all, and nobody is told
//! "done" before the commit is.

use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::store::StoreError;

/// How many writes one commit takes at most, so a flood of writes still
/// answers its first callers promptly.
const MAX_BATCH: usize = 128;

/// How hard a write holds on to what it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Durability {
    /// On disk before the call returns (`synchronous = FULL`): what a client
    /// was told — a `202`, a finished task, a cancel — survives a power cut.
    Durable,
    /// Safe across a crash of the process (`synchronous = NORMAL`), not an
    /// OS crash: progress, leases, claims. A lost one is redone (progress
    /// moves on, a lost claim leaves the task queued). The next durable
    /// commit syncs these too, since the WAL is synced as a whole.
    Relaxed,
}

/// What the writer thread does with one job: run it, and later tell the
/// caller how its commit went.
type Deliver = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// A queued write: given the connection, runs; given none, only prepares to
/// report why it did not run.
type Run = Box<dyn FnOnce(Option<&Connection>) -> (bool, Deliver) + Send>;

struct Job {
    durability: Durability,
    /// Runs the write (or, given no connection, only prepares to report why
    /// it did not run); `true` if it succeeded, else its savepoint is rolled
    /// back. The returned closure answers the caller once the commit is known.
    run: Run,
}

/// The handle to the writer thread; dropping the last one stops it.
pub(super) struct GroupWriter {
    jobs: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts the writer thread on `conn`. With `durable_commits` off, every
    /// commit is relaxed.
    pub(super) fn start(
        conn: Connection,
        durable_commits: bool,
    ) -> Result<GroupWriter, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(conn, &queue, durable_commits))
            .map_err(|e| StoreError::caused_by("cannot start the SQLite writer thread", e))?;
        Ok(GroupWriter { jobs })
    }

    /// Queues `f` and resolves once it is committed (or failed).
    pub(super) async fn run<T: Send + 'static>(
        &self,
        durability: Durability,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = oneshot::channel();
        let run = Box::new(move |conn: Option<&Connection>| {
            let result = conn.map(f);
            let ok = matches!(result, Some(Ok(_)));
            let deliver: Deliver = Box::new(move |commit: Option<&StoreError>| {
                let out = match (result, commit) {
                    (Some(Ok(value)), None) => Ok(value),
                    (Some(Ok(_)), Some(e)) => {
                        Err(StoreError::new(format!("the commit failed: {e}")).with_kind(e.kind()))
                    }
                    (Some(Err(e)), _) => Err(e),
                    (None, Some(e)) => {
                        Err(StoreError::new(format!("the write could not start: {e}"))
                            .with_kind(e.kind()))
                    }
                    (None, None) => Err(StoreError::new("the write could not start")),
                };
                let _ = answer.send(out);
            });
            (ok, deliver)
        });
        self.jobs
            .send(Job { durability, run })
            .map_err(|_| StoreError::new("the SQLite writer thread has stopped"))?;
        answered
            .await
            .map_err(|_| StoreError::new("the SQLite writer thread dropped a write"))?
    }
}

fn write_loop(conn: Connection, queue: &mpsc::Receiver<Job>, durable_commits: bool) {
    let mut level = None;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let durable = durable_commits && batch.iter().any(|j| j.durability == Durability::Durable);
        let outcome = commit_batch(&conn, batch, durable, &mut level);
        for (deliver, result) in outcome {
            deliver(result.as_ref());
        }
    }
}

/// Runs a batch in one transaction; returns each job's answer and the
/// commit's error, if it failed.
fn commit_batch(
    conn: &Connection,
    batch: Vec<Job>,
    durable: bool,
    level: &mut Option<bool>,
) -> Vec<(Deliver, Option<StoreError>)> {
    let begin = set_level(conn, durable, level).and_then(|()| {
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from)
    });
    if let Err(e) = begin {
        let (message, kind) = (e.to_string(), e.kind());
        return batch
            .into_iter()
            .map(|job| {
                // Nothing ran: each caller hears why.
                let (_, deliver) = (job.run)(None);
                (
                    deliver,
                    Some(StoreError::new(message.clone()).with_kind(kind)),
                )
            })
            .collect();
    }
    let mut deliveries = Vec::with_capacity(batch.len());
    for job in batch {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            deliveries.push(((job.run)(None).1, Some(StoreError::from(e))));
            continue;
        }
        let (ok, deliver) = (job.run)(Some(conn));
        let end = if ok {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        let _ = conn.execute_batch(end);
        deliveries.push((deliver, None));
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => deliveries,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            let failed = StoreError::from(e);
            let (message, kind) = (failed.to_string(), failed.kind());
            deliveries
                .into_iter()
                .map(|(deliver, own)| {
                    (
                        deliver,
                        own.or_else(|| Some(StoreError::new(message.clone()).with_kind(kind))),
                    )
                })
                .collect()
        }
    }
}

/// `synchronous = FULL` for a batch with a durable write, `NORMAL` else.
fn set_level(conn: &Connection, durable: bool, level: &mut Option<bool>) -> Result<(), StoreError> {
    if *level != Some(durable) {
        let value = if durable { "FULL" } else { "NORMAL" };
        conn.pragma_update(None, "synchronous", value)
            .map_err(StoreError::from)?;
        *level = Some(durable);
    }
    Ok(())
}
