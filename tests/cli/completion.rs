//! `completion SHELL` prints the same scripts as the committed files.

use std::path::Path;

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
