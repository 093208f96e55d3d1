//! completions/ and man/ are generated from the clap definition; this fails
//! when they are stale. Regenerate with `cargo run -- generate .`.

use std::path::Path;

#[test]
fn committed_completions_and_man_pages_match_the_cli() {
    let fresh = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("orchestrator-cli")
        .unwrap()
        .arg("generate")
        .arg(fresh.path())
        .assert()
        .success();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0;
    for dir in ["completions", "man"] {
        let mut names: Vec<_> = std::fs::read_dir(fresh.path().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        let mut committed: Vec<_> = std::fs::read_dir(repo.join(dir))
            .unwrap_or_else(|e| panic!("{dir}/ is missing ({e}); run `cargo run -- generate .`"))
            .map(|e| e.unwrap().file_name())
            .collect();
        committed.sort();
        assert_eq!(
            names, committed,
            "{dir}/ has other files than the CLI generates; run `cargo run -- generate .`"
        );
        for name in names {
            let want = std::fs::read(fresh.path().join(dir).join(&name)).unwrap();
            let have = std::fs::read(repo.join(dir).join(&name)).unwrap();
            assert!(
                want == have,
                "{dir}/{} is stale; run `cargo run -- generate .`",
                name.to_string_lossy()
            );
            compared += 1;
        }
    }
    assert!(compared >= 7);
}

#[test]
fn the_man_page_documents_every_exit_code() {
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("man/orchestrator-cli.1"),
    )
    .unwrap();
    // Each code is a tagged paragraph of its own (`.TP`, the code in bold,
    // its meaning on the next line), so no meaning runs into the next one.
    let lines: Vec<&str> = page.lines().collect();
    for code in ["0", "1", "2", "3", "4", "5", "6", "69", "124", "130"] {
        let tag = format!("\\fB{code}\\fR");
        let at = lines
            .iter()
            .position(|l| *l == tag)
            .unwrap_or_else(|| panic!("exit code {code} missing"));
        assert_eq!(
            lines[at - 1],
            ".TP",
            "exit code {code} is not a paragraph of its own"
        );
        assert!(
            !lines[at + 1].starts_with('.') && !lines[at + 1].is_empty(),
            "exit code {code} has no meaning"
        );
    }
}

#[test]
fn every_subcommands_man_page_documents_the_global_flags() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("orchestrator-cli-") {
            continue;
        }
        let page = std::fs::read_to_string(&path).unwrap();
        // Each global flag is an option paragraph of the page, not only a
        // word of its synopsis.
        for flag in [
            "\\fB\\-\\-timeout\\fR \\fI",
            "\\fB\\-\\-jq\\fR \\fI",
            "\\fB\\-o\\fR, \\fB\\-\\-output\\fR",
            "\\fB\\-\\-api\\-url\\fR \\fI",
        ] {
            assert!(page.contains(flag), "{name} does not document {flag}");
        }
        pages += 1;
    }
    assert!(pages >= 10, "{pages} subcommand pages");
}
