//! The console's routes over real HTTP, without a browser: the session
//! cookie and its flags, the CSRF token, sign-out, roles (a read-only key
//! refused on the API and in the console, an operator seeing every
//! tenant, a tenant seeing only its own), cancel by filter, the overview,
//! the live feed and the headers every answer carries. The browser tests
//! (`tests/console`) drive the page itself.

use std::time::Duration;

use orchestrator::{AnalyzeDocument, Labels};
use orchestrator_server::{Role, ServerConfig, TenantKey};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

use crate::support::*;
use crate::tenants::{ACME_KEY, GLOBEX_KEY, client_for};

const OPS_KEY: &str = "ops-key-5d1e0c77";
const VIEWER_KEY: &str = "viewer-key-8a2b9f30";

fn console_config() -> ServerConfig {
    ServerConfig {
        api_key: None,
        tenants: vec![
            TenantKey::new("acme", ACME_KEY).unwrap(),
            TenantKey::new("globex", GLOBEX_KEY).unwrap(),
            TenantKey::new("ops", OPS_KEY)
                .unwrap()
                .with_role(Role::TENANT.operator()),
            TenantKey::new("acme-viewer", VIEWER_KEY)
                .unwrap()
                .with_role(Role::TENANT.read_only()),
        ],
        console: true,
        work_delay: Duration::from_secs(30),
        ..config()
    }
}

/// A signed-in console: its cookie and CSRF token, over plain reqwest.
struct Console {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
    who: Value,
}

impl Console {
    async fn sign_in(base: &str, key: &str) -> Console {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{base}/console/api/session"))
            .json(&json!({ "key": key }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let cookie = session_cookie(response.headers());
        let who: Value = response.json().await.unwrap();
        Console {
            http,
            base: base.to_owned(),
            cookie,
            csrf: who["csrf_token"].as_str().unwrap().to_owned(),
            who,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, csrf: Option<&str>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie);
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// `orchestrator_console=…` from a sign-in's `Set-Cookie`.
fn session_cookie(headers: &HeaderMap) -> String {
    let set = headers[SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().trim().to_owned()
}

async fn submit(url: &str, key: &str, bot: &str, labels: &[(&str, &str)]) -> String {
    let mut set = Labels::new();
    for (k, v) in labels {
        set.insert(*k, *v).unwrap();
    }
    let accepted = client_for(url, key)
        .analyze_document(bot, &AnalyzeDocument::new(data_url(REPORT)))
        .labels(&set)
        .await
        .unwrap();
    accepted.task_id().unwrap().to_string()
}

fn ids(page: &Value) -> Vec<String> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn a_sign_in_sets_a_strict_http_only_cookie_and_never_echoes_the_key() {
    let server = start(console_config()).await;
    let base = server.url();
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{base}/console/api/session"))
        .json(&json!({ "key": ACME_KEY }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/console",
        "Max-Age=28800",
    ] {
        assert!(set.contains(flag), "{set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let body = response.text().await.unwrap();
    assert!(
        !body.contains(ACME_KEY) && !set.contains(ACME_KEY),
        "{body}"
    );
    let who: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(who["tenant"], "acme");
    assert_eq!(
        (who["operator"].clone(), who["read_only"].clone()),
        (json!(false), json!(false))
    );
    // A wrong key, a form post and a missing cookie are each refused.
    let wrong = http
        .post(format!("{base}/console/api/session"))
        .json(&json!({ "key": "nope" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let form = http
        .post(format!("{base}/console/api/session"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("key={ACME_KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let anonymous = http
        .get(format!("{base}/console/api/tasks"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // The API does not take the console's cookie for a key.
    let console = Console::sign_in(&base, ACME_KEY).await;
    let api = http
        .get(format!("{base}/v1/tasks"))
        .header("cookie", &console.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
}

pub(crate) async fn a_change_needs_the_sessions_csrf_token_and_sign_out_ends_the_session() {
    let server = start(console_config()).await;
    let base = server.url();
    let console = Console::sign_in(&base, ACME_KEY).await;
    let id = submit(&base, ACME_KEY, "bot-1", &[]).await;
    let cancel = format!("/console/api/tasks/{id}/cancel");
    let other = Console::sign_in(&base, ACME_KEY).await;
    for token in [
        None,
        Some("0".repeat(64).as_str()),
        Some(other.csrf.as_str()),
    ] {
        let (status, problem) = console.post(&cancel, token).await;
        assert_eq!(status, 403, "{token:?}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("CSRF"),
            "{problem}"
        );
    }
    let (status, row) = console.post(&cancel, Some(&console.csrf)).await;
    assert_eq!(status, 200, "{row}");
    assert_eq!(row["state"], "CANCELLED");
    // Signed out: the same cookie is refused, the other session lives on.
    let out = console
        .http
        .delete(format!("{base}/console/api/session"))
        .header("cookie", &console.cookie)
        .header("x-csrf-token", &console.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert!(
        out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        console.get("/console/api/session").await,
        (StatusCode::OK, json!({"signed_in": false}))
    );
    assert_eq!(console.get("/console/api/tasks").await.0, 401);
    assert_eq!(other.get("/console/api/session").await.1["signed_in"], true);
}

pub(crate) async fn a_read_only_key_is_refused_every_change_on_the_api_and_in_the_console() {
    let server = start(console_config()).await;
    let base = server.url();
    let id = submit(&base, ACME_KEY, "bot-1", &[]).await;
    let http = reqwest::Client::new();
    // The API: it reads acme-viewer's own (empty) tenant, and changes nothing.
    let list = http
        .get(format!("{base}/v1/tasks"))
        .bearer_auth(VIEWER_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let submit = http
        .post(format!("{base}/v1/bots/bot-1/actions/analyze-document"))
        .bearer_auth(VIEWER_KEY)
        .json(&json!({"document_url": data_url(REPORT)}))
        .send()
        .await
        .unwrap();
    assert_eq!(submit.status(), 403);
    let problem: Value = submit.json().await.unwrap();
    assert!(
        problem["type"].as_str().unwrap().ends_with("/read-only"),
        "{problem}"
    );
    for (method, path) in [
        (reqwest::Method::DELETE, format!("/v1/tasks/{id}")),
        (reqwest::Method::POST, format!("/v1/tasks/{id}/retry")),
        (
            reqwest::Method::POST,
            "/v1/tasks/cancel?status=PENDING".to_owned(),
        ),
    ] {
        let refused = http
            .request(method.clone(), format!("{base}{path}"))
            .bearer_auth(VIEWER_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403, "{method} {path}");
    }
    // The console: the page is told, and a forged change is refused.
    let viewer = Console::sign_in(&base, VIEWER_KEY).await;
    assert_eq!(viewer.who["read_only"], true);
    let (status, _) = viewer
        .post(
            &format!("/console/api/tasks/{id}/cancel"),
            Some(&viewer.csrf),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = viewer
        .post(
            "/console/api/tasks/cancel?status=PENDING",
            Some(&viewer.csrf),
        )
        .await;
    assert_eq!(status, 403);
}

pub(crate) async fn a_tenant_sees_only_its_own_tasks_and_an_operator_every_tenants() {
    let server = start(console_config()).await;
    let base = server.url();
    let a1 = submit(&base, ACME_KEY, "bot-1", &[("run", "1")]).await;
    let g1 = submit(&base, GLOBEX_KEY, "bot-2", &[("run", "1")]).await;
    let a2 = submit(&base, ACME_KEY, "bot-1", &[("run", "2")]).await;
    let acme = Console::sign_in(&base, ACME_KEY).await;
    let (status, page) = acme.get("/console/api/tasks").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page), [a2.clone(), a1.clone()]);
    assert_eq!(acme.get("/console/api/tasks?tenant=globex").await.0, 403);
    assert_eq!(acme.get(&format!("/console/api/tasks/{g1}")).await.0, 404);
    assert_eq!(
        acme.get(&format!("/console/api/tasks/{g1}?tenant=globex"))
            .await
            .0,
        403
    );
    let ops = Console::sign_in(&base, OPS_KEY).await;
    assert_eq!(ops.who["operator"], true);
    let tenants: Vec<&str> = ops.who["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tenants, ["acme", "globex", "ops", "acme-viewer"]);
    let (_, every) = ops.get("/console/api/tasks").await;
    assert_eq!(ids(&every), [a2.clone(), g1.clone(), a1.clone()]);
    assert_eq!(every["tasks"][1]["tenant"], "globex");
    let (_, narrowed) = ops.get("/console/api/tasks?tenant=globex").await;
    assert_eq!(ids(&narrowed), std::slice::from_ref(&g1));
    let (_, labelled) = ops.get("/console/api/tasks?label=run%3D1").await;
    assert_eq!(ids(&labelled), [g1.clone(), a1.clone()]);
    let (status, detail) = ops
        .get(&format!("/console/api/tasks/{g1}?tenant=globex"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(detail["bot_id"], "bot-2");
    assert_eq!(detail["timeline"][0]["kind"], "submitted");
    // Counts per state tab, for each view.
    let (_, counts) = ops.get("/console/api/counts").await;
    assert_eq!(
        counts["counts"]["PENDING"].as_u64().unwrap()
            + counts["counts"]["RUNNING"].as_u64().unwrap(),
        3
    );
    let (_, counts) = acme.get("/console/api/counts?label=run%3D1").await;
    assert_eq!(
        counts["counts"]["PENDING"].as_u64().unwrap()
            + counts["counts"]["RUNNING"].as_u64().unwrap(),
        1
    );
    // An operator cancels by filter across tenants: exactly the matches.
    let (status, done) = ops
        .post("/console/api/tasks/cancel?label=run%3D1", Some(&ops.csrf))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["cancelled"], 2);
    let (_, left) = ops.get("/console/api/tasks?status=CANCELLED").await;
    assert_eq!(ids(&left), [g1, a1]);
    let (_, a2_now) = acme.get(&format!("/console/api/tasks/{a2}")).await;
    assert_ne!(a2_now["state"], "CANCELLED");
    // An empty filter cancels nothing.
    assert_eq!(
        ops.post("/console/api/tasks/cancel", Some(&ops.csrf))
            .await
            .0,
        400
    );
}

pub(crate) async fn a_failed_task_retried_from_the_console_names_its_original() {
    let server = start(ServerConfig {
        work_delay: Duration::ZERO,
        ..console_config()
    })
    .await;
    let base = server.url();
    let client = client_for(&base, ACME_KEY);
    let accepted = client
        .analyze_document(
            "bot-1",
            &AnalyzeDocument::new("data:application/x-unknown,zzz"),
        )
        .await
        .unwrap();
    let outcome = client.poll(&accepted).await.unwrap();
    assert!(outcome.error().is_some(), "{outcome:?}");
    let id = accepted.task_id().unwrap().to_string();
    let acme = Console::sign_in(&base, ACME_KEY).await;
    let (status, detail) = acme.get(&format!("/console/api/tasks/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(detail["state"], "FAILED");
    assert!(detail["error"]["code"].is_string(), "{detail}");
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"submitted"));
    assert_eq!(kinds.last(), Some(&"failed"));
    let started = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "started")
        .unwrap();
    assert_eq!(started["attempt"], 1);
    assert!(started["instance"].as_str().unwrap().starts_with("inst-"));
    let (status, fresh) = acme
        .post(&format!("/console/api/tasks/{id}/retry"), Some(&acme.csrf))
        .await;
    assert_eq!(status, 200, "{fresh}");
    assert_eq!(fresh["retry_of"], id.as_str());
    // A completed task is not retried.
    let done = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    assert!(client.poll(&done).await.unwrap().is_completed());
    let (status, _) = acme
        .post(
            &format!("/console/api/tasks/{}/retry", done.task_id().unwrap()),
            Some(&acme.csrf),
        )
        .await;
    assert_eq!(status, 409);
    let (_, detail) = acme
        .get(&format!("/console/api/tasks/{}", done.task_id().unwrap()))
        .await;
    assert_eq!(detail["result"]["sentiment"], "POSITIVE", "{detail}");
}

pub(crate) async fn the_overview_counts_the_queue_and_an_operator_sees_the_instance() {
    let server = start(console_config()).await;
    let base = server.url();
    submit(&base, ACME_KEY, "bot-1", &[]).await;
    submit(&base, GLOBEX_KEY, "bot-1", &[]).await;
    let ops = Console::sign_in(&base, OPS_KEY).await;
    let (status, overview) = ops.get("/console/api/overview").await;
    assert_eq!(status, 200, "{overview}");
    let depth = overview["pending"].as_u64().unwrap() + overview["running"].as_u64().unwrap();
    assert_eq!(depth, 2);
    assert_eq!(overview["activity"].as_array().unwrap().len(), 12);
    assert_eq!(overview["bucket_minutes"], 5);
    let instances = overview["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 1, "{overview}");
    assert_eq!(instances[0]["workers"], 2);
    assert_eq!(instances[0]["alive"], true);
    let acme = Console::sign_in(&base, ACME_KEY).await;
    let (_, mine) = acme.get("/console/api/overview").await;
    assert_eq!(
        mine["pending"].as_u64().unwrap() + mine["running"].as_u64().unwrap(),
        1
    );
    assert!(mine["instances"].as_array().unwrap().is_empty());
}

pub(crate) async fn the_live_feed_brings_a_new_task_and_its_changes_as_rows() {
    let server = start(console_config()).await;
    let base = server.url();
    let acme = Console::sign_in(&base, ACME_KEY).await;
    let response = acme
        .http
        .get(format!("{base}/console/api/events?bot_id=bot-7"))
        .header("cookie", &acme.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    // Another bot's task and another tenant's do not come through.
    submit(&base, ACME_KEY, "bot-other", &[]).await;
    submit(&base, GLOBEX_KEY, "bot-7", &[]).await;
    let id = submit(&base, ACME_KEY, "bot-7", &[]).await;
    // The two before hold both workers: this one waits, and is cancelled.
    let cancelled = acme
        .http
        .delete(format!("{base}/v1/tasks/{id}"))
        .bearer_auth(ACME_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    let mut response = response;
    let mut text = String::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("\"kind\":\"cancelled\"") {
                return;
            }
        }
    })
    .await;
    assert!(found.is_ok(), "{text}");
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str(d.trim()).ok())
        .collect();
    assert_eq!(events[0]["kind"], "submitted", "{text}");
    assert!(
        events.iter().all(|e| e["task"]["task_id"] == id.as_str()),
        "{text}"
    );
}

pub(crate) async fn every_console_answer_carries_a_strict_policy_and_no_framing() {
    let server = start(console_config()).await;
    let base = server.url();
    let http = reqwest::Client::new();
    for path in [
        "/console/",
        "/console/assets/console.js",
        "/console/assets/console.css",
        "/console/api/tasks",
        "/console/assets/nope.js",
    ] {
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    }
    let page = http.get(format!("{base}/console/")).send().await.unwrap();
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let etag = page.headers()["etag"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style="),
        "no inline script or style"
    );
    let again = http
        .get(format!("{base}/console/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // Without --console there is no console.
    let plain = start(ServerConfig {
        console: false,
        ..console_config()
    })
    .await;
    let absent = http
        .get(format!("{}/console/", plain.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(absent.status(), 404);
}

pub(crate) async fn under_tls_the_cookie_is_secure_and_a_session_expires_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let ca = orchestrator_testkit::TestCa::new();
    let cert = ca.server_cert(&["127.0.0.1"], dir.path());
    let server = start(ServerConfig {
        tls: Some(orchestrator_server::TlsFiles {
            cert: cert.cert,
            key: cert.key,
        }),
        console_session_ttl: Duration::from_secs(1),
        ..console_config()
    })
    .await;
    let http = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(ca.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let response = http
        .post(format!("{}/console/api/session", server.url()))
        .json(&json!({ "key": ACME_KEY }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set.contains("; Secure") && set.contains("Max-Age=1"),
        "{set}"
    );
    let cookie = session_cookie(response.headers());
    let tasks = || {
        http.get(format!("{}/console/api/tasks", server.url()))
            .header("cookie", &cookie)
            .send()
    };
    assert_eq!(tasks().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    assert_eq!(tasks().await.unwrap().status(), 401);
}

pub(crate) async fn a_key_taken_out_of_the_keys_ends_the_sessions_it_opened() {
    // A database that outlives the first server (the trials' SQLite one is
    // in memory).
    let dir = tempfile::tempdir().unwrap();
    let database = match database() {
        orchestrator_server::Database::Memory => {
            orchestrator_server::Database::File(dir.path().join("tasks.db"))
        }
        shared => shared,
    };
    let first = start(ServerConfig {
        database: database.clone(),
        ..console_config()
    })
    .await;
    let console = Console::sign_in(&first.url(), GLOBEX_KEY).await;
    let kept = Console::sign_in(&first.url(), ACME_KEY).await;
    assert_eq!(console.get("/console/api/tasks").await.0, 200);
    first.shutdown().await.unwrap();
    // The same database, started again with globex's key gone.
    let mut config = ServerConfig {
        database,
        ..console_config()
    };
    config.tenants.retain(|t| t.name() != "globex");
    config.listen = console.base.trim_start_matches("http://").parse().unwrap();
    let _second = start(config).await;
    assert_eq!(console.get("/console/api/tasks").await.0, 401);
    // A session of a key still there outlived the restart.
    assert_eq!(kept.get("/console/api/tasks").await.0, 200);
}
