//! The CLI under a server's per-tenant rate limit: twenty submits at once
//! against 2/s are all accepted in the end, each retry carrying the same
//! Idempotency-Key, and the server holds exactly twenty tasks.

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::Instant;

use futures_util::future::join_all;
use orchestrator_testkit::{ServerProcess, figure};
use serde_json::Value;

use crate::server_bin;
use crate::support::{KEY, REPORT, data_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_submits_against_two_a_second_are_all_accepted_once_with_their_own_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limited.db");
    let server = ServerProcess::start_with_env(
        server_bin(),
        &db,
        "127.0.0.1:0",
        KEY,
        &["--rate-limit", "2/s", "--log-format", "json"],
        &[("RUST_LOG", "orchestrator_server=info")],
    );
    let started = Instant::now();
    let runs = join_all((0..20).map(|i| {
        let url = server.url.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_orchestrator-cli"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("ORCHESTRATOR_API_URL", url)
                .env("ORCHESTRATOR_API_KEY", KEY)
                .args([
                    "submit",
                    "bot-1",
                    "--document-url",
                    &data_url(&format!("{REPORT} Batch item {i}.")),
                    "--idempotency-key",
                    &format!("batch-{i}"),
                ])
                .output()
                .unwrap()
        })
    }))
    .await;
    let took = started.elapsed();
    for (i, run) in runs.iter().enumerate() {
        let out = run.as_ref().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "submit {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // What the server saw, from its JSON log: per key, how often it was
    // turned away and accepted.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = server.log.lock().unwrap().clone();
    let mut limited: HashMap<String, usize> = HashMap::new();
    let mut accepted: HashMap<String, usize> = HashMap::new();
    for line in log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
    {
        let key = line["fields"]["idempotency_key"]
            .as_str()
            .map(str::to_owned);
        match (line["fields"]["message"].as_str(), key) {
            (Some("submit over the tenant's rate limit"), Some(k)) => {
                *limited.entry(k).or_default() += 1
            }
            (Some("task accepted"), Some(k)) => *accepted.entry(k).or_default() += 1,
            _ => {}
        }
    }
    let expected: HashSet<String> = (0..20).map(|i| format!("batch-{i}")).collect();
    assert_eq!(accepted.keys().cloned().collect::<HashSet<_>>(), expected);
    assert!(accepted.values().all(|n| *n == 1), "{accepted:?}");
    // Retries happened, and each was a retry of a key that was then accepted.
    let turned_away: usize = limited.values().sum();
    assert!(turned_away > 0, "the rate limit never applied: {log}");
    assert!(limited.keys().all(|k| expected.contains(k)), "{limited:?}");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let tasks: i64 = conn
        .query_row("SELECT COUNT(*) FROM tasks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tasks, 20, "duplicates or losses");
    figure(
        "rate limit",
        &format!(
            "20 CLI submits at once against --rate-limit 2/s: all exited 0 in {took:.1?}; \
             {turned_away} answers were 429 (on {} of the keys), each retried with its own key; \
             the database holds exactly 20 tasks",
            limited.len()
        ),
    );
}
