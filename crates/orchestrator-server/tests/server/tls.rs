//! TLS end to end, with a CA and certificates made at run time: the SDK
//! trusts an extra root and talks HTTPS (HTTP/2 by ALPN) to the reference
//! server; a certificate for another name, or from an untrusted CA, is a
//! clear TLS error that is not retried; the bearer token never leaves over
//! plaintext when a status URL points there.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use orchestrator::clock::VirtualClock;
use orchestrator::{AnalyzeDocument, Client, ClientBuilder, ErrorKind, PollOptions};
use orchestrator_server::{ServerConfig, TlsFiles};
use orchestrator_testkit::TestCa;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

struct Https {
    server: orchestrator_server::RunningServer,
    ca: TestCa,
    _dir: tempfile::TempDir,
}

/// The reference server over HTTPS with a certificate for `names`.
async fn https(names: &[&str]) -> Https {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new();
    let cert = ca.server_cert(names, dir.path());
    let config = ServerConfig {
        tls: Some(TlsFiles {
            cert: cert.cert,
            key: cert.key,
        }),
        ..config()
    };
    Https {
        server: start(config).await,
        ca,
        _dir: dir,
    }
}

fn options() -> PollOptions {
    PollOptions::default()
        .with_min_interval(Duration::from_millis(20))
        .with_timeout(Some(Duration::from_secs(20)))
}

/// A client of `base` with the key, trusting `ca`, polling briskly.
fn trusting(base: &str, ca: &TestCa) -> ClientBuilder {
    Client::builder(base)
        .bearer_token(KEY)
        .add_root_certificate(ca.pem())
        .poll_options(options())
}

pub(crate) async fn the_sdk_trusts_an_extra_root_and_talks_https_with_http2() {
    let https = https(&["localhost"]).await;
    let port = https.server.local_addr().port();
    let url = format!("https://localhost:{port}");
    let client = trusting(&url, &https.ca).build().unwrap();
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    assert!(
        accepted
            .status_url()
            .as_str()
            .starts_with("https://localhost:")
    );
    assert!(client.poll(&accepted).await.unwrap().is_completed());

    // The server offers HTTP/2 by ALPN and a client trusting the CA gets it.
    let http = reqwest_trusting(&https.ca);
    let response = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    https.server.shutdown().await.unwrap();
}

/// A plain reqwest client trusting `ca` besides the system's roots.
fn reqwest_trusting(ca: &TestCa) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(ca.pem().as_bytes()).unwrap())
        .build()
        .unwrap()
}

/// Whether a new connection to `url`, trusting `ca`, gets an answer.
async fn reaches(url: &str, ca: &TestCa) -> bool {
    reqwest_trusting(ca).get(url).send().await.is_ok()
}

pub(crate) async fn a_renewed_certificate_is_served_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (old_ca, new_ca) = (TestCa::new(), TestCa::new());
    let cert = old_ca.server_cert(&["localhost"], dir.path());
    let server = start(ServerConfig {
        tls: Some(TlsFiles {
            cert: cert.cert.clone(),
            key: cert.key.clone(),
        }),
        tls_reload_every: Duration::from_millis(50),
        ..config()
    })
    .await;
    let url = format!("https://localhost:{}/healthz", server.local_addr().port());
    assert!(reaches(&url, &old_ca).await);
    assert!(!reaches(&url, &new_ca).await);
    // A connection opened before the renewal, kept alive across it.
    let kept = reqwest_trusting(&old_ca);
    assert!(kept.get(&url).send().await.unwrap().status().is_success());

    // Renewed in place, by another CA: new handshakes get it.
    new_ca.server_cert(&["localhost"], dir.path());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !reaches(&url, &new_ca).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the renewed certificate was not served within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!reaches(&url, &old_ca).await);
    assert!(kept.get(&url).send().await.unwrap().status().is_success());

    // A renewal that does not load leaves the last good pair in service.
    std::fs::write(&cert.cert, "not a certificate").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(reaches(&url, &new_ca).await);
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_wrong_name_or_an_untrusted_ca_is_a_tls_error_and_is_not_retried() {
    let https = https(&["tasks.internal.example"]).await;
    let port = https.server.local_addr().port();
    for (label, with_root) in [("wrong name", true), ("untrusted CA", false)] {
        let clock = VirtualClock::new(SystemTime::now());
        let mut builder = Client::builder(format!("https://localhost:{port}"))
            .bearer_token(KEY)
            .clock(clock.clone());
        if with_root {
            builder = builder.add_root_certificate(https.ca.pem());
        }
        let err = builder
            .build()
            .unwrap()
            .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Tls, "{label}: {err}");
        assert!(!err.is_transient(), "{label}");
        assert!(err.to_string().contains("TLS handshake"), "{label}: {err}");
        // Not retried: no backoff pause was ever taken.
        assert!(clock.sleeps().is_empty(), "{label}: {:?}", clock.sleeps());
        // And a wait gives up at once too, rather than polling on.
        let err = Client::builder(format!("https://localhost:{port}"))
            .bearer_token(KEY)
            .clock(clock.clone())
            .build()
            .unwrap()
            .poll("task-1")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Tls, "{label}: {err}");
    }
    let err = Client::builder("https://localhost:1")
        .add_root_certificate("not a certificate")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    https.server.shutdown().await.unwrap();
}

/// A one-shot HTTPS origin that accepts a submit with `202` and a
/// `Location` pointing at `location`.
async fn redirecting_origin(ca: &TestCa, dir: &std::path::Path, location: String) -> u16 {
    let cert = ca.server_cert(&["localhost"], dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let certs: Vec<_> = rustls_pki_types::pem::PemObject::pem_file_iter(&cert.cert)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = rustls_pki_types::pem::PemObject::from_pem_file(&cert.key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, location) = (acceptor.clone(), location.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buf = vec![0u8; 16 * 1024];
                let _ = tls.read(&mut buf).await;
                let body = r#"{"task_id":"task-elsewhere","status":"PENDING"}"#;
                let reply = format!(
                    "HTTP/1.1 202 Accepted\r\nlocation: {location}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

/// A plaintext listener that records whether any request carried an
/// `Authorization` header, and answers with a finished task.
async fn plaintext_listener() -> (u16, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (requests, with_auth) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (r, a) = (requests.clone(), with_auth.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (r, a) = (r.clone(), a.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
                r.fetch_add(1, Ordering::SeqCst);
                if head.contains("authorization:") {
                    a.fetch_add(1, Ordering::SeqCst);
                }
                let body = r#"{"task_id":"task-elsewhere","status":"COMPLETED","result":{}}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    (port, requests, with_auth)
}

pub(crate) async fn the_token_never_leaves_over_plaintext_when_a_status_url_downgrades() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new();
    let (plain, requests, with_auth) = plaintext_listener().await;
    // The same host and port but plaintext: another origin.
    let origin = redirecting_origin(
        &ca,
        dir.path(),
        format!("http://localhost:{plain}/v1/tasks/task-elsewhere"),
    )
    .await;
    let base = format!("https://localhost:{origin}");
    let strict = trusting(&base, &ca).build().unwrap();
    let err = strict
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrossOrigin, "{err}");
    assert_eq!(requests.load(Ordering::SeqCst), 0);

    // Told to follow it, the client goes there without the token.
    let lenient = trusting(&base, &ca)
        .follow_cross_origin(true)
        .build()
        .unwrap();
    let accepted = lenient
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    assert!(lenient.poll(&accepted).await.unwrap().is_completed());
    assert!(requests.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        with_auth.load(Ordering::SeqCst),
        0,
        "the token went out in plaintext"
    );
}

pub(crate) async fn through_a_proxy_the_token_travels_only_inside_the_tls_tunnel() {
    let https = https(&["localhost"]).await;
    let port = https.server.local_addr().port();
    let proxy = orchestrator_testkit::ConnectProxy::start();
    let client = trusting(&format!("https://localhost:{port}"), &https.ca)
        .proxy(proxy.url())
        .build()
        .unwrap();
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    assert!(client.poll(&accepted).await.unwrap().is_completed());

    let heads = proxy.heads();
    // The requests went through the proxy, as a tunnel to the origin…
    assert!(!heads.is_empty());
    for head in &heads {
        assert!(
            head.starts_with(&format!("CONNECT localhost:{port} ")),
            "{head}"
        );
        // …and the proxy never saw the token, as a header of any name.
        assert!(!head.contains(KEY), "{head}");
        assert!(
            !head.to_ascii_lowercase().contains("authorization"),
            "{head}"
        );
    }
    https.server.shutdown().await.unwrap();
}
