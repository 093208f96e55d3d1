//! Proof that it holds: faults, crashes, load and hostile input against the
//! real binaries. Each suite prints its figures (`[figure] …` on stderr).

mod disk_full;
mod faults;
mod hostile;
mod load;
mod logs;
mod operators;
#[cfg(feature = "postgres")]
mod outage;
mod slow_clients;

pub const KEY: &str = "reliability-key-7c1e0b";

pub fn data_url(text: &str) -> String {
    format!("data:text/plain,{}", text.replace(' ', "%20"))
}

pub const REPORT: &str =
    "Market trends in 2025 show strong growth. Acme Corp reported record revenue.";

/// `orchestrator-cli submit bot-1 --document-url <data: URL of text> --wait
/// -o json --timeout <timeout>` against `url`, with nothing of this
/// machine's environment but PATH.
pub fn cli_submit_wait(url: &str, text: &str, timeout: &str) -> std::process::Output {
    std::process::Command::new(orchestrator_testkit::cli_binary_beside(server_bin()))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ORCHESTRATOR_API_URL", url)
        .env("ORCHESTRATOR_API_KEY", KEY)
        .env("XDG_CONFIG_HOME", "/nonexistent/orchestrator-tests")
        .args([
            "submit",
            "bot-1",
            "--wait",
            "-o",
            "json",
            "--timeout",
            timeout,
        ])
        .args(["--document-url", &data_url(text)])
        .output()
        .unwrap()
}

/// This package's server binary, which cargo builds for its tests.
pub fn server_bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_orchestrator-server"))
}
