//! Change notification for long polling: a waiter subscribes to one task and
//! is woken by the change itself, not by a timer. A held request costs one
//! small future and one `watch` receiver. Changes made by other instances
//! sharing the store arrive on its change feed ([`follow_changes`]).
//!
//! When a change wakes many waiters on one task, they share one read of it:
//! the first to look reads the store, the others take that record (it is at
//! least as new as the change that woke them), and the answer made from it
//! is rendered once for all of them. Two thousand waiters on one task cost
//! one query and one serialisation per change, not two thousand.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use axum::body::Bytes;
use tokio::sync::{Notify, watch};

use crate::store::{Change, ChangeFeed, TaskRecord};

/// Per-task change signals. Entries exist only while someone is waiting.
#[derive(Debug)]
pub(crate) struct Hub {
    channels: Mutex<HashMap<String, Arc<Channel>>>,
    /// Bumped on every change of any task (here or, through the change
    /// feed, on another instance): event streams read the log again.
    any_change: watch::Sender<u64>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            channels: Mutex::default(),
            any_change: watch::channel(0).0,
        }
    }
}

/// One task's signal, and the last record read for it.
#[derive(Debug)]
struct Channel {
    version: watch::Sender<u64>,
    /// The last read, published to every waiter at once.
    snapshot: watch::Sender<Snapshot>,
    /// Whether a waiter is reading the task right now (the others wait for
    /// its snapshot instead of queueing behind a lock one by one).
    reading: AtomicBool,
}

/// A read of the task, as of a version of its signal.
#[derive(Debug, Clone, Default)]
struct Snapshot {
    /// `None` until the first read.
    version: Option<u64>,
    record: Option<Arc<SharedRecord>>,
}

/// One read of a task, handed to every waiter it wakes, with the answer
/// made from it once the first of them renders it.
#[derive(Debug)]
pub(crate) struct SharedRecord {
    pub(crate) record: TaskRecord,
    rendered: OnceLock<Bytes>,
}

impl SharedRecord {
    pub(crate) fn new(record: TaskRecord) -> SharedRecord {
        SharedRecord {
            record,
            rendered: OnceLock::new(),
        }
    }

    /// `render(record)`, made by the first caller and shared with the rest
    /// (a failed render is not kept: the next caller tries again).
    pub(crate) fn rendered<E>(
        &self,
        render: impl FnOnce(&TaskRecord) -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Some(bytes) = self.rendered.get() {
            return Ok(bytes.clone());
        }
        let bytes = render(&self.record)?;
        Ok(self.rendered.get_or_init(|| bytes).clone())
    }
}

/// A subscription; dropping it lets the hub forget the task.
pub(crate) struct Subscription<'a> {
    hub: &'a Hub,
    task_id: String,
    channel: Arc<Channel>,
    receiver: Option<watch::Receiver<u64>>,
}

impl Hub {
    /// Starts listening for changes to `task_id`. Subscribe *before* reading
    /// the task, so a change in between is not missed.
    pub(crate) fn subscribe(&self, task_id: &str) -> Subscription<'_> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        let channel = channels
            .entry(task_id.to_owned())
            .or_insert_with(|| {
                Arc::new(Channel {
                    version: watch::channel(0).0,
                    snapshot: watch::channel(Snapshot::default()).0,
                    reading: AtomicBool::new(false),
                })
            })
            .clone();
        Subscription {
            hub: self,
            task_id: task_id.to_owned(),
            receiver: Some(channel.version.subscribe()),
            channel,
        }
    }

    /// A signal that some task changed, for the event streams: read the
    /// log after each change of its value.
    pub(crate) fn any_change(&self) -> watch::Receiver<u64> {
        self.any_change.subscribe()
    }

    /// Tells the event streams that something changed (a new task, which
    /// no long poll waits on yet).
    pub(crate) fn notify_streams(&self) {
        self.any_change
            .send_modify(|version| *version = version.wrapping_add(1));
    }

    /// Wakes everyone waiting on `task_id`.
    pub(crate) fn notify(&self, task_id: &str) {
        self.notify_streams();
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(channel) = channels.get(task_id) {
            channel
                .version
                .send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// Wakes everyone waiting on the task `record` is the final state of,
    /// handing them `record` itself: they answer from it without a read of
    /// their own and without a second wake-up. Only for a finished task,
    /// which no later change can overtake; any other change is
    /// [`notify`](Hub::notify)'d and read. The writer keeps its own handle
    /// on `record`, so its answer is rendered once with theirs.
    pub(crate) fn publish_final(&self, record: Arc<SharedRecord>) {
        debug_assert!(record.record.state.is_terminal());
        self.notify_streams();
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(channel) = channels.get(&record.record.id) {
            // The record first, at the version the wake-up is about to
            // carry, so no woken waiter finds it missing and goes to read.
            let next = channel.version.borrow().wrapping_add(1);
            channel.snapshot.send_replace(Snapshot {
                version: Some(next),
                record: Some(record),
            });
            channel.version.send_replace(next);
        }
    }

    /// Wakes every waiter, to re-read whatever they wait for (after changes
    /// may have been missed).
    pub(crate) fn notify_all(&self) {
        self.notify_streams();
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        for channel in channels.values() {
            channel
                .version
                .send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// How many tasks have waiters (for tests and metrics).
    pub(crate) fn watched_tasks(&self) -> usize {
        self.channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Subscription<'_> {
    /// Resolves at the next change after subscribing.
    pub(crate) async fn changed(&mut self) {
        match &mut self.receiver {
            Some(r) => {
                if r.changed().await.is_err() {
                    // The sender cannot be dropped while we are subscribed.
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending().await,
        }
    }

    /// The task as of the latest change seen, read once for all its
    /// waiters: one of them runs `read`, the others are handed its result
    /// the moment it arrives.
    pub(crate) async fn fresh<E, F>(
        &self,
        read: impl FnOnce() -> F,
    ) -> Result<Option<Arc<SharedRecord>>, E>
    where
        F: Future<Output = Result<Option<TaskRecord>, E>>,
    {
        let wanted = self.receiver.as_ref().map_or(0, |r| *r.borrow());
        let mut snapshots = self.channel.snapshot.subscribe();
        loop {
            {
                let snapshot = snapshots.borrow_and_update();
                if snapshot.version.is_some_and(|v| v >= wanted) {
                    return Ok(snapshot.record.clone());
                }
            }
            if !self.channel.reading.swap(true, Ordering::AcqRel) {
                let result = read().await.map(shared);
                match &result {
                    // A final record published meanwhile is newer than
                    // this read: it stays.
                    Ok(record) => self.channel.snapshot.send_modify(|snapshot| {
                        if snapshot.version.is_none_or(|v| v < wanted) {
                            *snapshot = Snapshot {
                                version: Some(wanted),
                                record: record.clone(),
                            };
                        }
                    }),
                    // The others look again (and one of them reads).
                    Err(_) => self.channel.snapshot.send_modify(|_| {}),
                }
                self.channel.reading.store(false, Ordering::Release);
                return result;
            }
            // Another waiter is reading: take its snapshot when it lands.
            if snapshots.changed().await.is_err() {
                return read().await.map(shared);
            }
        }
    }
}

/// A fresh read, ready to hand to every waiter.
fn shared(record: Option<TaskRecord>) -> Option<Arc<SharedRecord>> {
    record.map(|r| Arc::new(SharedRecord::new(r)))
}

impl Drop for Subscription<'_> {
    fn drop(&mut self) {
        drop(self.receiver.take());
        let mut channels = self
            .hub
            .channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if channels
            .get(&self.task_id)
            .is_some_and(|c| c.version.receiver_count() == 0)
        {
            channels.remove(&self.task_id);
        }
    }
}

/// Turns other instances' changes into wake-ups here: held long polls on a
/// task that changed, and idle workers when a task was queued.
pub(crate) async fn follow_changes(mut feed: ChangeFeed, hub: Arc<Hub>, queued: Arc<Notify>) {
    while let Some(change) = feed.recv().await {
        match change {
            Change::Task(id) => hub.notify(&id),
            Change::Queue => queued.notify_waiters(),
            Change::Resync => {
                hub.notify_all();
                queued.notify_waiters();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn record(progress: u8) -> TaskRecord {
        TaskRecord {
            id: "t-1".into(),
            tenant: "default".into(),
            bot_id: "b".into(),
            action: "analyze-document".into(),
            input: serde_json::Value::Null,
            state: orchestrator::TaskState::Running,
            progress: Some(progress),
            progress_message: None,
            result: None,
            error: None,
            created_at: 0,
            started_at: Some(0),
            completed_at: None,
            attempts: 1,
            labels: Default::default(),
            retry_of: None,
            webhook_url: None,
        }
    }

    #[tokio::test]
    async fn a_waiter_is_woken_by_a_change_and_the_entry_is_forgotten_after() {
        let hub = Hub::default();
        let mut sub = hub.subscribe("t-1");
        assert_eq!(hub.watched_tasks(), 1);
        hub.notify("t-2"); // someone else's task
        assert!(
            tokio::time::timeout(Duration::from_millis(20), sub.changed())
                .await
                .is_err()
        );
        hub.notify("t-1");
        tokio::time::timeout(Duration::from_secs(1), sub.changed())
            .await
            .unwrap();
        drop(sub);
        assert_eq!(hub.watched_tasks(), 0);
    }

    #[tokio::test]
    async fn a_change_between_subscribe_and_wait_is_not_missed() {
        let hub = Hub::default();
        let mut sub = hub.subscribe("t-1");
        hub.notify("t-1");
        tokio::time::timeout(Duration::from_secs(1), sub.changed())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn many_waiters_woken_by_one_change_share_one_read_and_the_next_change_reads_again() {
        let hub = Hub::default();
        let subs: Vec<_> = (0..100).map(|_| hub.subscribe("t-1")).collect();
        let reads = AtomicUsize::new(0);
        let read = |progress| {
            reads.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, ()>(Some(record(progress))) }
        };
        hub.notify("t-1");
        for sub in &subs {
            let r = sub.fresh(|| read(10)).await.unwrap().unwrap();
            assert_eq!(r.record.progress, Some(10));
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        hub.notify("t-1");
        for sub in &subs {
            assert_eq!(
                sub.fresh(|| read(20))
                    .await
                    .unwrap()
                    .unwrap()
                    .record
                    .progress,
                Some(20)
            );
        }
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn waiters_woken_by_one_change_render_its_answer_once() {
        let hub = Hub::default();
        let subs: Vec<_> = (0..50).map(|_| hub.subscribe("t-1")).collect();
        hub.notify("t-1");
        let renders = AtomicUsize::new(0);
        let render = |r: &TaskRecord| {
            renders.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(Bytes::from(format!("{:?}", r.progress)))
        };
        for sub in &subs {
            let shared = sub
                .fresh(|| async { Ok::<_, ()>(Some(record(30))) })
                .await
                .unwrap()
                .unwrap();
            assert_eq!(shared.rendered(render).unwrap(), "Some(30)");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
        // A failed render is not kept.
        let fresh = SharedRecord::new(record(40));
        assert_eq!(fresh.rendered(|_| Err::<Bytes, _>("no")), Err("no"));
        assert_eq!(fresh.rendered(render).unwrap(), "Some(40)");
    }

    fn finished(progress: u8) -> TaskRecord {
        TaskRecord {
            state: orchestrator::TaskState::Cancelled,
            completed_at: Some(1),
            ..record(progress)
        }
    }

    #[tokio::test]
    async fn waiters_woken_by_a_final_record_answer_from_it_without_reading() {
        let hub = Hub::default();
        let mut subs: Vec<_> = (0..50).map(|_| hub.subscribe("t-1")).collect();
        let reads = AtomicUsize::new(0);
        let published = Arc::new(SharedRecord::new(finished(70)));
        hub.publish_final(published.clone());
        for sub in &mut subs {
            tokio::time::timeout(Duration::from_secs(1), sub.changed())
                .await
                .unwrap();
            let got = sub
                .fresh(|| {
                    reads.fetch_add(1, Ordering::SeqCst);
                    async { Ok::<_, ()>(Some(record(10))) }
                })
                .await
                .unwrap()
                .unwrap();
            assert!(Arc::ptr_eq(&got, &published));
        }
        assert_eq!(reads.load(Ordering::SeqCst), 0);
        // Nobody waiting: nothing is kept.
        drop(subs);
        hub.publish_final(Arc::new(SharedRecord::new(finished(80))));
        assert_eq!(hub.watched_tasks(), 0);
    }

    #[tokio::test]
    async fn a_read_that_lands_after_a_final_record_does_not_replace_it() {
        let hub = Hub::default();
        let reader = hub.subscribe("t-1");
        let late = hub.subscribe("t-1");
        hub.notify("t-1");
        // The reader starts its read; the task finishes before it lands.
        let (release, held) = tokio::sync::oneshot::channel::<()>();
        let read = reader.fresh(|| async {
            held.await.ok();
            Ok::<_, ()>(Some(record(40)))
        });
        let finish = async {
            tokio::task::yield_now().await;
            let published = Arc::new(SharedRecord::new(finished(90)));
            hub.publish_final(published.clone());
            release.send(()).ok();
            published
        };
        let (read, published) = tokio::join!(read, finish);
        assert_eq!(read.unwrap().unwrap().record.progress, Some(40));
        // A waiter looking now is handed the final record, not the older read.
        let seen = late
            .fresh(|| async { Ok::<_, ()>(Some(record(10))) })
            .await
            .unwrap()
            .unwrap();
        assert!(Arc::ptr_eq(&seen, &published));
    }
}
