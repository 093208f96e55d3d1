//! A full disk under a SQLite server (a small tmpfs the test mounts and
//! removes): writes answer 503 + Retry-After and `/readyz` 503 while reads
//! go on; a CLI submit waiting it out completes once space is freed, with
//! no restart; and a server started on the full disk serves reads.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use orchestrator_testkit::{ServerProcess, figure};

use crate::{KEY, REPORT, cli_submit_wait, data_url, server_bin};

/// A tmpfs of a few MiB, unmounted on drop.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// Mounts one, or `None` (after saying the test was skipped) where this
    /// process may not mount (not root, or no tmpfs).
    fn mount(test: &str) -> Option<SmallDisk> {
        let dir = std::env::temp_dir().join(format!("orchestrator-full-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
            .arg(&dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            println!("skipped: {test}, because this process cannot mount a tmpfs (run as root)");
            let _ = std::fs::remove_dir(&dir);
            return None;
        }
        Some(SmallDisk { dir })
    }

    /// Fills what is left of it with a file.
    fn fill(&self) {
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=64k"])
            .arg(format!("of={}", self.filler().display()))
            .output();
    }

    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }

    fn filler(&self) -> PathBuf {
        self.dir.join("filler")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

async fn submit(http: &reqwest::Client, url: &str, text: &str) -> reqwest::Response {
    http.post(format!("{url}/v1/bots/bot-1/actions/analyze-document"))
        .bearer_auth(KEY)
        .json(&serde_json::json!({"document_url": data_url(text)}))
        .send()
        .await
        .unwrap()
}

async fn status_of(http: &reqwest::Client, url: &str, path: &str) -> u16 {
    let mut request = http.get(format!("{url}{path}"));
    if path.starts_with("/v1/") {
        request = request.bearer_auth(KEY);
    }
    request.send().await.unwrap().status().as_u16()
}

fn start(db: &Path) -> ServerProcess {
    ServerProcess::start(server_bin(), db, "127.0.0.1:0", KEY, &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_disk_writes_are_503_reads_go_on_and_a_waiting_submit_completes_once_space_is_freed()
 {
    let Some(disk) = SmallDisk::mount("a full disk") else {
        return;
    };
    let db = disk.dir.join("tasks.db");
    let server = start(&db);
    let http = reqwest::Client::new();
    let url = server.url.clone();
    let before = submit(&http, &url, REPORT).await;
    assert_eq!(before.status(), 202);
    let location = before.headers()["location"].to_str().unwrap().to_owned();

    disk.fill();
    // Long enough to need new pages, whatever the WAL has room for.
    let big = format!("{REPORT} {}", "More text. ".repeat(2000));
    let refused = submit(&http, &url, &big).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("out of disk space"),
        "{problem}"
    );
    assert_eq!(status_of(&http, &url, "/readyz").await, 503);
    assert_eq!(status_of(&http, &url, "/healthz").await, 200);
    assert_eq!(status_of(&http, &url, &location).await, 200);

    // A CLI submit meets the full disk, waits it out, and completes once
    // space is freed — no restart.
    let cli = {
        let url = url.clone();
        let big = big.clone();
        tokio::task::spawn_blocking(move || cli_submit_wait(&url, &big, "60s"))
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let freed = Instant::now();
    disk.free();
    let out = cli.await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(status_of(&http, &url, "/readyz").await, 200);
    figure(
        "disk_full",
        &format!(
            "full disk: submit 503 + Retry-After 1, /readyz 503, reads 200; the waiting CLI submit completed {:.1} s after space was freed",
            freed.elapsed().as_secs_f64()
        ),
    );

    // Started on a full disk, a server serves reads and says why it
    // refuses writes.
    server.kill();
    disk.fill();
    let again = start(&db);
    assert_eq!(status_of(&http, &again.url, &location).await, 200);
    assert_eq!(submit(&http, &again.url, &big).await.status(), 503);
    assert_eq!(status_of(&http, &again.url, "/readyz").await, 503);
    let log = again.log.lock().unwrap().clone();
    assert!(log.contains("cannot take writes now"), "{log}");
}
