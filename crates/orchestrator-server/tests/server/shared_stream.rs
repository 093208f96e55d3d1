//! Many waits over one stream: an SDK `Client` waits for all its tasks over
//! one `GET /v1/events` (the server links it from its answers), holds no
//! request per wait, and misses no finish, however a task's end and its
//! wait's start fall.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use orchestrator::{AnalyzeDocument, Client, Outcome, PollOptions};
use orchestrator_server::{RunningServer, ServerConfig};
use orchestrator_testkit::CountingRelay;

use crate::support::*;

/// Tasks waited for at once on one client.
const WAITS: usize = 1000;

fn with_metrics(config: ServerConfig) -> ServerConfig {
    ServerConfig {
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..config
    }
}

/// A metric's value from the server's exposition: the first line of
/// `name` whose labels contain `labels`.
async fn metric(server: &RunningServer, name: &str, labels: &str) -> f64 {
    let url = format!("http://{}/metrics", server.metrics_addr().unwrap());
    let text = reqwest::get(url).await.unwrap().text().await.unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .find(|(series, _)| {
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            metric == name && rest.contains(labels)
        })
        .map_or(0.0, |(_, value)| value.parse().unwrap())
}

/// A client through `relay` with prior-knowledge HTTP/2, so that every
/// request and the stream can share one connection.
fn client_via(relay: &CountingRelay) -> Client {
    let options = PollOptions::default().with_timeout(Some(Duration::from_secs(60)));
    Client::builder(relay.url())
        .bearer_token(KEY)
        .http2_prior_knowledge(true)
        .poll_options(options)
        .build()
        .unwrap()
}

async fn submit_many(client: &Client, n: usize) -> Vec<orchestrator::Accepted> {
    futures_util::stream::iter(0..n)
        .map(|i| {
            let client = client.clone();
            async move {
                client
                    .analyze_document("b", &AnalyzeDocument::new(data_url(&format!("doc {i}"))))
                    .await
                    .unwrap()
            }
        })
        .buffer_unordered(64)
        .collect()
        .await
}

pub(crate) async fn a_thousand_waits_on_one_client_share_one_stream_and_hold_no_request() {
    let server = start(with_metrics(ServerConfig {
        work_delay: Duration::from_millis(400),
        workers: 100,
        max_queued: WAITS as u64,
        ..config()
    }))
    .await;
    let relay = CountingRelay::start(server.local_addr());
    let client = client_via(&relay);
    let accepted = submit_many(&client, WAITS).await;
    let waits = tokio::spawn({
        let client = client.clone();
        async move {
            futures_util::stream::iter(accepted)
                .map(|a| IntoFuture::into_future(client.poll(a)))
                .buffer_unordered(WAITS)
                .collect::<Vec<_>>()
                .await
        }
    });
    // While they wait: one stream, and not one status request held.
    let mut most_held = 0.0f64;
    let mut most_streams = 0.0f64;
    while !waits.is_finished() {
        most_held = most_held.max(metric(&server, "orchestrator_long_polls_held", "").await);
        most_streams =
            most_streams.max(metric(&server, "orchestrator_event_streams_open", "").await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let outcomes = waits.await.unwrap();
    let completed = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Outcome::Completed(_))))
        .count();
    assert_eq!(
        completed,
        WAITS,
        "{:?}",
        outcomes.iter().find(|o| o.is_err())
    );
    assert_eq!(most_held, 0.0, "status requests were held");
    assert_eq!(most_streams, 1.0, "streams open at once");
    let streams = metric(
        &server,
        "orchestrator_http_requests_total",
        "route=\"/v1/events\"",
    )
    .await;
    let reads = metric(
        &server,
        "orchestrator_http_requests_total",
        "route=\"/v1/tasks/{task_id}\"",
    )
    .await;
    assert_eq!(streams, 1.0, "event streams opened");
    // One read per wait, after it registered: nothing polls.
    assert!(
        reads <= WAITS as f64,
        "{reads} status reads for {WAITS} waits"
    );
    // The submits, the reads and the stream, multiplexed.
    let connections = relay.connections();
    assert!(connections <= 2, "{connections} connections");
    figure(&format!(
        "{WAITS} waits on one client: {connections} connection(s), {streams} event stream, \
         {reads} status reads, most held long polls {most_held}"
    ));
    server.shutdown().await.unwrap();
}

/// Prints a measured figure under the test's output.
fn figure(text: &str) {
    orchestrator_testkit::figure("shared_stream", text);
}

pub(crate) async fn no_finish_is_missed_however_it_falls_against_a_wait_starting() {
    // Tasks that take 20 ms, waited for from 0 to 29 ms after the submit's
    // answer: some finish before the wait registers, some between its
    // registration and its read, some after.
    let server = start(ServerConfig {
        workers: 24,
        work_delay: Duration::from_millis(20),
        ..config()
    })
    .await;
    let relay = CountingRelay::start(server.local_addr());
    let shared = client_via(&relay);
    let rounds: Vec<_> = (0..300u64).collect();
    let outcomes: Vec<_> = futures_util::stream::iter(rounds)
        .map(|i| {
            // Every other wait is the first on a new client: its stream
            // is not yet positioned when it registers.
            let client = if i % 2 == 0 {
                client_via(&relay)
            } else {
                shared.clone()
            };
            async move {
                let accepted = client
                    .analyze_document("b", &AnalyzeDocument::new(data_url("a short one")))
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(i / 2 % 30)).await;
                let wait = client.poll(&accepted).timeout(Duration::from_secs(15));
                tokio::time::timeout(Duration::from_secs(20), IntoFuture::into_future(wait)).await
            }
        })
        .buffer_unordered(24)
        .collect()
        .await;
    for outcome in &outcomes {
        match outcome {
            Ok(Ok(Outcome::Completed(_))) => {}
            other => panic!("a wait did not see its task finish: {other:?}"),
        }
    }
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_wait_on_a_task_that_already_finished_ends_at_once() {
    let server = start(config()).await;
    let relay = CountingRelay::start(server.local_addr());
    let client = client_via(&relay);
    let first = submit_many(&client, 1).await.remove(0);
    client.poll(&first).await.unwrap();
    // The stream is live now; this task is done before its wait starts.
    let second = submit_many(&client, 1).await.remove(0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let outcome = client.poll(&second).await.unwrap();
    assert!(matches!(outcome, Outcome::Completed(_)), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    server.shutdown().await.unwrap();
}

pub(crate) async fn waits_ride_out_a_dropped_stream_and_miss_nothing() {
    let server = start(ServerConfig {
        work_delay: Duration::from_millis(1500),
        workers: 50,
        ..config()
    })
    .await;
    let relay = CountingRelay::start(server.local_addr());
    let client = client_via(&relay);
    let accepted = submit_many(&client, 50).await;
    let waits = tokio::spawn({
        let client = client.clone();
        async move {
            futures_util::stream::iter(accepted)
                .map(|a| IntoFuture::into_future(client.poll(a)))
                .buffer_unordered(50)
                .collect::<Vec<_>>()
                .await
        }
    });
    // Cut while the tasks run (the stream is open by then), and again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    relay.sever();
    tokio::time::sleep(Duration::from_millis(300)).await;
    relay.sever();
    let outcomes = waits.await.unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok(Outcome::Completed(_)))),
        "{:?}",
        outcomes.iter().find(|o| o.is_err())
    );
    assert!(relay.connections() >= 3, "the client reconnected");
    server.shutdown().await.unwrap();
}

pub(crate) async fn waits_told_not_to_use_the_stream_long_poll_as_before() {
    let server = start(with_metrics(ServerConfig {
        work_delay: Duration::from_millis(1500),
        ..config()
    }))
    .await;
    let client = Arc::new(
        Client::builder(server.url())
            .bearer_token(KEY)
            .poll_options(PollOptions::default().with_event_stream(false))
            .build()
            .unwrap(),
    );
    let accepted = submit_many(&client, 1).await.remove(0);
    let wait = tokio::spawn({
        let client = client.clone();
        async move { client.poll(&accepted).await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        metric(&server, "orchestrator_long_polls_held", "").await,
        1.0
    );
    assert!(matches!(wait.await.unwrap(), Ok(Outcome::Completed(_))));
    assert_eq!(
        metric(
            &server,
            "orchestrator_http_requests_total",
            "route=\"/v1/events\""
        )
        .await,
        0.0
    );
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_wait_on_the_stream_gives_up_at_its_deadline_and_names_its_task() {
    // No workers: the task stays PENDING, and only the deadline ends the wait.
    let server = start(with_metrics(ServerConfig {
        workers: 0,
        ..config()
    }))
    .await;
    let relay = CountingRelay::start(server.local_addr());
    let client = client_via(&relay);
    let accepted = submit_many(&client, 1).await.remove(0);
    let started = std::time::Instant::now();
    let wait = tokio::spawn({
        let client = client.clone();
        let accepted = accepted.clone();
        async move { client.poll(&accepted).timeout(Duration::from_secs(2)).await }
    });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    // Listening, not polling: the stream is open and no request is held.
    assert_eq!(
        metric(&server, "orchestrator_event_streams_open", "").await,
        1.0
    );
    assert_eq!(
        metric(&server, "orchestrator_long_polls_held", "").await,
        0.0
    );
    let error = tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the deadline ended the wait")
        .unwrap()
        .unwrap_err();
    let took = started.elapsed();
    assert!(error.is_timeout(), "{error}");
    assert!(error.to_string().contains("still PENDING"), "{error}");
    assert_eq!(
        error.task().and_then(|t| t.task_id()),
        accepted.task_id().cloned()
    );
    assert!(
        (Duration::from_millis(1900)..Duration::from_secs(5)).contains(&took),
        "gave up after {took:?}"
    );
    server.shutdown().await.unwrap();
}
