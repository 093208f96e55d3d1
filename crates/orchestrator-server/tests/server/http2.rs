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
