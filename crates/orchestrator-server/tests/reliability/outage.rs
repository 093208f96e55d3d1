//! The database's bad moments, on a PostgreSQL cluster of the test's own
//! that it stops, restarts and freezes under the real server binary and
//! the real CLI: clients get `503` + `Retry-After` and ride it out, no
//! request waits on a frozen database past its timeout, `/healthz` stays
//! instant, and running tasks finish on their first attempt.

use std::path::Path;
use std::time::{Duration, Instant};

use orchestrator_testkit::{PrivateCluster, ServerProcess, figure};

use crate::{KEY, REPORT, cli_submit_wait, data_url, server_bin};

/// The cluster, or `None` after saying the test was skipped.
fn cluster(test: &str) -> Option<PrivateCluster> {
    let cluster = PrivateCluster::start();
    if cluster.is_none() {
        println!(
            "skipped: {test}, because PostgreSQL 15 is not installed (scripts/postgres.sh installs it)"
        );
    }
    cluster
}

fn server_on(cluster: &PrivateCluster, extra: &[&str]) -> ServerProcess {
    ServerProcess::start(
        server_bin(),
        Path::new(&cluster.url()),
        "127.0.0.1:0",
        KEY,
        extra,
    )
}

async fn sql(cluster: &PrivateCluster) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&cluster.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cli_submit_wait_rides_out_3_and_8_second_outages_and_a_crash_restart_with_one_task_each()
{
    let Some(cluster) = cluster("CLI through PostgreSQL outages") else {
        return;
    };
    let server = server_on(&cluster, &["--work-delay-ms", "500"]);
    let url = server.url.clone();
    let mut tasks = Vec::new();
    for (outage, text) in [
        (Some(Duration::from_secs(3)), "Outage of three seconds."),
        (Some(Duration::from_secs(8)), "Outage of eight seconds."),
        (None, "Immediate restart."),
    ] {
        let started = Instant::now();
        let run = {
            let url = url.clone();
            let text = text.to_owned();
            // The submit goes while the database is down (or restarting).
            if outage.is_some() {
                cluster.stop();
            }
            tokio::task::spawn_blocking(move || cli_submit_wait(&url, &text, "90s"))
        };
        match outage {
            Some(down) => {
                tokio::time::sleep(down).await;
                cluster.start_again();
            }
            None => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                cluster.restart_immediate();
            }
        }
        let out = run.await.unwrap();
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{text}: {stderr}");
        let done: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(done["status"], "COMPLETED", "{done}");
        tasks.push((text, done["task_id"].as_str().unwrap().to_owned()));
        figure(
            "outage",
            &format!(
                "{text} submit --wait exit 0 after {:.1} s",
                took.as_secs_f64()
            ),
        );
    }
    // Exactly one task each: no 503 or reset made a second one.
    let db = sql(&cluster).await;
    for (text, task) in &tasks {
        let rows = db
            .query(
                "SELECT id, attempts FROM tasks WHERE input LIKE $1",
                &[&format!("%{}%", text.replace(' ', "%20"))],
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{text}: {} tasks", rows.len());
        assert_eq!(rows[0].get::<_, String>(0), *task);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_frozen_for_10_s_leaves_healthz_instant_and_readyz_and_submits_503_within_the_timeout()
 {
    let Some(cluster) = cluster("a frozen PostgreSQL") else {
        return;
    };
    let server = server_on(
        &cluster,
        &[
            "--db-statement-timeout",
            "1s",
            "--db-acquire-timeout",
            "1s",
            "--db-connect-timeout",
            "1s",
        ],
    );
    let http = reqwest::Client::new();
    // The same submit, with the same key, before and after the thaw.
    let submit_frozen_1 = || {
        http.post(format!(
            "{}/v1/bots/bot-1/actions/analyze-document",
            server.url
        ))
        .bearer_auth(KEY)
        .header("idempotency-key", "frozen-1")
        .json(&serde_json::json!({"document_url": data_url(REPORT)}))
        .send()
    };
    let ready = http
        .get(format!("{}/readyz", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    cluster.pause();
    let frozen = Instant::now();
    let health_started = Instant::now();
    let health = http
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .unwrap();
    let health_took = health_started.elapsed();
    assert_eq!(health.status(), 200);
    assert!(health_took < Duration::from_millis(100), "{health_took:?}");

    let ready_started = Instant::now();
    let ready = http
        .get(format!("{}/readyz", server.url))
        .send()
        .await
        .unwrap();
    let ready_took = ready_started.elapsed();
    assert_eq!(
        ready.status(),
        503,
        "{}",
        ready.text().await.unwrap_or_default()
    );
    assert!(ready_took < Duration::from_secs(4), "{ready_took:?}");

    let submit_started = Instant::now();
    let submit = submit_frozen_1().await.unwrap();
    let submit_took = submit_started.elapsed();
    assert_eq!(submit.status(), 503);
    assert_eq!(submit.headers()["retry-after"], "1");
    let problem: serde_json::Value = submit.json().await.unwrap();
    assert!(
        problem["type"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/storage-unavailable"),
        "{problem}"
    );
    assert!(submit_took < Duration::from_secs(4), "{submit_took:?}");
    // Held frozen for 10 s in all, liveness stays instant to the end.
    assert!(
        frozen.elapsed() < Duration::from_secs(10),
        "the checks outlasted the freeze"
    );
    tokio::time::sleep(Duration::from_secs(10).saturating_sub(frozen.elapsed())).await;
    let late = Instant::now();
    let health = http
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        late.elapsed() < Duration::from_millis(100),
        "{:?}",
        late.elapsed()
    );
    cluster.resume();
    figure(
        "outage",
        &format!(
            "PostgreSQL frozen: /healthz {:.1} ms, /readyz 503 in {:.2} s, submit 503 in {:.2} s (timeouts 1 s)",
            health_took.as_secs_f64() * 1000.0,
            ready_took.as_secs_f64(),
            submit_took.as_secs_f64()
        ),
    );

    // Thawed, the same submit goes through.
    let mut accepted = None;
    for _ in 0..50 {
        let submit = submit_frozen_1().await.unwrap();
        if submit.status() == 202 {
            accepted = Some(submit);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(accepted.is_some(), "no submit went through after the thaw");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_running_tasks_finish_on_their_first_attempt_through_a_crash_restart_of_postgres() {
    let Some(cluster) = cluster("running tasks through a PostgreSQL restart") else {
        return;
    };
    let server = server_on(&cluster, &["--workers", "20", "--work-delay-ms", "3000"]);
    let client = orchestrator::Client::builder(&server.url)
        .bearer_token(KEY)
        .build()
        .unwrap();
    let mut accepted = Vec::new();
    for i in 0..20 {
        let request = orchestrator::AnalyzeDocument::new(data_url(&format!("{REPORT} Item {i}.")));
        accepted.push(client.analyze_document("bot-1", &request).await.unwrap());
    }
    // All twenty running, then the database crashes and comes back.
    let db = sql(&cluster).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let running: i64 = db
            .query_one("SELECT count(*) FROM tasks WHERE status = 'RUNNING'", &[])
            .await
            .unwrap()
            .get(0);
        if running == 20 {
            break;
        }
        assert!(Instant::now() < deadline, "only {running} of 20 running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(db);
    let restarted = Instant::now();
    cluster.restart_immediate();
    let restart_took = restarted.elapsed();

    // Well inside the 30 s lease: a task that had to wait for its lease
    // to expire would miss it.
    let outcomes = futures_util::future::join_all(accepted.iter().map(|a| {
        std::future::IntoFuture::into_future(client.poll(a).timeout(Duration::from_secs(25)))
    }))
    .await;
    for outcome in &outcomes {
        let outcome = outcome.as_ref().unwrap();
        assert_eq!(outcome.status().state().to_string(), "COMPLETED");
    }
    let db = sql(&cluster).await;
    let attempts: Vec<i32> = db
        .query("SELECT attempts FROM tasks", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(attempts.len(), 20);
    assert!(attempts.iter().all(|a| *a == 1), "{attempts:?}");
    figure(
        "outage",
        &format!(
            "20 running tasks through a {:.1} s crash restart of PostgreSQL: 20 COMPLETED, all on attempt 1",
            restart_took.as_secs_f64()
        ),
    );
}
