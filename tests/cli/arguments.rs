//! Arguments and messages: mistakes are usage errors (exit 2) found before
//! anything is sent, every error line starts with `error:`, and advice is
//! in the CLI's terms.

use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// A mock that answers anything with 500 and counts what reached it, so a
/// test can show that nothing was sent.
async fn counting_server() -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&mock)
        .await;
    mock
}

async fn requests(mock: &MockServer) -> usize {
    mock.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_id_that_would_leave_the_apis_path_is_a_usage_error_before_anything_is_sent() {
    let mock = counting_server().await;
    for bot in [".", "..", "a/b", "", "../admin"] {
        let mut cmd = cli(&mock.uri());
        cmd.args(["submit", bot, "--document-url", &data_url(REPORT)]);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{bot:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    }
    assert_eq!(requests(&mock).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_dash_with_no_ids_on_standard_input_is_a_usage_error_and_sends_nothing() {
    let mock = counting_server().await;
    let mut cmd = cli(&mock.uri());
    cmd.args(["cancel", "-"]).write_stdin("");
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert_eq!(requests(&mock).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_needs_no_action_and_at_dash_reads_the_body_from_standard_input() {
    let server = server(Duration::ZERO).await;
    let body = format!(r#"{{"document_url": "{}"}}"#, data_url(REPORT));
    for (data, stdin) in [(body.as_str(), ""), ("@-", body.as_str())] {
        let mut cmd = cli(&server.url());
        cmd.args(["submit", "bot-1", "--data", data, "--wait", "-o", "json"])
            .write_stdin(stdin);
        let out = run(cmd).await;
        assert_eq!(code(&out), 0, "--data {data}: {}", stderr(&out));
        let done: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(done["status"], "COMPLETED");
        assert!(
            done["result"]["summary"]
                .as_str()
                .is_some_and(|s| s.starts_with("Market trends")),
            "{done}"
        );
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_url_that_already_ends_in_the_apis_path_is_refused_with_the_right_one() {
    let mock = counting_server().await;
    for tail in ["/v1", "/v1/", "/v1/tasks"] {
        let mut cmd = cli(&format!("{}{tail}", mock.uri()));
        cmd.args(["status", "task-1"]);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{tail}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: --api-url "), "{err}");
        assert!(err.contains(&format!("--api-url {}", mock.uri())), "{err}");
    }
    assert_eq!(requests(&mock).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_lines_do_not_show_api_url_as_required_when_its_variable_is_set() {
    // `cli` exports ORCHESTRATOR_API_URL, as a user's shell profile would.
    let mut cmd = cli("http://127.0.0.1:9");
    cmd.args(["submit"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    let usage = err
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_else(|| panic!("no usage line: {err}"));
    assert!(!usage.contains("--api-url"), "{usage}");
    assert!(err.starts_with("error: "), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_line_starts_with_error() {
    let server = server(Duration::from_secs(30)).await;
    let running = submit(&server, REPORT).await;
    let failed = failed_task(&server).await;
    let cases: Vec<Vec<String>> = vec![
        vec!["status".into(), "task-does-not-exist".into()],
        vec![
            "wait".into(),
            running.clone(),
            "--timeout".into(),
            "100ms".into(),
        ],
        vec!["wait".into(), failed.clone()],
        vec!["cancel".into(), failed],
        vec!["wait".into(), "t".into(), "--timeout".into(), "soon".into()],
        vec![
            "status".into(),
            running,
            "--jq".into(),
            ".status | tonumber".into(),
        ],
    ];
    for args in cases {
        let mut cmd = cli(&server.url());
        cmd.args(&args);
        let out = run(cmd).await;
        assert_ne!(code(&out), 0, "{args:?}");
        let err = stderr(&out);
        let said: Vec<&str> = err
            .lines()
            .filter(|l| !l.starts_with("  ") && !l.starts_with("task-") && !l.is_empty())
            .filter(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
            .collect();
        assert!(!said.is_empty(), "{args:?}: nothing said");
        for line in said {
            assert!(line.starts_with("error: "), "{args:?}: {line}");
        }
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_ends_a_wait_in_seconds_with_one_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let mut cmd = cli_bare(&url);
    cmd.args(["wait", "task-1"]);
    let out = run(cmd).await;
    let took = started.elapsed();
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    // The SDK's first-answer timeout (5 s), not minutes of riding it out.
    assert!(took < Duration::from_secs(8), "{took:?}");
    let err = stderr(&out);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("no answer from the server in 5"),
        "{err}"
    );
    assert!(
        err.contains(&format!("is --api-url right? (it is {url})")),
        "{err}"
    );
    // At most one retry warning, whatever the number of attempts.
    assert!(err.matches("WARN").count() <= 1, "{err}");
    // The SDK's own advice (builder terms) is not for a CLI user.
    assert!(!err.contains("base URL"), "{err}");
}
