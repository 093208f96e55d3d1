//! The SSRF guard through the real fetch path: every forbidden address form
//! ends the task `DOCUMENT_FORBIDDEN` with no request leaving; a redirect
//! from an allowed origin to a forbidden one is refused; the environment's
//! proxy variables are ignored by the real binary, and an explicit
//! `--fetch-proxy` is used but still refuses literal private addresses.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client, Outcome};
use orchestrator_server::ServerConfig;
use orchestrator_testkit::{ServerProcess, figure};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::server_bin;
use crate::support::*;

/// Runs analyze-document tasks for `urls` on one server; their outcomes.
async fn outcomes(config: ServerConfig, urls: &[String]) -> Vec<Outcome> {
    let server = start(config).await;
    let client = client(&server);
    let mut out = Vec::new();
    for url in urls {
        let accepted = client
            .analyze_document("bot-1", &AnalyzeDocument::new(url.as_str()))
            .await
            .unwrap();
        out.push(client.poll(&accepted).await.unwrap());
    }
    server.shutdown().await.unwrap();
    out
}

fn code(outcome: &Outcome) -> String {
    outcome
        .error()
        .map_or_else(|| format!("{outcome:?}"), |e| e.code.clone())
}

pub(crate) async fn every_form_of_a_forbidden_address_ends_forbidden_and_nothing_leaves() {
    // A listening origin on loopback: any request reaching it is a breach.
    let origin = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(REPORT))
        .mount(&origin)
        .await;
    let port = origin.address().port();
    let table: Vec<(&str, String)> = vec![
        ("IPv4 loopback", format!("http://127.0.0.1:{port}/")),
        ("decimal IPv4", format!("http://2130706433:{port}/")),
        ("hex IPv4", format!("http://0x7f.1:{port}/")),
        ("octal IPv4", format!("http://0177.0.0.1:{port}/")),
        ("IPv6 loopback", format!("http://[::1]:{port}/")),
        (
            "IPv4-mapped IPv6",
            format!("http://[::ffff:127.0.0.1]:{port}/"),
        ),
        (
            "IPv4-compatible IPv6",
            format!("http://[::127.0.0.1]:{port}/"),
        ),
        (
            "6to4 of loopback",
            format!("http://[2002:7f00:1::]:{port}/"),
        ),
        ("NAT64 of 10.0.0.1", "http://[64:ff9b::a00:1]/".to_owned()),
        ("this network 0.0.0.0/8", format!("http://0.1.2.3:{port}/")),
        ("unspecified", format!("http://0.0.0.0:{port}/")),
        ("CGNAT 100.64.0.0/10", "http://100.64.1.2/".to_owned()),
        (
            "benchmarking 198.18.0.0/15",
            "http://198.18.0.1/".to_owned(),
        ),
        ("multicast", "http://224.0.0.1/".to_owned()),
        ("broadcast", "http://255.255.255.255/".to_owned()),
        ("unique local fc00::/7", "http://[fd12:3456::1]/".to_owned()),
        ("link-local fe80::/10", "http://[fe80::1]/".to_owned()),
        (
            "cloud metadata",
            "http://169.254.169.254/latest/meta-data/".to_owned(),
        ),
        ("private 10/8", "http://10.0.0.1/".to_owned()),
        ("a name for loopback", format!("http://localhost:{port}/")),
    ];
    let urls: Vec<String> = table.iter().map(|(_, u)| u.clone()).collect();
    let results = outcomes(config(), &urls).await;
    let mut rows = Vec::new();
    for ((what, url), outcome) in table.iter().zip(&results) {
        assert_eq!(code(outcome), "DOCUMENT_FORBIDDEN", "{what}: {url}");
        rows.push(format!("{what} ({url}) → {}", code(outcome)));
    }
    assert!(
        origin.received_requests().await.unwrap().is_empty(),
        "a forbidden address was fetched"
    );
    figure("ssrf", &rows.join("; "));
}

pub(crate) async fn a_redirect_from_an_allowed_origin_to_a_forbidden_one_is_refused() {
    // The forbidden target: another loopback origin.
    let target = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(REPORT))
        .mount(&target)
        .await;
    // The allowed origin (a test-only allowance for exactly this address)
    // redirects there, and also serves a document directly.
    let allowed = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/moved"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/secret", target.uri()).as_str()),
        )
        .mount(&allowed)
        .await;
    Mock::given(method("GET"))
        .and(path("/doc"))
        .respond_with(ResponseTemplate::new(200).set_body_string(REPORT))
        .mount(&allowed)
        .await;
    let config = ServerConfig {
        allow_private_origins: vec![*allowed.address()],
        ..config()
    };
    let results = outcomes(
        config,
        &[
            format!("{}/doc", allowed.uri()),
            format!("{}/moved", allowed.uri()),
        ],
    )
    .await;
    assert!(results[0].is_completed(), "{:?}", results[0]);
    assert_eq!(code(&results[1]), "DOCUMENT_FORBIDDEN");
    assert!(results[1].error().unwrap().message.contains("redirected"));
    assert_eq!(allowed.received_requests().await.unwrap().len(), 2);
    assert!(target.received_requests().await.unwrap().is_empty());
}

/// A loopback "proxy" that counts connections and answers every request
/// with a small text document.
async fn counting_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let body = "Through the proxy. Growth was strong.";
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, hits)
}

async fn run_on(server: &ServerProcess, url: &str) -> Outcome {
    let mut options = orchestrator::PollOptions::default();
    options.min_interval = Duration::from_millis(20);
    options.timeout = Some(Duration::from_secs(30));
    let client = Client::builder(&server.url)
        .bearer_token(KEY)
        .poll_options(options)
        .build()
        .unwrap();
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(url))
        .await
        .unwrap();
    client.poll(&accepted).await.unwrap()
}

pub(crate) async fn the_environments_proxy_is_ignored_and_an_explicit_one_still_refuses_private_addresses()
 {
    let (proxy, hits) = counting_proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("HTTP_PROXY", proxy.as_str()),
        ("HTTPS_PROXY", proxy.as_str()),
        ("ALL_PROXY", proxy.as_str()),
        ("http_proxy", proxy.as_str()),
        ("https_proxy", proxy.as_str()),
        ("all_proxy", proxy.as_str()),
    ];
    let server = ServerProcess::start_with_env(
        server_bin(),
        &dir.path().join("a.db"),
        "127.0.0.1:0",
        KEY,
        &[],
        &env,
    );
    for url in [
        "http://localhost/admin",
        "http://127.0.0.1/admin",
        "http://[::1]/",
    ] {
        let outcome = run_on(&server, url).await;
        assert_eq!(code(&outcome), "DOCUMENT_FORBIDDEN", "{url}");
    }
    // A name this machine cannot resolve: unreachable, and still not sent
    // to the proxy (which would resolve it on its side).
    let outcome = run_on(&server, "http://metadata.internal.example/computeMetadata").await;
    assert_eq!(code(&outcome), "DOCUMENT_UNREACHABLE");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the proxy was used");
    drop(server);

    // The explicit flag: used for a public destination, never for a
    // literal private one.
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("b.db"),
        "127.0.0.1:0",
        KEY,
        &["--fetch-proxy", &proxy],
    );
    let outcome = run_on(&server, "http://127.0.0.1/admin").await;
    assert_eq!(code(&outcome), "DOCUMENT_FORBIDDEN");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    let outcome = run_on(&server, "http://93.184.216.34/report.txt").await;
    assert!(outcome.is_completed(), "{outcome:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the explicit proxy was not used"
    );
}
