//! One reader of the event log per tenant, shared by all that tenant's
//! event streams: it reads each new event once and hands it to every
//! stream over a broadcast channel, so a change costs one read of the log
//! however many streams follow the tenant (instead of one read per
//! stream). A stream reads the log itself only to catch up: from its
//! resume position when it starts, and after it fell behind the channel.
//!
//! No event is missed between the two: a stream subscribes to the channel
//! before its first read, so whatever is committed after that read is
//! broadcast to it, and it skips what it already sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::lifecycle::Lifecycle;
use crate::store::{EventQuery, EventRecord, TaskQuery};

/// Events the channel holds for a stream that is behind; one further
/// behind catches up from the log.
const CAPACITY: usize = 1024;
/// Events read from the log at a time.
const BATCH: u32 = 500;
/// The reader reads the log at least this often, in case a change
/// signal was missed.
const RECHECK: Duration = Duration::from_secs(1);

/// An event as the feed hands it on: read once, its status rendered once.
pub(crate) struct FedEvent {
    pub(crate) record: EventRecord,
    /// The status as JSON, the `data:` of the event (`None` if it could
    /// not be rendered).
    pub(crate) data: Option<String>,
}

/// The tenants' readers, while they have streams.
pub(crate) struct Feeds {
    lifecycle: Arc<Lifecycle>,
    shutdown: watch::Receiver<bool>,
    by_tenant: Mutex<HashMap<String, broadcast::Sender<Arc<FedEvent>>>>,
}

impl Feeds {
    pub(crate) fn new(lifecycle: Arc<Lifecycle>, shutdown: watch::Receiver<bool>) -> Feeds {
        Feeds {
            lifecycle,
            shutdown,
            by_tenant: Mutex::default(),
        }
    }

    /// A subscription to `tenant`'s events, starting its reader (after
    /// `newest`, the newest event read before this call) if it has none.
    /// Every event after `newest` reaches the subscription or a read of the
    /// log made after this call.
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        tenant: &str,
        newest: i64,
        render: fn(&EventRecord) -> Option<String>,
    ) -> broadcast::Receiver<Arc<FedEvent>> {
        let mut feeds = self
            .by_tenant
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(tx) = feeds.get(tenant) {
            return tx.subscribe();
        }
        let (tx, rx) = broadcast::channel(CAPACITY);
        feeds.insert(tenant.to_owned(), tx.clone());
        tokio::spawn(read(
            Arc::clone(self),
            tenant.to_owned(),
            newest,
            render,
            tx,
        ));
        rx
    }

    /// Ends `tenant`'s reader if no stream follows it any more; whether it
    /// ended. Decided under the lock that subscribing takes, so a stream
    /// that arrives meanwhile finds a reader.
    fn retire(&self, tenant: &str) -> bool {
        let mut feeds = self
            .by_tenant
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let idle = feeds.get(tenant).is_none_or(|tx| tx.receiver_count() == 0);
        if idle {
            feeds.remove(tenant);
        }
        idle
    }
}

/// A tenant's reader: each event after `after`, once, to every subscribed
/// stream.
async fn read(
    feeds: Arc<Feeds>,
    tenant: String,
    mut after: i64,
    render: fn(&EventRecord) -> Option<String>,
    tx: broadcast::Sender<Arc<FedEvent>>,
) {
    let lifecycle = feeds.lifecycle.clone();
    let mut changes = lifecycle.hub().any_change();
    let mut shutdown = feeds.shutdown.clone();
    loop {
        changes.borrow_and_update();
        let query = EventQuery {
            filter: TaskQuery::default(),
            after,
            limit: BATCH,
        };
        let full = match lifecycle.events(&tenant, &query).await {
            Ok(page) => {
                let full = page.events.len() == BATCH as usize;
                for record in page.events {
                    after = record.id;
                    // No subscriber at the moment is no error: the check
                    // below decides whether the reader goes.
                    let data = render(&record);
                    let _ = tx.send(Arc::new(FedEvent { record, data }));
                }
                full
            }
            Err(e) => {
                tracing::warn!(error = %e, "an event feed could not read the log; trying again");
                false
            }
        };
        if tx.receiver_count() == 0 && feeds.retire(&tenant) {
            return;
        }
        if full {
            continue;
        }
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(RECHECK) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
