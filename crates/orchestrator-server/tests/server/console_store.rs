//! What the operator console asks of the store, on every backend: every
//! tenant's listing and counts that stop at their cap, the last hour's
//! finishes by stretch, the instances' heartbeats, sessions that expire
//! and end, and events that say which attempt and instance they were on.

use std::time::Duration;

use orchestrator::{Labels, TaskError, TaskEventKind, TaskState};
use orchestrator_server::{
    Claim, EventQuery, Finish, InstanceBeat, NewTask, Scope, SessionRecord, Submitted, TaskQuery,
    TaskStore,
};
use serde_json::json;

use crate::store::store;

fn task(id: &str, tenant: &str, label: Option<(&str, &str)>, now: i64) -> NewTask {
    let input = json!({"document_url": format!("data:text/plain,{id}")});
    let mut labels = Labels::new();
    if let Some((k, v)) = label {
        labels.insert(k, v).unwrap();
    }
    NewTask {
        id: id.into(),
        tenant: tenant.into(),
        bot_id: "bot-1".into(),
        action: "analyze-document".into(),
        fingerprint: input.to_string(),
        input,
        labels,
        retry_of: None,
        webhook_url: None,
        idempotency_key: None,
        now,
    }
}

async fn submit(store: &dyn TaskStore, task: NewTask) {
    assert!(matches!(
        store.submit(task, 10_000).await.unwrap(),
        Submitted::Created(_)
    ));
}

fn claim(instance: &str, now: i64) -> Claim {
    Claim {
        instance: instance.into(),
        lease: Duration::from_secs(30),
        now,
    }
}

fn ids(tasks: &[orchestrator_server::TaskRecord]) -> Vec<&str> {
    tasks.iter().map(|t| t.id.as_str()).collect()
}

pub(crate) async fn every_tenants_listing_and_capped_counts_cover_what_the_scope_says() {
    let store = store().await;
    for (i, tenant) in ["acme", "globex", "acme", "initech"].iter().enumerate() {
        let label = (i % 2 == 0).then_some(("run", "7"));
        submit(
            &*store,
            task(&format!("t-{i}"), tenant, label, 1_000 + i as i64),
        )
        .await;
    }
    let all = TaskQuery {
        limit: 50,
        ..TaskQuery::default()
    };
    assert_eq!(
        ids(&store.list(Scope::Every, &all).await.unwrap()),
        ["t-3", "t-2", "t-1", "t-0"]
    );
    assert_eq!(
        ids(&store.list(Scope::Tenant("acme"), &all).await.unwrap()),
        ["t-2", "t-0"]
    );
    let by_label = TaskQuery {
        labels: vec![("run".into(), "7".into())],
        limit: 50,
        ..TaskQuery::default()
    };
    assert_eq!(
        ids(&store.list(Scope::Every, &by_label).await.unwrap()),
        ["t-2", "t-0"]
    );
    // One finishes, one is cancelled; counts by state, stopped at the cap.
    let run = store
        .claim_next(&claim("inst-a", 2_000))
        .await
        .unwrap()
        .unwrap();
    store
        .finish(
            &run.run(),
            Finish::Failed(TaskError::new("BOOM", "it broke")),
            2_100,
        )
        .await
        .unwrap();
    store.cancel("initech", "t-3", 2_200).await.unwrap();
    let states = [
        TaskState::Pending,
        TaskState::Running,
        TaskState::Failed,
        TaskState::Cancelled,
    ];
    let counts = |scope, cap| {
        let (store, states) = (store.clone(), states.clone());
        async move {
            store
                .count_states(scope, &TaskQuery::default(), &states, cap)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.count)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(counts(Scope::Every, 100).await, [2, 0, 1, 1]);
    assert_eq!(counts(Scope::Every, 1).await, [1, 0, 1, 1]);
    assert_eq!(counts(Scope::Tenant("acme"), 100).await, [1, 0, 1, 0]);
    let labelled = store
        .count_states(Scope::Every, &by_label, &[TaskState::Pending], 100)
        .await
        .unwrap();
    assert_eq!(labelled[0].count, 1);
    // A cancel by filter across every tenant.
    let cancelled = store
        .cancel_matching(Scope::Every, &by_label, 3_000)
        .await
        .unwrap();
    assert_eq!(cancelled, ["t-2"]);
}

pub(crate) async fn the_last_hours_finishes_fall_into_their_stretches() {
    let store = store().await;
    let minute = 60_000;
    for i in 0..4 {
        submit(&*store, task(&format!("t-{i}"), "acme", None, i)).await;
    }
    submit(&*store, task("other", "globex", None, 5)).await;
    let since = 10 * minute;
    // Finished at 10½, 11½ and 13 minutes, the last failed; one before the
    // window; one of another tenant.
    for (at, failed) in [
        (since - minute, false),
        (since + minute / 2, false),
        (since + 3 * minute / 2, false),
        (since + 3 * minute, true),
        (since + minute, false),
    ] {
        let run = store
            .claim_next(&claim("inst-a", at))
            .await
            .unwrap()
            .unwrap();
        let finish = if failed {
            Finish::Failed(TaskError::new("BOOM", "it broke"))
        } else {
            Finish::Completed(json!({}))
        };
        store.finish(&run.run(), finish, at).await.unwrap();
    }
    let buckets = store
        .activity(Scope::Tenant("acme"), since, minute, 4)
        .await
        .unwrap();
    let shape: Vec<(u64, u64)> = buckets.iter().map(|b| (b.completed, b.failed)).collect();
    assert_eq!(shape, [(1, 0), (1, 0), (0, 0), (0, 1)]);
    let every = store
        .activity(Scope::Every, since, minute, 4)
        .await
        .unwrap();
    assert_eq!(every[1].completed, 2);
}

pub(crate) async fn instances_are_listed_by_their_last_heartbeat_and_old_ones_forgotten() {
    let store = store().await;
    let beat = |id: &str, workers, at| InstanceBeat {
        id: id.into(),
        workers,
        started_at: 100,
        heartbeat_at: at,
    };
    store
        .record_instance(&beat("inst-a", 4, 1_000))
        .await
        .unwrap();
    store
        .record_instance(&beat("inst-b", 2, 5_000))
        .await
        .unwrap();
    store
        .record_instance(&beat("inst-a", 8, 9_000))
        .await
        .unwrap();
    let seen = store.instances(0).await.unwrap();
    assert_eq!(seen, [beat("inst-a", 8, 9_000), beat("inst-b", 2, 5_000)]);
    let recent = store.instances(6_000).await.unwrap();
    assert_eq!(recent, [beat("inst-a", 8, 9_000)]);
}

pub(crate) async fn a_session_is_found_until_it_expires_or_ends() {
    let store = store().await;
    let session = |token: &str, expires_at| SessionRecord {
        token_sha256: token.into(),
        key_sha256: "ab".repeat(32),
        tenant: "acme".into(),
        created_at: 1_000,
        expires_at,
    };
    store.create_session(&session("s-1", 5_000)).await.unwrap();
    store.create_session(&session("s-2", 9_000)).await.unwrap();
    assert_eq!(
        store.session("s-1", 4_999).await.unwrap(),
        Some(session("s-1", 5_000))
    );
    assert_eq!(store.session("s-1", 5_000).await.unwrap(), None);
    assert_eq!(store.session("nope", 0).await.unwrap(), None);
    assert!(store.end_session("s-2").await.unwrap());
    assert!(!store.end_session("s-2").await.unwrap());
    assert_eq!(store.session("s-2", 1_000).await.unwrap(), None);
    assert_eq!(store.purge_sessions(6_000).await.unwrap(), 1);
    assert_eq!(store.purge_sessions(6_000).await.unwrap(), 0);
}

pub(crate) async fn each_event_names_the_attempt_and_the_instance_that_held_the_task() {
    let store = store().await;
    submit(&*store, task("t-1", "acme", None, 1_000)).await;
    let first = store
        .claim_next(&Claim {
            lease: Duration::from_millis(300),
            ..claim("inst-a", 2_000)
        })
        .await
        .unwrap()
        .unwrap();
    // The lease runs out (on the database's clock where there is one, so
    // real time passes); another instance takes the task back and runs it.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let reaped = store.reap_expired(3, 10, 10_000).await.unwrap();
    assert_eq!(reaped.requeued, ["t-1"]);
    let second = store
        .claim_next(&claim("inst-b", 40_000))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.attempts, second.attempts), (1, 2));
    store
        .finish(&second.run(), Finish::Completed(json!({})), 41_000)
        .await
        .unwrap();
    let page = store
        .events(
            "acme",
            &EventQuery {
                filter: TaskQuery::default(),
                after: 0,
                limit: 100,
            },
        )
        .await
        .unwrap();
    let seen: Vec<(TaskEventKind, u32, Option<&str>)> = page
        .events
        .iter()
        .map(|e| (e.kind.clone(), e.attempt, e.instance.as_deref()))
        .collect();
    assert_eq!(
        seen[..4],
        [
            (TaskEventKind::Submitted, 0, None),
            (TaskEventKind::Started, 1, Some("inst-a")),
            (TaskEventKind::Requeued, 1, None),
            (TaskEventKind::Started, 2, Some("inst-b")),
        ]
    );
    let last = page.events.last().unwrap();
    assert_eq!(
        (last.kind.clone(), last.attempt),
        (TaskEventKind::Completed, 2)
    );
}
