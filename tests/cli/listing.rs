//! `list`, `retry` and `cancel` by filter, run as a user would: labelled
//! submits, the listing piped, as JSON and on a real terminal of 60 and 200
//! columns, a retry of a failed task, a cancel by label.

use std::time::Duration;

use crate::support::*;
use crate::tmux::{Pane, installed};

/// Submits `text` with `labels` through the CLI; its new task id.
async fn labelled(url: &str, text: &str, labels: &[&str]) -> String {
    let mut cmd = cli(url);
    cmd.args(["submit", "bot-7", "--document-url", &data_url(text)]);
    for label in labels {
        cmd.args(["--label", label]);
    }
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// `orchestrator-cli ARGS` in a `width`-column tmux pane against `url`.
fn cli_pane(url: &str, dir: &std::path::Path, width: u16, args: &str) -> Pane {
    let program = format!("{} {args}", env!("CARGO_BIN_EXE_orchestrator-cli"));
    Pane::start(
        width,
        10,
        dir,
        &[
            ("ORCHESTRATOR_API_URL", url),
            ("ORCHESTRATOR_API_KEY", KEY),
            ("XDG_CONFIG_HOME", "/nonexistent/orchestrator-tests"),
        ],
        &program,
    )
}

#[tokio::test]
async fn a_piped_listing_is_one_tab_separated_line_per_task_newest_first_and_json_is_an_array() {
    let server = server(Duration::from_secs(30)).await;
    let url = server.url();
    let a = labelled(&url, REPORT, &["run=42", "note=a, b;c é"]).await;
    let b = labelled(&url, REPORT, &["run=42"]).await;
    let c = labelled(&url, REPORT, &["run=43"]).await;

    let mut cmd = cli(&url);
    cmd.args(["list", "--label", "run=42"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<Vec<String>> = stdout(&out)
        .lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0][0], b);
    assert_eq!(lines[1][0], a);
    assert!(lines.iter().all(|l| l.len() == 7), "{lines:?}");
    assert_eq!(lines[0][4], "bot-7");
    // A comma or `;` inside a label cannot split a line or a label.
    assert_eq!(lines[1][6], "note=a%2C%20b%3Bc%20%C3%A9,run=42");

    let mut cmd = cli(&url);
    cmd.args(["list", "-o", "json"]);
    let out = run(cmd).await;
    let all: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [c.as_str(), b.as_str(), a.as_str()]);
    assert_eq!(all[2]["labels"]["note"], "a, b;c é");

    // Nothing matching: exit 0, a note on stderr, nothing on stdout.
    let mut cmd = cli(&url);
    cmd.args(["list", "--label", "run=99"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("no tasks match"), "{}", stderr(&out));
    // --limit caps what is shown.
    let mut cmd = cli(&url);
    cmd.args(["list", "--limit", "1", "--jq", ".[].task_id"]);
    assert_eq!(stdout(&run(cmd).await).trim(), c);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn retry_prints_the_new_id_whose_status_names_the_old_and_a_completed_task_is_refused() {
    let server = server(Duration::ZERO).await;
    let url = server.url();
    let failed = failed_task(&server).await;
    let mut cmd = cli(&url);
    cmd.args(["retry", &failed]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let new = stdout(&out).trim().to_owned();
    assert_ne!(new, failed);
    let status = sdk(&server).status(new.as_str()).await.unwrap();
    assert_eq!(
        status.retry_of().map(|id| id.as_str()),
        Some(failed.as_str())
    );

    let done = submit(&server, REPORT).await;
    assert!(
        sdk(&server)
            .poll(done.as_str())
            .await
            .unwrap()
            .is_completed()
    );
    let mut cmd = cli(&url);
    cmd.args(["retry", &done]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("only a FAILED or CANCELLED task can be retried"),
        "{}",
        stderr(&out)
    );
    // With --wait it waits like submit --wait: the same document fails again.
    let mut cmd = cli(&url);
    cmd.args(["retry", &failed, "--wait", "-o", "json"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let o: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(o["retry_of"], failed.as_str());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn cancel_by_status_and_label_with_yes_cancels_exactly_the_matching_tasks() {
    let server = server(Duration::from_secs(30)).await;
    let url = server.url();
    let mut run42 = Vec::new();
    for _ in 0..3 {
        run42.push(labelled(&url, REPORT, &["run=42"]).await);
    }
    let other = labelled(&url, REPORT, &["run=41"]).await;
    // Not at a terminal, a cancel by filter needs --yes.
    let mut cmd = cli(&url);
    cmd.args(["cancel", "--status", "PENDING", "--label", "run=42"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    // Ids and filters together are a mistake.
    let mut cmd = cli(&url);
    cmd.args(["cancel", &other, "--label", "run=42", "--yes"]);
    assert_eq!(code(&run(cmd).await), 2);

    // The first task may already run (one worker): cancel both states.
    let mut cmd = cli(&url);
    cmd.args([
        "cancel", "--status", "PENDING", "--status", "RUNNING", "--label", "run=42", "--yes", "-o",
        "json",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let o: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(o["cancelled"], 3);
    for id in &run42 {
        assert!(
            sdk(&server)
                .status(id.as_str())
                .await
                .unwrap()
                .is_cancelled()
        );
    }
    assert!(
        !sdk(&server)
            .status(other.as_str())
            .await
            .unwrap()
            .is_terminal()
    );
    let mut cmd = cli(&url);
    cmd.args(["list", "--status", "CANCELLED", "--jq", ".[].task_id"]);
    let mut listed: Vec<String> = stdout(&run(cmd).await).lines().map(str::to_owned).collect();
    listed.sort();
    run42.sort();
    assert_eq!(listed, run42);
    server.shutdown().await.unwrap();
}

// The pane is waited on by blocking: the server needs threads of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_terminal_the_table_fits_60_and_200_columns() {
    if !installed("at_a_terminal_the_table_fits_60_and_200_columns", &["tmux"]) {
        return;
    }
    let server = server(Duration::from_secs(30)).await;
    let url = server.url();
    let id = labelled(&url, REPORT, &["run=42", "team=docs"]).await;
    let dir = tempfile::tempdir().unwrap();
    for width in [60u16, 200] {
        let pane = cli_pane(&url, dir.path(), width, "list");
        pane.wait_for_exit(Duration::from_secs(20));
        let screen = pane.everything();
        let lines: Vec<&str> = screen
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("Pane is dead"))
            .collect();
        assert_eq!(lines.len(), 2, "{width}: {screen}");
        assert!(
            lines[0].starts_with("ID") && lines[0].contains("STATUS"),
            "{screen}"
        );
        assert!(lines[1].starts_with(&id), "{screen}");
        for line in &lines {
            assert!(
                line.chars().count() < usize::from(width),
                "{width}: {line:?}"
            );
        }
        if width == 200 {
            for heading in ["PROGRESS", "ACTION", "BOT", "AGE", "LABELS"] {
                assert!(lines[0].contains(heading), "{screen}");
            }
            assert!(lines[1].contains("run=42,team=docs"), "{screen}");
        } else {
            assert!(!lines[0].contains("LABELS"), "{screen}");
        }
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_shows_a_task_go_from_pending_to_completed_in_a_pipe_and_in_place_at_a_terminal() {
    let server = server(Duration::from_secs(2)).await;
    let url = server.url();
    let id = labelled(&url, REPORT, &["run=70"]).await;
    // Piped: one line per change, until interrupted.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_orchestrator-cli"))
        .args([
            "list",
            "--watch",
            "--label",
            "run=70",
            "--min-interval",
            "100ms",
        ])
        .env("ORCHESTRATOR_API_URL", &url)
        .env("ORCHESTRATOR_API_KEY", KEY)
        .env("XDG_CONFIG_HOME", "/nonexistent/orchestrator-tests")
        .env_remove("CI")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let done = sdk(&server).poll(id.as_str()).await.unwrap();
    assert!(done.is_completed());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // SIGINT, as Ctrl-C sends.
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let text = String::from_utf8_lossy(&out.stdout);
    let states: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').nth(1).unwrap_or(""))
        .collect();
    assert!(
        matches!(states.first(), Some(&"PENDING" | &"RUNNING")),
        "{text}"
    );
    assert!(states.contains(&"RUNNING"), "{text}");
    assert_eq!(states.last(), Some(&"COMPLETED"), "{text}");
    assert!(text.lines().all(|l| l.starts_with(&id)), "{text}");

    // At a terminal: the table is redrawn in place, one row for the task.
    if installed("watch at a terminal", &["tmux"]) {
        let again = labelled(&url, REPORT, &["run=71"]).await;
        let dir = tempfile::tempdir().unwrap();
        let pane = cli_pane(&url, dir.path(), 120, "list --watch --label run=71");
        let screen = pane.wait_for(Duration::from_secs(20), |s| s.contains("COMPLETED"));
        let rows: Vec<&str> = screen.lines().filter(|l| l.contains(&again)).collect();
        assert_eq!(rows.len(), 1, "{screen}");
        assert_eq!(
            screen.lines().filter(|l| l.starts_with("ID")).count(),
            1,
            "{screen}"
        );
    }
    server.shutdown().await.unwrap();
}
