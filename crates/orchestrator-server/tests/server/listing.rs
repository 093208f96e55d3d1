//! Finding and acting on tasks over HTTP, through the SDK: labels on a
//! submit, the listing's pages and filters, retry, cancel by filter — and
//! that a tenant never sees, retries or cancels another's task.

use futures_util::TryStreamExt;
use orchestrator::{AnalyzeDocument, ErrorKind, TaskFilter, TaskState};
use serde_json::Value;

use crate::support::*;
use crate::tenants::{ACME_KEY, GLOBEX_KEY, client_for, tenants_config};

const AWKWARD: &str = "two words, a=b; \"quoted\" — café 日本";

pub(crate) async fn labels_round_trip_and_a_bad_one_is_a_400_naming_it() {
    let server = start(config()).await;
    let client = client(&server);
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .label("run", "42")
        .label("note", AWKWARD)
        .await
        .unwrap();
    let status = client.status(&accepted).await.unwrap();
    assert_eq!(status.labels().get("run"), Some("42"));
    assert_eq!(status.labels().get("note"), Some(AWKWARD));
    assert_eq!(status.bot_id(), Some("bot-1"));
    assert_eq!(status.action(), Some("analyze-document"));

    let http = reqwest::Client::new();
    let post = format!("{}/v1/bots/bot-1/actions/analyze-document", server.url());
    for (header, named) in [
        ("Run=1", "Run"),
        ("run=1,run=2", "run"),
        ("novalue", "novalue"),
        ("bad=%FF", "bad"),
    ] {
        let response = http
            .post(&post)
            .bearer_auth(KEY)
            .header("task-labels", header)
            .json(&serde_json::json!({"document_url": data_url(REPORT)}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{header}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], "Task-Labels", "{header}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("`{named}`")), "{header}: {detail}");
    }
    // The SDK refuses a bad label before sending anything.
    let err = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .label("Bad Key", "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    server.shutdown().await.unwrap();
}

pub(crate) async fn the_listing_pages_newest_first_filters_and_refuses_bad_parameters() {
    let mut config = config();
    config.workers = 0;
    let server = start(config).await;
    let client = client(&server);
    let mut ids = Vec::new();
    for i in 0..8 {
        let run = if i % 2 == 0 { "even" } else { "odd" };
        let accepted = client
            .analyze_document(
                format!("bot-{}", i % 3),
                &AnalyzeDocument::new(data_url(REPORT)),
            )
            .label("run", run)
            .await
            .unwrap();
        ids.push(accepted.task_id().unwrap().to_string());
        // Distinct creation times, so the expected order is the submit order.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let listed: Vec<String> = client
        .list(&TaskFilter::new().page_size(3))
        .map_ok(|s| s.task_id().unwrap().to_string())
        .try_collect()
        .await
        .unwrap();
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(listed, newest_first);

    let even: Vec<String> = client
        .list(
            &TaskFilter::new()
                .label("run", "even")
                .status(TaskState::Pending),
        )
        .map_ok(|s| s.task_id().unwrap().to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        even,
        [
            ids[6].clone(),
            ids[4].clone(),
            ids[2].clone(),
            ids[0].clone()
        ]
    );
    let bot: Vec<String> = client
        .list(&TaskFilter::new().bot_id("bot-1").label("run", "odd"))
        .map_ok(|s| s.task_id().unwrap().to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(bot, [ids[7].clone(), ids[1].clone()]);

    // A page says where the next one is, in the body and in a Link.
    let http = reqwest::Client::new();
    let response = http
        .get(format!("{}/v1/tasks?limit=2&label=run%3Dodd", server.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let page: Value = response.json().await.unwrap();
    let cursor = page["next_cursor"].as_str().unwrap();
    assert!(link.contains(&format!("cursor={cursor}")), "{link}");
    assert!(link.ends_with("rel=\"next\""), "{link}");
    // A cursor of another listing, or not ours, is refused naming it.
    for (query, parameter) in [
        (
            format!("limit=2&label=run%3Deven&cursor={cursor}"),
            "cursor",
        ),
        ("cursor=not-a-cursor".to_owned(), "cursor"),
        ("status=DONE".to_owned(), "status"),
        ("limit=501".to_owned(), "limit"),
        ("created_after=yesterday".to_owned(), "created_after"),
        ("colour=red".to_owned(), "colour"),
    ] {
        let response = http
            .get(format!("{}/v1/tasks?{query}", server.url()))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], parameter, "{query}: {problem}");
    }
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_failed_task_retried_completes_with_retry_of_and_a_completed_one_is_409() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config();
    config.documents_dir = Some(dir.path().to_owned());
    let server = start(config).await;
    let client = client(&server);
    let path = dir.path().join("late.txt");
    let url = format!("file://{}", path.display());
    let first = client
        .analyze_document("bot-1", &AnalyzeDocument::new(url))
        .label("run", "42")
        .await
        .unwrap();
    let failed = client.poll(&first).await.unwrap();
    assert!(
        matches!(failed, orchestrator::Outcome::Failed(_)),
        "{failed:?}"
    );
    // The document arrives; the retry finds it.
    std::fs::write(&path, REPORT).unwrap();
    let again = client
        .retry(first.task_id().unwrap().as_str())
        .idempotency_key("retry-once")
        .await
        .unwrap();
    assert_ne!(again.task_id(), first.task_id());
    let done = client.poll(&again).await.unwrap();
    assert!(done.is_completed(), "{done:?}");
    assert_eq!(done.status().retry_of(), first.task_id());
    assert_eq!(done.status().labels().get("run"), Some("42"));
    // The same key makes no second retry.
    let same = client
        .retry(first.task_id().unwrap().as_str())
        .idempotency_key("retry-once")
        .await
        .unwrap();
    assert_eq!(same.task_id(), again.task_id());
    // A completed task is not retried.
    let err = client
        .retry(again.task_id().unwrap().as_str())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409), "{err}");
    let err = client
        .retry("task-00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_tenant_never_lists_retries_or_cancels_another_tenants_tasks() {
    let mut config = tenants_config();
    config.workers = 0;
    let server = start(config).await;
    let acme = client_for(&server.url(), ACME_KEY);
    let globex = client_for(&server.url(), GLOBEX_KEY);
    let mut acme_ids = Vec::new();
    for _ in 0..3 {
        let a = acme
            .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
            .label("run", "42")
            .await
            .unwrap();
        acme_ids.push(a.task_id().unwrap().to_string());
    }
    let theirs = globex
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .label("run", "42")
        .await
        .unwrap();
    let listed: Vec<_> = globex
        .list(&TaskFilter::new().label("run", "42"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].task_id(), theirs.task_id());
    // Globex cancels run=42: only its own task; the count shows no other.
    let n = globex
        .cancel_matching(&TaskFilter::new().label("run", "42"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    for id in &acme_ids {
        assert_eq!(
            acme.status(id.as_str()).await.unwrap().state(),
            &TaskState::Pending
        );
        // Another tenant's task cannot be retried: the same 404 as none.
        let err = globex.retry(id.as_str()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    }
    // Acme cancels its PENDING run=42 tasks, and says how many.
    let n = acme
        .cancel_matching(
            &TaskFilter::new()
                .status(TaskState::Pending)
                .label("run", "42"),
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    let cancelled: Vec<_> = acme
        .list(&TaskFilter::new().status(TaskState::Cancelled))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(cancelled.len(), 3);
    assert!(cancelled.iter().all(|s| s.is_cancelled()));
    // An empty filter is refused, by the SDK and by the server.
    let err = acme.cancel_matching(&TaskFilter::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let response = reqwest::Client::new()
        .post(format!("{}/v1/tasks/cancel", server.url()))
        .bearer_auth(ACME_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    server.shutdown().await.unwrap();
}
