//! `events`, run as a script would: piped, it prints one tab-separated
//! line per event as tasks are submitted and run, filtered by label; with
//! `--since-id 0 -o jsonl` it replays what the server keeps; Ctrl-C ends it
//! with exit 130.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::*;

/// Runs `events ARGS` piped until `enough` lines came, then interrupts it;
/// the lines and the exit code.
#[cfg(unix)]
fn tail_until(url: &str, args: &[&str], enough: impl Fn(&[String]) -> bool) -> (Vec<String>, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orchestrator-cli"))
        .env("ORCHESTRATOR_API_URL", url)
        .env("ORCHESTRATOR_API_KEY", KEY)
        .env("XDG_CONFIG_HOME", "/nonexistent/orchestrator-tests")
        .env_remove("CI")
        .arg("events")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        lines.push(line.unwrap());
        if enough(&lines) {
            break;
        }
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    (lines, status.code().unwrap_or(-1))
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn piped_events_are_one_line_each_until_the_task_completes_and_ctrl_c_exits_130() {
    let server = server(Duration::from_millis(600)).await;
    let url = server.url();
    let watcher = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            tail_until(&url, &["--label", "run=7"], |lines| {
                lines
                    .iter()
                    .any(|l| l.split('\t').nth(1) == Some("completed"))
            })
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut other = cli(&url);
    other.args([
        "submit",
        "bot-7",
        "--document-url",
        &data_url(REPORT),
        "--label",
        "run=8",
    ]);
    assert_eq!(code(&run(other).await), 0);
    let mut cmd = cli(&url);
    cmd.args([
        "submit",
        "bot-7",
        "--document-url",
        &data_url(REPORT),
        "--label",
        "run=7",
    ]);
    let out = run(cmd).await;
    let id = stdout(&out).trim().to_owned();
    let (lines, code) = tokio::time::timeout(Duration::from_secs(30), watcher)
        .await
        .expect("the task's completion is printed")
        .unwrap();
    assert_eq!(code, 130, "{lines:?}");
    let fields: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
    assert!(
        fields.iter().all(|f| f.len() == 6 && f[2] == id),
        "{lines:?}"
    );
    assert_eq!(fields[0][1], "submitted");
    assert!(fields.iter().any(|f| f[1] == "progress"), "{lines:?}");
    assert_eq!(fields.last().unwrap()[3], "COMPLETED");

    // Replayed from the start as JSON lines, with ids and kinds.
    let (replay, _) = tokio::task::spawn_blocking(move || {
        tail_until(
            &url,
            &["--since-id", "0", "--task", &id, "-o", "jsonl"],
            |lines| lines.iter().any(|l| l.contains("\"event\":\"completed\"")),
        )
    })
    .await
    .unwrap();
    let first: serde_json::Value = serde_json::from_str(&replay[0]).unwrap();
    assert_eq!(first["event"], "submitted");
    assert!(first["id"].as_u64().unwrap() > 0);
    assert_eq!(first["status"]["labels"]["run"], "7");
    server.shutdown().await.unwrap();
}
