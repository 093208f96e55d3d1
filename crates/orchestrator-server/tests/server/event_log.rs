//! The event log, on every backend: each visible change of a task appends
//! one event in its own transaction, in order, showing the task as it was
//! then; filters; the sweep's horizon; and on PostgreSQL, writers that
//! commit out of order never make a resuming reader skip an event.

use std::time::Duration;

use orchestrator::{Labels, TaskEventKind, TaskState};
use orchestrator_server::{
    Claim, EventQuery, EventRecord, Finish, NewTask, Scope, Submitted, TaskQuery, TaskStore,
};
use serde_json::json;

use crate::store::store;
use crate::support::*;

fn task(id: &str, tenant: &str, labels: &[(&str, &str)], retry_of: Option<&str>) -> NewTask {
    let input = json!({"document_url": format!("data:text/plain,{id}")});
    let mut set = Labels::new();
    for (k, v) in labels {
        set.insert(*k, *v).unwrap();
    }
    NewTask {
        id: id.into(),
        tenant: tenant.into(),
        bot_id: "bot-1".into(),
        action: "analyze-document".into(),
        fingerprint: input.to_string(),
        input,
        labels: set,
        retry_of: retry_of.map(Into::into),
        webhook_url: None,
        idempotency_key: None,
        now: 1_000,
    }
}

fn claim() -> Claim {
    Claim {
        instance: "inst-test".into(),
        lease: Duration::from_secs(30),
        now: 2_000,
    }
}

async fn submit(store: &dyn TaskStore, task: NewTask) {
    assert!(matches!(
        store.submit(task, 100).await.unwrap(),
        Submitted::Created(_)
    ));
}

fn read(after: i64, filter: TaskQuery) -> EventQuery {
    EventQuery {
        filter,
        after,
        limit: 100,
    }
}

fn kinds(events: &[EventRecord]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| (e.task.id.clone(), e.kind.to_string()))
        .collect()
}

pub(crate) async fn a_tasks_life_is_logged_in_order_and_each_event_shows_the_task_as_it_was() {
    let store = store().await;
    submit(&*store, task("t-1", "acme", &[("run", "42")], None)).await;
    submit(&*store, task("o-1", "other", &[("run", "42")], None)).await;
    let run = store.claim_next(&claim()).await.unwrap().unwrap().run();
    assert!(
        store
            .set_progress(&run, 40, "fetching", Duration::from_secs(30), 2_100)
            .await
            .unwrap()
    );
    store
        .finish(&run, Finish::Completed(json!({"words": 3})), 3_000)
        .await
        .unwrap();

    let page = store
        .events("acme", &read(0, TaskQuery::default()))
        .await
        .unwrap();
    assert_eq!(
        kinds(&page.events),
        [
            ("t-1".into(), "submitted".into()),
            ("t-1".into(), "started".into()),
            ("t-1".into(), "progress".into()),
            ("t-1".into(), "completed".into()),
        ]
    );
    let ids: Vec<i64> = page.events.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(page.swept_through, 0);
    // Each event shows the task as it was then: no result before the end.
    let progress = &page.events[2].task;
    assert_eq!(progress.state, TaskState::Running);
    assert_eq!(progress.progress, Some(40));
    assert_eq!(progress.progress_message.as_deref(), Some("fetching"));
    assert_eq!(progress.result, None);
    assert_eq!(progress.completed_at, None);
    let done = &page.events[3].task;
    assert_eq!(done.state, TaskState::Completed);
    assert_eq!(done.result, Some(json!({"words": 3})));
    assert_eq!(page.events[0].task.state, TaskState::Pending);

    // Resuming after an id gives what followed it, and only the tenant's.
    let rest = store
        .events("acme", &read(ids[1], TaskQuery::default()))
        .await
        .unwrap();
    assert_eq!(
        rest.events.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[2..]
    );
    let other = store
        .events("other", &read(0, TaskQuery::default()))
        .await
        .unwrap();
    assert_eq!(kinds(&other.events), [("o-1".into(), "submitted".into())]);

    // Filters: the state an event left, the task's labels and ids.
    let finished = TaskQuery {
        statuses: vec![TaskState::Completed],
        ..TaskQuery::default()
    };
    let page = store.events("acme", &read(0, finished)).await.unwrap();
    assert_eq!(kinds(&page.events), [("t-1".into(), "completed".into())]);
    let wrong_label = TaskQuery {
        labels: vec![("run".into(), "43".into())],
        ..TaskQuery::default()
    };
    assert!(
        store
            .events("acme", &read(0, wrong_label))
            .await
            .unwrap()
            .events
            .is_empty()
    );
    let by_id = TaskQuery {
        tasks: vec!["t-2".into()],
        ..TaskQuery::default()
    };
    assert!(
        store
            .events("acme", &read(0, by_id))
            .await
            .unwrap()
            .events
            .is_empty()
    );
    assert_eq!(store.last_event("acme", "t-1").await.unwrap(), Some(ids[3]));
    assert_eq!(store.last_event("other", "t-1").await.unwrap(), None);
}

pub(crate) async fn requeues_cancels_and_retries_are_logged_and_the_sweep_leaves_a_horizon() {
    let store = store().await;
    submit(&*store, task("t-a", "acme", &[], None)).await;
    submit(&*store, task("t-b", "acme", &[("run", "7")], None)).await;
    let run = store.claim_next(&claim()).await.unwrap().unwrap().run();
    store.release(&run, 2_500).await.unwrap();
    let cancelled = store
        .cancel_matching(
            Scope::Tenant("acme"),
            &TaskQuery {
                labels: vec![("run".into(), "7".into())],
                ..TaskQuery::default()
            },
            2_600,
        )
        .await
        .unwrap();
    assert_eq!(cancelled, ["t-b"]);
    store.cancel("acme", "t-a", 2_700).await.unwrap();
    submit(&*store, task("t-c", "acme", &[], Some("t-a"))).await;

    let page = store
        .events("acme", &read(0, TaskQuery::default()))
        .await
        .unwrap();
    assert_eq!(
        kinds(&page.events),
        [
            ("t-a".into(), "submitted".into()),
            ("t-b".into(), "submitted".into()),
            ("t-a".into(), "started".into()),
            ("t-a".into(), "requeued".into()),
            ("t-b".into(), "cancelled".into()),
            ("t-a".into(), "cancelled".into()),
            ("t-c".into(), "submitted".into()),
            ("t-a".into(), "retried".into()),
        ]
    );
    assert_eq!(page.events[3].task.state, TaskState::Pending);
    assert_eq!(page.events[7].kind, TaskEventKind::Retried);
    assert_eq!(page.events[7].task.state, TaskState::Cancelled);
    let newest_of_a = page.events[7].id;

    // The sweep takes t-a and t-b with their events, and says how far.
    assert_eq!(store.delete_finished(10_000, 100).await.unwrap(), 2);
    let after = store
        .events("acme", &read(0, TaskQuery::default()))
        .await
        .unwrap();
    assert_eq!(kinds(&after.events), [("t-c".into(), "submitted".into())]);
    assert_eq!(after.swept_through, newest_of_a);
    let other = store
        .events("other", &read(0, TaskQuery::default()))
        .await
        .unwrap();
    assert_eq!(other.swept_through, 0);
}

/// Writers whose transactions commit out of id order (each holds its
/// transaction open a random while after appending), on two connections,
/// and a reader resuming after the largest id it has seen: every event is
/// read once.
#[cfg(feature = "postgres")]
pub(crate) async fn writers_committing_out_of_order_never_make_a_resuming_reader_skip_an_event() {
    let orchestrator_server::Database::Postgres(url) = database() else {
        unreachable!("a PostgreSQL-only test");
    };
    let reader = orchestrator_server::PostgresStore::connect(&url)
        .await
        .unwrap();
    const WRITERS: usize = 6;
    const EACH: usize = 60;
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let url = url.clone();
        writers.push(tokio::spawn(async move {
            let (mut client, connection) =
                tokio_postgres::connect(url.expose(), tokio_postgres::NoTls)
                    .await
                    .unwrap();
            tokio::spawn(connection);
            for i in 0..EACH {
                let tx = client.transaction().await.unwrap();
                tx.execute(
                    "INSERT INTO tasks (id, tenant, bot_id, action, input, status, created_at, updated_at)
                     VALUES ($1, 'acme', 'b', 'a', '{}', 'PENDING', 1, 1)",
                    &[&format!("t-{w}-{i}")],
                )
                .await
                .unwrap();
                // Deterministic, varied pauses: 0 to 18 ms before commit.
                let pause = ((w * 7 + i * 13) % 10) as u64 * 2;
                tokio::time::sleep(Duration::from_millis(pause)).await;
                tx.commit().await.unwrap();
            }
        }));
    }
    let mut seen = Vec::new();
    let mut last = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while seen.len() < WRITERS * EACH && tokio::time::Instant::now() < deadline {
        let page = reader
            .events("acme", &read(last, TaskQuery::default()))
            .await
            .unwrap();
        for event in page.events {
            last = event.id;
            seen.push(event.task.id);
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    for w in writers {
        w.await.unwrap();
    }
    // Anything the reader moved past and never saw would be missing here.
    let page = reader
        .events("acme", &read(last, TaskQuery::default()))
        .await
        .unwrap();
    seen.extend(page.events.into_iter().map(|e| e.task.id));
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "an event was read twice");
    assert_eq!(seen.len(), WRITERS * EACH, "the reader skipped events");
}
