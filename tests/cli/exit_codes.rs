//! Every documented exit code, provoked for real.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_0_a_completed_task_prints_its_analysis() {
    let server = server(Duration::ZERO).await;
    let mut cmd = cli(&server.url());
    cmd.args([
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        &data_url(REPORT),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Summary:"), "{text}");
    assert!(text.contains("Acme Corp"));
    // The reference server's extras: the score beside the sentiment, and the words.
    assert!(text.contains("Sentiment: POSITIVE (+"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("Words:")), "{text}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_0_submit_without_wait_prints_only_the_task_id() {
    let server = server(Duration::ZERO).await;
    let mut cmd = cli(&server.url());
    cmd.args(["submit", "bot-1", "--document-url", &data_url(REPORT)]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0);
    let id = stdout(&out);
    let id = id.strip_suffix('\n').unwrap();
    assert!(
        id.starts_with("task-") && id.len() == 41 && !id.contains(char::is_whitespace),
        "{id:?}"
    );
    // The printed id is usable as is.
    assert!(sdk(&server).status(id).await.is_ok());
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_1_a_failed_task_names_its_error_code() {
    let server = server(Duration::ZERO).await;
    let mut cmd = cli(&server.url());
    cmd.args([
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        "data:image/png;base64,iVBORw0KGgo=",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("UNSUPPORTED_MEDIA_TYPE"),
        "{}",
        stderr(&out)
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_2_usage_errors() {
    for args in [
        vec!["submit"],
        vec!["wait"],
        vec!["wait", "t-1", "--timeout", "soon"],
        vec!["submit", "bot-1", "--document-url", "x", "--action", "y"],
        vec!["frobnicate"],
    ] {
        let mut cmd = cli("http://127.0.0.1:9");
        cmd.args(&args);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_3_a_cancelled_task() {
    let server = server(Duration::from_secs(30)).await;
    let id = submit(&server, REPORT).await;
    // Cancelled by another client: on the wire FAILED + code CANCELLED.
    sdk(&server).cancel(id.as_str()).await.unwrap();
    let mut cmd = cli(&server.url());
    cmd.args(["wait", &id]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("was cancelled"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("failed"), "{}", stderr(&out));

    let mut cmd = cli(&server.url());
    cmd.args(["wait", &id, "-o", "json"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let object: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(object["outcome"], "cancelled", "{object}");
    assert_eq!(object["exit_code"], 3, "{object}");

    let mut cmd = cli(&server.url());
    cmd.args(["status", &id]);
    let out = run(cmd).await;
    assert_eq!(stdout(&out).trim(), format!("{id}\tCANCELLED"));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_4_a_wrong_or_missing_key() {
    let server = server(Duration::ZERO).await;
    let mut wrong = cli(&server.url());
    wrong
        .env("ORCHESTRATOR_API_KEY", "not-the-key")
        .args(["status", "task-x"]);
    let out = run(wrong).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("refused the bearer token"));

    let mut missing = cli(&server.url());
    missing
        .env_remove("ORCHESTRATOR_API_KEY")
        .args(["status", "task-x"]);
    let out = run(missing).await;
    assert_eq!(code(&out), 4);
    assert!(
        stderr(&out).contains("ORCHESTRATOR_API_KEY"),
        "{}",
        stderr(&out)
    );

    let mut unreadable = cli(&server.url());
    unreadable.args(["--api-key-file", "/nonexistent/key", "status", "task-x"]);
    assert_eq!(code(&run(unreadable).await), 4);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_4_a_read_only_key_that_tries_to_change_something_is_told_so() {
    let config = orchestrator_server::ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: orchestrator_server::Database::Memory,
        tenants: vec![
            orchestrator_server::TenantKey::new("viewer", "viewer-key-1")
                .unwrap()
                .with_role(orchestrator_server::Role::TENANT.read_only()),
        ],
        ..orchestrator_server::ServerConfig::default()
    };
    let server = orchestrator_server::Server::bind(config)
        .await
        .unwrap()
        .spawn();
    let mut submit = cli(&server.url());
    submit.env("ORCHESTRATOR_API_KEY", "viewer-key-1").args([
        "submit",
        "bot-1",
        "--document-url",
        "data:text/plain,hi",
    ]);
    let out = run(submit).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("does not let this bearer token do that"),
        "{said}"
    );
    assert!(said.contains("this key may only read"), "{said}");
    assert!(said.contains("a read-only key only reads"), "{said}");
    assert!(!said.contains("set ORCHESTRATOR_API_KEY"), "{said}");
    // Reading is what it may do.
    let mut list = cli(&server.url());
    list.env("ORCHESTRATOR_API_KEY", "viewer-key-1").arg("list");
    assert_eq!(code(&run(list).await), 0);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_5_rejected_requests_and_unknown_tasks() {
    let server = server(Duration::ZERO).await;
    let mut unknown = cli(&server.url());
    unknown.args(["wait", "task-does-not-exist"]);
    let out = run(unknown).await;
    assert_eq!(code(&out), 5);
    assert!(stderr(&out).contains("was not found"), "{}", stderr(&out));

    let mut invalid = cli(&server.url());
    invalid.args(["submit", "bot-1", "--document-url", "ftp://example.com/x"]);
    let out = run(invalid).await;
    assert_eq!(code(&out), 5);
    assert!(stderr(&out).contains("document_url"), "{}", stderr(&out));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_6_a_server_that_breaks_the_contract() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_string("{}"))
        .mount(&mock)
        .await;
    let mut cmd = cli(&mock.uri());
    cmd.args([
        "submit",
        "bot-1",
        "--document-url",
        "https://example.com/a.pdf",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 6);
    assert!(
        stderr(&out).contains("neither a `Location` header nor a `task_id`"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_69_an_unreachable_or_failing_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = cli(&format!("http://127.0.0.1:{port}"));
    cmd.args(["wait", "task-1"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not connect"),
        "{}",
        stderr(&out)
    );

    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&mock)
        .await;
    let mut cmd = cli(&mock.uri());
    cmd.args(["wait", "task-1"]);
    assert_eq!(code(&run(cmd).await), 69);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_124_a_timeout_says_how_to_resume() {
    let server = server(Duration::from_secs(30)).await;
    let id = submit(&server, REPORT).await;
    let mut cmd = cli(&server.url());
    cmd.args(["wait", &id, "--timeout", "1500ms"]);
    let started = std::time::Instant::now();
    let out = run(cmd).await;
    assert_eq!(code(&out), 124, "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        stderr(&out).contains(&format!("resume with: orchestrator-cli wait {id}")),
        "{}",
        stderr(&out)
    );
    sdk(&server).cancel(id.as_str()).await.unwrap();
    server.shutdown().await.unwrap();
}

/// Starts `wait` with piped stderr, waits for its first progress line, then sends SIGINT.
#[cfg(unix)]
fn interrupt_wait(url: &str, id: &str, extra: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orchestrator-cli"))
        .env("ORCHESTRATOR_API_URL", url)
        .env("ORCHESTRATOR_API_KEY", KEY)
        .env_remove("CI")
        .args(["wait", id, "--progress", "plain"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains(id), "{first}");
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), rest.join("\n"))
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_130_interrupted_leaves_the_task_running_or_cancels_it_on_request() {
    let server = server(Duration::from_secs(30)).await;
    let id = submit(&server, REPORT).await;
    let (url, task) = (server.url(), id.clone());
    let (code, stderr) = tokio::task::spawn_blocking(move || interrupt_wait(&url, &task, &[]))
        .await
        .unwrap();
    assert_eq!(code, 130, "{stderr}");
    assert!(
        stderr.contains(&format!("resume with: orchestrator-cli wait {id}")),
        "{stderr}"
    );
    let state = sdk(&server)
        .status(id.as_str())
        .await
        .unwrap()
        .state()
        .clone();
    assert!(!state.is_terminal(), "{state}");

    let (url, task) = (server.url(), id.clone());
    let (code, stderr) = tokio::task::spawn_blocking(move || {
        interrupt_wait(&url, &task, &["--cancel-on-interrupt"])
    })
    .await
    .unwrap();
    assert_eq!(code, 130, "{stderr}");
    // Said once, and nothing that contradicts it.
    assert_eq!(stderr.matches("was cancelled").count(), 1, "{stderr}");
    assert!(!stderr.contains("keeps running"), "{stderr}");
    assert!(!stderr.contains("resume with"), "{stderr}");
    assert!(
        sdk(&server)
            .status(id.as_str())
            .await
            .unwrap()
            .is_cancelled()
    );
    server.shutdown().await.unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_on_interrupt_json_says_the_task_was_cancelled() {
    let server = server(Duration::from_secs(30)).await;
    let id = submit(&server, REPORT).await;
    let url = server.url();
    let task = id.clone();
    let (code, stdout) = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_orchestrator-cli"))
            .env("ORCHESTRATOR_API_URL", &url)
            .env("ORCHESTRATOR_API_KEY", KEY)
            .args([
                "wait",
                &task,
                "--progress",
                "plain",
                "--cancel-on-interrupt",
                "-o",
                "json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(first.contains(&task), "{first}");
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let _rest: Vec<String> = lines.map_while(Result::ok).collect();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 130, "{stdout}");
    let object: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(object["outcome"], "cancelled", "{object}");
    // The status as the server sent it: FAILED with the code CANCELLED.
    assert_eq!(object["status"], "FAILED", "{object}");
    assert_eq!(object["error"]["code"], "CANCELLED", "{object}");
    assert_eq!(object["exit_code"], 130, "{object}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_waits_exit_with_the_worst_outcome() {
    let server = server(Duration::ZERO).await;
    let good = submit(&server, REPORT).await;
    let bad = failed_task(&server).await;
    let mut cmd = cli(&server.url());
    cmd.args(["wait", &good, &bad]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = stdout(&out);
    // Each line says what the task came to: the result's summary, or why it failed.
    assert!(
        table.contains(&format!("{good}\tCOMPLETED\tMarket trends")),
        "{table}"
    );
    assert!(
        table.contains(&format!("{bad}\tFAILED\tUNSUPPORTED_MEDIA_TYPE: ")),
        "{table}"
    );
    server.shutdown().await.unwrap();
}
