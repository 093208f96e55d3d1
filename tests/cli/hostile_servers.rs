//! The CLI against scripted servers that misbehave: a status redirected to
//! another origin is refused and that origin gets nothing; a redirect loop
//! and an HTML page where a status belongs each say what they are, with
//! their own exit codes, and a wait that read no status claims nothing
//! about the task.

use std::time::{Duration, Instant};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

async fn redirecting(to: &str) -> MockServer {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-1"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", to))
        .mount(&api)
        .await;
    api
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_redirected_to_another_origin_is_refused_and_that_origin_gets_nothing() {
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"task_id": "task-1", "status": "COMPLETED"})),
        )
        .mount(&other)
        .await;
    let api = redirecting(&format!("{}/v1/tasks/task-1", other.uri())).await;
    for command in ["status", "wait"] {
        let mut cmd = cli(&api.uri());
        cmd.args([command, "task-1"]);
        let out = run(cmd).await;
        assert_eq!(code(&out), 6, "{command}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("was redirected to"), "{err}");
        assert!(err.contains(&other.uri()), "{err}");
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    }
    assert!(other.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_is_exit_6_at_once_and_says_it_is_a_loop() {
    let api = redirecting("/v1/tasks/task-1").await;
    let started = Instant::now();
    let mut cmd = cli(&api.uri());
    cmd.args(["wait", "task-1", "--timeout", "30s"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("a redirect loop"), "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_page_where_a_status_belongs_is_named_and_the_task_is_not_called_pending() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>Please sign in</body></html>", "text/html"),
        )
        .mount(&api)
        .await;
    let mut cmd = cli(&api.uri());
    cmd.args(["wait", "task-1", "--timeout", "1s"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 124, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("without reading a status of task task-1"),
        "{err}"
    );
    assert!(err.contains("an HTML page (text/html)"), "{err}");
    assert!(
        !err.contains("PENDING") && !err.contains("keeps running"),
        "{err}"
    );

    // Without a deadline the retries (for a proxy's passing error page)
    // run out: a protocol error, exit 6, naming the page.
    let mut cmd = cli(&api.uri());
    cmd.args(["wait", "task-1"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("an HTML page"), "{}", stderr(&out));
}
