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
    let command = format!(
        "{} demo --work-time 2s",
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
