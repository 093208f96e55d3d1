//! The storage contract, on every backend the trial runs: FIFO claims,
//! attempt-fenced writes, leases taken back (and `WORKER_LOST` after the
//! last attempt), the heartbeat, idempotency under a race, the sweep.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use orchestrator::TaskState;
use orchestrator_server::{
    Cancelled, Claim, Finish, NewTask, Submitted, TaskRecord, TaskStore, WORKER_LOST,
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

/// A store on the trial's database.
async fn store() -> Arc<dyn TaskStore> {
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
