//! A PostgreSQL cluster of a test's own, which the test may stop, restart
//! or freeze without disturbing the shared cluster other tests use: the
//! same binaries `scripts/postgres.sh` runs (PostgreSQL 15, as the
//! `postgres` user when run as root, since `initdb` refuses root).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where Debian's PostgreSQL 15 binaries live (`PGBIN` overrides it).
fn pgbin() -> PathBuf {
    std::env::var_os("PGBIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"))
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// One running cluster on a loopback port, removed on drop.
#[derive(Debug)]
pub struct PrivateCluster {
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PrivateCluster {
    /// Creates and starts a cluster, or `None` when PostgreSQL's binaries
    /// are not installed (the caller says the test was skipped; CI installs
    /// them).
    pub fn start() -> Option<PrivateCluster> {
        if !pgbin().join("initdb").exists() {
            return None;
        }
        let dir = std::env::temp_dir().join(format!(
            "orchestrator-test-pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a directory for the cluster");
        let as_postgres = is_root();
        if as_postgres {
            let owned = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown runs");
            assert!(owned.success(), "chown of {} failed", dir.display());
        }
        let cluster = PrivateCluster {
            port: crate::free_port(),
            dir,
            as_postgres,
        };
        let data = cluster.data();
        cluster.pg(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        );
        cluster.start_again();
        Some(cluster)
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// One of PostgreSQL's programs, to run as `postgres` when this is root.
    fn program(&self, name: &str) -> Command {
        let binary = pgbin().join(name);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(binary);
            c
        } else {
            Command::new(binary)
        }
    }

    /// Runs one of PostgreSQL's programs; panics with its stderr if it fails.
    fn pg(&self, program: &str, args: &[&str]) -> Output {
        let out = self
            .program(program)
            .args(args)
            .output()
            .expect("PostgreSQL's programs run");
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts the stopped cluster and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            path_str(&self.dir)
        );
        let log = self.dir.join("log");
        self.pg(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data()),
                "-l",
                path_str(&log),
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the cluster (fast shutdown: connections are cut).
    pub fn stop(&self) {
        self.pg(
            "pg_ctl",
            &["-D", path_str(&self.data()), "-m", "fast", "-w", "stop"],
        );
    }

    /// `pg_ctl restart -m immediate`: every process killed at once, crash
    /// recovery at start, as a database host's crash looks to clients.
    pub fn restart_immediate(&self) {
        self.pg(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data()),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        self.start_again();
    }

    /// Freezes every process of the cluster (SIGSTOP): connections stay open
    /// and nothing answers, as a hung database host.
    ///
    /// The postmaster is stopped first, so it cannot fork a backend for a
    /// new connection after its children were listed; then its children are
    /// listed and stopped until a listing finds none still running.
    pub fn pause(&self) {
        let master = self.postmaster().expect("the cluster has a postmaster");
        assert!(send(master, "-STOP"), "kill -STOP {master} failed");
        for _ in 0..50 {
            let running: Vec<u32> = self
                .children(master)
                .into_iter()
                .filter(|&pid| process_state(pid).is_some_and(|s| s != 'T'))
                .collect();
            if running.is_empty() {
                return;
            }
            for pid in running {
                // A child that exits meanwhile is no longer a part to freeze.
                send(pid, "-STOP");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the cluster's processes did not all stop");
    }

    /// Thaws what [`pause`](Self::pause) froze.
    pub fn resume(&self) {
        let Some(master) = self.postmaster() else {
            return;
        };
        for pid in self.children(master) {
            send(pid, "-CONT");
        }
        send(master, "-CONT");
    }

    /// The postmaster's pid, from its pid file.
    fn postmaster(&self) -> Option<u32> {
        let pidfile = std::fs::read_to_string(self.data().join("postmaster.pid")).ok()?;
        pidfile.lines().next()?.trim().parse::<u32>().ok()
    }

    /// The processes whose parent is `master`: the cluster's backends and
    /// auxiliary processes.
    fn children(&self, master: u32) -> Vec<u32> {
        let mut pids = Vec::new();
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                let Some(pid) = entry
                    .file_name()
                    .to_str()
                    .and_then(|n| n.parse::<u32>().ok())
                else {
                    continue;
                };
                if parent_of(pid) == Some(master) {
                    pids.push(pid);
                }
            }
        }
        pids
    }
}

/// `pid (comm) state ppid …` from `/proc/PID/stat`; comm may hold spaces, so
/// the fields are read after the last `)`.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// The one-letter state of a process (`T` when stopped), or `None` once it
/// is gone.
fn process_state(pid: u32) -> Option<char> {
    stat_fields(pid)?.first()?.chars().next()
}

/// Sends `signal` to `pid` with kill(1), quietly; whether it was delivered.
fn send(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .arg(signal)
        .arg(pid.to_string())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        // Thawed first: a frozen postmaster would not stop.
        self.resume();
        let data = self.data();
        let _ = self
            .program("pg_ctl")
            .args(["-D", path_str(&data), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}
