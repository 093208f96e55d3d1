//! What the console's browser tests share: the real server binary with
//! `--console` and a keys file of tenants and roles, tasks seeded into its
//! SQLite file through the store (for states and texts a submit cannot
//! make, such as a bot id full of markup), a signed-in browser, and the
//! checks every test ends with — no dialog opened, nothing on the console,
//! no policy broken.

use std::path::Path;
use std::time::Duration;

use orchestrator::{Labels, TaskError};
use orchestrator_server::{
    Claim, Database, Finish, NewTask, Role, SqliteStore, Submitted, TaskStore, TenantKey,
};
use orchestrator_testkit::{Browser, ServerProcess, missing_browser};
use serde_json::json;
use tokio::sync::{Mutex, MutexGuard};

pub(crate) const ACME_KEY: &str = "acme-console-key-3f9a1c";
pub(crate) const GLOBEX_KEY: &str = "globex-console-key-7b2e44";
pub(crate) const OPS_KEY: &str = "ops-console-key-c81d05";
pub(crate) const VIEWER_KEY: &str = "viewer-console-key-05e7aa";

pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// One browser at a time: Chromium takes both of the machine's cores.
static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

pub(crate) async fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_BROWSER.lock().await
}

/// Whether the browser is here; a test without it says "skipped".
pub(crate) fn browser_here(test: &str) -> bool {
    match missing_browser() {
        Some(why) => {
            eprintln!("skipped: {test}: {why}");
            false
        }
        None => true,
    }
}

pub(crate) fn server_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_orchestrator-server"))
}

/// A server with the console, its database and keys in a directory of its
/// own (which goes with it).
pub(crate) struct ConsoleServer {
    pub(crate) process: ServerProcess,
    _dir: tempfile::TempDir,
}

impl ConsoleServer {
    pub(crate) fn url(&self) -> &str {
        &self.process.url
    }
}

/// The database file of a new server, in a new directory.
pub(crate) fn new_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Starts the binary on `dir`'s database with the console and four keys:
/// acme, globex, ops (operator) and acme-viewer (read-only).
pub(crate) fn start(dir: tempfile::TempDir, extra: &[&str]) -> ConsoleServer {
    let keys = [
        TenantKey::new("acme", ACME_KEY).unwrap(),
        TenantKey::new("globex", GLOBEX_KEY).unwrap(),
        TenantKey::new("ops", OPS_KEY)
            .unwrap()
            .with_role(Role::TENANT.operator()),
        TenantKey::new("acme-viewer", VIEWER_KEY)
            .unwrap()
            .with_role(Role::TENANT.read_only()),
    ];
    let keys_file = dir.path().join("keys");
    let lines: Vec<String> = keys.iter().map(TenantKey::to_line).collect();
    std::fs::write(&keys_file, lines.join("\n")).unwrap();
    let mut args = vec!["--console", "--api-keys-file", keys_file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let db = dir.path().join("tasks.db");
    let process = ServerProcess::start_with_env(
        server_bin(),
        &db,
        "127.0.0.1:0",
        "",
        &args,
        &[("ORCHESTRATOR_API_KEY", "")],
    );
    ConsoleServer { process, _dir: dir }
}

/// How a seeded task ends up.
#[derive(Clone)]
pub(crate) enum Ends<'a> {
    Pending,
    Completed(serde_json::Value),
    /// FAILED with this code and message.
    Failed(&'a str, &'a str),
    Cancelled,
}

/// A task to seed.
pub(crate) struct Seed<'a> {
    pub(crate) id: &'a str,
    pub(crate) tenant: &'a str,
    pub(crate) bot_id: &'a str,
    pub(crate) labels: &'a [(&'a str, &'a str)],
    pub(crate) document_url: &'a str,
    pub(crate) ends: Ends<'a>,
    /// Milliseconds after now (negative: before).
    pub(crate) at: i64,
}

impl Default for Seed<'_> {
    fn default() -> Self {
        Seed {
            id: "task-seed",
            tenant: "acme",
            bot_id: "bot-1",
            labels: &[],
            document_url: "data:text/plain,Markets%20grew.",
            ends: Ends::Pending,
            at: 0,
        }
    }
}

/// An analysis result, as the reference server writes one.
pub(crate) fn analysis(summary: &str, sentiment: &str, score: f64) -> serde_json::Value {
    json!({
        "summary": summary,
        "sentiment": sentiment,
        "sentiment_score": score,
        "entities": ["acme", "revenue"],
        "word_count": summary.split_whitespace().count(),
        "sentence_count": 1,
        "media_type": "text/plain",
    })
}

/// Writes `seeds` into the SQLite file at `db` through the store, before
/// the server opens it. Times are "now" plus each seed's `at`. Those that
/// finish go first, each claimed as soon as it is made (claims take the
/// oldest pending task), then those left pending.
pub(crate) async fn seed(db: &Path, seeds: &[Seed<'_>]) {
    let store = SqliteStore::open(&Database::File(db.to_owned())).expect("the database opens");
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let finishing = seeds.iter().filter(|s| !matches!(s.ends, Ends::Pending));
    let pending = seeds.iter().filter(|s| matches!(s.ends, Ends::Pending));
    for s in finishing.chain(pending) {
        let mut labels = Labels::new();
        for (k, v) in s.labels {
            labels.insert(*k, *v).unwrap();
        }
        let input = json!({ "document_url": s.document_url });
        let submitted = store
            .submit(
                NewTask {
                    id: s.id.into(),
                    tenant: s.tenant.into(),
                    bot_id: s.bot_id.into(),
                    action: "analyze-document".into(),
                    fingerprint: input.to_string(),
                    input,
                    labels,
                    retry_of: None,
                    webhook_url: None,
                    idempotency_key: None,
                    now: now + s.at,
                },
                1_000_000,
            )
            .await
            .unwrap();
        assert!(matches!(submitted, Submitted::Created(_)));
        let finish = match &s.ends {
            Ends::Pending => continue,
            Ends::Cancelled => {
                store.cancel(s.tenant, s.id, now + s.at).await.unwrap();
                continue;
            }
            Ends::Completed(result) => Finish::Completed(result.clone()),
            Ends::Failed(code, message) => Finish::Failed(TaskError::new(*code, *message)),
        };
        {
            let run = store
                .claim_next(&Claim {
                    instance: "inst-seed".into(),
                    lease: Duration::from_secs(30),
                    now: now + s.at,
                })
                .await
                .unwrap()
                .expect("the seeded task is claimed");
            assert_eq!(run.id, s.id, "seeded failures are claimed in order");
            store
                .finish(&run.run(), finish, now + s.at + 1_500)
                .await
                .unwrap();
        }
    }
}

/// A browser at `width`×`height`, signed in to `server` with `key` through
/// the page's own form, on the task list.
pub(crate) async fn signed_in(
    server: &ConsoleServer,
    key: &str,
    width: u32,
    height: u32,
) -> Browser {
    let browser = Browser::start(width, height).await;
    browser.goto(&format!("{}/console/", server.url())).await;
    let input = browser.wait_for("#api-key", WAIT).await;
    browser
        .wait_until(
            "return document.body.getAttribute('data-ready') === 'true' \
             && !document.getElementById('sign-in-view').hidden;",
            WAIT,
        )
        .await;
    browser.type_into(&input, key).await;
    browser.type_into(&input, "\u{E007}").await; // Enter
    browser
        .wait_until(
            "return !document.getElementById('tasks-view').hidden \
             && document.body.hasAttribute('data-list-loaded');",
            WAIT,
        )
        .await;
    browser
}

/// The checks every browser test ends with: no alert, confirm or prompt
/// is open (a script that ran would have opened one), and the browser's
/// console has no error — a Content-Security-Policy violation is one —
/// but the refusals the test provoked on purpose (`expected`: a part of
/// their line, e.g. the path and the status).
pub(crate) async fn nothing_ran_and_nothing_broke(browser: &Browser, expected: &[&str]) {
    assert_eq!(browser.open_dialog().await, None, "a dialog opened");
    let errors: Vec<(String, String)> = browser
        .console_log()
        .await
        .into_iter()
        .filter(|(level, message)| {
            level == "SEVERE" && !expected.iter().any(|e| message.contains(e))
        })
        .collect();
    assert!(errors.is_empty(), "the console shows errors: {errors:#?}");
}

/// `path` (a `/console/api/…` route) fetched by the page itself, with its
/// cookie: `[status, body]`.
pub(crate) async fn page_fetch(
    browser: &Browser,
    method: &str,
    path: &str,
    csrf: bool,
) -> (u64, serde_json::Value) {
    let value = browser
        .execute(
            "const [method, path, csrf, done] = [arguments[0], arguments[1], arguments[2]];
             return (async () => {
               const headers = {};
               if (csrf) {
                 const who = await fetch('/console/api/session').then((r) => r.json());
                 headers['X-CSRF-Token'] = who.csrf_token;
               }
               const r = await fetch(path, { method, headers });
               let body = null;
               try { body = await r.json(); } catch {}
               return [r.status, body];
             })();",
            json!([method, path, csrf]),
        )
        .await;
    (value[0].as_u64().unwrap_or(0), value[1].clone())
}

/// Where the test run saves its screenshots: `target/console-screenshots`,
/// and `docs/console` too when `ORCHESTRATOR_UPDATE_SCREENSHOTS=1` (how the
/// committed ones are made).
pub(crate) fn save_screenshot(name: &str, png: &[u8]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("target/console-screenshots")];
    if std::env::var("ORCHESTRATOR_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        dirs.push(root.join("docs/console"));
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

/// A task of the API, as its status says.
pub(crate) async fn api_status(server: &ConsoleServer, key: &str, id: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{}/v1/tasks/{id}", server.url()))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
