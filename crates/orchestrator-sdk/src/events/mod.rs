//! Following the event log: `client.events(&filter)` (the tenant's events)
//! and `client.task_events(id)` (one task's, to its end), as `Stream`s that
//! resume by themselves after a dropped connection, with `Last-Event-ID`,
//! so that nothing is lost or repeated while the server keeps the events.
//! An extension of the contract, reported as
//! [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) by a server
//! without it.

mod follow;
mod hub;
mod sse;

use follow::{Delivery, Follow};
pub(crate) use hub::{Hubs, Pushed, Subscription};

use futures_util::{Stream, StreamExt};
use url::Url;

use crate::client::Client;
use crate::error::Result;
use crate::models::{StreamEvent, TaskFilter};

impl Client {
    /// The caller's tenant's events that `filter` selects (its states,
    /// bot, action, labels and task ids; not its times or page size), from
    /// now on, as a `Stream` that runs until dropped. A dropped connection
    /// is resumed after the last event seen; an event the server no longer
    /// keeps is reported as a [`StreamEvent::Gap`]. After 8 failed attempts
    /// in a row to reconnect, the stream yields the error and ends.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use futures_util::StreamExt;
    /// use orchestrator::{StreamEvent, TaskFilter};
    ///
    /// let mut events = std::pin::pin!(client.events(&TaskFilter::new().label("run", "42")));
    /// while let Some(item) = events.next().await {
    ///     if let StreamEvent::Task(event) = item? {
    ///         println!("{} {} {}", event.id(), event.kind(), event.status().state());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events(
        &self,
        filter: &TaskFilter,
    ) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
        self.events_after(filter, None)
    }

    /// As [`events`](Self::events), from after event `after` (`Some(0)`:
    /// every event the server keeps) instead of from now.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) {
    /// let replay = client.events_after(&orchestrator::TaskFilter::new(), Some(0));
    /// # }
    /// ```
    pub fn events_after(
        &self,
        filter: &TaskFilter,
        after: Option<u64>,
    ) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
        let url = self.endpoint(&["v1", "events"]).map(|mut url| {
            let query = filter.to_query();
            url.set_query(Some(&query).filter(|q| !q.is_empty()).map(String::as_str));
            url
        });
        follow(self.clone(), url, after, false)
    }

    /// One task's events: from its current status (its newest event) to
    /// its terminal event, after which the stream ends.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use futures_util::TryStreamExt;
    ///
    /// let events: Vec<_> = client.task_events("task-1").try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn task_events(
        &self,
        task_id: &str,
    ) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
        let url = self.endpoint(&["v1", "tasks", task_id, "events"]);
        follow(self.clone(), url, None, true)
    }
}

fn follow(
    client: Client,
    url: Result<Url>,
    after: Option<u64>,
    one_task: bool,
) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
    let url = match url {
        Ok(url) => url,
        // A URL that cannot be made (a task id of `..`) is the one item.
        Err(e) => return futures_util::stream::iter([Err(e)]).left_stream(),
    };
    let state = Follow::new(client.inner.transport.clone(), url, after, one_task);
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            match state.next().await? {
                Ok(Delivery::Event(event)) => return Some((Ok(event), state)),
                Ok(Delivery::Positioned) => {}
                Err(e) => return Some((Err(e), state)),
            }
        }
    })
    .right_stream()
}
