//! The documentation's runnable examples run as written, so they cannot
//! drift: every ```` ```console ```` block of README.md and docs/*.md is a
//! session against the real server binary and the real CLI.
//!
//! In a block, a line starting with `$ ` is a command (a trailing `\`
//! continues it on the next line); the lines up to the next command are
//! what it prints, stdout and stderr together as a pipe sees them. `[..]`
//! in an expected line stands for any text within that line, and a line of
//! just `...` for any number of lines. The commands of one block run in one
//! bash (`set -e` off, so a failing command's exit code can be shown with
//! `echo $?`), in a fresh directory, with `orchestrator-cli` on PATH, against
//! a server started for the block with the key `secret-key` and
//! `--work-delay-ms 1000`; its address replaces the docs' `127.0.0.1:8000`.

use std::path::{Path, PathBuf};
use std::process::Command;

use orchestrator_testkit::ServerProcess;

use crate::server_bin;

const DOCS_KEY: &str = "secret-key";
const DOCS_ADDRESS: &str = "127.0.0.1:8000";

/// One ```` ```console ```` block: where it is, its commands and what each prints.
struct Block {
    at: String,
    steps: Vec<(String, Vec<String>)>,
}

fn blocks(file: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(file)
        .display()
        .to_string();
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line.trim_end() != "```console" {
            continue;
        }
        let mut block = Block {
            at: format!("{name}:{}", n + 1),
            steps: Vec::new(),
        };
        let mut continued = false;
        for (_, line) in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            if continued {
                let (command, _) = block.steps.last_mut().expect("a command goes on");
                command.push('\n');
                command.push_str(line);
                continued = line.ends_with('\\');
            } else if let Some(command) = line.strip_prefix("$ ") {
                block.steps.push((command.to_owned(), Vec::new()));
                continued = line.ends_with('\\');
            } else if let Some((_, expected)) = block.steps.last_mut() {
                expected.push(line.to_owned());
            } else {
                panic!("{}: output before any command: {line}", block.at);
            }
        }
        found.push(block);
    }
    found
}

/// Whether `line` matches `pattern`, where `[..]` is any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let Some(rest) = line.strip_prefix(parts[0]) else {
        return false;
    };
    let mut rest = rest;
    for (i, part) in parts.iter().enumerate().skip(1) {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Whether `lines` match `expected`, where a `...` line is any lines.
fn lines_match(expected: &[String], lines: &[&str]) -> bool {
    match expected.split_first() {
        None => lines.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=lines.len()).any(|skip| lines_match(rest, &lines[skip..]))
        }
        Some((first, rest)) => lines
            .split_first()
            .is_some_and(|(line, more)| line_matches(first, line) && lines_match(rest, more)),
    }
}

/// Runs one block against a fresh server; returns what went wrong.
fn run_block(block: &Block) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("docs.db"),
        "127.0.0.1:0",
        DOCS_KEY,
        &["--work-delay-ms", "1000"],
    );
    let address = server.url.trim_start_matches("http://").to_owned();
    let marker = "@@orchestrator-docs-step@@";
    let mut script = String::new();
    for (command, _) in &block.steps {
        script.push_str(&format!(
            "echo {marker}\n{}\n",
            command.replace(DOCS_ADDRESS, &address)
        ));
    }
    let cli_dir = PathBuf::from(env!("CARGO_BIN_EXE_orchestrator-cli"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        cli_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!("exec 2>&1\n{script}"))
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("ORCHESTRATOR_API_URL", format!("http://{address}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // A step that ends without a newline (curl's body) runs into the next
    // marker, so split on the marker alone.
    let printed: Vec<&str> = text
        .split(marker)
        .skip(1)
        .map(|p| p.strip_prefix('\n').unwrap_or(p))
        .collect();
    for (i, (command, expected)) in block.steps.iter().enumerate() {
        let got: Vec<&str> = printed
            .get(i)
            .map_or_else(Vec::new, |p| p.lines().collect());
        let expected: Vec<String> = expected
            .iter()
            .map(|l| l.replace(DOCS_ADDRESS, &address))
            .collect();
        if !lines_match(&expected, &got) {
            return Err(format!(
                "{}: `$ {command}`\nexpected:\n{}\ngot:\n{}",
                block.at,
                expected.join("\n"),
                got.join("\n")
            ));
        }
    }
    Ok(())
}

#[test]
fn the_runnable_examples_of_the_readme_and_docs_print_what_they_say() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let all: Vec<Block> = files.iter().flat_map(|f| blocks(f)).collect();
    assert!(all.len() >= 3, "fewer runnable blocks than the docs have");
    let failures: Vec<String> = all.iter().filter_map(|b| run_block(b).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_matcher_takes_wildcards_within_and_across_lines() {
    assert!(line_matches("task-[..]\tCOMPLETED", "task-12ab\tCOMPLETED"));
    assert!(!line_matches("task-[..]\tCOMPLETED", "task-12ab\tFAILED"));
    assert!(line_matches("[..]", "anything"));
    let expected: Vec<String> = ["a", "...", "z"].map(String::from).to_vec();
    assert!(lines_match(&expected, &["a", "b", "c", "z"]));
    assert!(lines_match(&expected, &["a", "z"]));
    assert!(!lines_match(&expected, &["a", "b"]));
}
