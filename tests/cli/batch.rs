//! Batches: many documents in one `submit`, in input order, rerunnable
//! without duplicates; `wait -` and `status -` take what `submit` prints.

use std::time::Duration;

use serde_json::Value;

use crate::support::*;

fn urls(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| data_url(&format!("Report {i}: revenue grew strongly at Acme Corp.")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_from_a_file_prints_one_task_per_line_in_order_and_a_rerun_creates_nothing_new() {
    let server = server(Duration::from_millis(50)).await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    let docs = urls(6);
    let text = format!(
        "# nightly reports\n{}\n\n{}\n",
        docs[..3].join("\n"),
        docs[3..].join("\n")
    );
    std::fs::write(&list, text).unwrap();

    let submit = || {
        let mut cmd = cli(&server.url());
        cmd.args(["submit", "bot-1", "--from"]).arg(&list).args([
            "--idempotency-key",
            "nightly-7",
            "--parallel",
            "3",
        ]);
        cmd
    };
    let first = run(submit()).await;
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let ids: Vec<String> = stdout(&first).lines().map(str::to_owned).collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("task-")));
    let again = run(submit()).await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(
        stdout(&again),
        stdout(&first),
        "a rerun must return the same tasks"
    );

    // The ids feed `wait -`, which prints a verdict per task.
    let mut wait = cli(&server.url());
    wait.args(["-o", "jsonl", "wait", "-"])
        .write_stdin(stdout(&first));
    let out = run(wait).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let verdicts: Vec<Value> = json_lines(&out)
        .into_iter()
        .filter(|v| v.get("exit_code").is_some())
        .collect();
    assert_eq!(verdicts.len(), 6);
    let verdict_ids: Vec<&str> = verdicts
        .iter()
        .map(|v| v["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdict_ids,
        ids.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(verdicts.iter().all(|v| v["outcome"] == "completed"));

    // `status -` reads the same list; in input order, each task analysed
    // the document on its line.
    let mut status = cli(&server.url());
    status
        .args(["-o", "json", "status", "-"])
        .write_stdin(stdout(&first));
    let out = run(status).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let all: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 6);
    for (i, status) in all.iter().enumerate() {
        assert_eq!(status["status"], "COMPLETED");
        let summary = status["result"]["summary"].as_str().unwrap();
        assert!(summary.contains(&format!("Report {i}")), "{i}: {summary}");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_item_is_reported_in_place_and_sets_the_exit_code_while_the_rest_go_through() {
    let server = server(Duration::ZERO).await;
    let docs = urls(2);
    let mut cmd = cli(&server.url());
    cmd.args(["-o", "jsonl", "submit", "bot-1"])
        .args(["--document-url", &docs[0]])
        .args(["--document-url", "not a url at all"])
        .args(["--document-url", &docs[1]]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["outcome"], "accepted");
    assert_eq!(lines[1]["outcome"], "error");
    assert_eq!(lines[1]["input"], "not a url at all");
    assert_eq!(lines[1]["exit_code"], 5);
    assert_eq!(lines[2]["outcome"], "accepted");
    assert!(
        stderr(&out).contains("could not submit not a url at all"),
        "{}",
        stderr(&out)
    );

    // `wait -` takes that jsonl, skipping the failed item with a note.
    let mut wait = cli(&server.url());
    wait.args(["wait", "-"]).write_stdin(stdout(&out));
    let waited = run(wait).await;
    assert_eq!(code(&waited), 0, "{}", stderr(&waited));
    assert!(
        stderr(&waited).contains("line 2: no task_id or status_url; skipped"),
        "{}",
        stderr(&waited)
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_wait_prints_every_result_in_input_order_and_exits_with_the_worst() {
    let server = server(Duration::from_millis(100)).await;
    let good = urls(3);
    let mut cmd = cli(&server.url());
    cmd.args(["-o", "json", "submit", "bot-1", "--wait", "--parallel", "2"])
        .args(["--document-url", &good[0]])
        // A document the server cannot read: the task FAILS (exit 1).
        .args(["--document-url", "data:image/png;base64,iVBORw0KGgo="])
        .args(["--document-url", &good[1]])
        .args(["--document-url", &good[2]]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let all: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let outcomes: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["completed", "failed", "completed", "completed"]);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rerun_of_a_waited_batch_prints_the_same_results_again() {
    let server = server(Duration::ZERO).await;
    let docs = urls(2);
    let batch = || {
        let mut cmd = cli(&server.url());
        cmd.args(["-o", "json", "submit", "bot-1", "--wait"])
            .args(["--idempotency-key", "nightly"])
            .args(["--document-url", &docs[0], "--document-url", &docs[1]]);
        cmd
    };
    let first = run(batch()).await;
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let again = run(batch()).await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let summaries = |out: &std::process::Output| -> Vec<String> {
        let all: Value = serde_json::from_str(&stdout(out)).unwrap();
        all.as_array()
            .unwrap()
            .iter()
            .map(|o| format!("{} {}", o["task_id"], o["result"]["summary"]))
            .collect()
    };
    let (a, b) = (summaries(&first), summaries(&again));
    assert_eq!(a, b);
    assert!(a.iter().all(|s| s.contains("Report")), "{a:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_batch_input_is_a_usage_error_that_names_the_line_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("bodies.jsonl");
    std::fs::write(&list, "{\"text\": \"a\"}\nhttps://example.com/b.pdf\n").unwrap();
    // Nothing listens here: a usage error must come before any request.
    let mut cmd = cli("http://127.0.0.1:9");
    cmd.args(["submit", "bot-1", "--action", "summarize", "--from"])
        .arg(&list);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("line 2: with --action every line must be a JSON request body"),
        "{}",
        stderr(&out)
    );

    std::fs::write(&list, "{\"document_url\": \n").unwrap();
    let mut cmd = cli("http://127.0.0.1:9");
    cmd.args(["submit", "bot-1", "--from"]).arg(&list);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("line 1: not a valid JSON request body"),
        "{}",
        stderr(&out)
    );

    let mut cmd = cli("http://127.0.0.1:9");
    cmd.args(["wait", "-", "-"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2);
}
