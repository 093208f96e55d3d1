//! `orchestrator-cli`: the command-line client (filled in by the CLI issue).

fn main() -> std::process::ExitCode {
    eprintln!(
        "orchestrator-cli {}: the command-line client is not built yet",
        env!("CARGO_PKG_VERSION")
    );
    std::process::ExitCode::from(2)
}
