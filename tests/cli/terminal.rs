//! At a terminal (a pseudo-terminal made by `script`), the progress bar is drawn.

use std::process::Command;

#[cfg(unix)]
#[test]
fn the_demo_draws_a_moving_bar_in_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        panic!("`script` (util-linux) is needed to give the CLI a terminal");
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("typescript");
    // A terminal 160 columns wide (`script`'s pseudo-terminal has no size
    // of its own), so the bar's line has room for the task's state.
    let command = format!(
        "stty cols 160 rows 40; {} demo --work-time 2s",
        env!("CARGO_BIN_EXE_orchestrator-cli")
    );
    let status = Command::new("script")
        .args(["-q", "-e", "-c", &command])
        .arg(&log)
        .env_remove("CI")
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "160")
        .status()
        .unwrap();
    assert!(status.success());
    let screen = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    // Redrawn in place, with the percentage moving.
    assert!(screen.contains('\r'), "no redraws");
    let percents: Vec<u32> = screen
        .split(['\r', '\n'])
        .filter(|l| l.contains("RUNNING"))
        .filter_map(|l| l.split('%').next()?.rsplit(' ').next()?.trim().parse().ok())
        .collect();
    assert!(percents.len() >= 3, "{percents:?}");
    assert!(percents.first() < percents.last(), "{percents:?}");
    assert!(screen.contains("Summary:"));
}

/// The bar is drawn unless `CI` says this is CI: set to anything but
/// empty, `false` or `0`.
#[cfg(unix)]
#[test]
fn only_a_ci_variable_that_says_ci_turns_the_bar_off() {
    if !crate::tmux::installed("the CI variable at a terminal", &["tmux"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = format!(
        "{} demo --work-time 1500ms",
        env!("CARGO_BIN_EXE_orchestrator-cli")
    );
    for (ci, bar) in [
        ("", true),
        ("false", true),
        ("0", true),
        ("true", false),
        ("1", false),
    ] {
        let pane = crate::tmux::Pane::start(120, 20, dir.path(), &[("CI", ci)], &demo);
        if bar {
            pane.wait_for(std::time::Duration::from_secs(20), |s| s.contains('█'));
            pane.wait_for_exit(std::time::Duration::from_secs(30));
        } else {
            pane.wait_for_exit(std::time::Duration::from_secs(30));
            let everything = pane.everything();
            // Plain progress: a line per change, no bar.
            assert!(
                !everything.contains('█'),
                "CI={ci:?} drew a bar:\n{everything}"
            );
            assert!(
                everything.lines().any(|l| l.contains("RUNNING")),
                "CI={ci:?}:\n{everything}"
            );
        }
    }
}
