//! What several tasks' progress leaves on a real terminal (a tmux pane):
//! bars while they run, then exactly one line per task and one summary,
//! with no stale frame in the scrollback and warnings printed whole above
//! the bars.

use std::path::Path;
use std::time::Duration;

use orchestrator_testkit::ServerProcess;

use crate::server_bin;
use crate::support::{KEY, data_url};
use crate::tmux::{Pane, installed};

/// A server whose tasks take about two seconds, three at once, and whose
/// tenant may submit one task a second (so a batch meets 429s).
fn slow_limited_server(dir: &Path) -> ServerProcess {
    ServerProcess::start(
        server_bin(),
        &dir.join("tasks.db"),
        "127.0.0.1:0",
        KEY,
        &[
            "--work-delay-ms",
            "2000",
            "--workers",
            "3",
            "--rate-limit",
            "1/s",
            "--rate-limit-burst",
            "1",
        ],
    )
}

/// Runs the CLI with `args` in a `width`-column pane until it exits and
/// returns everything the terminal holds, less tmux's own last line.
fn run_in_pane(server: &ServerProcess, dir: &Path, width: u16, args: &str) -> String {
    let program = format!("{} {args}", env!("CARGO_BIN_EXE_orchestrator-cli"));
    let pane = Pane::start(
        width,
        30,
        dir,
        &[
            ("ORCHESTRATOR_API_URL", &server.url),
            ("ORCHESTRATOR_API_KEY", KEY),
            ("XDG_CONFIG_HOME", "/nonexistent/orchestrator-tests"),
        ],
        &program,
    );
    // The bars are drawn while the tasks run.
    pane.wait_for(Duration::from_secs(20), |s| s.contains('█'));
    pane.wait_for_exit(Duration::from_secs(60));
    pane.everything()
        .lines()
        .filter(|l| !l.starts_with("Pane is dead"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The checks every final screen passes: one line per task naming it and
/// its state, one `3/3 done` summary, nothing left of the bars.
fn assert_one_line_per_task_and_one_summary(everything: &str, tasks: &[String]) {
    let lines: Vec<&str> = everything
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    for task in tasks {
        let mentions: Vec<&&str> = lines.iter().filter(|l| l.contains(task.as_str())).collect();
        assert_eq!(mentions.len(), 1, "{task} not on one line:\n{everything}");
        assert!(mentions[0].contains("COMPLETED"), "{everything}");
    }
    let summaries = lines.iter().filter(|l| l.contains("done")).count();
    assert_eq!(summaries, 1, "not one summary:\n{everything}");
    assert!(
        lines.iter().any(|l| l.starts_with("3/3 done")),
        "{everything}"
    );
    for stale in ["0/3", "1/3", "2/3", "█", "RUNNING", "PENDING", "submitted"] {
        assert!(
            !everything.contains(stale),
            "{stale:?} left on the terminal:\n{everything}"
        );
    }
}

#[cfg(unix)]
#[test]
fn waiting_for_three_tasks_leaves_one_line_each_and_one_summary_at_120_and_200_columns() {
    if !installed("multi-task progress on a terminal", &["tmux"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = slow_limited_server(dir.path());
    for width in [120, 200] {
        let mut tasks = Vec::new();
        for i in 0..3 {
            let out = crate::support::cli_bare(&server.url)
                .args(["submit", "bot-1", "-o", "json", "--jq", ".task_id"])
                .args([
                    "--document-url",
                    &data_url(&format!("Report {i} of {width}.")),
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            tasks.push(String::from_utf8_lossy(&out.stdout).trim().to_owned());
        }
        let everything = run_in_pane(
            &server,
            dir.path(),
            width,
            &format!("wait {}", tasks.join(" ")),
        );
        assert_one_line_per_task_and_one_summary(&everything, &tasks);
        assert!(
            everything
                .lines()
                .all(|l| l.chars().count() < usize::from(width)),
            "a line reaches the edge at {width} columns:\n{everything}"
        );
    }
}

#[cfg(unix)]
#[test]
fn rate_limit_warnings_during_a_batch_are_whole_lines_above_the_bars() {
    if !installed("multi-task progress on a terminal", &["tmux"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = slow_limited_server(dir.path());
    let inputs: Vec<String> = (0..3)
        .map(|i| data_url(&format!("Batch report {i} about market trends.")))
        .collect();
    std::fs::write(dir.path().join("inputs.txt"), inputs.join("\n")).unwrap();
    let everything = run_in_pane(
        &server,
        dir.path(),
        120,
        "submit bot-1 --from inputs.txt --wait",
    );

    let warnings: Vec<&str> = everything.lines().filter(|l| l.contains("WARN")).collect();
    assert!(!warnings.is_empty(), "no 429 was met:\n{everything}");
    for warning in &warnings {
        // Printed above the bars, a warning starts its own line and no bar
        // frame is glued to it.
        assert!(warning.trim_start().starts_with("20"), "torn: {warning}");
        assert!(warning.contains("429"), "{warning}");
        assert!(
            !warning.contains('█') && !warning.contains("done"),
            "torn: {warning}"
        );
    }
    let tasks: Vec<String> = everything
        .lines()
        .filter(|l| l.starts_with("inputs.txt line"))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("task-")))
        .map(str::to_owned)
        .collect();
    assert_eq!(tasks.len(), 3, "{everything}");
    assert_one_line_per_task_and_one_summary(&everything, &tasks);
}
