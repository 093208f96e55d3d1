//! Webhooks through the real server to a receiver on loopback: signed as
//! Standard Webhooks says (verified with the SDK), retried with the same
//! `webhook-id`, stopped by a `410`, guarded like document URLs, shown in
//! the task's status, surviving a SIGKILL, and delivered once with two
//! instances on one PostgreSQL database.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use orchestrator::webhooks::{Secret, verify};
use orchestrator::{AnalyzeDocument, Client, ErrorKind, WebhookDelivery};
use orchestrator_server::{ServerConfig, parse_webhook_secrets};
use orchestrator_testkit::ServerProcess;

use crate::server_bin;
use crate::support::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NEXT_SECRET: &str = "whsec_QmFzZTY0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIQ==";

/// One delivery as the receiver got it.
#[derive(Debug, Clone)]
struct Got {
    headers: HeaderMap,
    body: Bytes,
}

/// A webhook receiver on loopback: answers with each scripted status in
/// turn (then 200), or holds every request for `hang`.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    hang: Option<Duration>,
    addr: Option<SocketAddr>,
}

impl Receiver {
    async fn start(answers: &[u16], hang: Option<Duration>) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut receiver = Receiver {
            answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
            hang,
            ..Receiver::default()
        };
        receiver.addr = Some(listener.local_addr().unwrap());
        let app = axum::Router::new()
            .fallback(axum::routing::post(take))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn addr(&self) -> SocketAddr {
        self.addr.unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` deliveries came (or 10 s passed); what came.
    async fn wait_for(&self, n: usize) -> Vec<Got> {
        let started = Instant::now();
        while self.got().len() < n && started.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.got()
    }
}

async fn take(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.got.lock().unwrap().push(Got { headers, body });
    if let Some(hang) = r.hang {
        tokio::time::sleep(hang).await;
    }
    let answer = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(answer).unwrap()
}

/// A server whose default tenant signs with `secrets`, allowed to post to
/// `receivers`, retrying after 100 ms.
fn webhook_config(secrets: &[&str], receivers: &[&Receiver]) -> ServerConfig {
    let lines: String = secrets.iter().map(|s| format!("default {s}\n")).collect();
    ServerConfig {
        webhooks: parse_webhook_secrets(&lines).unwrap(),
        allow_private_origins: receivers.iter().map(|r| r.addr()).collect(),
        webhook_retry_delays: vec![Duration::from_millis(100); 4],
        ..config()
    }
}

async fn submit_with_webhook(client: &Client, url: &str) -> orchestrator::Accepted {
    client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .webhook(url)
        .await
        .unwrap()
}

/// The task's `webhook` field once its state is `state` (or after 10 s).
async fn webhook_state(
    client: &Client,
    accepted: &orchestrator::Accepted,
    state: &str,
) -> WebhookDelivery {
    let started = Instant::now();
    loop {
        let status = client.status(accepted).await.unwrap();
        let webhook = status.webhook().expect("the status shows the webhook");
        if webhook.state.as_deref() == Some(state) || started.elapsed() > Duration::from_secs(10) {
            return webhook;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

fn secrets(texts: &[&str]) -> Vec<Secret> {
    texts.iter().map(|s| Secret::parse(s).unwrap()).collect()
}

pub(crate) async fn a_finished_task_is_posted_signed_and_the_sdk_verifies_it() {
    let receiver = Receiver::start(&[], None).await;
    let server = start(webhook_config(&[SECRET], &[&receiver])).await;
    let client = client(&server);
    let accepted = submit_with_webhook(&client, &receiver.url("/hooks?token=abc")).await;
    client.poll(&accepted).await.unwrap();
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let event = verify(
        &secrets(&[SECRET]),
        &got[0].headers,
        &got[0].body,
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(event.kind(), "task.completed");
    assert_eq!(event.status().task_id(), accepted.task_id());
    assert!(event.status().result().is_some());
    assert!(event.occurred_at().is_some());
    // Another secret does not verify it.
    let wrong = verify(
        &secrets(&[NEXT_SECRET]),
        &got[0].headers,
        &got[0].body,
        SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::InvalidWebhook);
    let webhook = webhook_state(&client, &accepted, "delivered").await;
    assert_eq!(webhook.attempts, 1);
    assert!(webhook.delivered_at.is_some());
    assert_eq!(webhook.url, receiver.url("/hooks?token=abc"));
    server.shutdown().await.unwrap();
}

pub(crate) async fn failed_tries_are_retried_with_the_same_webhook_id_until_one_is_taken() {
    let receiver = Receiver::start(&[500, 503, 500], None).await;
    let server = start(webhook_config(&[SECRET], &[&receiver])).await;
    let client = client(&server);
    let accepted = submit_with_webhook(&client, &receiver.url("/")).await;
    let webhook = webhook_state(&client, &accepted, "delivered").await;
    assert_eq!(webhook.state.as_deref(), Some("delivered"), "{webhook:?}");
    assert_eq!(webhook.attempts, 4);
    let got = receiver.got();
    assert_eq!(got.len(), 4);
    let ids: Vec<_> = got
        .iter()
        .map(|g| g.headers["webhook-id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    for g in &got {
        verify(&secrets(&[SECRET]), &g.headers, &g.body, SystemTime::now()).unwrap();
    }
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_410_stops_an_endpoint_and_a_spent_schedule_gives_up() {
    let gone = Receiver::start(&[410], None).await;
    let failing = Receiver::start(&[500; 10], None).await;
    let server = start(webhook_config(&[SECRET], &[&gone, &failing])).await;
    let client = client(&server);
    let stopped = submit_with_webhook(&client, &gone.url("/")).await;
    let given_up = submit_with_webhook(&client, &failing.url("/")).await;
    let webhook = webhook_state(&client, &stopped, "stopped").await;
    assert_eq!(webhook.state.as_deref(), Some("stopped"), "{webhook:?}");
    assert!(webhook.last_error.unwrap().contains("410"));
    let webhook = webhook_state(&client, &given_up, "failed").await;
    assert_eq!(webhook.state.as_deref(), Some("failed"), "{webhook:?}");
    // The first try and one per pause of the schedule.
    assert_eq!(webhook.attempts, 5);
    assert_eq!(webhook.last_error.as_deref(), Some("HTTP 500"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(gone.got().len(), 1, "nothing after the 410");
    assert_eq!(failing.got().len(), 5);
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_rotating_tenant_signs_with_both_secrets() {
    let receiver = Receiver::start(&[], None).await;
    let server = start(webhook_config(&[SECRET, NEXT_SECRET], &[&receiver])).await;
    let client = client(&server);
    let accepted = submit_with_webhook(&client, &receiver.url("/")).await;
    client.poll(&accepted).await.unwrap();
    let got = receiver.wait_for(1).await;
    let signatures = got[0].headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    for secret in [SECRET, NEXT_SECRET] {
        verify(
            &secrets(&[secret]),
            &got[0].headers,
            &got[0].body,
            SystemTime::now(),
        )
        .unwrap();
    }
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_tenants_default_endpoint_gets_the_tasks_that_name_none() {
    let receiver = Receiver::start(&[], None).await;
    let mut config = webhook_config(&[], &[&receiver]);
    config.webhooks =
        parse_webhook_secrets(&format!("default {SECRET} {}", receiver.url("/default"))).unwrap();
    let server = start(config).await;
    let client = client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    client.poll(&accepted).await.unwrap();
    assert_eq!(receiver.wait_for(1).await.len(), 1);
    let webhook = webhook_state(&client, &accepted, "delivered").await;
    assert_eq!(webhook.url, receiver.url("/default"));
    server.shutdown().await.unwrap();
}

pub(crate) async fn callback_urls_follow_the_document_address_rules() {
    let receiver = Receiver::start(&[], None).await;
    let port = receiver.addr().port();
    // No origin allowed: the receiver is a private address like any other.
    let server = start(webhook_config(&[SECRET], &[])).await;
    let client = client(&server);
    let refused_at_submit = [
        format!("http://127.0.0.1:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://[::1]:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        "http://10.0.0.1/".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://user:pw@example.com/".to_owned(),
        "ftp://example.com/".to_owned(),
    ];
    for url in &refused_at_submit {
        let e = client
            .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
            .webhook(url.as_str())
            .await
            .unwrap_err();
        assert!(
            e.status().map(|s| s.as_u16()) == Some(400) || e.kind() == ErrorKind::InvalidInput,
            "{url}: {e}"
        );
    }
    // A name is checked where it resolves: `localhost` is loopback.
    let accepted = submit_with_webhook(&client, &format!("http://localhost:{port}/")).await;
    let webhook = webhook_state(&client, &accepted, "failed").await;
    assert!(
        webhook
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("private, loopback")),
        "{webhook:?}"
    );
    assert!(receiver.got().is_empty(), "a request reached the receiver");
    server.shutdown().await.unwrap();
    // A redirect is not followed.
    let redirecting = Receiver::start(&[307; 10], None).await;
    let server = start(webhook_config(&[SECRET], &[&redirecting, &receiver])).await;
    let client = crate::support::client(&server);
    let accepted = submit_with_webhook(&client, &redirecting.url("/")).await;
    let webhook = webhook_state(&client, &accepted, "failed").await;
    assert!(
        webhook
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("redirects are not followed")),
        "{webhook:?}"
    );
    assert!(receiver.got().is_empty());
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_submit_naming_a_webhook_without_a_secret_is_refused() {
    let server = start(config()).await;
    let client = client(&server);
    let e = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .webhook("https://hooks.example.com/")
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    assert!(e.to_string().contains("no webhook secret"), "{e}");
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_receiver_that_hangs_does_not_hold_up_other_endpoints() {
    let hanging = Receiver::start(&[], Some(Duration::from_secs(30))).await;
    let quick = Receiver::start(&[], None).await;
    let mut config = webhook_config(&[SECRET], &[&hanging, &quick]);
    config.webhook_endpoint_concurrency = 2;
    config.webhook_timeout = Duration::from_secs(10);
    let server = start(config).await;
    let client = client(&server);
    // More than the deliverer has tries in flight over all endpoints.
    for _ in 0..80 {
        submit_with_webhook(&client, &hanging.url("/")).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    for _ in 0..6 {
        submit_with_webhook(&client, &quick.url("/")).await;
    }
    let got = quick.wait_for(6).await;
    assert_eq!(got.len(), 6);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The hanging endpoint has only its cap in flight.
    assert_eq!(hanging.got().len(), 2);
    server.shutdown().await.unwrap();
}

pub(crate) async fn exactly_one_instance_delivers_each_event() {
    let receiver = Receiver::start(&[], None).await;
    let a = start(webhook_config(&[SECRET], &[&receiver])).await;
    let b = start(webhook_config(&[SECRET], &[&receiver])).await;
    let clients = [client(&a), client(&b)];
    let tasks = 40;
    for i in 0..tasks {
        submit_with_webhook(&clients[i % 2], &receiver.url("/")).await;
    }
    let got = receiver.wait_for(tasks).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for g in receiver.got() {
        *per_id
            .entry(g.headers["webhook-id"].to_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(got.len(), tasks);
    assert_eq!(per_id.len(), tasks);
    assert!(per_id.values().all(|n| *n == 1), "{per_id:?}");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

pub(crate) async fn a_delivery_pending_when_the_server_is_killed_is_made_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let secrets_file = dir.path().join("webhooks");
    std::fs::write(&secrets_file, format!("default {SECRET}\n")).unwrap();
    // The receiver's port, with nothing listening on it yet.
    let port = orchestrator_testkit::free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let args = [
        "--webhook-secrets-file".to_owned(),
        secrets_file.display().to_string(),
        "--allow-private-origin".to_owned(),
        addr.to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let db = dir.path().join("tasks.db");
    let first = ServerProcess::start(server_bin(), &db, "127.0.0.1:0", KEY, &args);
    let client = Client::builder(&first.url)
        .bearer_token(KEY)
        .build()
        .unwrap();
    let accepted = submit_with_webhook(&client, &format!("http://{addr}/after-restart")).await;
    client.poll(&accepted).await.unwrap();
    // The first try meets a closed port; the next is a few seconds away.
    // (A delivery is `pending` from the finish on: wait for that try.)
    let started = Instant::now();
    let mut webhook = webhook_state(&client, &accepted, "pending").await;
    while webhook.attempts == 0 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(30)).await;
        webhook = webhook_state(&client, &accepted, "pending").await;
    }
    assert_eq!(webhook.state.as_deref(), Some("pending"), "{webhook:?}");
    assert!(webhook.attempts >= 1, "{webhook:?}");
    first.kill();
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let receiver = Receiver {
        addr: Some(addr),
        ..Receiver::default()
    };
    let app = axum::Router::new()
        .fallback(axum::routing::post(take))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let second = ServerProcess::start(server_bin(), &db, "127.0.0.1:0", KEY, &args);
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "no delivery after the restart");
    let event = verify(
        &secrets(&[SECRET]),
        &got[0].headers,
        &got[0].body,
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(event.status().task_id(), accepted.task_id());
    second.kill();
}
