//! Long polling: `Prefer: wait`, bounded by the cap and the deadline, and
//! no client pause after a held request.

use std::time::Duration;

use futures_util::StreamExt;
use orchestrator::{DelaySource, PollOptions};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer};

use crate::support::*;

#[tokio::test]
async fn every_status_request_asks_the_server_to_wait() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", None)),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(method("GET"))
        .and(header("prefer", "wait=20"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    client(&server.uri(), &clock).poll("t-1").await.unwrap();
    assert_eq!(script.seen().len(), 2);
}

#[tokio::test]
async fn the_requested_wait_is_bounded_by_the_cap_and_the_deadline() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(&clock, vec![ok(status_json("t-1", "COMPLETED", None))]);
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;
    let client = client(&server.uri(), &clock);

    client
        .poll("t-1")
        .long_poll_wait(Some(Duration::from_secs(5)))
        .await
        .unwrap();
    client
        .poll("t-1")
        .timeout(Duration::from_secs(8))
        .await
        .unwrap();
    client.poll("t-1").long_poll_wait(None).await.unwrap();
    let prefer: Vec<_> = script
        .seen()
        .iter()
        .map(|s| s.header("prefer").map(str::to_owned))
        .collect();
    assert_eq!(prefer, [Some("wait=5".into()), Some("wait=7".into()), None]);
}

#[tokio::test]
async fn when_the_server_applied_the_wait_the_next_poll_follows_without_a_client_sleep() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let held = |p| {
        ok(status_json("t-1", "RUNNING", Some(p))).insert_header("preference-applied", "wait=20")
    };
    let script = Script::new(
        &clock,
        vec![
            held(10),
            held(20),
            held(30),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    let updates: Vec<_> = client(&server.uri(), &clock)
        .poll("t-1")
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(updates.len(), 4);
    for u in &updates[..3] {
        assert_eq!(u.next_delay(), Some(Duration::ZERO));
        assert_eq!(u.delay_source(), Some(DelaySource::LongPoll));
    }
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
}

#[tokio::test]
async fn a_long_poll_still_honours_retry_after() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", Some(10)))
                .insert_header("preference-applied", "wait=20")
                .insert_header("retry-after", "3"),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    client(&server.uri(), &clock).poll("t-1").await.unwrap();
    assert_honours_hints(&clock.sleeps(), &[Duration::from_secs(3)]);
}

#[tokio::test]
async fn a_server_that_claims_to_wait_but_answers_at_once_unchanged_gets_ordinary_backoff() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let same = || {
        ok(status_json("t-1", "RUNNING", Some(10))).insert_header("preference-applied", "wait=20")
    };
    let script = Script::new(
        &clock,
        vec![
            same(),
            same(),
            same(),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    let updates: Vec<_> = client(&server.uri(), &clock)
        .poll("t-1")
        .map(Result::unwrap)
        .collect()
        .await;
    // The first answer is news; the two identical instant ones are not.
    assert_eq!(updates[0].delay_source(), Some(DelaySource::LongPoll));
    assert_eq!(updates[1].delay_source(), Some(DelaySource::Backoff));
    assert_eq!(updates[2].delay_source(), Some(DelaySource::Backoff));
    let min = PollOptions::default().min_interval;
    assert!(
        clock.sleeps().iter().all(|d| *d >= min),
        "{:?}",
        clock.sleeps()
    );
}

#[tokio::test]
async fn a_server_that_ignores_the_preference_sees_ordinary_polling() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", Some(10))),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    Mock::given(method("GET"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    client(&server.uri(), &clock).poll("t-1").await.unwrap();
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1);
    assert!(
        sleeps[0] >= PollOptions::default().min_interval,
        "{sleeps:?}"
    );
}
