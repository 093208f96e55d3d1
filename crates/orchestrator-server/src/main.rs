//! `orchestrator-server`: the reference implementation of the asynchronous
//! task API, on SQLite.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;
use orchestrator_server::{Database, Faults, Server, ServerConfig};

/// The reference server of the asynchronous task API: submit with
/// `POST /v1/bots/{bot_id}/actions/analyze-document`, poll `GET /v1/tasks/{task_id}`.
///
/// The API key comes from ORCHESTRATOR_API_KEY or --api-key-file; without one
/// the server refuses to start unless --insecure-no-auth is given.
#[derive(Debug, Parser)]
#[command(name = "orchestrator-server", version, about, long_about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "ORCHESTRATOR_LISTEN", default_value = "127.0.0.1:8000")]
    listen: SocketAddr,

    /// SQLite database file, or `:memory:` for a throwaway one.
    /// [default: $XDG_DATA_HOME/orchestrator/orchestrator.db, i.e. ~/.local/share/… on Linux]
    #[arg(long, env = "ORCHESTRATOR_DB", value_name = "PATH")]
    db: Option<String>,

    /// Read the API key from this file (its first line), instead of ORCHESTRATOR_API_KEY.
    #[arg(long, env = "ORCHESTRATOR_API_KEY_FILE", value_name = "PATH")]
    api_key_file: Option<PathBuf>,

    /// Run without authentication. Only for local experiments.
    #[arg(long)]
    insecure_no_auth: bool,

    /// How many tasks run at once.
    #[arg(long, env = "ORCHESTRATOR_WORKERS", default_value_t = 2)]
    workers: usize,

    /// How many tasks may wait for a worker; beyond that, submits get 503 with Retry-After.
    #[arg(long, env = "ORCHESTRATOR_MAX_QUEUED", default_value_t = 1000)]
    max_queued: u64,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ORCHESTRATOR_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    max_body_bytes: usize,

    /// Largest document fetched, in bytes.
    #[arg(long, env = "ORCHESTRATOR_MAX_DOCUMENT_BYTES", default_value_t = 20 * 1024 * 1024)]
    max_document_bytes: u64,

    /// How long fetching a document may take, in seconds.
    #[arg(long, env = "ORCHESTRATOR_FETCH_TIMEOUT_SECS", default_value_t = 30)]
    fetch_timeout_secs: u64,

    /// The only directory file:// document URLs may read from (file:// is refused without it).
    #[arg(long, env = "ORCHESTRATOR_DOCUMENTS_DIR", value_name = "DIR")]
    documents_dir: Option<PathBuf>,

    /// Let document URLs reach loopback, private and link-local addresses (off: SSRF guard).
    #[arg(long, env = "ORCHESTRATOR_ALLOW_PRIVATE_NETWORKS")]
    allow_private_networks: bool,

    /// Extra time each task takes, in milliseconds, spread evenly over its progress
    /// (for demos and tests that watch progress move).
    #[arg(long, env = "ORCHESTRATOR_WORK_DELAY_MS", default_value_t = 0)]
    work_delay_ms: u64,

    /// Answer this fraction (0 to 1) of API requests with 503 + Retry-After, for fault tests.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,

    /// Seed of the --fault-rate dice, so a run can be repeated.
    #[arg(long, default_value_t = 1)]
    fault_seed: u64,

    /// Log filter, e.g. `info` or `orchestrator=debug` (RUST_LOG works too).
    #[arg(long, env = "ORCHESTRATOR_LOG", default_value = "info")]
    log: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(&args.log);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("orchestrator-server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| filter.to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

fn run(args: Args) -> anyhow::Result<()> {
    let config = config(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = Server::bind(config).await?;
        eprintln!(
            "orchestrator-server listening on http://{}",
            server.local_addr()
        );
        server
            .run(shutdown_signal())
            .await
            .context("the HTTP server failed")
    })
}

fn config(args: Args) -> anyhow::Result<ServerConfig> {
    let api_key = match (&args.api_key_file, std::env::var("ORCHESTRATOR_API_KEY")) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the API key file {}", path.display()))?;
            let key = text.lines().next().unwrap_or("").trim().to_owned();
            if key.is_empty() {
                bail!("the API key file {} is empty", path.display());
            }
            Some(key)
        }
        (None, Ok(key)) if !key.trim().is_empty() => Some(key.trim().to_owned()),
        _ => None,
    };
    let faults = (args.fault_rate > 0.0).then_some(Faults {
        rate: args.fault_rate,
        seed: args.fault_seed,
    });
    Ok(ServerConfig {
        listen: args.listen,
        database: args
            .db
            .as_deref()
            .map_or_else(Database::default_file, Database::parse),
        api_key,
        insecure_no_auth: args.insecure_no_auth,
        workers: args.workers,
        max_queued: args.max_queued,
        max_body_bytes: args.max_body_bytes,
        max_document_bytes: args.max_document_bytes,
        fetch_timeout: Duration::from_secs(args.fetch_timeout_secs.max(1)),
        documents_dir: args.documents_dir,
        allow_private_networks: args.allow_private_networks,
        work_delay: Duration::from_millis(args.work_delay_ms),
        faults,
        ..ServerConfig::default()
    })
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
