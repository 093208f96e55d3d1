//! The workers: the queue mechanics around a run. A worker claims a pending
//! task, runs its action (for `analyze-document`, the pipeline in
//! [`crate::document`]) with progress checkpoints, and records the outcome.
//! At every checkpoint a run stops if the task was cancelled or the server
//! is shutting down (then the task goes back in the queue).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use orchestrator::clock::Clock;
use orchestrator::{AnalyzeDocument, TaskError};
use serde_json::Value;
use tokio::sync::watch;

use crate::document::{self, Checkpoints, DocumentError, Fetcher};
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use crate::store::{Claim, Finish, RunRef, TaskRecord};
use crate::timestamps::millis;

/// Progress is written at most this often per run: a long poll answers
/// progress at most once a second anyway, and on a shared database every
/// write is a round trip (43 of them made a fast task take ~90 ms of
/// PostgreSQL time). A write is also where a run learns it was cancelled,
/// so this bounds how late a cancel is noticed, beside the checkpoint pace.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How long an idle worker sleeps before looking for work on its own, in case
/// a wake-up was missed (another instance sharing the database, say).
const IDLE_RECHECK: Duration = Duration::from_secs(1);

/// What the workers share.
pub(crate) struct WorkerContext {
    /// Every claim and write of a run goes through here, and is published.
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) fetcher: Fetcher,
    /// Becomes `true` when the server shuts down.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// Extra time each task takes, spread over its checkpoints.
    pub(crate) work_delay: Duration,
    /// This server instance, as recorded on the tasks it claims.
    pub(crate) instance: String,
    /// How long a claim holds without progress or a heartbeat.
    pub(crate) lease: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    /// For the document fetch failures; task changes count themselves.
    pub(crate) metrics: Metrics,
    /// The runs in progress here, for the heartbeat.
    pub(crate) active: ActiveRuns,
}

impl WorkerContext {
    fn now(&self) -> i64 {
        millis(&*self.clock)
    }
}

/// The runs this instance is working on, each with a flag the heartbeat
/// raises when the run has lost its task (its lease was taken back).
#[derive(Debug, Default, Clone)]
pub(crate) struct ActiveRuns(Arc<Mutex<HashMap<RunRef, Arc<AtomicBool>>>>);

impl ActiveRuns {
    fn start(&self, run: RunRef) -> Arc<AtomicBool> {
        let lost = Arc::new(AtomicBool::new(false));
        self.lock().insert(run, lost.clone());
        lost
    }

    fn end(&self, run: &RunRef) {
        self.lock().remove(run);
    }

    /// The runs to renew.
    pub(crate) fn runs(&self) -> Vec<RunRef> {
        self.lock().keys().cloned().collect()
    }

    /// Tells `run`'s worker to stop at its next checkpoint.
    pub(crate) fn lost(&self, run: &RunRef) {
        if let Some(flag) = self.lock().get(run) {
            flag.store(true, Ordering::Relaxed);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RunRef, Arc<AtomicBool>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Why a run ended without a result.
#[derive(Debug)]
enum Halt {
    /// The run no longer owns the task: it was cancelled (its progress
    /// write found it no longer running), or its lease was taken back.
    Lost,
    /// The server is shutting down: the task goes back in the queue.
    Shutdown,
    /// The task cannot succeed; this is why.
    Failed(TaskError),
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
        let claim = Claim {
            instance: ctx.instance.clone(),
            lease: ctx.lease,
            now: ctx.now(),
        };
        match ctx.lifecycle.claim(&claim).await {
            Ok(Some(task)) => run_task(&ctx, task).await,
            Ok(None) => {
                tokio::select! {
                    () = ctx.lifecycle.queued().notified() => {}
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
    let run_ref = task.run();
    let lost = ctx.active.start(run_ref.clone());
    let mut run = Run {
        ctx,
        run: run_ref.clone(),
        progress: 0,
        written: None,
        shutdown: ctx.shutdown.clone(),
        lost,
    };
    let outcome = execute(&task, &mut run).await;
    ctx.active.end(&run_ref);
    let finish = match outcome {
        Ok(result) => Finish::Completed(result),
        Err(Halt::Failed(error)) => {
            if error.code.starts_with("DOCUMENT_") || error.code == "UNSUPPORTED_MEDIA_TYPE" {
                ctx.metrics.fetch_failed(&error.code);
            }
            Finish::Failed(error)
        }
        Err(Halt::Lost) => {
            tracing::info!(task = %task.id, "the run no longer owns the task (cancelled, or its lease was taken back); stopped at a checkpoint");
            return;
        }
        Err(Halt::Shutdown) => {
            tracing::info!(task = %task.id, "shutting down; task goes back in the queue");
            if let Err(e) = ctx.lifecycle.release(&run_ref, ctx.now()).await {
                tracing::error!(task = %task.id, error = %e, "could not re-queue; its lease will expire and it will run again");
            }
            return;
        }
    };
    let outcome = match &finish {
        Finish::Completed(_) => "completed",
        Finish::Failed(_) => "failed",
    };
    // A database blip must not cost the task its work: the finish is tried
    // again, a little later each time, for as long as half the lease (the
    // heartbeat keeps the lease meanwhile), before the run is given up.
    let give_up_at = tokio::time::Instant::now() + ctx.lease / 2;
    let mut pause = FINISH_RETRY_FIRST;
    let mut tries = 1;
    loop {
        match ctx
            .lifecycle
            .finish(&run_ref, finish.clone(), ctx.now())
            .await
        {
            Ok(true) => {
                tracing::info!(task = %task.id, outcome, tries, "task finished");
                return;
            }
            Ok(false) => {
                tracing::info!(task = %task.id, "the run lost the task before it finished");
                return;
            }
            Err(e) if e.is_transient() && tokio::time::Instant::now() + pause < give_up_at => {
                if tries == 1 {
                    tracing::warn!(task = %task.id, error = %e, "could not record the outcome; trying again");
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(FINISH_RETRY_MAX);
                tries += 1;
            }
            Err(e) => {
                tracing::error!(task = %task.id, error = %e, tries, "could not record the outcome; the task will run again when its lease expires");
                return;
            }
        }
    }
}

/// The first pause before a finish is written again after a passing
/// storage fault, and the longest (the pause doubles in between).
const FINISH_RETRY_FIRST: Duration = Duration::from_millis(100);
const FINISH_RETRY_MAX: Duration = Duration::from_secs(2);

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
    run: RunRef,
    progress: u8,
    /// When progress was last written.
    written: Option<tokio::time::Instant>,
    shutdown: watch::Receiver<bool>,
    /// Raised by the heartbeat when the run's lease was taken back.
    lost: Arc<AtomicBool>,
}

impl Checkpoints for Run<'_> {
    type Halt = Halt;

    /// Paces the work, then records progress (when it moved, at most every
    /// [`PROGRESS_EVERY`], renewing the lease), and stops if the run lost
    /// its task or the server is shutting down.
    ///
    /// The pause comes first so that the figure a client reads is the work
    /// already done: 100 % is reported when the run ends, not one pause
    /// before, and a client extrapolating the rate lands after the finish.
    async fn reached(&mut self, percent: u8, doing: &str) -> Result<(), Halt> {
        let pause = self.ctx.work_delay / document::CHECKPOINTS;
        if !pause.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = self.shutdown.changed() => return Err(Halt::Shutdown),
            }
        }
        if *self.shutdown.borrow() {
            return Err(Halt::Shutdown);
        }
        if self.lost.load(Ordering::Relaxed) {
            return Err(Halt::Lost);
        }
        let due = self.written.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY);
        if percent > self.progress && due {
            self.progress = percent;
            self.written = Some(tokio::time::Instant::now());
            match self
                .ctx
                .lifecycle
                .progress(&self.run, percent, doing, self.ctx.lease, self.ctx.now())
                .await
            {
                Ok(true) => {}
                Ok(false) => return Err(Halt::Lost),
                // Progress is a hint to clients, and the heartbeat keeps the
                // lease: a failed write is logged and the work goes on; the
                // next checkpoint writes the figure again.
                Err(e) => {
                    tracing::warn!(task = %self.run.id, error = %e, "could not record progress; carrying on");
                }
            }
        }
        Ok(())
    }
}
