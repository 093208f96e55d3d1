//! Change notification for long polling: a waiter subscribes to one task and
//! is woken by the change itself, not by a timer. A held request costs one
//! small future and one `watch` receiver.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tokio::sync::watch;

/// Per-task change signals. Entries exist only while someone is waiting.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    channels: Mutex<HashMap<String, watch::Sender<u64>>>,
}

/// A subscription; dropping it lets the hub forget the task.
pub(crate) struct Subscription<'a> {
    hub: &'a Hub,
    task_id: String,
    receiver: Option<watch::Receiver<u64>>,
}

impl Hub {
    /// Starts listening for changes to `task_id`. Subscribe *before* reading
    /// the task, so a change in between is not missed.
    pub(crate) fn subscribe(&self, task_id: &str) -> Subscription<'_> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        let sender = channels
            .entry(task_id.to_owned())
            .or_insert_with(|| watch::channel(0).0);
        Subscription {
            hub: self,
            task_id: task_id.to_owned(),
            receiver: Some(sender.subscribe()),
        }
    }

    /// Wakes everyone waiting on `task_id`.
    pub(crate) fn notify(&self, task_id: &str) {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = channels.get(task_id) {
            sender.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// Wakes every waiter, to re-read whatever they wait for (after changes
    /// may have been missed).
    pub(crate) fn notify_all(&self) {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        for sender in channels.values() {
            sender.send_modify(|version| *version = version.wrapping_add(1));
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
            .is_some_and(|s| s.receiver_count() == 0)
        {
            channels.remove(&self.task_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
}
