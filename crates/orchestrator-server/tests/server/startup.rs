//! Starting the real binary on a SQLite file: one server per file (a second
//! is refused, naming the first, which keeps its work), the file named at
//! start, and a missing directory created only at the default location.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client, PollOptions, TaskState};
use orchestrator_testkit::ServerProcess;

use crate::server_bin;
use crate::support::*;

/// The binary, run to its end: it is expected to refuse to start, so one
/// still running after ten seconds is stopped (and its output shows it
/// started).
fn run_to_the_end(db: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(server_bin());
    command
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .env("ORCHESTRATOR_API_KEY", KEY)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the server binary runs");
    for _ in 0..400 {
        if child
            .try_wait()
            .expect("the child can be waited on")
            .is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    child.wait_with_output().expect("the output of the child")
}

fn sdk(url: &str) -> Client {
    let options = PollOptions::default()
        .with_min_interval(Duration::from_millis(20))
        .with_max_interval(Duration::from_millis(200))
        .with_timeout(Some(Duration::from_secs(30)));
    Client::builder(url)
        .bearer_token(KEY)
        .poll_options(options)
        .build()
        .unwrap()
}

pub(crate) async fn a_second_server_on_the_same_file_is_refused_and_the_first_keeps_its_task() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tasks.db");
    let first = ServerProcess::start(
        server_bin(),
        &db,
        "127.0.0.1:0",
        KEY,
        &["--work-delay-ms", "1500", "--workers", "1"],
    );
    let client = sdk(&first.url);
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    // The task is running on the first server when the second one starts.
    let mut running = false;
    for _ in 0..100 {
        if client.status(&accepted).await.unwrap().state() == &TaskState::Running {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(running, "the task never ran");

    let second = run_to_the_end(&db, &[("ORCHESTRATOR_WORKERS", "0")]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        !second.status.success(),
        "the second server started: {stderr}"
    );
    assert!(stderr.contains(&db.display().to_string()), "{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", first.pid())),
        "the refusal names the first server's process: {stderr}"
    );
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(!stderr.contains("took back"), "{stderr}");

    // The first server's run was not disturbed: it finishes on attempt 1.
    let outcome = client.poll(&accepted).await.unwrap();
    assert!(outcome.is_completed(), "{outcome:?}");
    let log = first.log.lock().unwrap().clone();
    assert!(!log.contains("no longer owns"), "{log}");
    let conn = rusqlite_attempts(&db, accepted.task_id().unwrap().as_str());
    assert_eq!(conn, 1, "the task ran again");
}

/// The attempt count of `task` in the database at `db`, read through the
/// SQLite shell's library as a second reader (readers are not refused).
fn rusqlite_attempts(db: &Path, task: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("the database opens read-only");
    conn.query_row("SELECT attempts FROM tasks WHERE id = ?1", [task], |r| {
        r.get(0)
    })
    .expect("the task is in the database")
}

pub(crate) async fn after_a_sigkill_the_next_server_takes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tasks.db");
    let first = ServerProcess::start(server_bin(), &db, "127.0.0.1:0", KEY, &[]);
    first.kill();
    // The OS dropped the dead process's lock: the next one starts.
    let second = ServerProcess::start(server_bin(), &db, "127.0.0.1:0", KEY, &[]);
    let log = second.log.lock().unwrap().clone();
    assert!(!log.contains("in use"), "{log}");
}

pub(crate) async fn the_database_is_named_at_start_and_a_mistyped_directory_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    // A path in a directory that does not exist: refused, nothing created.
    let typo = dir.path().join("no-such-dir").join("tasks.db");
    let refused = run_to_the_end(&typo, &[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(
        stderr.contains(&dir.path().join("no-such-dir").display().to_string()),
        "{stderr}"
    );
    assert!(
        !dir.path().join("no-such-dir").exists(),
        "the directory was created"
    );

    // A file in an existing directory is created, and named in full at start.
    let db = dir.path().join("tasks.db");
    let server = ServerProcess::start(server_bin(), &db, "127.0.0.1:0", KEY, &[]);
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.contains(&format!(
            "orchestrator-server database {} (SQLite)",
            db.display()
        )),
        "{log}"
    );
    drop(server);

    // Without --db: the default location, whose directory is made.
    let data = dir.path().join("xdg-data");
    let mut command = Command::new(server_bin());
    command
        .args(["--listen", "127.0.0.1:0"])
        .env("ORCHESTRATOR_API_KEY", KEY)
        .env("XDG_DATA_HOME", &data)
        .env_remove("ORCHESTRATOR_DB")
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let expected = data.join("orchestrator").join("orchestrator.db");
    let mut made = false;
    for _ in 0..200 {
        if expected.exists() {
            made = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    assert!(
        made,
        "no database at {}: {}",
        expected.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}
