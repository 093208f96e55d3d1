//! `cancel`: several ids or `-`; a task that already finished is said once,
//! exit 5, or no error with `--ignore-finished` (as kubectl's
//! `--ignore-not-found`).

use std::time::Duration;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_takes_several_ids_and_standard_input() {
    let server = server(Duration::from_secs(30)).await;
    let ids = [
        submit(&server, REPORT).await,
        submit(&server, REPORT).await,
        submit(&server, REPORT).await,
    ];
    let mut cmd = cli(&server.url());
    cmd.args(["cancel", &ids[0], &ids[1]]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut cmd = cli(&server.url());
    cmd.args(["cancel", "-", "-o", "json"])
        .write_stdin(format!("{}\n", ids[2]));
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // `-` is the several-task form: an array, each with its exit code.
    let answers: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(answers[0]["outcome"], "cancelled", "{answers}");
    assert_eq!(answers[0]["exit_code"], 0, "{answers}");
    for id in &ids {
        let status = sdk(&server).status(id.as_str()).await.unwrap();
        assert!(status.is_cancelled(), "{id}: {status:?}");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_finished_task_is_said_once_and_is_exit_5_unless_ignored() {
    let server = server(Duration::from_secs(30)).await;
    let running = submit(&server, REPORT).await;
    let finished = submit(&server, REPORT).await;
    sdk(&server).cancel(finished.as_str()).await.unwrap();

    let mut cmd = cli(&server.url());
    cmd.args(["cancel", &finished, &running]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches(&*finished).count(), 1, "{err}");
    assert!(
        err.contains(&format!("error: task {finished} has already finished")),
        "{err}"
    );
    // The other one was still cancelled.
    let status = sdk(&server).status(running.as_str()).await.unwrap();
    assert!(status.is_cancelled(), "{status:?}");

    // In JSON each task says what happened to it and its exit code.
    let mut cmd = cli(&server.url());
    cmd.args(["cancel", &finished, &running, "-o", "json"]);
    let out = run(cmd).await;
    let answers: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(answers[0]["outcome"], "already_finished", "{answers}");
    assert_eq!(answers[0]["exit_code"], 5, "{answers}");
    assert_eq!(answers[1]["outcome"], "already_finished", "{answers}");

    let mut cmd = cli(&server.url());
    cmd.args(["cancel", &finished, "--ignore-finished", "-o", "json"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(answer["outcome"], "already_finished", "{answer}");
    assert_eq!(answer["exit_code"], 0, "{answer}");

    let mut cmd = cli(&server.url());
    cmd.args(["cancel", &finished, "--ignore-finished"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("already finished"),
        "{}",
        stdout(&out)
    );
    server.shutdown().await.unwrap();
}
