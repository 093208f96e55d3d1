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
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, LINK};
use tokio::sync::watch;

use super::follow::{Delivery, Follow};
use crate::error::ErrorKind;
use crate::models::{StreamEvent, TaskEvent, TaskStatus};
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
        task: &str,
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

/// What the hub last left for one task's waits.
#[derive(Debug, Clone)]
enum Slot {
    Quiet,
    Status(Box<TaskStatus>),
    /// Events may have been lost: read the status again.
    Resync,
    /// The stream is gone: poll.
    Lost,
}

impl Slot {
    fn is_final(&self) -> bool {
        matches!(self, Slot::Status(s) if s.is_terminal())
    }
}

/// What a waiting [`Subscription`] is told.
#[derive(Debug)]
pub(crate) enum Pushed {
    Status(Box<TaskStatus>),
    Resync,
    Lost,
}

struct Waiters {
    by_task: HashMap<String, watch::Sender<Slot>>,
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

    fn register(self: &Arc<Self>, task: &str) -> Option<Subscription> {
        let mut waiters = lock(&self.waiters);
        if waiters.ended {
            return None;
        }
        let slot = waiters
            .by_task
            .entry(task.to_owned())
            .or_insert_with(|| watch::Sender::new(Slot::Quiet))
            .subscribe();
        Some(Subscription {
            hub: Arc::clone(self),
            task: task.to_owned(),
            slot,
            phase: self.phase.subscribe(),
        })
    }

    fn route(&self, event: TaskEvent) {
        let waiters = lock(&self.waiters);
        let Some(slot) = event
            .status()
            .task_id()
            .and_then(|id| waiters.by_task.get(id.as_str()))
        else {
            return;
        };
        let status = event.into_status();
        // A finish stays: what comes after it (a retry's event) is not
        // this wait's news.
        slot.send_if_modified(|s| {
            if s.is_final() {
                return false;
            }
            *s = Slot::Status(Box::new(status));
            true
        });
    }

    fn tell_all(waiters: &Waiters, what: &Slot) {
        for slot in waiters.by_task.values() {
            slot.send_if_modified(|s| {
                if s.is_final() {
                    return false;
                }
                *s = what.clone();
                true
            });
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
    task: String,
    slot: watch::Receiver<Slot>,
    phase: watch::Receiver<Phase>,
}

impl Subscription {
    /// Waits until the stream is positioned (`true`), or has ended (`false`).
    pub(crate) async fn live(&mut self) -> bool {
        matches!(
            self.phase
                .wait_for(|p| *p != Phase::Connecting)
                .await
                .as_deref(),
            Ok(Phase::Live)
        )
    }

    /// The next thing the hub says about this task.
    pub(crate) async fn next(&mut self) -> Pushed {
        loop {
            if self.slot.changed().await.is_err() {
                return Pushed::Lost;
            }
            match &*self.slot.borrow_and_update() {
                Slot::Quiet => {}
                Slot::Status(status) => return Pushed::Status(status.clone()),
                Slot::Resync => return Pushed::Resync,
                Slot::Lost => return Pushed::Lost,
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut waiters = lock(&self.hub.waiters);
        // The receiver counted is this one: no other wait on the task.
        if waiters
            .by_task
            .get(&self.task)
            .is_some_and(|slot| slot.receiver_count() <= 1)
        {
            waiters.by_task.remove(&self.task);
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
    use reqwest::header::HeaderValue;

    fn headers(links: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in links {
            h.append(LINK, HeaderValue::from_static(l));
        }
        h
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
