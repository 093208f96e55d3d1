//! `completion SHELL` prints the same scripts as the committed files, and
//! those scripts complete in a real bash and fish at a terminal.

use std::path::Path;
use std::time::Duration;

use crate::tmux::{Pane, installed};

#[test]
fn completion_prints_the_committed_script_for_each_shell() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "orchestrator-cli.bash"),
        ("zsh", "_orchestrator-cli"),
        ("fish", "orchestrator-cli.fish"),
        ("powershell", "_orchestrator-cli.ps1"),
        ("elvish", "orchestrator-cli.elv"),
    ] {
        let out = assert_cmd::Command::cargo_bin("orchestrator-cli")
            .unwrap()
            .args(["completion", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let committed = std::fs::read(repo.join(file)).unwrap();
        assert!(
            out.stdout == committed,
            "{shell}: differs from completions/{file}"
        );
    }
    let out = assert_cmd::Command::cargo_bin("orchestrator-cli")
        .unwrap()
        .args(["completion", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The committed script for `file`, by absolute path.
fn script(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(file)
        .display()
        .to_string()
}

/// A shell in a real terminal with the committed completion script loaded.
fn shell_with_completions(shell: &str, file: &str, home: &Path) -> Pane {
    let program = match shell {
        "bash" => "bash --norc --noprofile",
        _ => "fish --no-config --private",
    };
    let pane = Pane::start(
        120,
        30,
        home,
        &[("HOME", &home.display().to_string()), ("PS1", "$ ")],
        program,
    );
    pane.keys(&[&format!("source {}", script(file)), "Enter"]);
    pane.keys(&["clear", "Enter"]);
    pane.wait_for(Duration::from_secs(10), |s| !s.contains("source"));
    pane
}

#[cfg(unix)]
#[test]
fn bash_completes_a_subcommand_option_and_its_values_and_never_offers_generate() {
    if !installed("bash completion", &["tmux", "bash"]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let pane = shell_with_completions("bash", "orchestrator-cli.bash", home.path());

    pane.keys(&["orchestrator-cli submit bot --ou", "Tab"]);
    pane.wait_for(Duration::from_secs(5), |s| {
        s.contains("orchestrator-cli submit bot --output")
    });

    pane.keys(&["C-u", "clear", "Enter"]);
    pane.keys(&["orchestrator-cli submit bot -o ", "Tab", "Tab"]);
    let screen = pane.wait_for(Duration::from_secs(5), |s| s.contains("jsonl"));
    let values = screen
        .lines()
        .find(|l| l.contains("jsonl"))
        .unwrap_or_default();
    let mut offered: Vec<&str> = values.split_whitespace().collect();
    offered.sort_unstable();
    assert_eq!(offered, ["json", "jsonl", "text"], "{screen}");

    pane.keys(&["C-u", "clear", "Enter"]);
    pane.keys(&["orchestrator-cli ", "Tab", "Tab"]);
    let screen = pane.wait_for(Duration::from_secs(5), |s| s.contains("submit"));
    for sub in ["wait", "status", "cancel", "demo", "config", "completion"] {
        assert!(screen.contains(sub), "{sub} missing:\n{screen}");
    }
    assert!(!screen.contains("generate"), "{screen}");
}

#[cfg(unix)]
#[test]
fn fish_completes_a_subcommand_option_and_its_values_and_never_offers_generate() {
    if !installed("fish completion", &["tmux", "fish"]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let pane = shell_with_completions("fish", "orchestrator-cli.fish", home.path());

    pane.keys(&["orchestrator-cli submit bot --ou", "Tab"]);
    pane.wait_for(Duration::from_secs(5), |s| {
        s.contains("orchestrator-cli submit bot --output")
    });

    pane.keys(&["C-u", "orchestrator-cli submit bot -o ", "Tab"]);
    let screen = pane.wait_for(Duration::from_secs(5), |s| s.contains("jsonl"));
    for value in [
        "text  (Human-readable)",
        "json  (One final JSON object",
        "jsonl",
    ] {
        assert!(screen.contains(value), "{value} missing:\n{screen}");
    }

    pane.keys(&["Escape", "C-u", "orchestrator-cli ", "Tab"]);
    let screen = pane.wait_for(Duration::from_secs(5), |s| s.contains("submit"));
    for sub in ["wait", "status", "cancel"] {
        assert!(screen.contains(sub), "{sub} missing:\n{screen}");
    }
    assert!(!screen.contains("generate"), "{screen}");
}
