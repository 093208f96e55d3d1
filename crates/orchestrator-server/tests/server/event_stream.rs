//! Server-Sent Events over real HTTP, read with the SDK (and raw, where
//! the bytes matter): a task's stream from its status to its end, resuming
//! with `Last-Event-ID`, a consumer too slow to keep up, and on PostgreSQL
//! events of another instance's work.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use orchestrator::{AnalyzeDocument, ErrorKind, StreamEvent, TaskEvent, TaskEventKind, TaskFilter};

use crate::support::*;

const TEXT: &str = "The quarterly report is good. Revenue grew.";

fn task_events(items: Vec<StreamEvent>) -> Vec<TaskEvent> {
    items
        .into_iter()
        .filter_map(|i| match i {
            StreamEvent::Task(e) => Some(*e),
            _ => None,
        })
        .collect()
}

pub(crate) async fn a_tasks_stream_begins_with_its_current_status_and_ends_after_its_terminal_event()
 {
    let mut config = config();
    config.work_delay = Duration::from_millis(800);
    let server = start(config).await;
    let client = client(&server);
    let http = reqwest::Client::new();
    let accepted = http
        .post(format!(
            "{}/v1/bots/b/actions/analyze-document",
            server.url()
        ))
        .bearer_auth(KEY)
        .json(&serde_json::json!({"document_url": data_url(TEXT)}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let body: serde_json::Value = accepted.json().await.unwrap();
    let id = body["task_id"].as_str().unwrap().to_owned();
    // The 202 advertises the stream (the status does too, below).
    let status = http
        .get(format!("{}/v1/tasks/{id}", server.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let link = status.headers()["link"].to_str().unwrap().to_owned();
    assert_eq!(link, format!("</v1/tasks/{id}/events>; rel=\"events\""));

    let events = tokio::time::timeout(
        Duration::from_secs(20),
        client.task_events(&id).try_collect::<Vec<_>>(),
    )
    .await
    .expect("the stream ends after the terminal event")
    .unwrap();
    let events = task_events(events);
    let last = events.last().unwrap();
    assert_eq!(last.kind(), &TaskEventKind::Completed);
    assert!(last.status().result().is_some());
    assert!(events.len() >= 3, "{events:?}");
    assert!(events.windows(2).all(|w| w[0].id() < w[1].id()));
    // Progress events show the run as it went, without a result.
    let progress: Vec<f64> = events
        .iter()
        .filter(|e| e.kind() == &TaskEventKind::Progress)
        .filter_map(|e| {
            assert!(e.status().result().is_none());
            e.status().progress_percent()
        })
        .collect();
    assert!(!progress.is_empty(), "{events:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");

    // A finished task's stream is its terminal event alone.
    let again = task_events(client.task_events(&id).try_collect().await.unwrap());
    assert_eq!(
        again.iter().map(|e| e.id()).collect::<Vec<_>>(),
        [last.id()]
    );
    let err = client
        .task_events("task-missing")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    server.shutdown().await.unwrap();
}

pub(crate) async fn resuming_after_the_last_event_id_loses_nothing_and_repeats_nothing() {
    let mut config = config();
    config.workers = 0;
    let server = start(config).await;
    let client = client(&server);
    let submit = |n: usize| {
        let client = client.clone();
        async move {
            for _ in 0..n {
                client
                    .analyze_document("b", &AnalyzeDocument::new(data_url(TEXT)))
                    .label("run", "r1")
                    .await
                    .unwrap();
            }
        }
    };
    submit(5).await;
    let filter = TaskFilter::new().label("run", "r1");
    let first: Vec<TaskEvent> = task_events(
        client
            .events_after(&filter, Some(0))
            .take(3)
            .try_collect()
            .await
            .unwrap(),
    );
    assert_eq!(first.len(), 3);
    // The connection is gone; more happens meanwhile.
    submit(3).await;
    let resumed_after = first.last().unwrap().id();
    let rest: Vec<TaskEvent> = task_events(
        client
            .events_after(&filter, Some(resumed_after))
            .take(5)
            .try_collect()
            .await
            .unwrap(),
    );
    let mut ids: Vec<u64> = first.iter().chain(&rest).map(|e| e.id()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    ids.dedup();
    assert_eq!(ids.len(), 8);
    assert!(rest.iter().all(|e| e.kind() == &TaskEventKind::Submitted));

    // A filter that matches nothing yet sees only what matches from now.
    let mut live = std::pin::pin!(client.events(&TaskFilter::new().label("run", "r2")));
    let late = client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        late.analyze_document("b", &AnalyzeDocument::new(data_url(TEXT)))
            .label("run", "r2")
            .await
            .unwrap();
    });
    let next = tokio::time::timeout(Duration::from_secs(10), live.next())
        .await
        .expect("the new task's event arrives")
        .unwrap()
        .unwrap();
    let event = next.task().unwrap();
    assert_eq!(event.status().labels().get("run"), Some("r2"));
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_consumer_that_stops_reading_is_cut_off_with_the_point_to_resume_from() {
    let mut config = config();
    config.workers = 0;
    config.max_queued = 10_000;
    // The pause is a slow consumer by design, not one to cut off (the
    // submits take longer than the default stall on PostgreSQL).
    config.event_stall = Duration::from_secs(120);
    config.event_buffer = 8;
    config.event_stall = Duration::from_millis(300);
    let server = start(config).await;
    let client = client(&server);
    // Big events (16 long labels each), so the socket's buffers fill.
    const TASKS: usize = 1_200;
    let submits = futures_util::stream::iter(0..TASKS).map(|i| {
        let client = client.clone();
        async move {
            let mut submit = client.analyze_document("b", &AnalyzeDocument::new(data_url(TEXT)));
            for k in 0..16 {
                submit = submit.label(
                    format!("{k:02}-{}", "k".repeat(60)),
                    format!("{i}-{}", "v".repeat(240)),
                );
            }
            submit.await.unwrap();
        }
    });
    submits.buffer_unordered(16).collect::<Vec<_>>().await;

    let response = reqwest::Client::new()
        .get(format!("{}/v1/events", server.url()))
        .bearer_auth(KEY)
        .header("last-event-id", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Not reading: the buffer fills, the stall passes.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let body = tokio::time::timeout(Duration::from_secs(20), response.text())
        .await
        .expect("the server ends the stream")
        .unwrap();
    let delivered = body.matches("event: submitted").count();
    assert!(
        delivered < TASKS,
        "all {delivered} delivered: the consumer was never cut off"
    );
    let overflow = body
        .split("\n\n")
        .find(|m| m.contains("event: overflow"))
        .expect("an overflow event ends the stream");
    let last_id: u64 = body
        .split("\n\n")
        .filter(|m| m.contains("event: submitted"))
        .filter_map(|m| m.lines().find_map(|l| l.strip_prefix("id: ")))
        .last()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        overflow.contains(&format!("\"resume_after\": {last_id}")),
        "{overflow}"
    );
    // A consumer that keeps up gets every event, and once.
    let all: Vec<TaskEvent> = task_events(
        tokio::time::timeout(
            Duration::from_secs(30),
            client
                .events_after(&TaskFilter::new(), Some(0))
                .take(TASKS)
                .try_collect(),
        )
        .await
        .expect("a fast consumer reads them all")
        .unwrap(),
    );
    let mut ids: Vec<u64> = all.iter().map(|e| e.id()).collect();
    ids.dedup();
    assert_eq!(ids.len(), TASKS);
    server.shutdown().await.unwrap();
}

/// Two instances on one database: a stream held on one sees the work the
/// other does, to the end.
#[cfg(feature = "postgres")]
pub(crate) async fn a_stream_on_one_instance_follows_tasks_another_instance_runs() {
    let mut watching = config();
    watching.workers = 0;
    let a = start(watching).await;
    let mut working = config();
    working.workers = 1;
    let b = start(working).await;
    let (on_a, on_b) = (client(&a), client(&b));
    // The stream starts from "now" when it is first polled: poll it first.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let follower = tokio::spawn(async move {
        let mut stream = std::pin::pin!(on_a.events(&TaskFilter::new()));
        while let Some(item) = stream.next().await {
            if tx.send(item.unwrap()).is_err() {
                return;
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let accepted = on_b
        .analyze_document("b", &AnalyzeDocument::new(data_url(TEXT)))
        .await
        .unwrap();
    let id = accepted.task_id().unwrap().to_string();
    let mut kinds = Vec::new();
    tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(item) = rx.recv().await {
            let event = item.task().unwrap().clone();
            assert_eq!(event.status().task_id().unwrap().as_str(), id);
            kinds.push(event.kind().clone());
            if event.kind().is_terminal() {
                break;
            }
        }
    })
    .await
    .expect("instance A streams the task B ran to its end");
    follower.abort();
    assert_eq!(kinds.first(), Some(&TaskEventKind::Submitted));
    assert_eq!(kinds.last(), Some(&TaskEventKind::Completed));
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

pub(crate) async fn a_stream_that_falls_behind_the_tenants_feed_catches_up_with_nothing_lost() {
    // Workers off: each submit is one event. A stream whose consumer pauses
    // while more than the feed holds (1,024) go by falls behind the feed
    // and must take the rest from the log.
    let mut config = config();
    config.workers = 0;
    config.max_queued = 10_000;
    // The pause is a slow consumer by design, not one to cut off (the
    // submits take longer than the default stall on PostgreSQL).
    config.event_stall = Duration::from_secs(120);
    let server = start(config).await;
    let client = client(&server);
    let mut stream = reqwest::Client::new()
        .get(format!("{}/v1/events", server.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    // Events of 4 KiB (16 long labels), so that more than the sockets'
    // buffers hold is waiting while the consumer pauses.
    let total = 3_000;
    let long = "x".repeat(250);
    futures_util::stream::iter(0..total)
        .map(|_| {
            let client = client.clone();
            let long = long.clone();
            async move {
                let mut submit =
                    client.analyze_document("b", &AnalyzeDocument::new(data_url(TEXT)));
                for k in 0..16 {
                    submit = submit.label(format!("k{k}"), long.as_str());
                }
                submit.await.unwrap()
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    // Now read all of it.
    let mut ids = Vec::new();
    let mut pending = String::new();
    while ids.len() < total {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("the stream goes on")
            .unwrap()
            .expect("the stream is open");
        pending.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = pending.find("\n\n") {
            let message: String = pending.drain(..end + 2).collect();
            if message.contains("event: submitted")
                && let Some(id) = message.lines().find_map(|l| l.strip_prefix("id: "))
            {
                ids.push(id.trim().parse::<u64>().unwrap());
            }
        }
    }
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "out of order or repeated"
    );
    assert_eq!(ids.len(), total);
    // Every event of the tenant, none skipped.
    assert_eq!(ids.last().unwrap() - ids.first().unwrap() + 1, total as u64);
    server.shutdown().await.unwrap();
}
