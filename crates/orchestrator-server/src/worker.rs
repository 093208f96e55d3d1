//! The workers: the queue mechanics around a run. A worker claims a pending
//! task, runs its action (for `analyze-document`, the pipeline in
//! [`crate::document`]) with progress checkpoints, and records the outcome.
//! At every checkpoint a run stops if the task was cancelled or the server
//! is shutting down (then the task goes back in the queue).

use std::sync::Arc;
use std::time::Duration;

use orchestrator::{AnalyzeDocument, TaskError};
use serde_json::Value;
use tokio::sync::{Notify, watch};

use crate::document::{self, Checkpoints, DocumentError, Fetcher};
use crate::hub::Hub;
use crate::store::{Finish, StoreError, TaskRecord, TaskStore};
use crate::timestamps::now_ms;

/// How long an idle worker sleeps before looking for work on its own, in case
/// a wake-up was missed (another instance sharing the database, say).
const IDLE_RECHECK: Duration = Duration::from_secs(1);

/// What the workers share.
pub(crate) struct WorkerContext {
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) hub: Arc<Hub>,
    pub(crate) fetcher: Fetcher,
    /// Woken when a task is queued.
    pub(crate) queued: Arc<Notify>,
    /// Becomes `true` when the server shuts down.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// Extra time each task takes, spread over its checkpoints.
    pub(crate) work_delay: Duration,
}

/// Why a run ended without a result.
#[derive(Debug)]
enum Halt {
    /// The task was cancelled: its progress write found it no longer running.
    Cancelled,
    /// The server is shutting down: the task goes back in the queue.
    Shutdown,
    /// The task cannot succeed; this is why.
    Failed(TaskError),
    /// The store failed while the run recorded progress.
    Store(StoreError),
}

impl From<DocumentError> for Halt {
    fn from(e: DocumentError) -> Self {
        Halt::Failed(e.into())
    }
}

/// Runs one worker until shutdown.
pub(crate) async fn run_worker(ctx: Arc<WorkerContext>, index: usize) {
    let mut shutdown = ctx.shutdown.clone();
    loop {
        if *shutdown.borrow() {
            break;
        }
        match ctx.store.claim_next(now_ms()).await {
            Ok(Some(task)) => run_task(&ctx, task).await,
            Ok(None) => {
                tokio::select! {
                    () = ctx.queued.notified() => {}
                    () = tokio::time::sleep(IDLE_RECHECK) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(worker = index, error = %e, "could not claim a task");
                tokio::time::sleep(IDLE_RECHECK).await;
            }
        }
    }
    tracing::debug!(worker = index, "worker stopped");
}

async fn run_task(ctx: &WorkerContext, task: TaskRecord) {
    tracing::info!(task = %task.id, attempt = task.attempts, "task started");
    ctx.hub.notify(&task.id);
    let mut run = Run {
        ctx,
        id: task.id.clone(),
        progress: 0,
        shutdown: ctx.shutdown.clone(),
    };
    let finish = match execute(&task, &mut run).await {
        Ok(result) => Finish::Completed(result),
        Err(Halt::Failed(error)) => Finish::Failed(error),
        Err(Halt::Store(e)) => {
            // The cause stays in the log; the task's error says only what happened.
            tracing::error!(task = %task.id, error = %e, "could not record progress; failing the task");
            Finish::Failed(TaskError::new(
                "INTERNAL",
                "the server could not record the task's progress",
            ))
        }
        Err(Halt::Cancelled) => {
            tracing::info!(task = %task.id, "task cancelled; worker stopped at a checkpoint");
            return;
        }
        Err(Halt::Shutdown) => {
            tracing::info!(task = %task.id, "shutting down; task goes back in the queue");
            if let Err(e) = ctx.store.release(&task.id, now_ms()).await {
                tracing::error!(task = %task.id, error = %e, "could not re-queue; it will be re-queued at the next start");
            }
            ctx.hub.notify(&task.id);
            return;
        }
    };
    let failed = matches!(finish, Finish::Failed(_));
    match ctx.store.finish(&task.id, finish, now_ms()).await {
        Ok(true) => tracing::info!(task = %task.id, failed, "task finished"),
        Ok(false) => tracing::info!(task = %task.id, "task was cancelled before it finished"),
        Err(e) => {
            tracing::error!(task = %task.id, error = %e, "could not record the outcome; the task will run again after a restart")
        }
    }
    ctx.hub.notify(&task.id);
}

/// Runs the task's action.
async fn execute(task: &TaskRecord, run: &mut Run<'_>) -> Result<Value, Halt> {
    match task.action.as_str() {
        "analyze-document" => {
            let request: AnalyzeDocument = serde_json::from_value(task.input.clone())
                .map_err(|e| Halt::Failed(TaskError::new("INVALID_INPUT", e.to_string())))?;
            let result = document::analyze_document(&run.ctx.fetcher, &request, run).await?;
            serde_json::to_value(result).map_err(|e| {
                Halt::Failed(TaskError::new(
                    "INTERNAL",
                    format!("the result could not be encoded: {e}"),
                ))
            })
        }
        other => Err(Halt::Failed(TaskError::new(
            "UNKNOWN_ACTION",
            format!("this server has no action `{other}`"),
        ))),
    }
}

/// One task's run, as the pipeline's checkpoints see it.
struct Run<'a> {
    ctx: &'a WorkerContext,
    id: String,
    progress: u8,
    shutdown: watch::Receiver<bool>,
}

impl Checkpoints for Run<'_> {
    type Halt = Halt;

    /// Records progress (when it moved), paces the work, and stops if the
    /// task was cancelled or the server is shutting down.
    async fn reached(&mut self, percent: u8) -> Result<(), Halt> {
        if *self.shutdown.borrow() {
            return Err(Halt::Shutdown);
        }
        if percent > self.progress {
            self.progress = percent;
            match self
                .ctx
                .store
                .set_progress(&self.id, percent, now_ms())
                .await
            {
                Ok(true) => self.ctx.hub.notify(&self.id),
                Ok(false) => return Err(Halt::Cancelled),
                Err(e) => return Err(Halt::Store(e)),
            }
        }
        let pause = self.ctx.work_delay / document::CHECKPOINTS;
        if !pause.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = self.shutdown.changed() => return Err(Halt::Shutdown),
            }
        }
        Ok(())
    }
}
