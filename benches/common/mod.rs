//! Shared by the benches: running the release server binary and reading a
//! process's resource use from /proc.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `orchestrator-server` on an ephemeral loopback port with `key`.
pub fn start_server(
    db: &std::path::Path,
    key: &str,
    args: &[&str],
    log: Option<&std::path::Path>,
) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_orchestrator-server"));
    command
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(args)
        .env("ORCHESTRATOR_API_KEY", key)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    match log {
        Some(_) => command.env("RUST_LOG", "orchestrator=debug,warn"),
        None => command.env("ORCHESTRATOR_LOG", "error"),
    };
    let mut child = command.spawn().expect("start orchestrator-server");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    let mut sink = log.map(|p| std::fs::File::create(p).expect("log file"));
    std::thread::spawn(move || {
        use std::io::Write;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("orchestrator-server listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
            if let Some(f) = sink.as_mut() {
                let _ = writeln!(f, "{line}");
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("server address");
    Server { child, url }
}

/// (current RSS KiB, peak RSS KiB, CPU seconds) of a process.
pub fn usage(pid: u32) -> (u64, u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    (field("VmRSS:"), field("VmHWM:"), ticks as f64 / 100.0)
}
