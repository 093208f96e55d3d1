//! Waiting for a task: a `Stream` of statuses that is also a future of the outcome.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::client::Client;
use crate::delay::{Backoff, DelaySource, NextPoll, choose_delay};
use crate::error::{Error, ErrorKind, Result};
use crate::models::TaskStatus;
use crate::options::PollOptions;
use crate::outcome::Outcome;
use crate::retry_after::retry_after;
use crate::submit::first_delay;
use crate::task_ref::TaskRef;
use crate::transport::Outgoing;

const PREFER: HeaderName = HeaderName::from_static("prefer");
const PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

/// The shortest timeout given to a status request near the deadline, so a
/// last look still has a chance to succeed.
const MIN_REQUEST_TIMEOUT: Duration = Duration::from_millis(100);

/// One status observed while waiting, and what the poller will do next.
#[derive(Debug, Clone, PartialEq)]
pub struct PollUpdate {
    status: TaskStatus,
    next: Option<NextPoll>,
}

impl PollUpdate {
    /// The status the server sent.
    pub fn status(&self) -> &TaskStatus {
        &self.status
    }

    /// Consumes the update, returning the status.
    pub fn into_status(self) -> TaskStatus {
        self.status
    }

    /// The pause before the next poll and why it was chosen; `None` once the
    /// task has finished.
    pub fn next_poll(&self) -> Option<NextPoll> {
        self.next
    }

    /// The pause before the next poll (`None` once the task has finished).
    pub fn next_delay(&self) -> Option<Duration> {
        self.next.map(|n| n.delay)
    }

    /// Whether that pause came from the server (`Retry-After`, long polling)
    /// or from the client's backoff.
    pub fn delay_source(&self) -> Option<DelaySource> {
        self.next.map(|n| n.source)
    }
}

/// Waits for a task. Made by [`Client::poll`].
///
/// * As a [`Stream`] it yields a [`PollUpdate`] for every status the server
///   sends, ending after the terminal one, or with one `Err` if the wait
///   cannot go on (deadline, authentication, task gone, too many errors in a
///   row). Transient failures are retried quietly and yield nothing.
/// * Awaited (it is [`IntoFuture`]) it returns the final [`Outcome`].
///
/// Dropping it stops polling. The settings start as the client's
/// [`PollOptions`] and can be changed per wait before the first poll.
///
/// ```no_run
/// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
/// use futures_util::StreamExt;
///
/// let mut poller = client.poll("task-123");
/// while let Some(update) = poller.next().await {
///     let update = update?;
///     println!(
///         "{} {:?} (next look in {:?})",
///         update.status().state(),
///         update.status().progress_percent(),
///         update.next_delay(),
///     );
/// }
/// # Ok(()) }
/// ```
#[must_use = "a poller does nothing until it is awaited or polled as a stream"]
pub struct Poller {
    client: Client,
    task: TaskRef,
    options: PollOptions,
    running: Option<BoxStream<'static, Result<PollUpdate>>>,
}

impl fmt::Debug for Poller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("task", &self.task)
            .field("options", &self.options)
            .field("started", &self.running.is_some())
            .finish()
    }
}

impl Poller {
    pub(crate) fn new(client: Client, task: TaskRef) -> Self {
        let options = client.inner.poll_options.clone();
        Poller {
            client,
            task,
            options,
            running: None,
        }
    }

    /// The task being waited for.
    pub fn task(&self) -> &TaskRef {
        &self.task
    }

    /// Replaces all settings for this wait.
    pub fn options(mut self, options: PollOptions) -> Self {
        self.options = options;
        self
    }

    /// Gives up after `timeout` with an [`ErrorKind::TimedOut`] error that
    /// names the task (which keeps running on the server).
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) {
    /// use std::time::Duration;
    /// match client.poll("task-123").timeout(Duration::from_secs(90)).await {
    ///     Ok(outcome) => println!("{}", outcome.status().state()),
    ///     Err(e) if e.is_timeout() => println!("still running; resume with {}", e.task().unwrap()),
    ///     Err(e) => println!("{e}"),
    /// }
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The shortest client-side pause between polls.
    pub fn min_interval(mut self, interval: Duration) -> Self {
        self.options.min_interval = interval;
        self
    }

    /// The longest client-side pause between polls.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.options.max_interval = interval;
        self
    }

    /// The most a server's `Retry-After` may make the poller wait.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.options.max_retry_after = cap;
        self
    }

    /// The longest the server is asked to hold a status request; `None`
    /// turns long polling off.
    pub fn long_poll_wait(mut self, wait: Option<Duration>) -> Self {
        self.options.long_poll_wait = wait;
        self
    }

    /// Give up after this many failed polls in a row.
    pub fn max_consecutive_errors(mut self, errors: u32) -> Self {
        self.options.max_consecutive_errors = errors;
        self
    }

    fn start(&mut self) -> &mut BoxStream<'static, Result<PollUpdate>> {
        self.running.get_or_insert_with(|| {
            let state = PollLoop::new(self.client.clone(), self.task.clone(), self.options.clone());
            stream::unfold(state, |mut state| async move {
                let item = state.next().await?;
                Some((item, state))
            })
            .boxed()
        })
    }
}

impl Stream for Poller {
    type Item = Result<PollUpdate>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.start().poll_next_unpin(cx)
    }
}

impl IntoFuture for Poller {
    type Output = Result<Outcome>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Outcome>> + Send>>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            while let Some(update) = self.next().await {
                if let Some(outcome) = Outcome::from_status(update?.into_status()) {
                    return Ok(outcome);
                }
            }
            // The loop always ends with a terminal status or an error.
            Err(
                Error::protocol("the status stream ended before the task finished")
                    .with_task(self.task.clone()),
            )
        })
    }
}

/// The state of one wait.
struct PollLoop {
    client: Client,
    task: TaskRef,
    options: PollOptions,
    url: Option<Url>,
    started: Duration,
    backoff: Backoff,
    /// The pause before the next request.
    pending: Duration,
    last: Option<TaskStatus>,
    errors: u32,
    /// The acceptance body's status, yielded before the first request.
    initial: Option<TaskStatus>,
    done: bool,
}

impl PollLoop {
    fn new(client: Client, task: TaskRef, options: PollOptions) -> Self {
        let started = client.inner.clock.elapsed();
        let backoff = Backoff::new(options.min_interval, options.max_interval);
        let (pending, initial) = match task.accepted() {
            Some(a) => (first_delay(a, options.max_retry_after), a.status().cloned()),
            None => (Duration::ZERO, None),
        };
        PollLoop {
            client,
            task,
            options,
            url: None,
            started,
            backoff,
            pending,
            last: None,
            errors: 0,
            initial,
            done: false,
        }
    }

    fn time_left(&self) -> Option<Duration> {
        let spent = self
            .client
            .inner
            .clock
            .elapsed()
            .saturating_sub(self.started);
        self.options.timeout.map(|t| t.saturating_sub(spent))
    }

    fn finish(&mut self, error: Error) -> Option<Result<PollUpdate>> {
        self.done = true;
        Some(Err(error.with_task(self.task.clone())))
    }

    async fn next(&mut self) -> Option<Result<PollUpdate>> {
        if self.done {
            return None;
        }
        if self.url.is_none() {
            if let Err(e) = self.options.validate() {
                return self.finish(e);
            }
            match self.client.status_url(&self.task) {
                Ok(url) => self.url = Some(url),
                Err(e) => return self.finish(e),
            }
        }
        if let Some(status) = self.initial.take() {
            // The acceptance itself was an observation: report it first. The
            // first request goes after the acceptance's Retry-After, or at
            // once (with long polling, the server does the waiting).
            let mut next = NextPoll {
                delay: self.pending,
                source: if self.pending.is_zero() {
                    DelaySource::Backoff
                } else {
                    DelaySource::RetryAfter
                },
            };
            if let Some(left) = self.time_left().filter(|l| *l < next.delay) {
                next = NextPoll {
                    delay: left,
                    source: DelaySource::Deadline,
                };
            }
            return Some(Ok(self.observed(status, |_, _| next)));
        }
        loop {
            let left = self.time_left();
            let pause = left.map_or(self.pending, |l| self.pending.min(l));
            if !pause.is_zero() {
                self.client.inner.clock.sleep(pause).await;
            }
            if self.time_left().is_some_and(|l| l.is_zero()) {
                return self.finish(self.timed_out());
            }
            let (result, hint, held) = self.request().await;
            match result {
                Ok(status) => {
                    self.errors = 0;
                    let update = self.observed(status, |this, changed| {
                        // A server that claims to have waited but answered at
                        // once with nothing new would make the client spin;
                        // that counts as ordinary polling.
                        let waited =
                            held.is_some_and(|took| changed || took >= this.options.min_interval);
                        let backoff = this.backoff.next_delay();
                        choose_delay(&this.options, backoff, hint, waited, this.time_left())
                    });
                    return Some(Ok(update));
                }
                Err(e) if e.is_transient() => {
                    self.errors += 1;
                    if self.errors >= self.options.max_consecutive_errors {
                        let n = self.errors;
                        return self
                            .finish(e.context(format!("gave up after {n} failed polls in a row")));
                    }
                    let next = choose_delay(
                        &self.options,
                        self.backoff.next_delay(),
                        hint,
                        false,
                        self.time_left(),
                    );
                    tracing::warn!(task = %self.task, error = %e, errors = self.errors, delay = ?next.delay, "poll failed; retrying");
                    self.pending = next.delay;
                }
                Err(e) => return self.finish(e),
            }
        }
    }

    /// Records an observed status and chooses the pause after it with
    /// `choose(self, changed)`, where `changed` says whether state or
    /// progress moved since the last observation.
    fn observed(
        &mut self,
        status: TaskStatus,
        choose: impl FnOnce(&mut Self, bool) -> NextPoll,
    ) -> PollUpdate {
        let changed = self
            .last
            .as_ref()
            .is_none_or(|last| status.differs_from(last));
        if changed && self.last.is_some() {
            // Signs of life: look again soon rather than at the backed-off pace.
            self.backoff.reset();
        }
        let next = if status.is_terminal() {
            self.done = true;
            None
        } else {
            let next = choose(self, changed);
            self.pending = next.delay;
            Some(next)
        };
        self.last = Some(status.clone());
        PollUpdate { status, next }
    }

    /// One status request: the decoded status or error, the server's
    /// `Retry-After`, and — when the server says it applied `Prefer: wait` —
    /// how long it held the request.
    async fn request(&mut self) -> (Result<TaskStatus>, Option<Duration>, Option<Duration>) {
        let Some(url) = self.url.clone() else {
            return (Err(Error::invalid_input("no status URL")), None, None);
        };
        let inner = &self.client.inner;
        let left = self.time_left();
        let mut outgoing = Outgoing::default();
        let mut timeout = inner.request_timeout;
        if let Some(wait) = self.options.long_poll_seconds(left) {
            if let Ok(v) = HeaderValue::from_str(&format!("wait={wait}")) {
                outgoing.headers.insert(PREFER, v);
            }
            // The server may hold the request for `wait`: allow for that.
            timeout += Duration::from_secs(wait);
        }
        // A hung request must not carry the wait past its deadline.
        if let Some(left) = left {
            timeout = timeout.min(left.max(MIN_REQUEST_TIMEOUT));
        }
        outgoing.timeout = Some(timeout);
        let reply = match inner.send(Method::GET, &url, outgoing).await {
            Ok(reply) => reply,
            Err(failure) => return (Err(failure.error.with_task(self.task.clone())), None, None),
        };
        let hint = retry_after(&reply.headers, inner.clock.now());
        let held = preference_applied(&reply.headers).then_some(reply.elapsed);
        let result = self
            .client
            .decode_status(&Method::GET, &url, &self.task, &reply);
        (result, hint, held)
    }

    fn timed_out(&self) -> Error {
        let waited = self.options.timeout.unwrap_or_default();
        let state = match &self.last {
            Some(s) => match s.progress_percent() {
                Some(p) => format!("still {} ({p:.0}%)", s.state()),
                None => format!("still {}", s.state()),
            },
            None => "not yet seen".to_owned(),
        };
        Error::new(
            ErrorKind::TimedOut,
            format!(
                "task `{}` is {state} after waiting {waited:?}; it keeps running on the server — wait again to resume",
                self.task
            ),
        )
    }
}

/// Whether the server says it honoured `Prefer: wait` (RFC 7240 §3).
fn preference_applied(headers: &HeaderMap) -> bool {
    headers
        .get_all(PREFERENCE_APPLIED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().to_ascii_lowercase().starts_with("wait"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preference_applied_is_read_among_other_preferences() {
        let mut h = HeaderMap::new();
        assert!(!preference_applied(&h));
        h.insert(
            PREFERENCE_APPLIED,
            HeaderValue::from_static("return=minimal, wait=10"),
        );
        assert!(preference_applied(&h));
        h.insert(
            PREFERENCE_APPLIED,
            HeaderValue::from_static("respond-async"),
        );
        assert!(!preference_applied(&h));
    }

    #[test]
    fn updates_say_nothing_about_a_next_poll_once_finished() {
        let s = TaskStatus::from_json(serde_json::json!({"status": "COMPLETED"})).unwrap();
        let u = PollUpdate {
            status: s,
            next: None,
        };
        assert_eq!(u.next_delay(), None);
        assert_eq!(u.delay_source(), None);
    }
}
