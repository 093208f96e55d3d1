//! The real server on a loopback socket, driven through the SDK.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use orchestrator::{AnalyzeDocument, DelaySource, ErrorKind, Outcome, Sentiment, TaskState};

use crate::support::*;

pub(crate) async fn the_seed_flow_runs_end_to_end_with_visible_progress() {
    let mut config = config();
    config.work_delay = Duration::from_secs(3);
    let server = start(config).await;
    let client = client(&server);

    let accepted = client
        .analyze_document("bot-abc-123", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let mut progress = Vec::new();
    let mut poller = client.poll(&accepted);
    let mut last = None;
    while let Some(update) = poller.next().await {
        let update = update.unwrap();
        progress.extend(update.status().progress_percent());
        last = Some(update.into_status());
    }
    let status = last.unwrap();
    assert_eq!(status.state(), &TaskState::Completed);
    assert!(status.completed_at().is_some());
    // Several distinct steps were seen, never going backwards.
    assert!(progress.len() >= 3, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(progress.last(), Some(&100.0));

    let analysis = status.analyze_document_result().unwrap();
    assert_eq!(analysis.sentiment, Sentiment::Positive);
    assert!(
        analysis.entities.iter().any(|e| e == "Acme Corp"),
        "{:?}",
        analysis.entities
    );
    assert!(analysis.summary.contains("growth"));
    assert_eq!(analysis.word_count, Some(39));
    server.shutdown().await.unwrap();
}

pub(crate) async fn the_sdk_long_polls_this_server_when_told_not_to_use_its_event_stream() {
    let mut config = config();
    config.work_delay = Duration::from_secs(3);
    let server = start(config).await;
    let client = client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let sources: Vec<_> = client
        .poll(&accepted)
        .poll_options(client.poll_options().clone().with_event_stream(false))
        .map(|u| u.unwrap().delay_source())
        .collect()
        .await;
    assert!(
        sources.contains(&Some(DelaySource::LongPoll)),
        "{sources:?}"
    );
    server.shutdown().await.unwrap();
}

pub(crate) async fn resubmitting_with_the_same_key_returns_the_same_task() {
    let server = start(config()).await;
    let client = client(&server);
    let body = AnalyzeDocument::new(data_url(REPORT));
    let first = client
        .analyze_document("b", &body)
        .idempotency_key("k-42")
        .await
        .unwrap();
    let again = client
        .analyze_document("b", &body)
        .idempotency_key("k-42")
        .await
        .unwrap();
    assert_eq!(first.task_id(), again.task_id());
    assert_eq!(first.status_url(), again.status_url());

    let err = client
        .analyze_document("b", &AnalyzeDocument::new(data_url("other text")))
        .idempotency_key("k-42")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.status().unwrap().as_u16(), 422);
    assert!(client.poll(&first).await.unwrap().is_completed());
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_running_task_can_be_cancelled_and_stays_cancelled() {
    let mut config = config();
    config.work_delay = Duration::from_secs(30);
    let server = start(config).await;
    let client = client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let mut poller = client.poll(&accepted);
    while let Some(update) = poller.next().await {
        if update.unwrap().status().state() == &TaskState::Running {
            break;
        }
    }
    drop(poller);
    let cancelled = client.cancel(&accepted).await.unwrap().unwrap();
    assert!(cancelled.is_cancelled(), "{cancelled:?}");
    let outcome = client.poll(&accepted).await.unwrap();
    assert!(matches!(outcome, Outcome::Cancelled(_)), "{outcome:?}");
    let err = client.cancel(&accepted).await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 409);
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_held_long_poll_wakes_within_milliseconds_of_a_change() {
    let mut config = config();
    config.workers = 1;
    config.work_delay = Duration::from_secs(30);
    let server = start(config).await;
    let client = client(&server);
    // The only worker is busy with the first task, so the second stays PENDING.
    let busy = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let quiet = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();

    let http = reqwest::Client::new();
    let held = tokio::spawn({
        let url = quiet.status_url().clone();
        let http = http.clone();
        async move {
            let response = http
                .get(url)
                .bearer_auth(KEY)
                .header("prefer", "wait=10")
                .send()
                .await
                .unwrap();
            let answered = Instant::now();
            (
                serde_json::from_slice::<serde_json::Value>(&response.bytes().await.unwrap())
                    .unwrap(),
                answered,
            )
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let changed = Instant::now();
    client.cancel(&quiet).await.unwrap();
    let (body, answered) = held.await.unwrap();
    assert_eq!(body["status"], "FAILED");
    assert_eq!(body["error"]["code"], "CANCELLED");
    let latency = answered.duration_since(changed);
    assert!(
        latency < Duration::from_millis(100),
        "woke after {latency:?}"
    );
    client.cancel(&busy).await.unwrap();
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_full_queue_turns_submits_away_with_503() {
    let mut config = config();
    config.workers = 1;
    config.max_queued = 1;
    config.work_delay = Duration::from_secs(30);
    let server = start(config).await;
    let client = orchestrator::Client::builder(server.url())
        .bearer_token(KEY)
        .submit_retries(0)
        .build()
        .unwrap();
    let body = AnalyzeDocument::new(data_url(REPORT));
    let running = client.analyze_document("b", &body).await.unwrap();
    // Wait until the worker has claimed it, leaving the queue empty.
    while client.status(&running).await.unwrap().state() != &TaskState::Running {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let queued = client.analyze_document("b", &body).await.unwrap();
    let err = client.analyze_document("b", &body).await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    assert!(err.is_transient());
    assert!(err.to_string().contains("queue is full"), "{err}");
    client.cancel(&running).await.unwrap();
    client.cancel(&queued).await.unwrap();
    server.shutdown().await.unwrap();
}

pub(crate) async fn shutdown_releases_held_polls_and_requeues_running_work_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config();
    config.database = orchestrator_server::Database::File(dir.path().join("tasks.db"));
    config.work_delay = Duration::from_secs(30);
    let server = start(config.clone()).await;
    let client = client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    while client.status(&accepted).await.unwrap().state() != &TaskState::Running {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let held = tokio::spawn({
        let url = accepted.status_url().clone();
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(KEY)
                .header("prefer", "wait=30")
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    server.shutdown().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown took {:?}",
        started.elapsed()
    );
    let _ = held.await.unwrap();

    // Next start, same database, no delay: the task runs again and completes.
    config.work_delay = Duration::ZERO;
    let server = start(config).await;
    let client = crate::support::client(&server);
    let outcome = client.poll(accepted.task_id().unwrap()).await.unwrap();
    assert!(outcome.is_completed(), "{outcome:?}");
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_running_task_says_what_it_is_doing_and_a_finished_one_does_not() {
    let mut config = config();
    config.work_delay = Duration::from_secs(2);
    let server = start(config).await;
    let client = client(&server);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let mut said = Vec::new();
    let mut last = None;
    let mut poller = client.poll(&accepted);
    while let Some(update) = poller.next().await {
        let status = update.unwrap().status().clone();
        if status.state() == &TaskState::Running
            && let Some(doing) = status.progress_message()
        {
            said.push(doing.to_owned());
        }
        last = Some(status);
    }
    assert!(
        said.iter().any(|d| d.starts_with("analysing, step")),
        "{said:?}"
    );
    let last = last.unwrap();
    assert_eq!(last.state(), &TaskState::Completed);
    assert_eq!(last.progress_message(), None);
    server.shutdown().await.unwrap();
}
