//! Waits over the client's event stream, in the timings a real server
//! cannot be made to produce on demand: a stream that opens late, one the
//! server refuses, one that was never advertised.

use std::time::{Duration, Instant};

use orchestrator::{AnalyzeDocument, Client, Outcome};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::*;

const LINK: &str = "</v1/tasks/t-1/events>; rel=\"events\"";

fn real_time_client(server: &MockServer) -> Client {
    Client::builder(server.uri())
        .bearer_token(TOKEN)
        .build()
        .unwrap()
}

async fn mount_submit(server: &MockServer, link: bool) {
    let mut reply = accepted("t-1");
    if link {
        reply = reply.insert_header("link", LINK);
    }
    Mock::given(method("POST"))
        .respond_with(reply)
        .mount(server)
        .await;
}

fn stream_of(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream")
}

/// The task runs until `finish_after` from the mock's start, then is
/// COMPLETED.
struct FinishesAt {
    start: Instant,
    finish_after: Duration,
}

impl Respond for FinishesAt {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.start.elapsed() < self.finish_after {
            ok(status_json("t-1", "RUNNING", Some(50)))
        } else {
            ok(json!({"task_id": "t-1", "status": "COMPLETED", "result": {"summary": "read"}}))
        }
    }
}

async fn requests_to(server: &MockServer, route: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == route)
        .count()
}

#[tokio::test]
async fn a_task_that_finishes_before_the_stream_is_positioned_is_seen_by_the_read_after_it() {
    let server = MockServer::start().await;
    mount_submit(&server, true).await;
    // The task finishes 150 ms in, as event 9; the stream opens only at
    // 400 ms, positioned after event 9, and brings nothing more. A wait
    // that read the status before the stream was positioned would have
    // seen RUNNING and then nothing at all.
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .respond_with(stream_of("retry: 2000\nid: 9\n\n").set_delay(Duration::from_millis(400)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(FinishesAt {
            start: Instant::now(),
            finish_after: Duration::from_millis(150),
        })
        .mount(&server)
        .await;
    let client = real_time_client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new("https://example.com/a.pdf"))
        .await
        .unwrap();
    let outcome = client
        .poll(&accepted)
        .timeout(Duration::from_secs(3))
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Completed(_)), "{outcome:?}");
    assert_eq!(requests_to(&server, "/v1/tasks/t-1").await, 1);
}

#[tokio::test]
async fn a_finish_pushed_over_the_stream_ends_the_wait_without_polling() {
    let server = MockServer::start().await;
    mount_submit(&server, true).await;
    let completed =
        json!({"task_id": "t-1", "status": "COMPLETED", "result": {"summary": "pushed"}});
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .respond_with(stream_of(&format!(
            "id: 3\n\nid: 4\nevent: progress\ndata: {}\n\nid: 5\nevent: completed\ndata: {completed}\n\n",
            status_json("t-1", "RUNNING", Some(80))
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(ok(status_json("t-1", "RUNNING", Some(10))))
        .mount(&server)
        .await;
    let client = real_time_client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new("https://example.com/a.pdf"))
        .await
        .unwrap();
    let outcome = client
        .poll(&accepted)
        .timeout(Duration::from_secs(3))
        .await
        .unwrap();
    let Outcome::Completed(status) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(status.result().unwrap()["summary"], "pushed");
    assert_eq!(requests_to(&server, "/v1/tasks/t-1").await, 1);
}

#[tokio::test]
async fn a_stream_the_server_refuses_sends_the_wait_back_to_polling() {
    let server = MockServer::start().await;
    mount_submit(&server, true).await;
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(FinishesAt {
            start: Instant::now(),
            finish_after: Duration::from_millis(300),
        })
        .mount(&server)
        .await;
    let client = real_time_client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new("https://example.com/a.pdf"))
        .await
        .unwrap();
    let poller = client
        .poll(&accepted)
        .min_interval(Duration::from_millis(50));
    let outcome = poller.timeout(Duration::from_secs(5)).await.unwrap();
    assert!(matches!(outcome, Outcome::Completed(_)), "{outcome:?}");
    // The next wait on this client does not try the stream again.
    let again = client.poll("t-1").timeout(Duration::from_secs(2)).await;
    assert!(matches!(again, Ok(Outcome::Completed(_))), "{again:?}");
    assert_eq!(requests_to(&server, "/v1/events").await, 1);
}

#[tokio::test]
async fn a_server_that_does_not_link_a_stream_is_never_asked_for_one() {
    let server = MockServer::start().await;
    mount_submit(&server, false).await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(FinishesAt {
            start: Instant::now(),
            finish_after: Duration::from_millis(200),
        })
        .mount(&server)
        .await;
    let client = real_time_client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new("https://example.com/a.pdf"))
        .await
        .unwrap();
    let outcome = client
        .poll(&accepted)
        .min_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Completed(_)), "{outcome:?}");
    assert_eq!(requests_to(&server, "/v1/events").await, 0);
}
