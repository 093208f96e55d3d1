//! Shared helpers of the CLI tests: the real binary, an in-process server,
//! submitted tasks.

use std::process::Output;
use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client};
use orchestrator_server::Database;
use orchestrator_server::{RunningServer, Server, ServerConfig};

pub(crate) const KEY: &str = "cli-test-key-5f2a9c";

pub(crate) const REPORT: &str =
    "Market trends in 2025 show strong growth. Acme Corp reported record revenue.";

pub(crate) async fn server(work_delay: Duration) -> RunningServer {
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Memory,
        api_key: Some(KEY.into()),
        work_delay,
        ..ServerConfig::default()
    };
    Server::bind(config).await.unwrap().spawn()
}

pub(crate) fn data_url(text: &str) -> String {
    format!("data:text/plain,{}", text.replace(' ', "%20"))
}

pub(crate) fn sdk(server: &RunningServer) -> Client {
    Client::builder(server.url())
        .bearer_token(KEY)
        .build()
        .unwrap()
}

/// Submits a task through the SDK and returns its id.
pub(crate) async fn submit(server: &RunningServer, text: &str) -> String {
    sdk(server)
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(text)))
        .await
        .unwrap()
        .task_id()
        .unwrap()
        .to_string()
}

/// A document no reader takes: its task ends FAILED, UNSUPPORTED_MEDIA_TYPE.
pub(crate) const UNREADABLE: &str = "data:image/png;base64,iVBORw0KGgo=";

/// Submits [`UNREADABLE`] through the SDK, waits until its task has failed,
/// and returns the task's id.
pub(crate) async fn failed_task(server: &RunningServer) -> String {
    let accepted = sdk(server)
        .analyze_document("bot-1", &AnalyzeDocument::new(UNREADABLE))
        .await
        .unwrap();
    let outcome = sdk(server).poll(&accepted).await.unwrap();
    assert!(
        matches!(outcome, orchestrator::Outcome::Failed(_)),
        "{outcome:?}"
    );
    accepted.task_id().unwrap().to_string()
}

/// A command for the CLI binary with a clean environment: no inherited
/// ORCHESTRATOR_* settings, proxies or config file, CI unset, brisk polling.
pub(crate) fn cli(api_url: &str) -> assert_cmd::Command {
    let mut cmd = cli_bare(api_url);
    cmd.args(["--min-interval", "20ms", "--max-interval", "200ms"]);
    cmd
}

/// [`cli`] without the polling flags, for tests of where settings come from.
pub(crate) fn cli_bare(api_url: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("orchestrator-cli").unwrap();
    for (name, _) in std::env::vars() {
        if name.starts_with("ORCHESTRATOR_")
            || ["ADMIN_API_KEY", "CI", "NO_COLOR", "RUST_LOG"].contains(&name.as_str())
        {
            cmd.env_remove(name);
        }
    }
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("ORCHESTRATOR_API_URL", api_url)
        .env("ORCHESTRATOR_API_KEY", KEY)
        // No config file of the machine's user can leak in.
        .env("XDG_CONFIG_HOME", "/nonexistent/orchestrator-tests")
        .timeout(Duration::from_secs(60));
    cmd
}

/// Runs a prepared command without blocking the server's runtime.
pub(crate) async fn run(mut cmd: assert_cmd::Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

pub(crate) fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Lines of stdout parsed as JSON, one value per line.
pub(crate) fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}
