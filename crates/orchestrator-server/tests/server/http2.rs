//! HTTP/2 cleartext (h2c) with many streams on one connection, as the SDK
//! uses it with `http2_prior_knowledge` for thousands of waits at once.

use futures_util::StreamExt;
use orchestrator_server::ServerConfig;

use crate::support::*;

/// Submits in flight at once on the one connection.
const BURST: usize = 8000;

pub(crate) async fn a_burst_of_submits_on_one_connection_is_accepted_in_full() {
    let server = start(ServerConfig {
        max_queued: BURST as u64,
        ..config()
    })
    .await;
    // A client that never retries: one refused or reset stream shows.
    let http = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let url = format!("{}/v1/bots/bot-1/actions/analyze-document", server.url());
    // Bodies of ~1 KiB each: the burst is several times the connection's
    // initial flow-control window, so the client must split some of them
    // into small DATA frames as the window reopens.
    let answers: Vec<_> = futures_util::stream::iter(0..BURST)
        .map(|i| {
            let (http, url) = (http.clone(), url.clone());
            let text = format!("Burst document {i}. {}", REPORT.repeat(3));
            async move {
                http.post(&url)
                    .bearer_auth(KEY)
                    .json(&serde_json::json!({ "document_url": data_url(&text) }))
                    .send()
                    .await
                    .map(|r| (r.status(), r.version()))
            }
        })
        .buffer_unordered(BURST)
        .collect()
        .await;
    let refused: Vec<_> = answers
        .iter()
        .filter(|a| !matches!(a, Ok((s, _)) if s.as_u16() == 202))
        .collect();
    assert!(
        refused.is_empty(),
        "{} of {BURST} submits were not accepted; the first: {:?}",
        refused.len(),
        refused.first()
    );
    assert!(
        answers
            .iter()
            .all(|a| matches!(a, Ok((_, v)) if *v == reqwest::Version::HTTP_2))
    );
    server.shutdown().await.unwrap();
}

/// The timer field (`tr`) of each established TCP connection from this
/// process's clients to `port`, from Linux's `/proc/net/tcp` (the server
/// side of each has `port` as its local port, the client side as its
/// remote one): `02` is the keepalive timer, `00` none.
fn connections_to(port: u16) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let port = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let client_side = fields.len() > 5 && fields[2].ends_with(&port) && fields[3] == "01";
            client_side.then(|| fields[5].split(':').next().unwrap_or_default().to_owned())
        })
        .collect()
}

pub(crate) async fn sdk_waits_with_prior_knowledge_share_one_connection_and_each_get_their_result()
{
    const WAITS: usize = 20;
    let server = start(ServerConfig {
        work_delay: std::time::Duration::from_millis(600),
        workers: WAITS,
        ..config()
    })
    .await;
    let client = orchestrator::Client::builder(server.url())
        .bearer_token(KEY)
        .http2_prior_knowledge(true)
        .build()
        .unwrap();
    let mut accepted = Vec::new();
    for i in 0..WAITS {
        let text = format!("Document {i}. {REPORT}");
        let a = client
            .analyze_document(
                "bot-1",
                &orchestrator::AnalyzeDocument::new(data_url(&text)),
            )
            .await
            .unwrap();
        accepted.push(a);
    }
    let waits = futures_util::future::join_all(
        accepted
            .iter()
            .map(|a| std::future::IntoFuture::into_future(client.poll(a))),
    );
    let count = async {
        // Once every wait is held on the server.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        connections_to(server.local_addr().port())
    };
    let (outcomes, connections) = tokio::join!(waits, count);
    for outcome in outcomes {
        let outcome = outcome.unwrap();
        assert!(outcome.is_completed(), "{outcome:?}");
        assert!(outcome.status().result().is_some());
    }
    // One for the submits (reqwest), one for every status GET; over
    // HTTP/1.1 each held wait would need its own. Both probe a silent peer
    // with TCP keepalive, as reqwest's connections do.
    if cfg!(target_os = "linux") {
        assert!(
            (1..=2).contains(&connections.len()),
            "{WAITS} waits used {} connections",
            connections.len()
        );
        assert!(
            connections.iter().all(|timer| timer == "02"),
            "timers {connections:?}: a connection without keepalive"
        );
    }
    server.shutdown().await.unwrap();
}

pub(crate) async fn an_explicit_proxy_keeps_status_gets_with_prior_knowledge_on_the_proxy() {
    let server = start(config()).await;
    let proxy = orchestrator_testkit::ConnectProxy::start();
    let direct = orchestrator::Client::builder(server.url())
        .bearer_token(KEY)
        .http2_prior_knowledge(true)
        .build()
        .unwrap();
    let accepted = direct
        .analyze_document(
            "bot-1",
            &orchestrator::AnalyzeDocument::new(data_url(REPORT)),
        )
        .await
        .unwrap();
    direct.status(&accepted).await.unwrap();
    assert!(proxy.heads().is_empty());

    let proxied = orchestrator::Client::builder(server.url())
        .bearer_token(KEY)
        .http2_prior_knowledge(true)
        .proxy(proxy.url())
        .build()
        .unwrap();
    // The loopback proxy only tunnels CONNECT, so the request fails there;
    // what matters is that it went there rather than straight to the API.
    let _ = proxied.status(&accepted).await;
    assert!(
        !proxy.heads().is_empty(),
        "the status GET skipped the proxy"
    );
    server.shutdown().await.unwrap();
}
