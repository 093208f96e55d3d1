//! The state machine behind a [`Poller`](crate::Poller): pause, ask, decide
//! the next pause, until the task finishes or the wait cannot go on.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::field::Empty;
use tracing::{Instrument, Span};

use super::PollUpdate;
use super::next_poll::{DelaySource, NextPoll, choose_delay, spread};
use super::options::PollOptions;
use super::trend::{ProgressTrend, pace};
use crate::backoff::Backoff;
use crate::client::Client;
use crate::clock::Sleep;
use crate::error::{Error, ErrorKind, Result};
use crate::events::{Pushed, Subscription};
use crate::models::{TaskState, TaskStatus};
use crate::retry_after::retry_after;
use crate::task_ref::TaskRef;
use crate::transport::{Outgoing, decode_status, record_next, redacted};

const PREFER: HeaderName = HeaderName::from_static("prefer");
const PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

/// The shortest timeout given to a status request near the deadline, so a
/// last look still has a chance to succeed.
const MIN_REQUEST_TIMEOUT: Duration = Duration::from_millis(100);
/// The timeout of the one request a wait makes when its deadline has
/// already passed (`timeout(Duration::ZERO)`: look once): a look asked for
/// must have time to answer.
const LOOK_ONCE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a wait lets the client's event stream take to open before it
/// polls instead.
const LIVE_WAIT: Duration = Duration::from_secs(10);
/// How many times one wait registers with the event stream: a stream that
/// ended is tried once more, then the wait polls.
const MAX_REGISTRATIONS: u8 = 2;
/// The next step of a wait whose events are pushed: no poll is planned.
const PUSHED: NextPoll = NextPoll {
    delay: Duration::ZERO,
    source: DelaySource::EventStream,
};

/// One wait whose settings and status URL were checked when it started.
pub(crate) struct Wait {
    client: Client,
    /// The task; its status URL is resolved again for each request
    /// (checked once at the start) rather than kept: a wait on the event
    /// stream may make one request in all, and a client may hold a
    /// hundred thousand waits.
    task: TaskRef,
    /// Usually the client's own, shared.
    options: Arc<PollOptions>,
    started: Duration,
    /// The pace when the server gives no hint (a gentle backoff).
    schedule: Backoff,
    /// The progress seen so far, to predict the finish from.
    trend: ProgressTrend,
    /// The pace of retries after failed polls (a doubling backoff).
    backoff: Backoff,
    /// The pause before the next request.
    pending: Duration,
    /// What the last observation said, to tell the next one's news by.
    last: Option<Seen>,
    errors: u32,
    /// What the last failed poll met, for a deadline that passes before
    /// any status was read.
    last_failure: Option<String>,
    /// The acceptance body's status, yielded before the first request
    /// (boxed: it is gone after the first step, and a wait with thousands
    /// of siblings should not carry its room for the whole wait).
    initial: Option<Box<TaskStatus>>,
    done: bool,
    /// The wait's span; each request's span is a child of it.
    span: Span,
    /// Status requests sent so far.
    polls: u32,
    /// Whether the server has answered anything yet (the submit's `202`
    /// counts): until it has, connection failures end the wait after
    /// `first_answer_timeout` instead of being ridden out.
    answered: bool,
    /// The wait's registration with the client's event stream.
    push: Option<Subscription>,
    /// A status was read after registering: the stream brings the rest.
    confirmed: bool,
    /// Registrations tried so far.
    registrations: u8,
    /// While the wait listens to the event stream under a deadline: the
    /// sleep that ends it (kept across events, so each costs no timer).
    deadline: Option<Sleep>,
}

/// The part of an observation the next one is compared with: a wait keeps
/// this instead of a copy of the whole status, result and all.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    state: TaskState,
    progress_percent: Option<f64>,
}

impl Seen {
    fn of(status: &TaskStatus) -> Seen {
        Seen {
            state: status.state().clone(),
            progress_percent: status.progress_percent(),
        }
    }
}

/// What one status request brought back.
struct Polled {
    status: Result<TaskStatus>,
    /// Whether an HTTP answer came back (whatever its status).
    answered: bool,
    /// The server's `Retry-After`, if it sent one.
    retry_after: Option<Duration>,
    /// How long the server held the request, when it says it applied
    /// `Prefer: wait`.
    held: Option<Duration>,
    /// The request's span, to record the pause chosen after it.
    span: Span,
}

impl Wait {
    /// Checks the settings and resolves the status URL (against the
    /// client's origin rule), so a wait that cannot work fails before any
    /// request.
    pub(crate) fn start(
        client: &Client,
        task: &TaskRef,
        options: Arc<PollOptions>,
    ) -> Result<Self> {
        let fail = |e: Error| e.with_task(task.clone());
        options.validate().map_err(fail)?;
        let url = client.status_url(task).map_err(fail)?;
        let span = tracing::info_span!(
            "orchestrator.wait",
            task.id = %task,
            url.full = %redacted(&url),
            orchestrator.outcome = Empty,
            orchestrator.polls = Empty,
            orchestrator.wait_ms = Empty,
            error.type = Empty,
        );
        let mut poll = Wait {
            client: client.clone(),
            task: task.clone(),
            options,
            started: client.inner.clock.elapsed(),
            schedule: Backoff::gentle(),
            trend: ProgressTrend::default(),
            backoff: Backoff::doubling(),
            pending: Duration::ZERO,
            last: None,
            errors: 0,
            last_failure: None,
            initial: None,
            done: false,
            span,
            polls: 0,
            answered: task.accepted().is_some(),
            push: None,
            confirmed: false,
            registrations: 0,
            deadline: None,
        };
        if let Some(accepted) = task.accepted() {
            // A resubmit (same Idempotency-Key) of a task that already ended
            // may be answered with its state alone; the wait then reads the
            // whole report once instead of ending without the result.
            if let Some(status) = accepted.status_copy().filter(|s| !lacks_report(s)) {
                poll.trend.observe(accepted.accepted_at(), &status);
                poll.initial = Some(Box::new(status));
            } else if accepted.has_status() {
                poll.pending = Duration::ZERO;
                return Ok(poll);
            }
            let since = poll.started.saturating_sub(accepted.accepted_at());
            poll.pending = match accepted.first_poll_delay(poll.options.max_retry_after) {
                Some(hint) => hint.saturating_sub(since),
                // A server that says nothing about when to look (ours sends
                // `Retry-After: 0` to be asked at once) gets the client's
                // own schedule, not a request that is bound to find the
                // task just as it was.
                None => poll.own_pace().delay,
            };
        }
        Ok(poll)
    }

    /// The pause the client would choose by itself now: aimed from the
    /// progress trend, or the schedule's next step.
    fn own_pace(&mut self) -> NextPoll {
        let step = self
            .schedule
            .next_delay(self.options.min_interval, self.options.max_interval);
        let now = self.client.inner.clock.elapsed();
        pace(&self.options, &self.trend, now, step, fastrand::f64())
    }

    /// The next observation, or the error that ends the wait; `None` once
    /// it has ended.
    pub(crate) async fn next(&mut self) -> Option<Result<PollUpdate>> {
        if self.done {
            return None;
        }
        if let Some(status) = self.initial.take() {
            return Some(Ok(self.first_observation(*status)));
        }
        let span = self.span.clone();
        Some(self.poll_until_observed().instrument(span).await)
    }

    /// Closes the wait's record: how it ended, after how many requests and
    /// how long.
    fn record_end(&self, outcome: &str) {
        let spent = self
            .client
            .inner
            .clock
            .elapsed()
            .saturating_sub(self.started);
        self.span.record("orchestrator.outcome", outcome);
        self.span.record("orchestrator.polls", self.polls);
        self.span.record(
            "orchestrator.wait_ms",
            u64::try_from(spent.as_millis()).unwrap_or(u64::MAX),
        );
    }

    /// How long the wait has lasted.
    fn since_start(&self) -> Duration {
        self.client
            .inner
            .clock
            .elapsed()
            .saturating_sub(self.started)
    }

    /// Whether a server that has never answered has been tried long enough.
    fn unreachable_for_long(&self) -> bool {
        self.since_start() >= self.options.first_answer_timeout
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

    fn fail(&mut self, error: Error) -> Error {
        self.done = true;
        self.span
            .record("error.type", tracing::field::debug(error.kind()));
        self.record_end("error");
        error.with_task(self.task.clone())
    }

    /// The acceptance itself was an observation: report it first. The
    /// first request goes after the acceptance's `Retry-After`, or at once
    /// (with long polling, the server does the waiting).
    fn first_observation(&mut self, status: TaskStatus) -> PollUpdate {
        let hinted = self
            .task
            .accepted()
            .is_some_and(|a| a.retry_after().is_some());
        let mut next = NextPoll {
            delay: self.pending,
            source: if hinted {
                DelaySource::RetryAfter
            } else {
                DelaySource::Backoff
            },
        };
        if let Some(left) = self.time_left().filter(|l| *l < next.delay) {
            next = NextPoll {
                delay: left,
                source: DelaySource::Deadline,
            };
        }
        self.observed(status, next)
    }

    /// Pauses and polls until a status arrives (transient failures are
    /// retried quietly) or the wait has to end.
    async fn poll_until_observed(&mut self) -> Result<PollUpdate> {
        loop {
            if let Some(pushed) = self.pushed().await {
                return pushed;
            }
            let pause = self
                .time_left()
                .map_or(self.pending, |l| self.pending.min(l));
            if !pause.is_zero() {
                self.client.inner.clock.sleep(pause).await;
            }
            // A deadline already reached still gets one look (`--timeout
            // 0s` asks what the task is now), and no more.
            if self.polls > 0 && self.time_left().is_some_and(|l| l.is_zero()) {
                let e = self.timed_out();
                return Err(self.fail(e));
            }
            let look_after_deadline = self.time_left().is_some_and(|l| l.is_zero());
            // Boxed: a wait spends most of its life between requests (or
            // on the event stream), and its future should not carry room
            // for a request in flight all that time.
            let polled = Box::pin(self.poll_once()).await;
            self.answered |= polled.answered;
            match polled.status {
                Ok(status) => {
                    self.errors = 0;
                    self.backoff.reset();
                    let changed = self.changes_something(&status);
                    if changed && self.last.is_some() {
                        // Signs of life: look again soon rather than at the
                        // grown pace.
                        self.schedule.reset();
                    }
                    self.trend
                        .observe(self.client.inner.clock.elapsed(), &status);
                    // A server that claims to have waited but answered at
                    // once with nothing new would make the client spin;
                    // that counts as ordinary polling.
                    let waited = polled
                        .held
                        .is_some_and(|took| changed || took >= self.options.min_interval);
                    let next = if self.push.is_some() {
                        // Read after registering: the stream brings the rest.
                        self.confirmed = true;
                        PUSHED
                    } else {
                        let own = self.own_pace();
                        self.next_pause(own, polled.retry_after, waited)
                    };
                    let update = self.observed(status, next);
                    record_next(&polled.span, update.next_poll());
                    return Ok(update);
                }
                Err(e) if e.is_transient() && !self.answered && self.unreachable_for_long() => {
                    let waited = self.since_start();
                    return Err(self.fail(
                        e.context(format!("no answer from the server in {}", seconds(waited)))
                            .with_advice(
                                "check that the server is running and that the client's base URL is right",
                            ),
                    ));
                }
                Err(e) if e.is_transient() && look_after_deadline => {
                    // The one look of a spent deadline failed: that is the answer.
                    return Err(self.fail(e));
                }
                Err(e) if e.is_transient() => {
                    self.errors += 1;
                    self.last_failure = Some(e.to_string());
                    if self.errors >= self.options.max_consecutive_errors {
                        let n = self.errors;
                        return Err(self
                            .fail(e.context(format!("gave up after {n} failed polls in a row"))));
                    }
                    let own = NextPoll::from(
                        self.backoff
                            .next_delay(self.options.min_interval, self.options.max_interval),
                    );
                    let mut next = self.next_pause(own, polled.retry_after, false);
                    if !self.answered {
                        // A server never heard from gets its last try when
                        // `first_answer_timeout` is up, not a backoff later.
                        let left = self
                            .options
                            .first_answer_timeout
                            .saturating_sub(self.since_start());
                        next.delay = next.delay.min(left);
                    }
                    record_next(&polled.span, Some(next));
                    // One warning per run of failures; the retries after it
                    // are for `debug`.
                    if self.errors == 1 {
                        tracing::warn!(task = %self.task, error = %e, delay = ?next.delay, "poll failed; retrying");
                    } else {
                        tracing::debug!(task = %self.task, error = %e, errors = self.errors, delay = ?next.delay, "poll failed again; retrying");
                    }
                    self.pending = next.delay;
                }
                Err(e) => return Err(self.fail(e)),
            }
        }
    }

    /// Waits for the event stream's news of the task instead of polling,
    /// once registered with it and its status read; `None` when a status
    /// request is due instead (the read after registering or after a gap,
    /// or polling without a stream).
    async fn pushed(&mut self) -> Option<Result<PollUpdate>> {
        if self.push.is_none() {
            self.register().await;
            return None;
        }
        if !self.confirmed {
            return None;
        }
        std::future::poll_fn(|cx| self.poll_pushed(cx)).await
    }

    /// Whether the wait is listening to the event stream: registered, its
    /// status read since, and not ended. Its news is then
    /// [`poll_pushed`](Self::poll_pushed), with no step running.
    pub(crate) fn listening(&self) -> bool {
        // `confirmed` comes after the first request, so after the
        // acceptance's status was reported too.
        !self.done && self.confirmed && self.push.is_some()
    }

    /// The event stream's next news of the task, polled in place:
    /// `Ready(Some)` an observation (or the error of a deadline that
    /// passed), `Ready(None)` when a status request is due instead (events
    /// may have been lost, or the stream is gone).
    pub(crate) fn poll_pushed(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<PollUpdate>>> {
        let Some(push) = self.push.as_mut() else {
            return Poll::Ready(None);
        };
        // The stream's news first: a finish that arrives with the deadline
        // is still a finish.
        let pushed = match push.poll_next(cx) {
            Poll::Ready(pushed) => pushed,
            Poll::Pending => {
                if self.deadline.is_none()
                    && let Some(left) = self.time_left()
                {
                    self.deadline = Some(self.client.inner.clock.sleep(left));
                }
                return match self.deadline.as_mut().map(|d| d.as_mut().poll(cx)) {
                    Some(Poll::Ready(())) => {
                        self.deadline = None;
                        let e = self.timed_out();
                        Poll::Ready(Some(Err(self.fail(e))))
                    }
                    _ => Poll::Pending,
                };
            }
        };
        match pushed {
            Pushed::Status(status) => {
                self.trend
                    .observe(self.client.inner.clock.elapsed(), &status);
                let update = self.observed(*status, PUSHED);
                if self.done {
                    self.deadline = None;
                }
                Poll::Ready(Some(Ok(update)))
            }
            Pushed::Resync => {
                self.confirmed = false;
                self.pending = Duration::ZERO;
                self.deadline = None;
                Poll::Ready(None)
            }
            Pushed::Lost => {
                // Events may have passed unseen: read at once, then poll
                // (or register again, if the stream can be had).
                self.push = None;
                self.confirmed = false;
                self.pending = Duration::ZERO;
                self.deadline = None;
                Poll::Ready(None)
            }
        }
    }

    /// Registers the wait with the client's event stream when the server
    /// has one, and waits for the stream to be positioned: every event
    /// after that is routed here, and the status read next covers the rest.
    async fn register(&mut self) {
        if !self.options.event_stream
            || self.registrations >= MAX_REGISTRATIONS
            || !self.client.inner.hubs.available()
        {
            return;
        }
        let Some(id) = self.task.task_id() else {
            return;
        };
        self.registrations += 1;
        let inner = &self.client.inner;
        let Some(mut push) = inner.hubs.subscribe(&inner.transport, &id) else {
            return;
        };
        let bound = self.time_left().map_or(LIVE_WAIT, |l| l.min(LIVE_WAIT));
        if tokio::time::timeout(bound, push.live())
            .await
            .unwrap_or(false)
        {
            self.push = Some(push);
            self.confirmed = false;
            self.pending = Duration::ZERO;
        }
    }

    fn next_pause(
        &self,
        own: NextPoll,
        retry_after: Option<Duration>,
        server_waited: bool,
    ) -> NextPoll {
        let retry_after = retry_after.map(|hint| spread(hint, fastrand::f64()));
        choose_delay(
            &self.options,
            own,
            retry_after,
            server_waited,
            self.time_left(),
        )
    }

    /// Whether `status` differs from the last observation in state or
    /// progress (the first observation always counts as a change).
    fn changes_something(&self, status: &TaskStatus) -> bool {
        self.last
            .as_ref()
            .is_none_or(|last| *last != Seen::of(status))
    }

    /// Records an observed status and the pause chosen after it.
    fn observed(&mut self, status: TaskStatus, next: NextPoll) -> PollUpdate {
        let next = if status.is_terminal() {
            self.done = true;
            self.record_end(status.state().as_str());
            None
        } else {
            self.pending = next.delay;
            Some(next)
        };
        self.last = Some(Seen::of(&status));
        PollUpdate::new(status, next)
    }

    /// One status request.
    async fn poll_once(&mut self) -> Polled {
        let inner = &self.client.inner;
        let left = self.time_left();
        let mut outgoing = Outgoing {
            // Room for `Prefer` alone: a long poll keeps this map for its
            // whole wait (to send again after a redirect).
            headers: HeaderMap::with_capacity(1),
            ..Outgoing::default()
        };
        let mut timeout = inner.transport.request_timeout;
        // A wait on the event stream reads the status as it is now.
        let long_poll = match self.push {
            Some(_) => None,
            None => self.options.long_poll_seconds(left),
        };
        if let Some(wait) = long_poll {
            if let Ok(v) = HeaderValue::from_str(&format!("wait={wait}")) {
                outgoing.headers.insert(PREFER, v);
            }
            // The server may hold the request for `wait`: allow for that.
            timeout += Duration::from_secs(wait);
        }
        // A hung request must not carry the wait past its deadline.
        if let Some(left) = left {
            let floor = if self.polls == 0 && left.is_zero() {
                LOOK_ONCE_TIMEOUT
            } else {
                MIN_REQUEST_TIMEOUT
            };
            timeout = timeout.min(left.max(floor));
        }
        outgoing.timeout = Some(timeout);
        outgoing.resend_count = self.errors;
        self.polls += 1;
        // A wait on the event stream reads once; many starting together
        // take turns (the semaphore is never closed).
        let _slot = match self.push {
            Some(_) => inner.read_slots.acquire().await.ok(),
            None => None,
        };
        let url = match self.client.status_url(&self.task) {
            Ok(url) => url,
            // Resolved once already when the wait started: this cannot fail.
            Err(e) => {
                return Polled {
                    status: Err(e.with_task(self.task.clone())),
                    answered: false,
                    retry_after: None,
                    held: None,
                    span: Span::none(),
                };
            }
        };
        let reply = match inner.transport.send(Method::GET, &url, outgoing).await {
            Ok(reply) => reply,
            Err(failure) => {
                return Polled {
                    status: Err(failure.error.with_task(self.task.clone())),
                    answered: false,
                    retry_after: None,
                    held: None,
                    span: failure.span,
                };
            }
        };
        inner.hubs.note_links(&reply.headers);
        Polled {
            answered: true,
            retry_after: retry_after(&reply.headers, inner.clock.now()),
            held: preference_applied(&reply.headers).then_some(reply.elapsed),
            status: decode_status(&Method::GET, &url, &self.task, &reply),
            span: reply.span,
        }
    }

    fn timed_out(&self) -> Error {
        let waited = self.options.timeout.unwrap_or_default();
        let state = match &self.last {
            Some(s) => match s.progress_percent {
                Some(p) => format!("still {} ({p:.0}%)", s.state),
                None => format!("still {}", s.state),
            },
            // Nothing read: nothing to claim about the task.
            None => {
                let met = self
                    .last_failure
                    .as_deref()
                    .map_or_else(String::new, |f| format!("; the last poll met: {f}"));
                return Error::new(
                    ErrorKind::TimedOut,
                    format!(
                        "no status of task `{}` was read in {waited:?}{met}",
                        self.task
                    ),
                );
            }
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

/// `3.2 s`, `5 s`: a wait's length as a person reads it.
fn seconds(d: Duration) -> String {
    let tenths = (d.as_secs_f64() * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0} s")
    } else {
        format!("{tenths:.1} s")
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

/// A finished task's status without what it finished with: no `result` and
/// no `error`. The submit reply of a replayed task can look like this.
fn lacks_report(status: &TaskStatus) -> bool {
    status.is_terminal() && status.result().is_none() && status.error().is_none()
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
}
