//! Logs for operators, from the real binary: JSON lines, a request id in
//! every line of a request (a trusted proxy's when well-formed), echoed on
//! the response and written into problem details — and no key anywhere,
//! whether from the environment or a tenant's line in the keys file.

use serde_json::Value;

use crate::{REPORT, data_url, server_bin};
use orchestrator_server::TenantKey;
use orchestrator_testkit::{ServerProcess, figure};

const TENANT_KEY: &str = "tenant-key-c3f1a9e07d";

fn json_lines(log: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// The request id recorded on a JSON log line's span, if any.
fn request_id(line: &Value) -> Option<&str> {
    line["span"]["request_id"].as_str()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_of_a_request_carries_its_id_and_no_key_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    std::fs::write(
        &keys,
        format!(
            "# tenants\n{}\n",
            TenantKey::new("acme", TENANT_KEY).unwrap().to_line()
        ),
    )
    .unwrap();
    let server = ServerProcess::start_with_env(
        server_bin(),
        &dir.path().join("logs.db"),
        "127.0.0.1:0",
        "env-key-5e2b77d0a1",
        &[
            "--api-keys-file",
            keys.to_str().unwrap(),
            "--log-format",
            "json",
            "--trust-request-id",
        ],
        &[("RUST_LOG", "trace")],
    );
    let http = reqwest::Client::new();
    let url = &server.url;

    // A trusted, well-formed id is kept: echoed, in the problem, in the logs.
    let response = http
        .get(format!("{url}/v1/tasks/task-missing"))
        .bearer_auth(TENANT_KEY)
        .header("x-request-id", "req-7c1-abc")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-request-id"], "req-7c1-abc");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["request_id"], "req-7c1-abc");

    // A malformed one is replaced by a fresh id.
    let response = http
        .post(format!("{url}/v1/bots/bot-1/actions/analyze-document"))
        .bearer_auth(TENANT_KEY)
        .header("x-request-id", "not ok {\"json\"}")
        .header("content-type", "application/json")
        .body(serde_json::json!({"document_url": data_url(REPORT)}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let fresh = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, "not ok {\"json\"}");
    assert_eq!(fresh.len(), 36, "a UUID: {fresh}");

    // The shared key of the simple mode works alongside, as tenant `default`.
    let response = http
        .get(format!("{url}/openapi.json"))
        .bearer_auth("env-key-5e2b77d0a1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let log = server.log.lock().unwrap().clone();
    let lines = json_lines(&log);
    assert!(lines.len() >= 5, "expected JSON log lines:\n{log}");
    let of =
        |id: &str| -> Vec<&Value> { lines.iter().filter(|l| request_id(l) == Some(id)).collect() };
    let trusted = of("req-7c1-abc");
    let submitted = of(&fresh);
    assert!(!trusted.is_empty() && !submitted.is_empty(), "{log}");
    // The submit's own lines ("task accepted" among them) carry its id and tenant.
    assert!(
        submitted
            .iter()
            .any(|l| l["fields"]["message"] == "task accepted"),
        "{log}"
    );
    assert!(
        submitted.iter().all(|l| l["span"]["tenant"] == "acme"),
        "{log}"
    );
    // No key, in any form it was given, in any line.
    for secret in [TENANT_KEY, "env-key-5e2b77d0a1"] {
        assert!(!log.contains(secret), "a key reached the log");
    }
    figure(
        "logs",
        &format!(
            "{} JSON lines at trace; {} for the trusted request id, {} for the submit; no key in any",
            lines.len(),
            trusted.len(),
            submitted.len()
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_client_cannot_choose_its_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("ids.db"),
        "127.0.0.1:0",
        crate::KEY,
        &[],
    );
    let response = reqwest::Client::new()
        .get(format!("{}/healthz", server.url))
        .header("x-request-id", "forged-id")
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, "forged-id");
    assert_eq!(id.len(), 36);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_json_mode_every_line_the_server_writes_is_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with_env(
        server_bin(),
        &dir.path().join("json.db"),
        "127.0.0.1:0",
        crate::KEY,
        &["--log-format", "json", "--metrics-listen", "127.0.0.1:0"],
        &[("ORCHESTRATOR_LOG", "info")],
    );
    let http = reqwest::Client::new();
    for path in ["/healthz", "/v1/tasks/task-none"] {
        http.get(format!("{}{path}", server.url))
            .bearer_auth(crate::KEY)
            .send()
            .await
            .unwrap();
    }
    // A graceful stop writes its lines too.
    let pid = server.pid().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let mut server = server;
    let _ = server.child.wait();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = server.log.lock().unwrap().clone();
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.len() >= 5, "{log}");
    for line in &lines {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON object ({e}): {line}"));
        assert!(value.is_object(), "{line}");
        assert!(
            value["level"].is_string() && value["timestamp"].is_string(),
            "{line}"
        );
    }
    let said = |message: &str| lines.iter().any(|l| l.contains(message));
    assert!(
        said("\"listening on\"") && said("\"metrics on\"") && said("\"database\""),
        "{log}"
    );

    // A start that fails says why in JSON as well.
    let output = std::process::Command::new(server_bin())
        .args(["--listen", "127.0.0.1:0", "--log-format", "json", "--db"])
        .arg(dir.path().join("missing-dir").join("x.db"))
        .env("ORCHESTRATOR_API_KEY", crate::KEY)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in stderr.lines() {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON object ({e}): {line}"));
        assert_eq!(value["level"], "ERROR", "{line}");
        assert!(
            value["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("does not exist")),
            "{line}"
        );
    }
    assert!(!stderr.trim().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_default_level_every_request_is_one_line_naming_its_route_status_and_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with_env(
        server_bin(),
        &dir.path().join("requests.db"),
        "127.0.0.1:0",
        crate::KEY,
        &["--log-format", "json"],
        // The binary's own default level.
        &[("ORCHESTRATOR_LOG", "info")],
    );
    let http = reqwest::Client::new();
    let refused = http
        .get(format!("{}/v1/tasks/task-x", server.url))
        .bearer_auth("not-the-key-9f2")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let unknown = http
        .get(format!("{}/v1/tasks/task-y", server.url))
        .bearer_auth(crate::KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let unknown_id = unknown.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let missing_route = http
        .get(format!("{}/v2/elsewhere", server.url))
        .bearer_auth(crate::KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(missing_route.status(), 404);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let log = server.log.lock().unwrap().clone();
    let requests: Vec<Value> = json_lines(&log)
        .into_iter()
        .filter(|l| l["fields"]["message"] == "request")
        .collect();
    assert_eq!(requests.len(), 3, "one line per request:\n{log}");
    for line in &requests {
        assert_eq!(line["level"], "INFO", "{line}");
        assert_eq!(line["span"]["method"], "GET", "{line}");
        assert!(line["fields"]["latency_ms"].is_number(), "{line}");
        assert!(request_id(line).is_some(), "{line}");
    }
    let status = |l: &Value| l["fields"]["status"].as_u64();
    assert_eq!(status(&requests[0]), Some(401));
    assert_eq!(requests[0]["span"]["route"], "/v1/tasks/{task_id}");
    assert!(
        requests[0]["span"]["tenant"].is_null(),
        "no tenant for a refused key"
    );
    assert_eq!(status(&requests[1]), Some(404));
    assert_eq!(requests[1]["span"]["route"], "/v1/tasks/{task_id}");
    assert_eq!(requests[1]["span"]["tenant"], "default");
    assert_eq!(request_id(&requests[1]), Some(unknown_id.as_str()));
    assert_eq!(requests[2]["span"]["route"], "-");
    assert!(
        !log.contains("not-the-key-9f2") && !log.contains(crate::KEY),
        "a key reached the log"
    );
}
