//! `submit --webhook URL`: the server posts the task's finish there,
//! signed, and `status` shows how the delivery went; a URL that is no
//! http(s) URL is a usage error before anything is sent, and one the
//! server may not post to is refused.

use std::time::{Duration, SystemTime};

use orchestrator::webhooks::{Secret, verify};
use orchestrator_server::{Database, Server, ServerConfig, parse_webhook_secrets};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_with_a_webhook_gets_a_signed_post_and_status_shows_it_delivered() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Memory,
        api_key: Some(KEY.into()),
        webhooks: parse_webhook_secrets(&format!("default {SECRET}")).unwrap(),
        allow_private_origins: vec![*receiver.address()],
        ..ServerConfig::default()
    })
    .await
    .unwrap()
    .spawn();
    let url = server.url();
    let hook = format!("{}/done", receiver.uri());
    let mut cmd = cli(&url);
    cmd.args(["submit", "bot-1", "--document-url", &data_url(REPORT)])
        .args(["--webhook", &hook, "--wait", "-o", "json"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let task = json_lines(&out)[0]["task_id"].as_str().unwrap().to_owned();
    let mut delivered = None;
    for _ in 0..100 {
        let requests = receiver.received_requests().await.unwrap_or_default();
        if let Some(r) = requests.first() {
            delivered = Some(r.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let request = delivered.expect("the receiver got the webhook");
    let event = verify(
        &[Secret::parse(SECRET).unwrap()],
        &request.headers,
        &request.body,
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(event.status().task_id().unwrap().as_str(), task);
    let mut shown = String::new();
    for _ in 0..100 {
        let mut cmd = cli(&url);
        cmd.args(["status", &task]);
        shown = stdout(&run(cmd).await);
        if shown.contains("webhook delivered") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        shown.trim_end(),
        format!("{task}\tCOMPLETED\twebhook delivered (1 try)")
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_is_no_url_is_a_usage_error_and_a_private_one_is_refused() {
    let server = server(Duration::ZERO).await;
    let url = server.url();
    let mut cmd = cli(&url);
    cmd.args(["submit", "bot-1", "--document-url", &data_url(REPORT)])
        .args(["--webhook", "not a url"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not an absolute URL"),
        "{}",
        stderr(&out)
    );
    let mut cmd = cli(&url);
    cmd.args(["submit", "bot-1", "--document-url", &data_url(REPORT)])
        .args(["--webhook", "http://10.0.0.1/hook"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the webhook cannot be posted to: 10.0.0.1 is a private"),
        "{}",
        stderr(&out)
    );
    server.shutdown().await.unwrap();
}
