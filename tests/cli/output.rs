//! What scripts read: json and jsonl on stdout, plain progress and logs on stderr.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_prints_one_final_object_with_the_outcome_even_on_failure() {
    let server = server(Duration::ZERO).await;
    let mut ok = cli(&server.url());
    ok.args([
        "-o",
        "json",
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        &data_url(REPORT),
    ]);
    let out = run(ok).await;
    assert_eq!(code(&out), 0);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["status"], "COMPLETED");
    assert_eq!(v["outcome"], "completed");
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["result"]["sentiment"], "POSITIVE");
    assert!(v["task_id"].as_str().unwrap().starts_with("task-"));

    let mut failed = cli(&server.url());
    failed.args([
        "-o",
        "json",
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        "data:image/png;base64,iVBORw0KGgo=",
    ]);
    let out = run(failed).await;
    assert_eq!(code(&out), 1);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["outcome"], "failed");
    assert_eq!(v["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");

    let mut missing = cli(&server.url());
    missing.args(["-o", "json", "wait", "task-gone"]);
    let out = run(missing).await;
    assert_eq!(code(&out), 5);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["outcome"], "error");
    assert_eq!(v["task_id"], "task-gone");
    assert_eq!(v["error_detail"]["http_status"], 404);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_reports_a_timeout_with_the_last_status() {
    let server = server(Duration::from_secs(30)).await;
    let id = submit(&server, REPORT).await;
    let mut cmd = cli(&server.url());
    cmd.args(["-o", "json", "wait", &id, "--timeout", "1500ms"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 124);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["outcome"], "timed_out");
    assert_eq!(v["task_id"], id.as_str());
    assert!(
        ["PENDING", "RUNNING"].contains(&v["status"].as_str().unwrap()),
        "{v}"
    );
    sdk(&server).cancel(id.as_str()).await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonl_prints_every_status_as_it_arrives_then_the_verdict() {
    let server = server(Duration::from_secs(2)).await;
    let mut cmd = cli(&server.url());
    cmd.args([
        "-o",
        "jsonl",
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        &data_url(REPORT),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(lines.len() >= 4, "{lines:?}");
    let states: Vec<&str> = lines.iter().filter_map(|l| l["status"].as_str()).collect();
    assert!(states.contains(&"RUNNING"), "{states:?}");
    assert_eq!(states.last(), Some(&"COMPLETED"));
    let progress: Vec<u64> = lines
        .iter()
        .filter_map(|l| l["progress_percent"].as_u64())
        .collect();
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(lines.last().unwrap()["outcome"], "completed");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_progress_in_a_pipe_is_lines_without_carriage_returns() {
    let server = server(Duration::from_secs(4)).await;
    let mut cmd = cli(&server.url());
    cmd.args([
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        &data_url(REPORT),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0);
    let err = stderr(&out);
    assert!(!err.contains('\r'), "{err:?}");
    assert!(!err.contains('\u{1b}'), "no escape codes in a log: {err:?}");
    let running: Vec<&str> = err.lines().filter(|l| l.contains("RUNNING")).collect();
    assert!(running.len() >= 2, "{err}");
    // A line per 10% step or per new thing the task says it is doing
    // (9 checkpoints), never a line per percent.
    assert!(running.len() <= 20, "{err}");
    for line in &running {
        let (_, after) = line
            .split_once("RUNNING ")
            .unwrap_or_else(|| panic!("{line}"));
        let (percent, doing) = after.split_once('%').unwrap_or_else(|| panic!("{line}"));
        assert!(percent.parse::<u32>().is_ok(), "{line}");
        assert!(
            doing.is_empty() || (doing.starts_with(" (") && doing.ends_with(')')),
            "{line}"
        );
    }
    assert!(
        running.iter().any(|l| l.contains("(analysing, step")),
        "what the task is doing is in the lines: {err}"
    );
    assert!(err.lines().any(|l| l.contains("COMPLETED")), "{err}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_appears_on_stderr_even_at_trace_level() {
    let server = server(Duration::ZERO).await;
    let mut cmd = cli(&server.url());
    cmd.args([
        "-vvv",
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        &data_url(REPORT),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0);
    let err = stderr(&out);
    assert!(err.lines().count() > 20, "trace logging is on: {err}");
    assert!(!err.contains(KEY), "the key leaked into the logs");
    assert!(!stdout(&out).contains(KEY));

    let mut wrong = cli(&server.url());
    wrong
        .env("ORCHESTRATOR_API_KEY", "wrong-key-abcdef")
        .args(["-vvv", "status", "task-1"]);
    let out = run(wrong).await;
    assert!(!stderr(&out).contains("wrong-key-abcdef"));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_can_come_from_a_file_or_standard_input() {
    let server = server(Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key");
    std::fs::write(&file, format!("{KEY}\n")).unwrap();
    let mut from_file = cli(&server.url());
    from_file
        .env_remove("ORCHESTRATOR_API_KEY")
        .arg("--api-key-file")
        .arg(&file)
        .args(["submit", "b", "--document-url", &data_url(REPORT)]);
    assert_eq!(code(&run(from_file).await), 0);

    let mut from_stdin = cli(&server.url());
    from_stdin
        .env_remove("ORCHESTRATOR_API_KEY")
        .args([
            "--api-key-file",
            "-",
            "submit",
            "b",
            "--document-url",
            &data_url(REPORT),
        ])
        .write_stdin(format!("{KEY}\n"));
    assert_eq!(code(&run(from_stdin).await), 0);

    let mut seed_name = cli(&server.url());
    seed_name
        .env_remove("ORCHESTRATOR_API_KEY")
        .env("ADMIN_API_KEY", KEY)
        .args(["submit", "b", "--document-url", &data_url(REPORT)]);
    assert_eq!(code(&run(seed_name).await), 0);
    server.shutdown().await.unwrap();
}

/// Answers a submit with `Retry-After`, then status polls; notes when each request came.
#[derive(Clone, Default)]
struct Paced {
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
}

impl Respond for Paced {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().unwrap();
        seen.push((request.method.to_string(), Instant::now()));
        let polls = seen.iter().filter(|(m, _)| m == "GET").count();
        match (request.method.as_str(), polls) {
            ("POST", _) => ResponseTemplate::new(202)
                .insert_header("location", "/v1/tasks/t-1")
                .insert_header("retry-after-ms", "700")
                .set_body_json(serde_json::json!({"task_id": "t-1", "status": "PENDING"})),
            (_, 1) => ResponseTemplate::new(200)
                .insert_header("retry-after-ms", "600")
                .set_body_json(serde_json::json!({"task_id": "t-1", "status": "RUNNING", "progress_percent": 50})),
            _ => ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"task_id": "t-1", "status": "COMPLETED", "result": {"ok": true}})),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_respected_end_to_end() {
    let mock = MockServer::start().await;
    let paced = Paced::default();
    Mock::given(wiremock::matchers::any())
        .respond_with(paced.clone())
        .mount(&mock)
        .await;
    let mut cmd = cli(&mock.uri());
    cmd.args([
        "--no-long-poll",
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        "https://example.com/a.pdf",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("\"ok\": true"), "{}", stdout(&out));
    let seen = paced.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    let first_gap = seen[1].1 - seen[0].1;
    let second_gap = seen[2].1 - seen[1].1;
    assert!(first_gap >= Duration::from_millis(700), "{first_gap:?}");
    assert!(second_gap >= Duration::from_millis(600), "{second_gap:?}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_pipe_ends_quietly() {
    let server = server(Duration::ZERO).await;
    let first = submit(&server, REPORT).await;
    let second = submit(&server, REPORT).await;
    let script = format!(
        "{} -o jsonl wait {first} {second} 2>stderr.txt | head -c 1 >/dev/null",
        env!("CARGO_BIN_EXE_orchestrator-cli")
    );
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.current_dir(dir.path())
        .env("ORCHESTRATOR_API_URL", server.url())
        .env("ORCHESTRATOR_API_KEY", KEY)
        .args(["-c", &script]);
    let out = run(cmd).await;
    assert!(out.status.success());
    let err = std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap();
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_standard_status_url_is_printed_so_a_later_wait_finds_the_task() {
    let mock = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "/ops/7f?sig=abc")
                .set_body_json(serde_json::json!({"task_id": "t-7", "status": "PENDING"})),
        )
        .mount(&mock)
        .await;
    Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/ops/7f"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"task_id": "t-7", "status": "COMPLETED", "result": {"summary": "ok"}}),
        ))
        .mount(&mock)
        .await;

    // Without --wait: the status URL, not the id (which would poll
    // /v1/tasks/t-7 and find nothing).
    let mut submit = cli(&mock.uri());
    submit.args([
        "submit",
        "bot-1",
        "--document-url",
        "https://example.com/a.pdf",
    ]);
    let out = run(submit).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let printed = stdout(&out).trim().to_owned();
    assert_eq!(printed, format!("{}/ops/7f?sig=abc", mock.uri()));
    let mut wait = cli(&mock.uri());
    wait.args(["-o", "json", "wait", &printed]);
    let out = run(wait).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["outcome"], "completed");

    // With --wait, in text: stderr says how to resume.
    let mut waited = cli(&mock.uri());
    waited.args([
        "submit",
        "bot-1",
        "--wait",
        "--progress",
        "none",
        "--document-url",
        "https://example.com/a.pdf",
    ]);
    let out = run(waited).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "resume with: orchestrator-cli wait '{}/ops/7f?sig=abc'",
            mock.uri()
        )),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_timeout_looks_once_and_reports_what_it_saw() {
    let server = server(Duration::from_secs(30)).await;
    let running = submit(&server, REPORT).await;
    let quick = crate::support::server(Duration::ZERO).await;
    let finished = submit(&quick, REPORT).await;
    sdk(&quick).poll(finished.as_str()).await.unwrap();

    let mut cmd = cli(&quick.url());
    cmd.args(["wait", &finished, "--timeout", "0s"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Market trends"), "{}", stdout(&out));

    let mut cmd = cli(&server.url());
    cmd.args(["wait", &running, "--timeout", "0s"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 124, "{}", stderr(&out));
    assert!(!stderr(&out).contains("not seen yet"), "{}", stderr(&out));
    server.shutdown().await.unwrap();
    quick.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_of_a_failed_task_shows_its_error_code_and_message() {
    let server = server(Duration::ZERO).await;
    let id = failed_task(&server).await;
    let mut cmd = cli(&server.url());
    cmd.args(["status", &id]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with(&format!("{id}\tFAILED (UNSUPPORTED_MEDIA_TYPE: ")),
        "{line}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waited_batch_in_text_names_each_input_with_its_task_state_and_result() {
    let server = server(Duration::ZERO).await;
    let good = data_url(REPORT);
    let bad = UNREADABLE;
    let mut cmd = cli(&server.url());
    cmd.args([
        "submit",
        "bot-1",
        "--wait",
        "--document-url",
        &good,
        "--document-url",
        bad,
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let lines: Vec<Vec<String>> = stdout(&out)
        .lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[0][0], good);
    assert!(lines[0][1].starts_with("task-"), "{lines:?}");
    assert_eq!(lines[0][2], "COMPLETED");
    assert!(lines[0][3].starts_with("Market trends"), "{lines:?}");
    assert_eq!(lines[1][0], bad);
    assert_eq!(lines[1][2], "FAILED");
    assert!(
        lines[1][3].starts_with("UNSUPPORTED_MEDIA_TYPE: "),
        "{lines:?}"
    );
    server.shutdown().await.unwrap();
}
