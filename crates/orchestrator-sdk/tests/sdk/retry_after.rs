//! `Retry-After` honoured as a capped floor, in both of its forms.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orchestrator::ErrorKind;
use orchestrator::clock::Clock;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn the_acceptance_retry_after_delays_the_first_poll() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            accepted("t-1").insert_header("retry-after", "6"),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(wiremock::matchers::any())
        .respond_with(script.clone())
        .mount(&server)
        .await;

    let client = client(&server.uri(), &clock);
    let accepted = client
        .submit("b", "analyze-document", &json!({}))
        .await
        .unwrap();
    assert_eq!(accepted.retry_after(), Some(Duration::from_secs(6)));
    client.poll(&accepted).await.unwrap();
    assert_eq!(script.gaps(), [Duration::from_secs(6)]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    // 40 s after the virtual clock's start.
    let date = httpdate::fmt_http_date(epoch() + Duration::from_secs(40));
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", None)).insert_header("retry-after", date.as_str()),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    client(&server.uri(), &clock)
        .poll("t-1")
        .long_poll_wait(None)
        .await
        .unwrap();
    assert_honours_hints(&script.gaps(), &[Duration::from_secs(40)]);
}

#[tokio::test]
async fn an_absurd_retry_after_is_capped_by_max_retry_after() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", None)).insert_header("retry-after", "999999999999"),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    client(&server.uri(), &clock)
        .poll("t-1")
        .max_retry_after(Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(script.gaps(), [Duration::from_secs(120)]);
}

#[tokio::test]
async fn a_huge_retry_after_with_a_short_deadline_times_out_promptly_and_names_the_task() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![ok(status_json("t-1", "RUNNING", Some(30))).insert_header("retry-after", "86400")],
    );
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    let started = Instant::now();
    let err = client(&server.uri(), &clock)
        .poll("t-1")
        .timeout(Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert_eq!(err.task().unwrap().task_id().unwrap().as_str(), "t-1");
    assert!(err.to_string().contains("still RUNNING (30%)"), "{err}");
    // It slept exactly up to the deadline, not a second longer…
    assert_eq!(clock.elapsed(), Duration::from_secs(5));
    // …and did not call the server again after the deadline.
    assert_eq!(script.seen().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// Notes the real time of each request.
#[derive(Clone, Default)]
struct Stopwatch {
    at: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Stopwatch {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut at = self.at.lock().unwrap();
        at.push(Instant::now());
        if at.len() < 3 {
            ok(status_json("t-1", "RUNNING", None)).insert_header("retry-after-ms", "250")
        } else {
            ok(status_json("t-1", "COMPLETED", None))
        }
    }
}

#[tokio::test]
async fn retry_after_ms_paces_real_requests_as_measured_by_the_server() {
    let server = MockServer::start().await;
    let stopwatch = Stopwatch::default();
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(stopwatch.clone())
        .mount(&server)
        .await;
    // Real clock: the gaps are measured on the server side.
    let client = orchestrator::Client::builder(server.uri()).build().unwrap();
    client
        .poll("t-1")
        .min_interval(Duration::from_millis(10))
        .long_poll_wait(None)
        .await
        .unwrap();
    let at = stopwatch.at.lock().unwrap().clone();
    assert_eq!(at.len(), 3);
    for gap in at.windows(2).map(|w| w[1] - w[0]) {
        assert!(gap >= Duration::from_millis(250), "{gap:?}");
        assert!(gap < Duration::from_millis(1250), "{gap:?}");
    }
}

#[tokio::test]
async fn a_hung_status_request_does_not_carry_the_wait_past_its_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(status_json("t-1", "RUNNING", None)).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    // Real clock: the deadline has to cut a real request short.
    let client = orchestrator::Client::builder(server.uri()).build().unwrap();

    let started = Instant::now();
    let err = client
        .poll("t-1")
        .timeout(Duration::from_millis(400))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    assert!(
        err.to_string().contains("no status of task `t-1` was read"),
        "{err}"
    );
    assert!(!err.to_string().contains("keeps running"), "{err}");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(400), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}
