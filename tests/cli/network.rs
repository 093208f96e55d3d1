//! Corporate networks: a private CA (`--cacert`), proxies from the
//! environment or flags, and a TLS failure as its own exit code.

use std::time::{Duration, Instant};

use orchestrator_server::{Database, RunningServer, Server, ServerConfig, TlsFiles};
use orchestrator_testkit::{ConnectProxy, TestCa};

use crate::support::*;

struct Https {
    server: RunningServer,
    url: String,
    cacert: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// The reference server over HTTPS, its certificate from a fresh CA whose
/// PEM is written beside it.
async fn https() -> Https {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new();
    let cert = ca.server_cert(&["localhost"], dir.path());
    let cacert = dir.path().join("ca.pem");
    std::fs::write(&cacert, ca.pem()).unwrap();
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Memory,
        api_key: Some(KEY.into()),
        tls: Some(TlsFiles {
            cert: cert.cert,
            key: cert.key,
        }),
        ..ServerConfig::default()
    };
    let server = Server::bind(config).await.unwrap().spawn();
    let url = format!("https://localhost:{}", server.local_addr().port());
    Https {
        server,
        url,
        cacert,
        _dir: dir,
    }
}

fn submit_wait(url: &str) -> assert_cmd::Command {
    let mut cmd = cli(url);
    cmd.args([
        "submit",
        "bot-1",
        "--wait",
        "--progress",
        "none",
        "--document-url",
    ])
    .arg(data_url(REPORT));
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cacert_trusts_a_private_ca_and_without_it_tls_fails_at_once_with_exit_7() {
    let https = https().await;
    let mut trusted = submit_wait(&https.url);
    trusted.arg("--cacert").arg(&https.cacert);
    let out = run(trusted).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Summary:"));

    let started = Instant::now();
    let out = run(submit_wait(&https.url)).await;
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("TLS handshake with localhost failed"), "{err}");
    assert!(err.contains("--cacert"), "{err}");
    // Not retried: no backoff, no "gave up after N attempts".
    assert!(!err.contains("attempts"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // The profile key works like the flag.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("[default]\ncacert = {:?}\n", https.cacert)).unwrap();
    let mut profiled = submit_wait(&https.url);
    profiled.arg("--config").arg(&config);
    let out = run(profiled).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    https.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_proxy_from_the_environment_carries_a_tunnel_and_never_the_key() {
    let https = https().await;
    let port = https.server.local_addr().port();
    let proxy = ConnectProxy::start();

    let mut cmd = submit_wait(&https.url);
    cmd.arg("--cacert")
        .arg(&https.cacert)
        .env("HTTPS_PROXY", proxy.url());
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let heads = proxy.heads();
    assert!(!heads.is_empty(), "the proxy was not used");
    for head in &heads {
        assert!(
            head.starts_with(&format!("CONNECT localhost:{port} ")),
            "{head}"
        );
        assert!(
            !head.contains(KEY) && !head.to_ascii_lowercase().contains("authorization"),
            "{head}"
        );
    }

    // NO_PROXY and --no-proxy go direct; --proxy needs no variable.
    for (label, env, flags) in [
        ("NO_PROXY", Some(("NO_PROXY", "localhost")), vec![]),
        ("--no-proxy", None, vec!["--no-proxy"]),
    ] {
        let before = proxy.heads().len();
        let mut cmd = submit_wait(&https.url);
        cmd.arg("--cacert")
            .arg(&https.cacert)
            .env("HTTPS_PROXY", proxy.url())
            .args(&flags);
        if let Some((name, value)) = env {
            cmd.env(name, value);
        }
        let out = run(cmd).await;
        assert_eq!(code(&out), 0, "{label}: {}", stderr(&out));
        assert_eq!(
            proxy.heads().len(),
            before,
            "{label}: went through the proxy"
        );
    }
    let before = proxy.heads().len();
    let mut cmd = submit_wait(&https.url);
    cmd.arg("--cacert")
        .arg(&https.cacert)
        .args(["--proxy", &proxy.url()]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(proxy.heads().len() > before, "--proxy was not used");
    https.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_url_against_a_plain_http_server_says_to_use_http_not_a_certificate() {
    let server = server(Duration::ZERO).await;
    let plain = server.url();
    let url = plain.replacen("http://", "https://", 1);
    let mut cmd = cli(&url);
    cmd.args(["status", "task-1"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("give --api-url as http://"), "{err}");
    // Advice for the CLI, not the SDK's builder.
    assert!(!err.contains("add_root_certificate"), "{err}");
    assert!(!err.contains("--cacert"), "{err}");
    server.shutdown().await.unwrap();
}
