//! The workers: claim a pending task, run it with progress checkpoints, record
//! the outcome. At every checkpoint a worker stops if the task was cancelled
//! or the server is shutting down (then the task goes back in the queue).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Notify, watch};
use url::Url;

use super::clock::now_ms;
use super::document::{Analyzer, DOCUMENT_EMPTY, DocumentError, Fetcher, MediaType, extract_text};
use super::hub::Hub;
use super::store::{Finish, TaskRecord, TaskStore};

/// How many progress checkpoints the analysis is split into.
const ANALYSIS_STEPS: usize = 40;
/// Progress after fetching, and after extracting text.
const FETCHED: u8 = 10;
const EXTRACTED: u8 = 20;
/// How long an idle worker sleeps before looking for work on its own, in case
/// a wake-up was missed (another instance sharing the database, say).
const IDLE_RECHECK: Duration = Duration::from_secs(1);

/// What the workers share.
pub(crate) struct WorkerContext {
    pub store: Arc<dyn TaskStore>,
    pub hub: Arc<Hub>,
    pub fetcher: Fetcher,
    /// Woken when a task is queued.
    pub queued: Arc<Notify>,
    /// Becomes `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
    pub work_delay: Duration,
}

/// Why a run stopped before finishing.
enum Stop {
    Cancelled,
    Shutdown,
    Store(String),
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
    let finish = match run.execute(&task).await {
        Ok(result) => Finish::Completed(result),
        Err(Err(e)) => Finish::Failed {
            code: e.code.to_owned(),
            message: e.message,
        },
        Err(Ok(Stop::Cancelled)) => {
            tracing::info!(task = %task.id, "task cancelled; worker stopped at a checkpoint");
            return;
        }
        Err(Ok(Stop::Shutdown)) => {
            tracing::info!(task = %task.id, "shutting down; task goes back in the queue");
            if let Err(e) = ctx.store.release(&task.id, now_ms()).await {
                tracing::error!(task = %task.id, error = %e, "could not re-queue; it will be re-queued at the next start");
            }
            ctx.hub.notify(&task.id);
            return;
        }
        Err(Ok(Stop::Store(e))) => Finish::Failed {
            code: "INTERNAL".to_owned(),
            message: format!("the server could not record progress: {e}"),
        },
    };
    let failed = matches!(finish, Finish::Failed { .. });
    match ctx.store.finish(&task.id, finish, now_ms()).await {
        Ok(true) => tracing::info!(task = %task.id, failed, "task finished"),
        Ok(false) => tracing::info!(task = %task.id, "task was cancelled before it finished"),
        Err(e) => {
            tracing::error!(task = %task.id, error = %e, "could not record the outcome; the task will run again after a restart")
        }
    }
    ctx.hub.notify(&task.id);
}

struct Run<'a> {
    ctx: &'a WorkerContext,
    id: String,
    progress: u8,
    shutdown: watch::Receiver<bool>,
}

/// `Err(Ok(stop))` stops without an outcome; `Err(Err(e))` fails the task.
type RunResult<T> = Result<T, Result<Stop, DocumentError>>;

impl Run<'_> {
    async fn execute(&mut self, task: &TaskRecord) -> RunResult<Value> {
        match task.action.as_str() {
            "analyze-document" => self.analyze_document(&task.input).await,
            other => Err(Err(DocumentError::new(
                "UNKNOWN_ACTION",
                format!("this server has no action `{other}`"),
            ))),
        }
    }

    async fn analyze_document(&mut self, input: &Value) -> RunResult<Value> {
        let raw = input
            .get("document_url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let url = Url::parse(raw).map_err(|e| {
            Err(DocumentError::new(
                "INVALID_INPUT",
                format!("document_url is not a URL: {e}"),
            ))
        })?;
        self.checkpoint(1).await?;

        let document = self.ctx.fetcher.fetch(&url).await.map_err(Err)?;
        self.checkpoint(FETCHED).await?;

        let media =
            MediaType::resolve(document.declared_type.as_deref(), &document.bytes).map_err(Err)?;
        let bytes = document.bytes;
        let text = tokio::task::spawn_blocking(move || extract_text(media, &bytes))
            .await
            .map_err(|e| Ok(Stop::Store(format!("text extraction crashed: {e}"))))?
            .map_err(Err)?;
        let sentences = Analyzer::split_sentences(&text);
        if sentences.is_empty() {
            return Err(Err(DocumentError::new(
                DOCUMENT_EMPTY,
                "the document contains no text to analyse",
            )));
        }
        self.checkpoint(EXTRACTED).await?;

        // Always the same number of checkpoints (some may be empty for a
        // short document), so --work-delay-ms paces every task alike.
        let mut analyzer = Analyzer::default();
        let n = sentences.len();
        for step in 0..ANALYSIS_STEPS {
            analyzer.feed(&sentences[step * n / ANALYSIS_STEPS..(step + 1) * n / ANALYSIS_STEPS]);
            let done = (step + 1) as f64 / ANALYSIS_STEPS as f64;
            let percent = EXTRACTED + ((99 - EXTRACTED) as f64 * done) as u8;
            self.checkpoint(percent).await?;
        }
        let analysis = analyzer.finish();
        let mut result =
            serde_json::to_value(&analysis).map_err(|e| Ok(Stop::Store(e.to_string())))?;
        result["media_type"] = Value::from(media.essence());
        Ok(result)
    }

    /// Records progress (when it moved), paces the work, and stops if the
    /// task was cancelled or the server is shutting down.
    async fn checkpoint(&mut self, percent: u8) -> RunResult<()> {
        if *self.shutdown.borrow() {
            return Err(Ok(Stop::Shutdown));
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
                Ok(false) => return Err(Ok(Stop::Cancelled)),
                Err(e) => return Err(Ok(Stop::Store(e.to_string()))),
            }
        }
        let pause = self.pause();
        if !pause.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = self.shutdown.changed() => return Err(Ok(Stop::Shutdown)),
            }
        }
        Ok(())
    }

    /// `--work-delay-ms` spread over the checkpoints of a run.
    fn pause(&self) -> Duration {
        // 1 + fetched + extracted + the analysis steps.
        self.ctx.work_delay / (ANALYSIS_STEPS as u32 + 3)
    }
}
