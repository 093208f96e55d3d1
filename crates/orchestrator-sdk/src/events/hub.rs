//! Many waits over one stream: a `Client`'s concurrent waits share one
//! connection to the tenant's `GET /v1/events`, which routes each task's
//! events to the waits on it by task id. A wait then holds no request of
//! its own: a slot for its task's newest status, filled by the hub.
//!
//! The hub starts with the first wait that asks for it, on a server that
//! advertised its event stream (a `Link: …; rel="events"` on a `202` or a
//! status), and stops a few seconds after its last wait ended. A dropped
//! connection resumes after the last event seen, so nothing is lost in
//! between; events the server no longer keeps (a `gap`) make every wait
//! read its task's status once again; a stream that cannot be kept sends
//! every wait back to polling.
//!
//! No finish is missed between a task's last status read and its wait's
//! registration: a wait registers first, then waits until the hub's stream
//! is positioned, then reads the status once. A finish before that read is
//! in the read; one after it is an event after the stream's position,
//! routed to the registration that already exists.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, LINK};
use tokio::sync::watch;

use super::follow::{Delivery, Follow};
use crate::error::ErrorKind;
use crate::models::{StreamEvent, TaskEvent, TaskId, TaskStatus};
use crate::transport::Transport;

/// How long the hub keeps its stream open without waits, so that waits
/// started one after another share it too.
const LINGER: Duration = Duration::from_secs(5);

/// A client's hub, and what it learned about the server's stream.
#[derive(Default)]
pub(crate) struct Hubs {
    current: Mutex<Option<Arc<Hub>>>,
    /// The server linked its event stream from an answer.
    advertised: AtomicBool,
    /// The stream was refused as unknown: waits poll.
    unsupported: AtomicBool,
}

impl Hubs {
    /// Notes whether an answer advertises the event stream.
    pub(crate) fn note_links(&self, headers: &HeaderMap) {
        if !self.advertised.load(Ordering::Relaxed) && links_events(headers) {
            self.advertised.store(true, Ordering::Relaxed);
        }
    }

    /// Whether waits should ask for the hub.
    pub(crate) fn available(&self) -> bool {
        self.advertised.load(Ordering::Relaxed) && !self.unsupported.load(Ordering::Relaxed)
    }

    /// Registers a wait for `task`'s events, starting the hub (over
    /// `transport`) if none runs. `None` outside a Tokio runtime or when
    /// the server has no stream.
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        transport: &Arc<Transport>,
        task: &TaskId,
    ) -> Option<Subscription> {
        if !self.available() {
            return None;
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        loop {
            let hub = {
                let mut current = lock(&self.current);
                match &*current {
                    Some(hub) if !lock(&hub.waiters).ended => Arc::clone(hub),
                    _ => {
                        let hub = Arc::new(Hub::new());
                        *current = Some(Arc::clone(&hub));
                        runtime.spawn(run(
                            Arc::clone(&hub),
                            Arc::clone(self),
                            Arc::clone(transport),
                        ));
                        hub
                    }
                }
            };
            // A hub that ended in between is replaced on the next turn.
            if let Some(subscription) = hub.register(task) {
                return Some(subscription);
            }
        }
    }
}

/// Whether a `Link` header names a relation `events`.
fn links_events(headers: &HeaderMap) -> bool {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .flat_map(|link| link.split(';').skip(1))
        .filter_map(|param| param.trim().split_once('='))
        .any(|(name, value)| {
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("events"))
        })
}

/// The stream's state, as waits see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not yet positioned: events from now on are not yet certain to come.
    Connecting,
    /// Every event after a known position will be routed.
    Live,
    Ended,
}

/// What the hub last left for one wait.
#[derive(Debug, Clone)]
enum Slot {
    Status(Box<TaskStatus>),
    /// Events may have been lost: read the status again.
    Resync,
    /// The stream is gone: poll.
    Lost,
}

/// What a waiting [`Subscription`] is told.
#[derive(Debug)]
pub(crate) enum Pushed {
    Status(Box<TaskStatus>),
    Resync,
    Lost,
}

/// One wait's inbox: the hub's newest news for it, and the wait to wake.
/// A plain slot and a waker rather than a channel: a client may have
/// hundreds of thousands of waits, and each carries one of these.
#[derive(Debug, Default)]
struct Inbox {
    slot: Option<Slot>,
    waker: Option<Waker>,
    /// A final status was left: what comes after it (a retry's event) is
    /// not this wait's news.
    finished: bool,
}

type Mailbox = Arc<Mutex<Inbox>>;

/// Leaves `what` for a wait, unless its task's finish is already there,
/// and wakes it.
fn deliver(mailbox: &Mailbox, what: Slot) {
    let waker = {
        let mut inbox = lock(mailbox);
        if inbox.finished {
            return;
        }
        inbox.finished = matches!(&what, Slot::Status(s) if s.is_terminal());
        inbox.slot = Some(what);
        inbox.waker.take()
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// The waits on one task: nearly always one, held without a list.
enum Waiting {
    One(Mailbox),
    Many(Vec<Mailbox>),
}

impl Waiting {
    fn add(&mut self, mailbox: Mailbox) {
        match self {
            Waiting::One(first) => *self = Waiting::Many(vec![Arc::clone(first), mailbox]),
            Waiting::Many(all) => all.push(mailbox),
        }
    }

    fn all(&self) -> &[Mailbox] {
        match self {
            Waiting::One(only) => std::slice::from_ref(only),
            Waiting::Many(all) => all,
        }
    }

    /// Takes `mailbox` out; `true` when no wait is left.
    fn remove(&mut self, mailbox: &Mailbox) -> bool {
        match self {
            Waiting::One(only) => Arc::ptr_eq(only, mailbox),
            Waiting::Many(all) => {
                all.retain(|m| !Arc::ptr_eq(m, mailbox));
                all.is_empty()
            }
        }
    }
}

struct Waiters {
    /// Each task's waits, keyed by its id.
    by_task: HashMap<Arc<str>, Waiting>,
    ended: bool,
}

struct Hub {
    waiters: Mutex<Waiters>,
    phase: watch::Sender<Phase>,
}

impl Hub {
    fn new() -> Hub {
        Hub {
            waiters: Mutex::new(Waiters {
                by_task: HashMap::new(),
                ended: false,
            }),
            phase: watch::Sender::new(Phase::Connecting),
        }
    }

    fn register(self: &Arc<Self>, task: &TaskId) -> Option<Subscription> {
        let mut waiters = lock(&self.waiters);
        if waiters.ended {
            return None;
        }
        let mailbox = Mailbox::default();
        let task = task.shared();
        match waiters.by_task.get_mut(&task) {
            Some(waiting) => waiting.add(Arc::clone(&mailbox)),
            None => {
                waiters
                    .by_task
                    .insert(Arc::clone(&task), Waiting::One(Arc::clone(&mailbox)));
            }
        }
        Some(Subscription {
            hub: Arc::clone(self),
            task,
            mailbox,
        })
    }

    fn route(&self, event: TaskEvent) {
        let waiters = lock(&self.waiters);
        let Some(waiting) = event
            .status()
            .task_id()
            .and_then(|id| waiters.by_task.get(id.as_str()))
        else {
            return;
        };
        let status = Box::new(event.into_status());
        if let Waiting::One(only) = waiting {
            deliver(only, Slot::Status(status));
        } else {
            for mailbox in waiting.all() {
                deliver(mailbox, Slot::Status(status.clone()));
            }
        }
    }

    fn tell_all(waiters: &Waiters, what: &Slot) {
        for mailbox in waiters.by_task.values().flat_map(Waiting::all) {
            deliver(mailbox, what.clone());
        }
    }

    fn live(&self) {
        self.phase.send_if_modified(|p| {
            let was = *p == Phase::Connecting;
            if was {
                *p = Phase::Live;
            }
            was
        });
    }
}

/// One wait's registration; dropping it ends the registration.
pub(crate) struct Subscription {
    hub: Arc<Hub>,
    /// The task's id, shared with the hub's key for it.
    task: Arc<str>,
    mailbox: Mailbox,
}

impl Subscription {
    /// Waits until the stream is positioned (`true`), or has ended (`false`).
    pub(crate) async fn live(&mut self) -> bool {
        let mut phase = self.hub.phase.subscribe();
        matches!(
            phase.wait_for(|p| *p != Phase::Connecting).await.as_deref(),
            Ok(Phase::Live)
        )
    }

    /// The next thing the hub says about this task, if it has said
    /// anything since the last call; otherwise the caller is woken when it
    /// does.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Pushed> {
        let mut inbox = lock(&self.mailbox);
        match inbox.slot.take() {
            None => {
                if !inbox
                    .waker
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    inbox.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            Some(Slot::Status(status)) => Poll::Ready(Pushed::Status(status)),
            Some(Slot::Resync) => Poll::Ready(Pushed::Resync),
            Some(Slot::Lost) => Poll::Ready(Pushed::Lost),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut waiters = lock(&self.hub.waiters);
        if waiters
            .by_task
            .get_mut(&*self.task)
            .is_some_and(|waiting| waiting.remove(&self.mailbox))
        {
            waiters.by_task.remove(&*self.task);
        }
    }
}

/// Ends a hub however its task stops (its work done, an error, or the
/// runtime going away): its waits go back to polling, and the next wait
/// starts a new hub.
struct EndOnDrop {
    hub: Arc<Hub>,
    hubs: Arc<Hubs>,
}

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        {
            let mut waiters = lock(&self.hub.waiters);
            waiters.ended = true;
            Hub::tell_all(&waiters, &Slot::Lost);
        }
        self.hub.phase.send_replace(Phase::Ended);
        let mut current = lock(&self.hubs.current);
        if current.as_ref().is_some_and(|h| Arc::ptr_eq(h, &self.hub)) {
            *current = None;
        }
    }
}

/// The hub's task: follows the tenant's stream and routes what it brings,
/// until no wait has been registered for a while or the stream fails.
async fn run(hub: Arc<Hub>, hubs: Arc<Hubs>, transport: Arc<Transport>) {
    let end = EndOnDrop {
        hub: Arc::clone(&hub),
        hubs: Arc::clone(&hubs),
    };
    // The base URL ends in `/`, so a prefix in it is kept.
    let Ok(url) = transport.base_url.join("v1/events") else {
        return;
    };
    // Kept in a stream so that a check for idleness never cancels a
    // connection attempt or a read half-way.
    let deliveries = futures_util::stream::unfold(
        Follow::new(transport, url, None, false),
        |mut follow| async move { follow.next().await.map(|item| (item, follow)) },
    );
    let mut deliveries = std::pin::pin!(deliveries);
    let mut idle = tokio::time::interval(LINGER);
    let mut was_empty = false;
    loop {
        tokio::select! {
            item = deliveries.next() => match item {
                None => break,
                Some(Ok(Delivery::Positioned)) => hub.live(),
                Some(Ok(Delivery::Event(StreamEvent::Task(event)))) => {
                    hub.live();
                    hub.route(*event);
                }
                Some(Ok(Delivery::Event(StreamEvent::Gap { .. }))) => {
                    Hub::tell_all(&lock(&hub.waiters), &Slot::Resync);
                }
                Some(Err(e)) => {
                    if e.kind() == ErrorKind::Unsupported {
                        hubs.unsupported.store(true, Ordering::Relaxed);
                    }
                    tracing::warn!(error = %e, "the event stream failed; waits go back to polling");
                    break;
                }
            },
            _ = idle.tick() => {
                let empty = lock(&hub.waiters).by_task.is_empty();
                if empty && was_empty {
                    break;
                }
                was_empty = empty;
            }
        }
    }
    drop(end);
}

/// A poisoned lock only means another wait panicked while holding it; the
/// map itself is always whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{TaskEventKind, TaskState};
    use reqwest::header::HeaderValue;

    fn headers(links: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in links {
            h.append(LINK, HeaderValue::from_static(l));
        }
        h
    }

    fn event(id: u64, task: &str, state: TaskState) -> TaskEvent {
        TaskEvent::new(
            id,
            TaskEventKind::parse("task.test"),
            TaskStatus::new(task, state),
        )
    }

    fn next(subscription: &mut Subscription) -> Option<Pushed> {
        let mut cx = Context::from_waker(Waker::noop());
        match subscription.poll_next(&mut cx) {
            Poll::Ready(pushed) => Some(pushed),
            Poll::Pending => None,
        }
    }

    fn state(pushed: Option<Pushed>) -> Option<TaskState> {
        match pushed {
            Some(Pushed::Status(s)) => Some(s.state().clone()),
            _ => None,
        }
    }

    #[test]
    fn every_wait_on_a_task_hears_of_it_and_a_finish_is_the_last_word() {
        let hub = Arc::new(Hub::new());
        let mut first = hub.register(&TaskId::from("t-1")).unwrap();
        let mut second = hub.register(&TaskId::from("t-1")).unwrap();
        let mut other = hub.register(&TaskId::from("t-2")).unwrap();
        assert!(next(&mut first).is_none());
        hub.route(event(1, "t-1", TaskState::Running));
        assert_eq!(state(next(&mut first)), Some(TaskState::Running));
        assert_eq!(state(next(&mut second)), Some(TaskState::Running));
        assert!(next(&mut other).is_none(), "another task's wait heard it");
        // Only the newest news is kept for a wait that has not looked.
        hub.route(event(2, "t-1", TaskState::Running));
        hub.route(event(3, "t-1", TaskState::Completed));
        hub.route(event(4, "t-1", TaskState::Pending));
        assert_eq!(state(next(&mut first)), Some(TaskState::Completed));
        assert!(
            next(&mut first).is_none(),
            "the finish was not the last word"
        );
        drop(second);
        assert!(lock(&hub.waiters).by_task.contains_key("t-1"));
        drop(first);
        assert!(!lock(&hub.waiters).by_task.contains_key("t-1"));
        // Losing the stream reaches the waits still registered.
        Hub::tell_all(&lock(&hub.waiters), &Slot::Lost);
        assert!(matches!(next(&mut other), Some(Pushed::Lost)));
    }

    #[test]
    fn an_events_relation_is_found_among_other_links_and_spellings() {
        assert!(links_events(&headers(&[
            "</v1/tasks/t/events>; rel=\"events\""
        ])));
        assert!(links_events(&headers(&[
            "</a>; rel=next, </v1/tasks/t/events>; title=\"x\"; REL=events"
        ])));
        assert!(links_events(&headers(&[
            "</a>; rel=\"next\"",
            "</e>; rel=\"alternate events\""
        ])));
        assert!(!links_events(&headers(&["</a>; rel=\"next\""])));
        assert!(!links_events(&headers(&["</events>; title=events"])));
        assert!(!links_events(&HeaderMap::new()));
    }
}
