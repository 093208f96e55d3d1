//! `--jq`: the JSON output filtered in-process.

use std::time::Duration;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jq_prints_strings_raw_and_keeps_the_tasks_exit_code() {
    let server = server(Duration::ZERO).await;
    let id = submit(&server, REPORT).await;
    let mut cmd = cli(&server.url());
    cmd.args(["wait", &id, "--jq", ".result.sentiment, .result.entities"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines[0], "POSITIVE");
    assert!(
        lines[1].starts_with('[') && lines[1].contains("Acme"),
        "{lines:?}"
    );

    // A failed task: the filter still runs, and the exit code is the task's.
    let mut failed = cli(&server.url());
    failed.args([
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        "data:image/png;base64,iVBORw0KGgo=",
        "--jq",
        ".error.code",
    ]);
    let out = run(failed).await;
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out).trim(), "UNSUPPORTED_MEDIA_TYPE");

    // With jsonl it runs on every line.
    let mut lines = cli(&server.url());
    lines.args(["-o", "jsonl", "wait", &id, "--jq", ".outcome // .status"]);
    let out = run(lines).await;
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        ["COMPLETED", "completed"]
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_filter_is_a_usage_error_before_any_request_and_a_failing_one_after() {
    // Nothing listens here: exit 2 proves the filter was checked first.
    let mut bad = cli("http://127.0.0.1:9");
    bad.args(["wait", "task-1", "--jq", ".result |"]);
    let out = run(bad).await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--jq `.result |`"),
        "{}",
        stderr(&out)
    );

    let server = server(Duration::ZERO).await;
    let id = submit(&server, REPORT).await;
    let mut failing = cli(&server.url());
    failing.args(["wait", &id, "--jq", ".result.summary | tonumber"]);
    let out = run(failing).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--jq: "), "{}", stderr(&out));
    server.shutdown().await.unwrap();
}
