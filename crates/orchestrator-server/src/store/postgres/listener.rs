//! One dedicated LISTEN connection per instance: it turns other instances'
//! `pg_notify` calls into [`Change`]s. A notification is only a hint — held
//! long polls and idle workers re-read the store when woken, and keep their
//! own timers as a fallback — so a lost one costs latency, never
//! correctness. After a reconnect every local waiter is told to look again.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

use super::{QUEUE_CHANNEL, TASK_CHANNEL};
use crate::config::DatabaseUrl;
use crate::store::{Change, ChangeFeed};

/// How often an idle listener proves its connection is alive.
const KEEPALIVE: Duration = Duration::from_secs(10);
/// The longest pause between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Changes waiting for the server to take them; beyond, a `Resync` stands
/// for all that were dropped.
const FEED_CAPACITY: usize = 4096;

/// Starts listening; the feed ends when the server drops it.
pub(super) fn start(url: DatabaseUrl, instance: String) -> ChangeFeed {
    let (tx, rx) = mpsc::channel(FEED_CAPACITY);
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(100);
        let mut first = true;
        while !tx.is_closed() {
            match listen(&url, &instance, &tx, first).await {
                Ok(Ended::FeedDropped) => return, // the server stopped listening
                Ok(Ended::ConnectionClosed) => {
                    tracing::warn!(database = %url, ?backoff, "the LISTEN connection closed; reconnecting");
                    tokio::time::sleep(backoff).await;
                    first = false;
                }
                Err(e) => {
                    tracing::warn!(database = %url, error = %e, ?backoff, "the LISTEN connection failed; reconnecting");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    first = false;
                }
            }
        }
    });
    rx
}

/// How one connection's life ended, short of an error.
enum Ended {
    FeedDropped,
    ConnectionClosed,
}

/// One connection's life.
async fn listen(
    url: &DatabaseUrl,
    instance: &str,
    tx: &mpsc::Sender<Change>,
    first: bool,
) -> Result<Ended, tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(url.expose(), NoTls).await?;
    let (messages_tx, mut messages) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut stream = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = stream.next().await {
            let stop = message.is_err();
            if messages_tx.send(message).is_err() || stop {
                break;
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {TASK_CHANNEL}; LISTEN {QUEUE_CHANNEL}"))
        .await?;
    tracing::info!("listening for other instances' changes");
    if !first {
        // Whatever happened while the connection was down is unknown.
        let _ = tx.try_send(Change::Resync);
    }
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    let result = loop {
        tokio::select! {
            message = messages.recv() => match message {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    let Some(change) = decode(n.channel(), n.payload(), instance) else { continue };
                    if let Err(mpsc::error::TrySendError::Full(_)) = tx.try_send(change) {
                        let _ = tx.send(Change::Resync).await;
                    }
                    if tx.is_closed() {
                        break Ok(Ended::FeedDropped);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => break Err(e),
                None => break Ok(Ended::ConnectionClosed),
            },
            _ = keepalive.tick() => {
                if tx.is_closed() {
                    break Ok(Ended::FeedDropped);
                }
                client.simple_query("SELECT 1").await?;
            }
        }
    };
    driver.abort();
    result
}

/// A notification as a change, unless this instance sent it.
fn decode(channel: &str, payload: &str, instance: &str) -> Option<Change> {
    let (from, rest) = payload.split_once(' ').unwrap_or((payload, ""));
    if from == instance {
        return None;
    }
    match channel {
        TASK_CHANNEL if !rest.is_empty() => Some(Change::Task(rest.to_owned())),
        QUEUE_CHANNEL => Some(Change::Queue),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_notifications_are_skipped_and_others_decoded() {
        assert_eq!(decode(TASK_CHANNEL, "inst-a task-1", "inst-a"), None);
        assert_eq!(
            decode(TASK_CHANNEL, "inst-b task-1", "inst-a"),
            Some(Change::Task("task-1".into()))
        );
        assert_eq!(
            decode(QUEUE_CHANNEL, "inst-b", "inst-a"),
            Some(Change::Queue)
        );
        assert_eq!(decode(TASK_CHANNEL, "inst-b", "inst-a"), None);
        assert_eq!(decode("other", "inst-b x", "inst-a"), None);
    }
}
