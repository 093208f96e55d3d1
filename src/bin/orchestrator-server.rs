//! `orchestrator-server`: the reference server (filled in by the server issue).

fn main() -> std::process::ExitCode {
    eprintln!(
        "orchestrator-server {}: the reference server is not built yet",
        env!("CARGO_PKG_VERSION")
    );
    std::process::ExitCode::from(2)
}
