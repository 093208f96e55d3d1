//! Prometheus metrics after a known workload: every number is the one the
//! workload should have produced.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client, PollOptions};
use orchestrator_server::{RateLimit, ServerConfig, TenantKey};

use crate::support::*;

/// `name{labels} value` lines of an exposition, keyed by everything before
/// the value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

pub(crate) async fn a_scrape_after_a_known_workload_counts_it_exactly() {
    let config = ServerConfig {
        api_key: None,
        tenants: vec![
            TenantKey::new("acme", "acme-metrics-key").unwrap(),
            TenantKey::new("globex", "globex-metrics-key").unwrap(),
        ],
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        rate_limit: Some(RateLimit {
            requests: NonZeroU32::new(1).unwrap(),
            per: Duration::from_secs(3600),
            burst: NonZeroU32::new(4).unwrap(),
        }),
        ..config()
    };
    let server = start(config).await;
    let metrics_url = format!("http://{}/metrics", server.metrics_addr().unwrap());
    let client = |key: &str| {
        Client::builder(server.url())
            .bearer_token(key)
            .poll_options(
                PollOptions::default()
                    .with_min_interval(Duration::from_millis(20))
                    .with_long_poll_wait(None),
            )
            .submit_retries(0)
            .build()
            .unwrap()
    };
    let acme = client("acme-metrics-key");
    let globex = client("globex-metrics-key");
    // acme: three that complete, one that fails (an empty document), one
    // over the rate limit; globex: one that completes.
    for text in [REPORT, "Second report.", "Third report."] {
        let a = acme
            .analyze_document("bot-1", &AnalyzeDocument::new(data_url(text)))
            .await
            .unwrap();
        assert!(acme.poll(&a).await.unwrap().is_completed());
    }
    let failed = acme
        .analyze_document("bot-1", &AnalyzeDocument::new("data:text/plain,%20"))
        .await
        .unwrap();
    assert!(!acme.poll(&failed).await.unwrap().is_completed());
    let limited = acme
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap_err();
    assert_eq!(limited.status().map(|s| s.as_u16()), Some(429));
    let g = globex
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    assert!(globex.poll(&g).await.unwrap().is_completed());
    assert!(acme.status("task-unknown").await.is_err());

    let response = reqwest::get(&metrics_url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    let m = samples(&text);
    let get = |series: &str| {
        *m.get(series)
            .unwrap_or_else(|| panic!("no `{series}` in the scrape:\n{text}"))
    };
    assert_eq!(
        get(r#"orchestrator_tasks_submitted_total{tenant="acme"}"#),
        4.0
    );
    assert_eq!(
        get(r#"orchestrator_tasks_submitted_total{tenant="globex"}"#),
        1.0
    );
    assert_eq!(
        get(r#"orchestrator_submits_rate_limited_total{tenant="acme"}"#),
        1.0
    );
    assert_eq!(
        get(r#"orchestrator_tasks_finished_total{tenant="acme",outcome="completed"}"#),
        3.0
    );
    assert_eq!(
        get(r#"orchestrator_tasks_finished_total{tenant="acme",outcome="failed"}"#),
        1.0
    );
    assert_eq!(
        get(r#"orchestrator_tasks_finished_total{tenant="globex",outcome="completed"}"#),
        1.0
    );
    assert_eq!(
        get(r#"orchestrator_document_fetch_failures_total{code="DOCUMENT_EMPTY"}"#),
        1.0
    );
    assert_eq!(get("orchestrator_task_queue_wait_seconds_count"), 5.0);
    assert_eq!(
        get(r#"orchestrator_task_duration_seconds_count{outcome="completed"}"#),
        4.0
    );
    assert_eq!(
        get(
            r#"orchestrator_http_requests_total{method="POST",route="/v1/bots/{bot_id}/actions/{action}",status="202"}"#
        ),
        5.0
    );
    assert_eq!(
        get(
            r#"orchestrator_http_requests_total{method="POST",route="/v1/bots/{bot_id}/actions/{action}",status="429"}"#
        ),
        1.0
    );
    assert_eq!(
        get(
            r#"orchestrator_http_requests_total{method="GET",route="/v1/tasks/{task_id}",status="404"}"#
        ),
        1.0
    );
    assert_eq!(get("orchestrator_queue_depth"), 0.0);
    assert_eq!(get("orchestrator_tasks_running"), 0.0);
    assert_eq!(get("orchestrator_long_polls_held"), 0.0);
    // Tenant names, never keys.
    assert!(!text.contains("metrics-key"));
    server.shutdown().await.unwrap();
}

pub(crate) async fn without_a_metrics_listener_there_is_no_metrics_endpoint() {
    let server = start(config()).await;
    assert!(server.metrics_addr().is_none());
    let response = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    server.shutdown().await.unwrap();
}
