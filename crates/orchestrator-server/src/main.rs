//! `orchestrator-server`: the reference implementation of the asynchronous
//! task API. A thin command line over the `orchestrator_server` library.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand, ValueEnum};
use orchestrator_server::{
    ConnectionLimits, Database, DatabaseTimeouts, Faults, RateLimit, Role, Server, ServerConfig,
    TenantKey, TlsFiles,
};

/// The reference server of the asynchronous task API: submit with
/// `POST /v1/bots/{bot_id}/actions/analyze-document`, poll `GET /v1/tasks/{task_id}`.
///
/// Keys: one shared key from ORCHESTRATOR_API_KEY or --api-key-file (tenant
/// `default`), or one key per tenant with --api-keys-file (each tenant sees
/// only its own tasks). Without a key the server refuses to start unless
/// --insecure-no-auth is given.
#[derive(Debug, Parser)]
#[command(
    name = "orchestrator-server",
    version,
    about,
    long_about,
    args_conflicts_with_subcommands = true
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "ORCHESTRATOR_LISTEN", default_value = "127.0.0.1:8000")]
    listen: SocketAddr,

    /// SQLite database file, `:memory:` for a throwaway one, or a
    /// postgres://… URL (several instances may share one PostgreSQL database).
    /// [default: $XDG_DATA_HOME/orchestrator/orchestrator.db, i.e. ~/.local/share/… on Linux]
    #[arg(long, env = "ORCHESTRATOR_DB", value_name = "PATH|URL")]
    db: Option<String>,

    /// Read the one shared API key from this file (its first line), instead of ORCHESTRATOR_API_KEY.
    #[arg(long, env = "ORCHESTRATOR_API_KEY_FILE", value_name = "PATH")]
    api_key_file: Option<PathBuf>,

    /// Tenants and the SHA-256 of their keys, one `NAME sha256:HEX [ROLE…]`
    /// per line (make lines with `orchestrator-server hash-key NAME`); the
    /// roles are `operator` (the console shows every tenant) and `read-only`
    /// (reads only: submits, cancels and retries are refused with 403).
    #[arg(long, env = "ORCHESTRATOR_API_KEYS_FILE", value_name = "PATH")]
    api_keys_file: Option<PathBuf>,

    /// Webhook signing secrets, one `TENANT whsec_SECRET [URL]` per line
    /// (`default` for the single key's tenant); two lines for a tenant
    /// while rotating (both sign); a URL makes it the tenant's default
    /// endpoint. Without one, submits naming a webhook are refused.
    #[arg(long, env = "ORCHESTRATOR_WEBHOOK_SECRETS_FILE", value_name = "PATH")]
    webhook_secrets_file: Option<PathBuf>,

    /// Run without authentication. Only for local experiments.
    #[arg(long)]
    insecure_no_auth: bool,

    /// Each tenant's submit rate, e.g. `10/s`, `600/min`; beyond it, 429 with Retry-After.
    #[arg(long, env = "ORCHESTRATOR_RATE_LIMIT", value_name = "N/s|N/min|N/h", value_parser = RateLimit::parse)]
    rate_limit: Option<RateLimit>,

    /// How many submits a tenant may send at once after a quiet spell [default: N of --rate-limit].
    #[arg(
        long,
        env = "ORCHESTRATOR_RATE_LIMIT_BURST",
        value_name = "N",
        requires = "rate_limit"
    )]
    rate_limit_burst: Option<NonZeroU32>,

    /// How many tasks run at once (0: an API-only instance, for a shared database).
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

    /// One private IP:PORT documents may still come from and webhooks may
    /// still go to, named by that literal address in the URL (repeatable),
    /// e.g. an internal document server or receiver.
    #[arg(long, value_name = "IP:PORT")]
    allow_private_origin: Vec<SocketAddr>,

    /// Fetch documents through this proxy. Off by default: HTTP_PROXY and
    /// friends are ignored by the fetcher. Through a proxy the SSRF guard can
    /// check only the scheme and literal addresses; names are resolved by the proxy.
    #[arg(long, env = "ORCHESTRATOR_FETCH_PROXY", value_name = "URL")]
    fetch_proxy: Option<url::Url>,

    /// Finished tasks are deleted this long after they finished (e.g. `7d`, `12h`);
    /// a GET afterwards answers 404.
    #[arg(long, env = "ORCHESTRATOR_TASK_TTL", value_parser = parse_duration, value_name = "DURATION", default_value = "7d")]
    task_ttl: Duration,

    /// How often the retention sweep runs.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", default_value = "1m")]
    sweep_every: Duration,

    /// Serve Prometheus metrics at http://ADDR/metrics (a listener of its own; off by default).
    #[arg(long, env = "ORCHESTRATOR_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,

    /// Log format on stderr: `text` for people, `json` for log collectors.
    #[arg(long, env = "ORCHESTRATOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Take a well-formed X-Request-Id from the client (set this behind a
    /// proxy that sets it) instead of always making a new one.
    #[arg(long, env = "ORCHESTRATOR_TRUST_REQUEST_ID")]
    trust_request_id: bool,

    /// Serve the operator console at /console/ on this listener (and its
    /// TLS): sign in with an API key; see the roles of --api-keys-file.
    #[arg(long, env = "ORCHESTRATOR_CONSOLE")]
    console: bool,

    /// How long a console session lasts after sign-in.
    #[arg(long, env = "ORCHESTRATOR_CONSOLE_SESSION_TTL", value_parser = parse_duration, value_name = "DURATION", default_value = "8h")]
    console_session_ttl: Duration,

    /// Close a connection whose request headers take longer than this to
    /// arrive (from their first byte, or from the connect).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", default_value = "10s")]
    header_read_timeout: Duration,

    /// Close a keep-alive connection with no request in flight for this long
    /// (a held long poll is in flight).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", default_value = "60s")]
    idle_timeout: Duration,

    /// Answer 408 when a request body takes longer than this to arrive.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", default_value = "30s")]
    body_read_timeout: Duration,

    /// The most connections open at once; more wait in the listen backlog.
    #[arg(long, env = "ORCHESTRATOR_MAX_CONNECTIONS", default_value_t = 10_000)]
    max_connections: usize,

    /// The most requests one HTTP/2 connection may have in flight (held long
    /// polls count: a client waiting on many tasks over one connection needs many).
    #[arg(long, env = "ORCHESTRATOR_HTTP2_MAX_STREAMS", default_value_t = 20_000)]
    http2_max_streams: u32,

    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(
        long,
        env = "ORCHESTRATOR_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM).
    #[arg(
        long,
        env = "ORCHESTRATOR_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,

    /// How often to look at --tls-cert and --tls-key for a renewed pair,
    /// served from the next handshake on without a restart (0s: never). A pair
    /// that does not load is logged and the current one kept.
    #[arg(long, env = "ORCHESTRATOR_TLS_RELOAD_EVERY", value_parser = parse_duration, value_name = "DURATION", default_value = "10s")]
    tls_reload_every: Duration,

    /// PostgreSQL: how long opening a connection may take.
    #[arg(long, env = "ORCHESTRATOR_DB_CONNECT_TIMEOUT", value_parser = parse_duration, value_name = "DURATION", default_value = "5s")]
    db_connect_timeout: Duration,

    /// PostgreSQL: how long a request waits for a free pooled connection.
    #[arg(long, env = "ORCHESTRATOR_DB_ACQUIRE_TIMEOUT", value_parser = parse_duration, value_name = "DURATION", default_value = "5s")]
    db_acquire_timeout: Duration,

    /// PostgreSQL: how long one statement or transaction may take, enforced by
    /// the database and by the server (a stopped database cannot hold a request).
    #[arg(long, env = "ORCHESTRATOR_DB_STATEMENT_TIMEOUT", value_parser = parse_duration, value_name = "DURATION", default_value = "5s")]
    db_statement_timeout: Duration,

    /// SQLite: how long a write waits for a lock another connection holds.
    #[arg(long, env = "ORCHESTRATOR_DB_BUSY_TIMEOUT", value_parser = parse_duration, value_name = "DURATION", default_value = "5s")]
    db_busy_timeout: Duration,

    /// How long a worker's claim on a task holds without progress or a
    /// heartbeat; a dead instance's tasks run again after it.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", default_value = "30s")]
    lease: Duration,

    /// A task whose worker was lost this many times ends FAILED (WORKER_LOST).
    #[arg(long, default_value_t = 3)]
    max_attempts: u32,

    /// Let submits, finishes and cancels return before SQLite has the commit
    /// on disk: faster, but a power cut (not a crash of the process) can then
    /// lose tasks already answered 202 Accepted.
    #[arg(long, env = "ORCHESTRATOR_RELAXED_COMMITS")]
    relaxed_commits: bool,

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

    /// Log filter, e.g. `info` or `orchestrator_server=debug` (RUST_LOG works too).
    #[arg(long, env = "ORCHESTRATOR_LOG", default_value = "info")]
    log: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the --api-keys-file line for a tenant's key. The key is read
    /// from standard input when it is not a terminal (`… hash-key acme < key.txt`);
    /// otherwise a new random key is made and shown once, on stderr.
    HashKey {
        /// The tenant's name: letters, digits, `-`, `_` or `.`.
        tenant: String,
        /// The console shows this key every tenant's tasks.
        #[arg(long)]
        operator: bool,
        /// This key may only read: submits, cancels and retries are refused.
        #[arg(long)]
        read_only: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Command::HashKey {
        tenant,
        operator,
        read_only,
    }) = &args.command
    {
        let mut role = Role::TENANT;
        if *operator {
            role = role.operator();
        }
        if *read_only {
            role = role.read_only();
        }
        return match hash_key(tenant, role) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("orchestrator-server: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    init_logging(&args.log, args.log_format);
    let voice = Voice(args.log_format);
    match run(args, voice) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            voice.fail(&e);
            ExitCode::FAILURE
        }
    }
}

/// How the binary speaks on stderr besides its log: the start-up banner and
/// a fatal error, printed whatever the log filter, as plain lines — or,
/// with `--log-format json`, as JSON objects shaped like the log's lines, so
/// that every line in that mode is one.
#[derive(Debug, Clone, Copy)]
struct Voice(LogFormat);

impl Voice {
    /// `orchestrator-server <what> <value>` (JSON: `message` is `what`, the
    /// value under `field`).
    fn say(self, what: &str, field: &str, value: &str) {
        match self.0 {
            LogFormat::Text => eprintln!("orchestrator-server {what} {value}"),
            LogFormat::Json => eprintln!(
                "{}",
                serde_json::json!({
                    "timestamp": humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string(),
                    "level": "INFO",
                    "fields": { "message": what, field: value },
                    "target": "orchestrator_server",
                })
            ),
        }
    }

    /// Why the server stops before serving.
    fn fail(self, error: &anyhow::Error) {
        match self.0 {
            LogFormat::Text => eprintln!("orchestrator-server: error: {error:#}"),
            LogFormat::Json => eprintln!(
                "{}",
                serde_json::json!({
                    "timestamp": humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string(),
                    "level": "ERROR",
                    "fields": { "message": format!("{error:#}") },
                    "target": "orchestrator_server",
                })
            ),
        }
    }
}

/// `hash-key`: the line for a keys file, and (when made here) the key.
fn hash_key(tenant: &str, role: Role) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let (key, made_here) = if stdin.is_terminal() {
        let random = format!(
            "orch_{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        (random, true)
    } else {
        let mut text = String::new();
        stdin
            .lock()
            .read_to_string(&mut text)
            .context("cannot read the key from standard input")?;
        (text.lines().next().unwrap_or("").trim().to_owned(), false)
    };
    let line = TenantKey::new(tenant, &key)
        .map_err(anyhow::Error::msg)?
        .with_role(role);
    if made_here {
        eprintln!(
            "new key for {tenant} (shown once; give it to the tenant, it is stored nowhere):\n{key}"
        );
    }
    println!("{}", line.to_line());
    Ok(())
}

fn init_logging(filter: &str, format: LogFormat) {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| filter.to_owned());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

fn run(args: Args, voice: Voice) -> anyhow::Result<()> {
    let config = config(args)?;
    let server_tls = config.tls.is_some();
    let database = config.database.to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = Server::bind(config).await?;
        let scheme = if server_tls { "https" } else { "http" };
        voice.say("database", "database", &database);
        voice.say(
            "listening on",
            "url",
            &format!("{scheme}://{}", server.local_addr()),
        );
        if let Some(addr) = server.metrics_addr() {
            voice.say("metrics on", "url", &format!("http://{addr}/metrics"));
        }
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
    let tenants = match &args.api_keys_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the keys file {}", path.display()))?;
            let tenants = TenantKey::parse_keys_file(&text)
                .with_context(|| format!("the keys file {}", path.display()))?;
            if tenants.is_empty() {
                bail!("the keys file {} names no tenant", path.display());
            }
            tenants
        }
        None => Vec::new(),
    };
    let webhooks = match &args.webhook_secrets_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the webhook secrets file {}", path.display())
            })?;
            orchestrator_server::parse_webhook_secrets(&text)
                .with_context(|| format!("the webhook secrets file {}", path.display()))?
        }
        None => Vec::new(),
    };
    let rate_limit = args.rate_limit.map(|mut limit| {
        if let Some(burst) = args.rate_limit_burst {
            limit.burst = burst;
        }
        limit
    });
    let faults = (args.fault_rate > 0.0).then_some(Faults {
        rate: args.fault_rate,
        seed: args.fault_seed,
    });
    Ok(ServerConfig {
        listen: args.listen,
        database: match args.db.as_deref().map(Database::parse) {
            // Named in full, as the start-up banner and any error show it.
            Some(Database::File(path)) => {
                Database::File(std::path::absolute(&path).unwrap_or(path))
            }
            Some(other) => other,
            None => Database::default_file(),
        },
        api_key,
        tenants,
        insecure_no_auth: args.insecure_no_auth,
        rate_limit,
        workers: args.workers,
        max_queued: args.max_queued,
        max_body_bytes: args.max_body_bytes,
        max_document_bytes: args.max_document_bytes,
        fetch_timeout: Duration::from_secs(args.fetch_timeout_secs.max(1)),
        documents_dir: args.documents_dir,
        allow_private_networks: args.allow_private_networks,
        allow_private_origins: args.allow_private_origin,
        webhooks,
        fetch_proxy: args.fetch_proxy,
        task_ttl: args.task_ttl,
        sweep_every: args.sweep_every,
        metrics_listen: args.metrics_listen,
        trust_request_id: args.trust_request_id,
        console: args.console,
        console_session_ttl: args.console_session_ttl,
        connections: ConnectionLimits {
            header_read_timeout: args.header_read_timeout,
            idle_timeout: args.idle_timeout,
            body_read_timeout: args.body_read_timeout,
            max_connections: args.max_connections,
            http2_max_streams: args.http2_max_streams,
        },
        tls: args
            .tls_cert
            .zip(args.tls_key)
            .map(|(cert, key)| TlsFiles { cert, key }),
        tls_reload_every: args.tls_reload_every,
        db_timeouts: DatabaseTimeouts {
            connect: args.db_connect_timeout,
            acquire: args.db_acquire_timeout,
            statement: args.db_statement_timeout,
            busy: args.db_busy_timeout,
        },
        lease: args.lease,
        max_attempts: args.max_attempts,
        durable_commits: !args.relaxed_commits,
        work_delay: Duration::from_millis(args.work_delay_ms),
        faults,
        ..ServerConfig::default()
    })
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration like 90s, 10m or 7d: {e}"))
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
