//! The poller's stream and outcome: every status, its next pause and why,
//! transient failures, deadlines.

use std::time::Duration;

use futures_util::StreamExt;
use orchestrator::{DelaySource, ErrorKind, Outcome, PollOptions, TaskState};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

async fn serve_polls(server: &MockServer, script: &Script) {
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(script.clone())
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_stream_yields_every_observed_status_with_the_next_delay_and_its_source() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "PENDING", None)),
            ok(status_json("t-1", "RUNNING", Some(10))).insert_header("retry-after", "9"),
            ok(status_json("t-1", "RUNNING", Some(80))),
            ok(status_json("t-1", "COMPLETED", Some(100))),
        ],
    );
    serve_polls(&server, &script).await;
    let client = client(&server.uri(), &clock);

    let updates: Vec<_> = client
        .poll("t-1")
        .long_poll_wait(None)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let states: Vec<_> = updates.iter().map(|u| u.status().state().clone()).collect();
    assert_eq!(
        states,
        [
            TaskState::Pending,
            TaskState::Running,
            TaskState::Running,
            TaskState::Completed
        ]
    );
    assert_eq!(updates[1].status().progress_percent(), Some(10.0));
    assert_eq!(updates[0].delay_source(), Some(DelaySource::Backoff));
    // Retry-After: 9 is a floor, with up to 10 % more so clients told the
    // same instant spread out.
    let after_hint = updates[1].next_delay().unwrap();
    assert!(
        after_hint >= Duration::from_secs(9) && after_hint <= Duration::from_millis(9_900),
        "{after_hint:?}"
    );
    assert_eq!(updates[1].delay_source(), Some(DelaySource::RetryAfter));
    assert_eq!(updates[3].next_poll(), None);
    // The delays reported are the delays slept.
    let reported: Vec<_> = updates.iter().filter_map(|u| u.next_delay()).collect();
    assert_eq!(clock.sleeps(), reported);
    assert_eq!(script.gaps(), reported);
}

#[tokio::test]
async fn an_unknown_state_is_reported_and_waited_through() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "QUEUED_FOR_GPU", None)),
            ok(status_json("t-1", "running", Some(50))),
            ok(status_json("t-1", "Canceled", None)),
        ],
    );
    serve_polls(&server, &script).await;

    let mut poller = client(&server.uri(), &clock).poll("t-1");
    let first = poller.next().await.unwrap().unwrap();
    assert_eq!(
        first.status().state(),
        &TaskState::Unknown("QUEUED_FOR_GPU".into())
    );
    assert!(
        first.next_delay().is_some(),
        "polling goes on after an unknown state"
    );
    let outcome = poller.await.unwrap();
    assert!(matches!(outcome, Outcome::Cancelled(_)), "{outcome:?}");
}

#[tokio::test]
async fn a_failed_task_is_an_outcome_with_its_error() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![ok(json!({
            "task_id": "t-1",
            "status": "FAILED",
            "error": {"code": "DOCUMENT_UNREACHABLE", "message": "GET https://example.com/x.pdf: 404"}
        }))],
    );
    serve_polls(&server, &script).await;

    let outcome = client(&server.uri(), &clock).poll("t-1").await.unwrap();
    let error = outcome.error().unwrap();
    assert_eq!(error.code, "DOCUMENT_UNREACHABLE");
    assert_eq!(error.message, "GET https://example.com/x.pdf: 404");
    let err = outcome.result::<serde_json::Value>().unwrap_err();
    assert!(err.to_string().contains("DOCUMENT_UNREACHABLE"), "{err}");
}

#[tokio::test]
async fn bursts_of_503_500_and_non_json_bodies_are_ridden_out() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let html = ResponseTemplate::new(200)
        .insert_header("content-type", "text/html")
        .set_body_string("<html><body>502 Bad Gateway</body></html>");
    let script = Script::new(
        &clock,
        vec![
            ResponseTemplate::new(503).insert_header("retry-after", "5"),
            ResponseTemplate::new(500),
            html.clone(),
            ok(status_json("t-1", "RUNNING", Some(40))),
            ResponseTemplate::new(502),
            ResponseTemplate::new(504),
            ResponseTemplate::new(429).insert_header("retry-after", "3"),
            ResponseTemplate::new(408),
            html,
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    serve_polls(&server, &script).await;

    let outcome = client(&server.uri(), &clock)
        .poll("t-1")
        .long_poll_wait(None)
        .await
        .unwrap();
    assert!(outcome.is_completed());
    assert_eq!(script.seen().len(), 10);
    let gaps = script.gaps();
    assert!(
        gaps[0] >= Duration::from_secs(5),
        "503's Retry-After honoured: {gaps:?}"
    );
    assert!(
        gaps[6] >= Duration::from_secs(3),
        "429's Retry-After honoured: {gaps:?}"
    );
}

#[tokio::test]
async fn too_many_errors_in_a_row_end_the_wait_with_the_last_error() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(&clock, vec![ResponseTemplate::new(503)]);
    serve_polls(&server, &script).await;

    let err = client(&server.uri(), &clock)
        .poll("t-1")
        .max_consecutive_errors(4)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(
        err.to_string()
            .contains("gave up after 4 failed polls in a row"),
        "{err}"
    );
    assert_eq!(err.task().unwrap().to_string(), "t-1");
    assert_eq!(script.seen().len(), 4);
}

#[tokio::test]
async fn unauthorized_and_not_found_end_the_wait_after_one_request() {
    for (code, kind) in [
        (401, ErrorKind::Auth),
        (403, ErrorKind::Auth),
        (404, ErrorKind::NotFound),
    ] {
        let server = MockServer::start().await;
        let clock = virtual_clock();
        let script = Script::new(&clock, vec![ResponseTemplate::new(code)]);
        serve_polls(&server, &script).await;

        let err = client(&server.uri(), &clock).poll("t-1").await.unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
        assert_eq!(err.status().unwrap().as_u16(), code);
        assert!(!err.is_transient());
        assert_eq!(script.seen().len(), 1, "{code}: one request, no retries");
        assert!(clock.sleeps().is_empty());
        assert!(!err.to_string().contains(TOKEN));
        assert!(!format!("{err:?}").contains(TOKEN));
    }
}

#[tokio::test]
async fn a_task_that_vanishes_mid_wait_says_it_is_gone() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", Some(5))),
            ResponseTemplate::new(404),
        ],
    );
    serve_polls(&server, &script).await;

    let err = client(&server.uri(), &clock).poll("t-1").await.unwrap_err();
    assert!(err.is_not_found());
    assert!(
        err.to_string().contains("task `t-1` was not found"),
        "{err}"
    );
}

#[tokio::test]
async fn the_pace_grows_gently_while_nothing_changes_then_aims_from_the_progress_rate() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let same = || ok(status_json("t-1", "RUNNING", Some(10)));
    let script = Script::new(
        &clock,
        vec![
            same(),
            same(),
            same(),
            same(),
            ok(status_json("t-1", "RUNNING", Some(20))),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    serve_polls(&server, &script).await;

    let updates: Vec<_> = client(&server.uri(), &clock)
        .poll("t-1")
        .long_poll_wait(None)
        .min_interval(Duration::from_secs(1))
        .max_interval(Duration::from_secs(60))
        .map(Result::unwrap)
        .collect()
        .await;
    let delays: Vec<_> = updates.iter().filter_map(|u| u.next_delay()).collect();
    // 1 s, 1.5 s, 2.25 s, 3.375 s (each up to +20 % jitter) while progress
    // sits at 10 %…
    for (i, base) in [1.0, 1.5, 2.25, 3.375].into_iter().enumerate() {
        let d = delays[i].as_secs_f64();
        assert!(d >= base && d <= base * 1.2 + 1e-9, "{i}: {delays:?}");
        assert_eq!(updates[i].delay_source(), Some(DelaySource::Backoff));
    }
    // …then 10 points in `span` predict 8 × span more: two thirds of the
    // way there, to look again with better evidence.
    let span: Duration = delays[..4].iter().sum();
    assert_eq!(updates[4].delay_source(), Some(DelaySource::Estimate));
    let expected = (span * 8).mul_f64(2.0 / 3.0).min(Duration::from_secs(60));
    let off = delays[4].abs_diff(expected);
    assert!(off < Duration::from_millis(5), "{delays:?} vs {expected:?}");
}

#[tokio::test]
async fn a_task_is_seen_just_after_the_finish_its_progress_predicts() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    // Accepted at 0; 40 % after the first look: the task runs at 40 % per
    // look-interval, so it should end 1.5 intervals later.
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", Some(40))),
            ok(status_json("t-1", "COMPLETED", None)),
        ],
    );
    serve_polls(&server, &script).await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "/v1/tasks/t-1")
                .set_body_json(json!({"task_id": "t-1", "status": "PENDING"})),
        )
        .mount(&server)
        .await;

    let client = client(&server.uri(), &clock);
    let accepted = client
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap();
    let updates: Vec<_> = client
        .poll(&accepted)
        .long_poll_wait(None)
        .map(Result::unwrap)
        .collect()
        .await;
    let sleeps = clock.sleeps();
    // No Retry-After on the 202: the first look waits min_interval (plus
    // up to 20 %) instead of going at once.
    let first = sleeps[0];
    let min = PollOptions::default().min_interval;
    assert!(first >= min && first <= min.mul_f64(1.2), "{sleeps:?}");
    assert_eq!(updates[0].delay_source(), Some(DelaySource::Backoff));
    // Then aimed 10 ms (+ up to 2 % of what is left) after 40 % → 100 %.
    let left = first.mul_f64(1.5);
    assert_eq!(updates[1].delay_source(), Some(DelaySource::Estimate));
    assert!(
        sleeps[1] >= left + Duration::from_millis(10)
            && sleeps[1] <= left.mul_f64(1.02) + Duration::from_millis(11),
        "{sleeps:?}"
    );
    assert_eq!(sleeps.len(), 2);
}

#[tokio::test]
async fn dropping_the_poller_stops_polling() {
    let server = MockServer::start().await;
    let script = Script::new(
        &virtual_clock(),
        vec![ok(status_json("t-1", "RUNNING", None))],
    );
    serve_polls(&server, &script).await;
    // Real time here: nothing but the poller could make requests.
    let client = orchestrator::Client::builder(server.uri()).build().unwrap();

    let mut poller = client
        .poll("t-1")
        .min_interval(Duration::from_millis(10))
        .long_poll_wait(None);
    poller.next().await.unwrap().unwrap();
    poller.next().await.unwrap().unwrap();
    drop(poller);
    let before = script.seen().len();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(script.seen().len(), before);
    assert_eq!(before, 2);
}

#[tokio::test]
async fn a_status_with_the_wrong_shape_is_a_protocol_error_naming_the_field() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(&clock, vec![ok(json!({"task_id": "t-1", "status": 7}))]);
    serve_polls(&server, &script).await;

    let err = client(&server.uri(), &clock).poll("t-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(err.to_string().contains("at `status`"), "{err}");
    assert_eq!(script.seen().len(), 1);
}

#[tokio::test]
async fn a_body_over_the_size_cap_is_an_error_not_an_allocation() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let big = json!({"task_id": "t-1", "status": "RUNNING", "log": "x".repeat(64 * 1024)});
    let script = Script::new(&clock, vec![ok(big)]);
    serve_polls(&server, &script).await;

    let err = builder(&server.uri(), &clock)
        .max_body_bytes(16 * 1024)
        .build()
        .unwrap()
        .status("t-1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(
        err.to_string().contains("exceeds the 16384-byte limit"),
        "{err}"
    );
}
