//! Waiting for a task: the [`Poller`], a `Stream` of statuses that is also
//! a future of the [`Outcome`].
//!
//! Who picks each pause: [`trend`] the client's own (aimed from progress,
//! or the gentle schedule), [`next_poll`] the final one (against the
//! server's `Retry-After`, long polling and the deadline), and [`wait`]
//! runs the loop that sleeps it and asks again.

mod next_poll;
mod options;
mod outcome;
mod trend;
mod wait;

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{Stream, StreamExt};

pub use next_poll::{DelaySource, NextPoll};
pub use options::PollOptions;
pub use outcome::Outcome;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::TaskStatus;
use crate::task_ref::TaskRef;
use wait::Wait;

/// One status observed while waiting, and what the poller will do next.
#[derive(Debug, Clone, PartialEq)]
pub struct PollUpdate {
    status: TaskStatus,
    next: Option<NextPoll>,
}

impl PollUpdate {
    pub(crate) fn new(status: TaskStatus, next: Option<NextPoll>) -> Self {
        PollUpdate { status, next }
    }

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
    task: TaskRef,
    state: State,
}

/// Where a [`Poller`] is. A client may wait for a hundred thousand tasks
/// at once, so a wait keeps little between steps: the wait's own state,
/// and a step's future only while that step runs (a request, a pause, a
/// registration). A wait listening to the event stream runs no step at
/// all: its news is polled in place.
enum State {
    /// Not started: the settings may still change (`None`: the client's).
    Unstarted {
        client: Client,
        options: Option<Box<PollOptions>>,
    },
    /// Between steps, or listening to the event stream.
    Idle(Box<Wait>),
    /// A step in progress; it owns the wait until it ends.
    Stepping(Pin<Box<dyn Future<Output = Step> + Send>>),
    Ended,
}

/// What a step gives back: the wait, and what it observed (`None` once
/// the wait has ended).
type Step = (Box<Wait>, Option<Result<PollUpdate>>);

impl fmt::Debug for Poller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Poller");
        d.field("task", &self.task);
        match &self.state {
            State::Unstarted { client, options } => d.field(
                "options",
                options.as_deref().unwrap_or(&client.inner.poll_options),
            ),
            _ => d.field("started", &true),
        };
        d.finish()
    }
}

impl Poller {
    pub(crate) fn new(client: Client, task: TaskRef) -> Self {
        Poller {
            task,
            state: State::Unstarted {
                client,
                options: None,
            },
        }
    }

    /// The task being waited for.
    pub fn task(&self) -> &TaskRef {
        &self.task
    }

    /// The settings, while they may still change (before the first poll).
    fn settings(&mut self) -> Option<&mut PollOptions> {
        match &mut self.state {
            State::Unstarted { client, options } => {
                Some(options.get_or_insert_with(|| Box::new((*client.inner.poll_options).clone())))
            }
            _ => None,
        }
    }

    /// Replaces all settings for this wait.
    pub fn poll_options(mut self, options: PollOptions) -> Self {
        if let Some(o) = self.settings() {
            *o = options;
        }
        self
    }

    /// Gives up after `timeout` with an [`ErrorKind::TimedOut`](crate::ErrorKind::TimedOut) error that
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
        if let Some(o) = self.settings() {
            o.timeout = Some(timeout);
        }
        self
    }

    /// The shortest client-side pause between polls.
    pub fn min_interval(mut self, interval: Duration) -> Self {
        if let Some(o) = self.settings() {
            o.min_interval = interval;
        }
        self
    }

    /// The longest client-side pause between polls.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        if let Some(o) = self.settings() {
            o.max_interval = interval;
        }
        self
    }

    /// The most a server's `Retry-After` may make the poller wait.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        if let Some(o) = self.settings() {
            o.max_retry_after = cap;
        }
        self
    }

    /// The longest the server is asked to hold a status request; `None`
    /// turns long polling off.
    pub fn long_poll_wait(mut self, wait: Option<Duration>) -> Self {
        if let Some(o) = self.settings() {
            o.long_poll_wait = wait;
        }
        self
    }

    /// Give up after this many failed polls in a row.
    pub fn max_consecutive_errors(mut self, errors: u32) -> Self {
        if let Some(o) = self.settings() {
            o.max_consecutive_errors = errors;
        }
        self
    }
}

impl Stream for Poller {
    type Item = Result<PollUpdate>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match std::mem::replace(&mut this.state, State::Ended) {
                State::Unstarted { client, options } => {
                    let options = options
                        .map_or_else(|| Arc::clone(&client.inner.poll_options), |o| Arc::new(*o));
                    match Wait::start(&client, &this.task, options) {
                        Ok(wait) => this.state = State::Idle(Box::new(wait)),
                        // Bad settings or an unusable status URL end the
                        // wait at once.
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    }
                }
                State::Idle(mut wait) => {
                    if wait.listening() {
                        match wait.poll_pushed(cx) {
                            Poll::Pending => {
                                this.state = State::Idle(wait);
                                return Poll::Pending;
                            }
                            Poll::Ready(Some(update)) => {
                                this.state = State::Idle(wait);
                                return Poll::Ready(Some(update));
                            }
                            // A status request is due: a step makes it.
                            Poll::Ready(None) => {}
                        }
                    }
                    this.state = State::Stepping(Box::pin(async move {
                        let update = wait.next().await;
                        (wait, update)
                    }));
                }
                State::Stepping(mut step) => match step.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Stepping(step);
                        return Poll::Pending;
                    }
                    Poll::Ready((wait, Some(update))) => {
                        this.state = State::Idle(wait);
                        return Poll::Ready(Some(update));
                    }
                    Poll::Ready((_, None)) => return Poll::Ready(None),
                },
                State::Ended => return Poll::Ready(None),
            }
        }
    }
}

impl IntoFuture for Poller {
    type Output = Result<Outcome>;
    type IntoFuture = PollerFuture;

    fn into_future(self) -> PollerFuture {
        PollerFuture { poller: self }
    }
}

/// Awaiting a [`Poller`]: the task's [`Outcome`], or the error that ended
/// the wait. A named future rather than a boxed one, so a program waiting
/// for many tasks carries no extra allocation per wait.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct PollerFuture {
    poller: Poller,
}

impl Future for PollerFuture {
    type Output = Result<Outcome>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Outcome>> {
        loop {
            match std::task::ready!(self.poller.poll_next_unpin(cx)) {
                Some(Ok(update)) => {
                    if let Some(outcome) = Outcome::from_status(update.into_status()) {
                        return Poll::Ready(Ok(outcome));
                    }
                }
                Some(Err(e)) => return Poll::Ready(Err(e)),
                // The loop always ends with a terminal status or an error.
                None => {
                    return Poll::Ready(Err(Error::protocol(
                        "the status stream ended before the task finished",
                    )
                    .with_task(self.poller.task.clone())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
