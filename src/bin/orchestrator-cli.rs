//! `orchestrator-cli`: submit tasks and wait for them. Everything lives in
//! `orchestrator::cli`; this is the entry point.

fn main() -> std::process::ExitCode {
    orchestrator::cli::main()
}
