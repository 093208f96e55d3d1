//! Finding tasks and acting on many: `list` (a lazily paged `Stream`),
//! `list_page`, `retry` and `cancel_matching` — extensions of the
//! contract, reported as [`ErrorKind::Unsupported`] by a server without
//! them.

use futures_util::Stream;
use reqwest::{Method, StatusCode};
use url::Url;

use crate::backoff::Backoff;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::{CancelledCount, TaskFilter, TaskPage, TaskStatus};
use crate::submit::Submit;
use crate::task_ref::TaskRef;
use crate::transport::{Outgoing, Reply, absent, error_for_reply};

/// How many times a page read that failed for the moment (`503`, a reset)
/// is tried again before the listing gives up.
const PAGE_RETRIES: u32 = 3;

impl Client {
    /// Every task of the caller's tenant that `filter` selects, newest
    /// first, as a `Stream` that fetches a page only once the previous one
    /// is handed out (page size: [`TaskFilter::page_size`]). Paging is by
    /// keyset: tasks submitted or deleted meanwhile never make it show one
    /// twice or skip one that existed throughout. A page that fails for
    /// the moment is tried again a few times; then the stream yields the
    /// error and ends.
    ///
    /// A server without `GET /v1/tasks` (one that knows only the contract)
    /// ends the stream with an [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) error.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use futures_util::TryStreamExt;
    /// use orchestrator::{TaskFilter, TaskState};
    ///
    /// let failed: Vec<_> = client
    ///     .list(&TaskFilter::new().status(TaskState::Failed).label("run", "42"))
    ///     .try_collect()
    ///     .await?;
    /// for status in &failed {
    ///     println!("{} {:?}", status.task_id().unwrap(), status.error());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(
        &self,
        filter: &TaskFilter,
    ) -> impl Stream<Item = Result<TaskStatus>> + Send + 'static {
        enum Next {
            Page(Option<String>),
            Done,
        }
        let (client, filter) = (self.clone(), filter.clone());
        let pages = futures_util::stream::try_unfold(Next::Page(None), move |next| {
            let (client, filter) = (client.clone(), filter.clone());
            async move {
                let Next::Page(cursor) = next else {
                    return Ok(None);
                };
                let page = client.list_page(&filter, cursor.as_deref()).await?;
                let next = match page.next_cursor() {
                    Some(c) => Next::Page(Some(c.to_owned())),
                    None => Next::Done,
                };
                Ok::<_, Error>(Some((page.into_tasks(), next)))
            }
        });
        futures_util::TryStreamExt::try_flatten(futures_util::TryStreamExt::map_ok(
            pages,
            |tasks| futures_util::stream::iter(tasks.into_iter().map(Ok::<_, Error>)),
        ))
    }

    /// One page of the listing: the tasks `filter` selects from `cursor`
    /// on (`None`: the newest), and the cursor of the next page.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use orchestrator::TaskFilter;
    /// let first = client.list_page(&TaskFilter::new().page_size(10), None).await?;
    /// if let Some(cursor) = first.next_cursor() {
    ///     let second = client.list_page(&TaskFilter::new().page_size(10), Some(cursor)).await?;
    ///     println!("{} more", second.tasks().len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_page(&self, filter: &TaskFilter, cursor: Option<&str>) -> Result<TaskPage> {
        let mut url = self.endpoint(&["v1", "tasks"])?;
        set_query(&mut url, filter, cursor);
        let reply = self.send_with_retries(Method::GET, &url).await?;
        match reply.status {
            StatusCode::OK => {}
            s if absent(s) => {
                return Err(Error::unsupported(
                    "this server cannot list tasks (it has no GET /v1/tasks)",
                )
                .with_source(error_for_reply(&Method::GET, &url, &reply)));
            }
            _ => return Err(error_for_reply(&Method::GET, &url, &reply)),
        }
        let value: serde_json::Value = serde_json::from_slice(&reply.body)
            .map_err(|e| Error::protocol(format!("the task list is not JSON: {e}")))?;
        TaskPage::from_json(value)
    }

    /// Submits a FAILED or CANCELLED task again, as a new task with the
    /// same bot, action, input and labels; its status names the old one in
    /// [`TaskStatus::retry_of`]. Await the [`Submit`] as any submit (it
    /// carries an `Idempotency-Key`, so a retried request makes one task).
    /// A task in another state is refused (`409`,
    /// [`ErrorKind::Rejected`](crate::ErrorKind::Rejected)); a server without retries answers
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// let again = client.retry("task-123").await?;
    /// let outcome = client.poll(&again).await?;
    /// println!("{}", outcome.status().state());
    /// # Ok(()) }
    /// ```
    pub fn retry(&self, task: impl Into<TaskRef>) -> Submit {
        Submit::retry(self.clone(), task.into())
    }

    /// Cancels every unfinished task (PENDING or RUNNING) that `filter`
    /// selects, in one request, and returns how many it cancelled. An empty
    /// filter is refused before anything is sent
    /// ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)): it would cancel everything.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use orchestrator::{TaskFilter, TaskState};
    /// let n = client
    ///     .cancel_matching(&TaskFilter::new().status(TaskState::Pending).label("run", "42"))
    ///     .await?;
    /// println!("cancelled {n}");
    /// # Ok(()) }
    /// ```
    pub async fn cancel_matching(&self, filter: &TaskFilter) -> Result<u64> {
        if filter.is_empty() {
            return Err(Error::invalid_input(
                "refusing to cancel with an empty filter: it would cancel every task",
            ));
        }
        if filter.requested_page_size().is_some() {
            return Err(Error::invalid_input(
                "a cancel by filter takes no page size: it cancels every match",
            ));
        }
        let mut url = self.endpoint(&["v1", "tasks", "cancel"])?;
        set_query(&mut url, filter, None);
        let method = Method::POST;
        let reply = self
            .inner
            .transport
            .send(method.clone(), &url, Outgoing::default())
            .await
            .map_err(|f| f.error)?;
        match reply.status {
            StatusCode::OK => {}
            s if absent(s) => {
                return Err(Error::unsupported(
                    "this server cannot cancel tasks by filter (it has no POST /v1/tasks/cancel)",
                )
                .with_source(error_for_reply(&method, &url, &reply)));
            }
            _ => return Err(error_for_reply(&method, &url, &reply)),
        }
        let answer: CancelledCount = serde_json::from_slice(&reply.body).map_err(|e| {
            Error::protocol(format!(
                "the cancel answer is not {{\"cancelled\": <count>}}: {e}"
            ))
        })?;
        Ok(answer.cancelled)
    }

    /// Sends a request that is safe to repeat, repeating it when it failed
    /// for the moment (as the server's `Retry-After` says, or with backoff).
    async fn send_with_retries(&self, method: Method, url: &Url) -> Result<Reply> {
        let inner = &self.inner;
        let options = &inner.poll_options;
        let mut backoff = Backoff::doubling();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = inner
                .transport
                .send(method.clone(), url, Outgoing::default())
                .await;
            let (error, hint) = match sent {
                Ok(reply) if !crate::transport::is_transient_status(reply.status) => {
                    return Ok(reply);
                }
                Ok(reply) => (
                    error_for_reply(&method, url, &reply),
                    crate::retry_after(&reply.headers, inner.clock.now()),
                ),
                Err(failure) => (failure.error, None),
            };
            if !error.is_transient() || attempt > PAGE_RETRIES {
                return Err(error);
            }
            let delay = hint
                .map(|h| h.min(options.max_retry_after).max(options.min_interval))
                .unwrap_or_else(|| backoff.next_delay(options.min_interval, options.max_interval));
            tracing::debug!(attempt, ?delay, error = %error, "listing page failed; retrying");
            inner.clock.sleep(delay).await;
        }
    }
}

fn set_query(url: &mut Url, filter: &TaskFilter, cursor: Option<&str>) {
    let mut query = filter.to_query();
    if let Some(cursor) = cursor {
        let cursor = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("cursor", cursor)
            .finish();
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&cursor);
    }
    url.set_query(Some(&query).filter(|q| !q.is_empty()).map(String::as_str));
}
