//! The command line, as clap sees it. Every doc comment here is `--help`
//! text and man-page text.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Submit tasks to an asynchronous task API and wait for them — with a live
/// progress bar at a terminal, and plain lines, JSON and exit codes in scripts.
#[derive(Debug, Parser)]
#[command(
    name = "orchestrator-cli",
    version,
    after_long_help = EXIT_CODES,
    propagate_version = true
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes, shown at the end of `--help` and in the man page.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
    0    task COMPLETED (for `submit` without --wait: accepted)
    1    task FAILED (the task's error code and message on stderr)
    2    usage error
    3    task CANCELLED
    4    authentication failed, or no key configured
    5    request rejected (validation, unknown task or bot)
    6    protocol error: the server broke the contract
    69   server unreachable or failing after retries
    124  --timeout reached while the task is still running
    130  interrupted
With several tasks, `wait` exits with the most severe code:
130 > 4 > 69 > 6 > 5 > 124 > 1 > 3 > 0.

The API key comes from ORCHESTRATOR_API_KEY (or ADMIN_API_KEY), or from
--api-key-file; no flag takes the key itself, so it stays out of shell history.";

/// Options for every subcommand.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Base URL of the API.
    #[arg(
        long,
        global = true,
        env = "ORCHESTRATOR_API_URL",
        default_value = "http://127.0.0.1:8000"
    )]
    pub api_url: String,

    /// Read the API key from this file (first line); `-` reads it from standard input.
    #[arg(
        long,
        global = true,
        env = "ORCHESTRATOR_API_KEY_FILE",
        value_name = "PATH"
    )]
    pub api_key_file: Option<PathBuf>,

    /// Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running.
    #[arg(long, global = true, env = "ORCHESTRATOR_TIMEOUT", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Option<Duration>,

    /// Shortest pause between polls, whatever the pace or the progress estimate says.
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION", default_value = "500ms")]
    pub min_interval: Duration,

    /// Longest pause between polls (the no-progress pace grows up to this).
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION", default_value = "30s")]
    pub max_interval: Duration,

    /// Never wait longer than this for a server's Retry-After.
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION", default_value = "5m")]
    pub max_retry_after: Duration,

    /// Do not ask the server to hold status requests (`Prefer: wait`); poll instead.
    #[arg(long, global = true, env = "ORCHESTRATOR_NO_LONG_POLL")]
    pub no_long_poll: bool,

    /// Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives.
    #[arg(short, long, global = true, value_enum, default_value_t = Output::Text, env = "ORCHESTRATOR_OUTPUT")]
    pub output: Output,

    /// Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines.
    #[arg(long, global = true, value_enum, default_value_t = ProgressMode::Auto, env = "ORCHESTRATOR_PROGRESS")]
    pub progress: ProgressMode,

    /// When to use colours (`NO_COLOR` is honoured in `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorMode::Auto, env = "ORCHESTRATOR_COLOR")]
    pub color: ColorMode,

    /// On Ctrl-C, cancel the task(s) being waited for instead of leaving them running.
    #[arg(long, global = true)]
    pub cancel_on_interrupt: bool,

    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Less output on stderr: no progress, errors only.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Submit a task (analyze-document by default); print its id, or wait for it with --wait.
    Submit(SubmitArgs),
    /// Wait for one or more tasks to finish; exits with the most severe outcome.
    Wait(Wait),
    /// Show a task's status once.
    Status(One),
    /// Cancel a task that has not finished.
    Cancel(One),
    /// Start the bundled reference server in-process and analyze a sample document:
    /// the one-command first run.
    Demo(Demo),
    /// Write shell completions and man pages into DIR/completions and DIR/man.
    #[command(hide = true)]
    Generate(Generate),
}

/// `submit` options.
#[derive(Debug, Args)]
pub(crate) struct SubmitArgs {
    /// The bot to run the task (e.g. `bot-abc-123`).
    pub bot_id: String,

    /// URL of the document to analyze (http, https, data:, or file:// where the server allows).
    #[arg(long, value_name = "URL", required_unless_present = "action", conflicts_with_all = ["action", "data"])]
    pub document_url: Option<String>,

    /// Run another action instead of analyze-document (needs --data).
    #[arg(long, value_name = "NAME", requires = "data")]
    pub action: Option<String>,

    /// The action's JSON body: inline JSON, `@FILE`, or `-` for standard input.
    #[arg(long, value_name = "JSON | @FILE | -", requires = "action")]
    pub data: Option<String>,

    /// Wait for the task to finish and print its result.
    #[arg(long)]
    pub wait: bool,

    /// Idempotency key: resubmitting with the same key returns the same task.
    #[arg(long, value_name = "KEY", env = "ORCHESTRATOR_IDEMPOTENCY_KEY")]
    pub idempotency_key: Option<String>,
}

/// `wait` options.
#[derive(Debug, Args)]
pub(crate) struct Wait {
    /// Task ids or status URLs.
    #[arg(required = true, value_name = "TASK")]
    pub tasks: Vec<String>,
}

/// One task.
#[derive(Debug, Args)]
pub(crate) struct One {
    /// Task id or status URL.
    #[arg(value_name = "TASK")]
    pub task: String,
}

/// `demo` options.
#[derive(Debug, Args)]
pub(crate) struct Demo {
    /// How long the demo's analysis takes, so the progress bar has time to move.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", default_value = "4s")]
    pub work_time: Duration,
}

/// `generate` options.
#[derive(Debug, Args)]
pub(crate) struct Generate {
    /// Directory to write `completions/` and `man/` into.
    pub dir: PathBuf,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// Human-readable.
    Text,
    /// One final JSON object (per task), even on failure or timeout.
    Json,
    /// Every observed status as one JSON line as it arrives.
    Jsonl,
}

/// Progress display modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProgressMode {
    /// A bar at a terminal (and `CI` unset), plain lines otherwise.
    Auto,
    /// Always the bar.
    Bar,
    /// One line per state change or 10% step, and a heartbeat every 30 s.
    Plain,
    /// Nothing.
    None,
}

/// Colour modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorMode {
    /// Colours at a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration like 90s, 10m or 1h30m: {e}"))
}
