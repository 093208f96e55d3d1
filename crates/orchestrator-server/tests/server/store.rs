//! The storage contract, on every backend the trial runs: FIFO claims,
//! attempt-fenced writes, leases taken back (and `WORKER_LOST` after the
//! last attempt), the heartbeat, idempotency under a race, the sweep.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use orchestrator::{Labels, TaskState};
use orchestrator_server::{
    Cancelled, Claim, Cursor, Finish, NewTask, Scope, Submitted, TaskQuery, TaskRecord, TaskStore,
    WORKER_LOST,
};
use serde_json::json;

use crate::support::*;

fn task(id: &str, key: Option<&str>, now: i64) -> NewTask {
    let input = json!({"document_url": format!("data:text/plain,{id}")});
    NewTask {
        id: id.into(),
        tenant: "default".into(),
        bot_id: "bot-1".into(),
        action: "analyze-document".into(),
        fingerprint: input.to_string(),
        input,
        labels: Default::default(),
        retry_of: None,
        webhook_url: None,
        idempotency_key: key.map(Into::into),
        now,
    }
}

fn claim(lease: Duration) -> Claim {
    Claim {
        instance: "inst-test".into(),
        lease,
        now: 2_000,
    }
}

async fn created(store: &dyn TaskStore, id: &str) -> TaskRecord {
    match store.submit(task(id, None, 1_000), 100).await.unwrap() {
        Submitted::Created(t) => t,
        other => panic!("{other:?}"),
    }
}

pub(crate) async fn claims_are_first_in_first_out_and_writes_are_fenced_on_the_attempt() {
    let store = store().await;
    for id in ["t-1", "t-2", "t-3"] {
        created(&*store, id).await;
    }
    let first = store
        .claim_next(&claim(Duration::from_secs(30)))
        .await
        .unwrap()
        .unwrap();
    let second = store
        .claim_next(&claim(Duration::from_secs(30)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.id.as_str(), second.id.as_str()), ("t-1", "t-2"));
    assert_eq!(
        (first.state.clone(), first.attempts),
        (TaskState::Running, 1)
    );
    let run = first.run();
    assert!(
        store
            .set_progress(&run, 40, "reading", Duration::from_secs(30), 2_100)
            .await
            .unwrap()
    );
    // The progress and what the run said it was doing read back together.
    let read = store.get("default", "t-1").await.unwrap().unwrap();
    assert_eq!(read.progress, Some(40));
    assert_eq!(read.progress_message.as_deref(), Some("reading"));
    // A write in the name of another attempt changes nothing.
    let stale = orchestrator_server::RunRef {
        attempt: 7,
        ..run.clone()
    };
    assert!(
        !store
            .set_progress(&stale, 50, "reading", Duration::from_secs(30), 2_200)
            .await
            .unwrap()
    );
    assert!(
        store
            .finish(&stale, Finish::Completed(json!({})), 2_300)
            .await
            .unwrap()
            .is_none()
    );
    // Cancelled: the run's next write finds it no longer its own.
    assert!(matches!(
        store.cancel("default", "t-1", 2_400).await.unwrap(),
        Cancelled::Now(_)
    ));
    assert!(
        !store
            .set_progress(&run, 60, "reading", Duration::from_secs(30), 2_500)
            .await
            .unwrap()
    );
    assert!(
        store
            .finish(&run, Finish::Completed(json!({})), 2_600)
            .await
            .unwrap()
            .is_none()
    );
    let lost = store
        .heartbeat(
            "inst-test",
            &[run.clone(), second.run()],
            Duration::from_secs(30),
            2_700,
        )
        .await
        .unwrap();
    assert_eq!(lost, vec![run]);
    // The finished task comes back as it now stands.
    let finished = store
        .finish(&second.run(), Finish::Completed(json!({"ok": 1})), 2_800)
        .await
        .unwrap()
        .expect("the run still owned its task");
    assert_eq!(finished.id, second.id);
    assert_eq!(finished.state, orchestrator::TaskState::Completed);
    assert_eq!(finished.progress, Some(100));
    assert_eq!(finished.result, Some(json!({"ok": 1})));
    assert_eq!(finished.completed_at, Some(2_800));
    assert_eq!(
        finished,
        store.get("default", &second.id).await.unwrap().unwrap()
    );
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.pending, counts.running), (1, 0));
    // Another tenant sees nothing, cancels nothing.
    assert_eq!(store.get("other", "t-2").await.unwrap(), None);
    assert_eq!(
        store.cancel("other", "t-3", 2_900).await.unwrap(),
        Cancelled::NotFound
    );
}

pub(crate) async fn an_expired_lease_is_taken_back_and_the_last_attempt_fails_worker_lost() {
    let store = store().await;
    created(&*store, "t-lost").await;
    let lease = Duration::from_millis(300);
    for attempt in 1..=2u32 {
        let run = store.claim_next(&claim(lease)).await.unwrap().unwrap();
        assert_eq!(run.attempts, attempt);
        // Nobody renews it. (Leases run on the database's clock where there
        // is one, so real time passes here.)
        tokio::time::sleep(Duration::from_millis(600)).await;
        let reaped = store.reap_expired(2, 100, 10_000).await.unwrap();
        if attempt < 2 {
            assert_eq!(reaped.requeued, vec!["t-lost".to_owned()]);
            // The taken-back run can no longer write.
            assert!(
                !store
                    .set_progress(&run.run(), 50, "reading", lease, 10_100)
                    .await
                    .unwrap()
            );
        } else {
            assert_eq!(reaped.failed, vec!["t-lost".to_owned()]);
        }
    }
    let task = store.get("default", "t-lost").await.unwrap().unwrap();
    assert_eq!(task.state, TaskState::Failed);
    assert_eq!(task.error.unwrap().code, WORKER_LOST);
    assert!(store.claim_next(&claim(lease)).await.unwrap().is_none());
}

pub(crate) async fn racing_submits_with_one_key_make_one_task() {
    let store = store().await;
    let results = join_all((0..20).map(|i| {
        let store = store.clone();
        // Twenty ids, one request: the same body under the same key.
        let mut racer = task("t-same", Some("k-1"), 1_000);
        racer.id = format!("t-{i}");
        async move { store.submit(racer, 100).await }
    }))
    .await;
    let ids: std::collections::HashSet<String> = results
        .into_iter()
        .map(|r| match r.unwrap() {
            Submitted::Created(t) | Submitted::Existing(t) => t.id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let mut other = task("t-x", Some("k-1"), 1_000);
    other.fingerprint = "something else".into();
    assert_eq!(
        store.submit(other, 100).await.unwrap(),
        Submitted::KeyReused
    );
    assert_eq!(store.counts().await.unwrap().pending, 1);
}

pub(crate) async fn the_sweep_deletes_old_finished_tasks_in_batches_and_keys_outlive_them() {
    let store = store().await;
    for i in 0..5 {
        let t = match store
            .submit(task(&format!("t-{i}"), Some(&format!("k-{i}")), 1_000), 100)
            .await
            .unwrap()
        {
            Submitted::Created(t) => t,
            other => panic!("{other:?}"),
        };
        let run = store
            .claim_next(&claim(Duration::from_secs(30)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(run.id, t.id);
        store
            .finish(&run.run(), Finish::Completed(json!({})), 3_000)
            .await
            .unwrap();
    }
    created(&*store, "t-open").await;
    assert_eq!(store.delete_finished(3_001, 2).await.unwrap(), 2);
    assert_eq!(store.delete_finished(3_001, 10).await.unwrap(), 3);
    assert_eq!(store.delete_finished(3_001, 10).await.unwrap(), 0);
    assert!(store.get("default", "t-open").await.unwrap().is_some());
    // Keys younger than the cutoff stay; older ones whose task is gone go.
    assert_eq!(store.purge_idempotency_keys(500).await.unwrap(), 0);
    assert_eq!(store.purge_idempotency_keys(1_001).await.unwrap(), 5);
}

fn labelled(id: &str, tenant: &str, labels: &[(&str, &str)], now: i64) -> NewTask {
    let mut set = Labels::new();
    for (k, v) in labels {
        set.insert(*k, *v).unwrap();
    }
    NewTask {
        tenant: tenant.into(),
        labels: set,
        ..task(id, None, now)
    }
}

/// Every page of `query` for `tenant`, following cursors as the API does.
async fn all_pages(store: &dyn TaskStore, tenant: &str, mut query: TaskQuery) -> Vec<TaskRecord> {
    let mut seen = Vec::new();
    loop {
        let page = store.list(Scope::Tenant(tenant), &query).await.unwrap();
        let Some(last) = page.last() else {
            return seen;
        };
        query.after = Some(Cursor {
            created_at: last.created_at,
            id: last.id.clone(),
        });
        let full = page.len() == query.limit as usize;
        seen.extend(page);
        if !full {
            return seen;
        }
    }
}

pub(crate) async fn paging_while_tasks_are_submitted_and_swept_shows_each_lasting_task_once() {
    let store = store().await;
    // 1,000 tasks, ten to a millisecond (so the id breaks ties), of which
    // every other one finished long ago and is swept while the listing pages.
    let mut lasting = std::collections::BTreeSet::new();
    for i in 0..1_000 {
        let id = format!("t-{i:04}");
        store
            .submit(labelled(&id, "acme", &[], 10_000 + i / 10), 10_000)
            .await
            .unwrap();
        if i % 2 == 0 {
            store.cancel("acme", &id, 10_500).await.unwrap();
        } else {
            lasting.insert(id);
        }
    }
    let pager = {
        let store = store.clone();
        tokio::spawn(async move {
            let query = TaskQuery {
                limit: 37,
                ..TaskQuery::default()
            };
            all_pages(&*store, "acme", query).await
        })
    };
    let churn = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                store
                    .submit(
                        labelled(&format!("n-{i:03}"), "acme", &[], 20_000 + i),
                        10_000,
                    )
                    .await
                    .unwrap();
                if i % 20 == 0 {
                    store.delete_finished(11_000, 50).await.unwrap();
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let seen = pager.await.unwrap();
    churn.await.unwrap();
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for t in &seen {
        *counts.entry(t.id.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "shown twice: {twice:?}");
    let missed: Vec<_> = lasting
        .iter()
        .filter(|id| !counts.contains_key(id.as_str()))
        .collect();
    assert!(
        missed.is_empty(),
        "{} lasting tasks skipped: {:?}",
        missed.len(),
        &missed[..missed.len().min(5)]
    );
    // Newest first throughout.
    assert!(
        seen.windows(2)
            .all(|w| (w[0].created_at, &w[0].id) > (w[1].created_at, &w[1].id))
    );
}

pub(crate) async fn filters_combine_and_a_cancel_by_filter_touches_only_the_tenants_unfinished_matches()
 {
    let store = store().await;
    type Spec<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let spec: [Spec<'_>; 6] = [
        ("a-1", "acme", &[("run", "42"), ("team", "x")]),
        ("a-2", "acme", &[("run", "42")]),
        ("a-3", "acme", &[("run", "43"), ("team", "x")]),
        ("a-4", "acme", &[("run", "42"), ("team", "x")]),
        ("b-1", "other", &[("run", "42"), ("team", "x")]),
        ("a-5", "acme", &[("note", "a = b, \"c\" — é")]),
    ];
    for (i, (id, tenant, labels)) in spec.iter().enumerate() {
        store
            .submit(labelled(id, tenant, labels, 1_000 + i as i64), 100)
            .await
            .unwrap();
    }
    // a-4 runs, then fails (the queue is first in, first out: a-1 to a-3
    // are claimed first, then put back).
    let mut claimed = Vec::new();
    for _ in 0..4 {
        claimed.push(
            store
                .claim_next(&claim(Duration::from_secs(30)))
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let run = claimed.pop().unwrap();
    assert_eq!(run.id, "a-4");
    for other in &claimed {
        store.release(&other.run(), 2_000).await.unwrap();
    }
    store
        .finish(
            &run.run(),
            Finish::Failed(orchestrator::TaskError::new("X", "x")),
            3_000,
        )
        .await
        .unwrap();
    let ids = |tasks: Vec<TaskRecord>| tasks.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let q = |labels: &[(&str, &str)], statuses: &[TaskState]| TaskQuery {
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        statuses: statuses.to_vec(),
        limit: 50,
        ..TaskQuery::default()
    };
    assert_eq!(
        ids(store
            .list(Scope::Tenant("acme"), &q(&[("run", "42")], &[]))
            .await
            .unwrap()),
        ["a-4", "a-2", "a-1"]
    );
    assert_eq!(
        ids(store
            .list(
                Scope::Tenant("acme"),
                &q(&[("run", "42"), ("team", "x")], &[])
            )
            .await
            .unwrap()),
        ["a-4", "a-1"]
    );
    assert_eq!(
        ids(store
            .list(
                Scope::Tenant("acme"),
                &q(&[("team", "x")], &[TaskState::Pending])
            )
            .await
            .unwrap()),
        ["a-3", "a-1"]
    );
    assert_eq!(
        ids(store
            .list(Scope::Tenant("acme"), &q(&[], &[TaskState::Failed]))
            .await
            .unwrap()),
        ["a-4"]
    );
    // A label and one state follow the task through its changes.
    assert_eq!(
        ids(store
            .list(
                Scope::Tenant("acme"),
                &q(&[("run", "42")], &[TaskState::Failed])
            )
            .await
            .unwrap()),
        ["a-4"]
    );
    assert_eq!(
        ids(store
            .list(
                Scope::Tenant("acme"),
                &q(&[("note", "a = b, \"c\" — é")], &[])
            )
            .await
            .unwrap()),
        ["a-5"]
    );
    let round_trip = store.get("acme", "a-5").await.unwrap().unwrap();
    assert_eq!(round_trip.labels.get("note"), Some("a = b, \"c\" — é"));
    let window = TaskQuery {
        created_after: Some(1_001),
        created_before: Some(1_003),
        limit: 50,
        ..TaskQuery::default()
    };
    assert_eq!(
        ids(store.list(Scope::Tenant("acme"), &window).await.unwrap()),
        ["a-3", "a-2"]
    );
    // Another tenant's tasks are never listed.
    assert_eq!(
        ids(store
            .list(Scope::Tenant("other"), &q(&[], &[]))
            .await
            .unwrap()),
        ["b-1"]
    );

    // Cancel run=42 everywhere it is unfinished, in acme only.
    let mut cancelled = store
        .cancel_matching(Scope::Tenant("acme"), &q(&[("run", "42")], &[]), 4_000)
        .await
        .unwrap();
    cancelled.sort();
    assert_eq!(cancelled, ["a-1", "a-2"]);
    assert_eq!(
        store.get("other", "b-1").await.unwrap().unwrap().state,
        TaskState::Pending
    );
    assert_eq!(
        store.get("acme", "a-4").await.unwrap().unwrap().state,
        TaskState::Failed
    );
    assert_eq!(
        ids(store
            .list(Scope::Tenant("acme"), &q(&[], &[TaskState::Cancelled]))
            .await
            .unwrap()),
        ["a-2", "a-1"]
    );
    assert_eq!(
        ids(store
            .list(
                Scope::Tenant("acme"),
                &q(&[("run", "42")], &[TaskState::Cancelled])
            )
            .await
            .unwrap()),
        ["a-2", "a-1"]
    );
    // Asking only for finished states cancels nothing.
    assert!(
        store
            .cancel_matching(
                Scope::Tenant("acme"),
                &q(&[], &[TaskState::Completed]),
                4_000
            )
            .await
            .unwrap()
            .is_empty()
    );
    // The sweep takes a task's labels with it.
    assert_eq!(store.delete_finished(5_000, 100).await.unwrap(), 3);
    assert!(
        store
            .list(Scope::Tenant("acme"), &q(&[("run", "42")], &[]))
            .await
            .unwrap()
            .is_empty()
    );
}

/// A store on the trial's database.
pub(crate) async fn store() -> Arc<dyn TaskStore> {
    if on_memory_store() {
        return Arc::new(orchestrator_server::MemoryStore::new());
    }
    match database() {
        #[cfg(feature = "postgres")]
        orchestrator_server::Database::Postgres(url) => Arc::new(
            orchestrator_server::PostgresStore::connect(&url)
                .await
                .map_err(|e: orchestrator_server::StoreError| e.to_string())
                .unwrap(),
        ),
        other => Arc::new(orchestrator_server::SqliteStore::open(&other).unwrap()),
    }
}
