//! Test and bench helpers of the orchestrator workspace: run the real
//! `orchestrator-server` binary (start it on a port, learn its address from
//! what it prints, kill it with SIGKILL), find it from another package's
//! tests, read a process's memory and CPU from `/proc`, print figures, make
//! a throwaway CA, run a loopback `CONNECT` proxy or a relay that counts
//! connections, run a PostgreSQL cluster of a test's own to stop, restart
//! and freeze, drive a real Chromium over WebDriver.

#![allow(missing_docs)]

mod browser;
mod postgres;
mod proxy;
mod relay;

pub use browser::{Browser, Element, WebDriverError, missing_browser};
pub use postgres::PrivateCluster;
pub use proxy::ConnectProxy;
pub use relay::CountingRelay;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

#[derive(Debug)]
pub struct ServerProcess {
    pub child: Child,
    pub url: String,
    /// Everything the server wrote to stderr so far.
    pub log: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Starts the server `binary` with `key` on `listen` (e.g. `127.0.0.1:0`).
    pub fn start(
        binary: &Path,
        db: &Path,
        listen: &str,
        key: &str,
        extra: &[&str],
    ) -> ServerProcess {
        Self::start_with_env(binary, db, listen, key, extra, &[])
    }

    pub fn start_with_env(
        binary: &Path,
        db: &Path,
        listen: &str,
        key: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> ServerProcess {
        let mut command = Command::new(binary);
        command
            .args(["--listen", listen, "--db"])
            .arg(db)
            .args(extra)
            .env("ORCHESTRATOR_API_KEY", key)
            .env("ORCHESTRATOR_LOG", "warn")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = announced_url(&line) {
                    let _ = tx.send(url);
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the server did not start: {}", log.lock().unwrap()));
        ServerProcess { child, url, log }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL a server's banner line announces: `orchestrator-server listening
/// on URL`, or, with `--log-format json`, the object whose message is
/// `listening on`.
pub fn announced_url(line: &str) -> Option<String> {
    if let Some(url) = line.strip_prefix("orchestrator-server listening on ") {
        return Some(url.trim().to_owned());
    }
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    (value["fields"]["message"] == "listening on")
        .then(|| value["fields"]["url"].as_str().map(str::to_owned))
        .flatten()
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `orchestrator-server` binary for tests of another package (cargo
/// sets `CARGO_BIN_EXE_*` only for a package's own binaries): the one
/// `cargo test --workspace` built beside `sibling` (that package's binary),
/// else built now with the same profile.
pub fn server_binary_beside(sibling: &Path) -> PathBuf {
    binary_beside(sibling, "orchestrator-server", "orchestrator-server")
}

/// The `orchestrator-cli` binary, found or built beside `sibling`.
pub fn cli_binary_beside(sibling: &Path) -> PathBuf {
    binary_beside(sibling, "orchestrator-task-cli", "orchestrator-cli")
}

fn binary_beside(sibling: &Path, package: &str, name: &str) -> PathBuf {
    let dir = sibling.parent().expect("a binary lives in a directory");
    let binary = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if binary.exists() {
        return binary;
    }
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let mut build = Command::new(cargo);
    build.args(["build", "--locked", "-p", package, "--bin", name]);
    if dir.ends_with("release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building {name} failed");
    assert!(
        binary.exists(),
        "{} is missing after the build",
        binary.display()
    );
    binary
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// (peak resident KiB, CPU seconds) of a process, from /proc.
pub fn usage(pid: u32) -> (u64, f64) {
    let peak = status_kib(pid, "VmHWM:");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    (peak, ticks as f64 / 100.0)
}

/// A `/proc/<pid>/status` figure in KiB (`VmRSS:`, `VmHWM:`).
pub fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Prints a measured figure where `cargo test` does not swallow it.
pub fn figure(suite: &str, text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "[figure] {suite}: {text}");
}

/// A throwaway certificate authority for TLS tests, made at run time.
pub struct TestCa {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

/// A server certificate and its key, PEM, and where they were written.
#[derive(Debug)]
pub struct ServerCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    /// A new CA.
    pub fn new() -> TestCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "orchestrator test CA");
        let key = rcgen::KeyPair::generate().expect("a CA key");
        TestCa {
            issuer: rcgen::CertifiedIssuer::self_signed(params, key).expect("a CA certificate"),
        }
    }

    /// The CA's certificate, PEM (what a client trusts).
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `names` (DNS names or IP addresses), signed
    /// by this CA, written with its key into `dir`.
    pub fn server_cert(&self, names: &[&str], dir: &Path) -> ServerCert {
        let params = rcgen::CertificateParams::new(
            names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        )
        .expect("leaf params");
        let key = rcgen::KeyPair::generate().expect("a server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("a server certificate");
        let id = names.join("_").replace([':', '.', '*'], "-");
        let paths = ServerCert {
            cert: dir.join(format!("{id}.crt")),
            key: dir.join(format!("{id}.key")),
        };
        std::fs::write(&paths.cert, cert.pem()).expect("write the certificate");
        std::fs::write(&paths.key, key.serialize_pem()).expect("write the key");
        paths
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}
