//! Clients that know only the contract's four states stop waiting on a task
//! another client cancels: the spec's own Python client (the copy the
//! client comparison runs, benches/peers/spec_client.py) and a bash + curl
//! loop over COMPLETED|FAILED, against the real server on each backend.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use orchestrator::AnalyzeDocument;

use crate::support::*;

fn script(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/server/contract")
        .join(name)
}

/// The spec's Python client, at the top of the workspace.
fn spec_client() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/peers/spec_client.py")
}

/// A server whose tasks run for 30 s, so they are cancelled mid-run.
async fn slow_server() -> orchestrator_server::RunningServer {
    let mut config = config();
    config.work_delay = Duration::from_secs(30);
    start(config).await
}

async fn cancel_by_another_client(url: &str) {
    let response = reqwest::Client::new()
        .delete(url)
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// Runs `command`, hands the status URL it prints (after `marker`) to
/// `cancel`, and returns everything it printed once it exits; panics if it
/// is still waiting after `limit`.
async fn run_until_it_ends<F, Fut>(
    mut command: Command,
    marker: &str,
    limit: Duration,
    cancel: F,
) -> String
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the client starts");
    let stdout = child.stdout.take().unwrap();
    let marker = marker.to_owned();
    let (url_tx, url_rx) = tokio::sync::oneshot::channel();
    let reader = std::thread::spawn(move || {
        let mut printed = String::new();
        let mut url_tx = Some(url_tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.split(&marker).nth(1)
                && let Some(tx) = url_tx.take()
            {
                let _ = tx.send(url.trim().to_owned());
            }
            printed.push_str(&line);
            printed.push('\n');
        }
        printed
    });
    let url = url_rx.await.expect("the client printed its status URL");
    // Let it poll at least once before the task is cancelled under it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    cancel(url).await;
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let printed = reader.join().unwrap();
            panic!("still waiting on a cancelled task after {limit:?}:\n{printed}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    reader.join().unwrap()
}

pub(crate) async fn the_specs_python_client_stops_waiting_on_a_task_another_client_cancels() {
    let server = slow_server().await;
    let mut command = Command::new("python3");
    // Unbuffered: its status URL has to arrive while it still waits.
    command
        .arg("-u")
        .arg(spec_client())
        .args(["bot-1", &data_url(REPORT)])
        .env("ORCHESTRATOR_API_URL", server.url())
        .env("ADMIN_API_KEY", KEY);
    // The spec's client sleeps 5 s between polls.
    let printed = run_until_it_ends(
        command,
        "Polling status at: ",
        Duration::from_secs(15),
        |url| async move { cancel_by_another_client(&url).await },
    )
    .await;
    assert!(printed.contains("--- Task Finished ---"), "{printed}");
    assert!(printed.contains("'status': 'FAILED'"), "{printed}");
    assert!(printed.contains("'code': 'CANCELLED'"), "{printed}");
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_bash_loop_over_completed_or_failed_stops_on_a_task_another_client_cancels() {
    let server = slow_server().await;
    let accepted = client(&server)
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let url = accepted.status_url().to_string();
    // The loop prints no URL of its own: a line before it hands it over.
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(format!(
            "echo \"waiting on: $0\"; exec bash '{}' \"$0\"",
            script("bash_loop.sh").display()
        ))
        .arg(&url)
        .env("ADMIN_API_KEY", KEY);
    let printed = run_until_it_ends(
        command,
        "waiting on: ",
        Duration::from_secs(10),
        |url| async move { cancel_by_another_client(&url).await },
    )
    .await;
    assert!(
        printed.contains("status: RUNNING") || printed.contains("status: PENDING"),
        "{printed}"
    );
    assert!(printed.contains("ended: "), "{printed}");
    assert!(printed.contains(r#""code":"CANCELLED""#), "{printed}");
    server.shutdown().await.unwrap();
}
