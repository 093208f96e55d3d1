//! The command line, as clap sees it. Every doc comment here is `--help`
//! text and man-page text.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Submit tasks to an asynchronous task API and wait for them — with a live
/// progress bar at a terminal, and plain lines, JSON and exit codes in scripts.
#[derive(Debug, Parser)]
#[command(name = "orchestrator-cli", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// The clap definition, for parsing and for the completions and man pages.
pub(crate) fn command() -> clap::Command {
    Cli::command().after_long_help(after_long_help())
}

/// `--help`'s closing notes, each also a section of the man page: its
/// heading, and its text.
pub(crate) const NOTES: [(&str, &str); 3] = [
    (
        "Output",
        "`-o text` (the default) prints for people; `-o json` prints one final object for a \
command that names one task (`wait ID`, `status ID`, `cancel ID`, `submit` of one document) \
and an array for `-`, several ids or a batch, however many tasks came in; `-o jsonl` prints \
one object per line as statuses arrive. `status` prints each task's status as the server \
sent it; `wait`, `submit` and `cancel` add `outcome` and `exit_code`. Errors go to stderr, \
each line starting `error:`.",
    ),
    (
        "API key",
        "The key comes from --api-key-file, ORCHESTRATOR_API_KEY (or ADMIN_API_KEY), or a \
profile's api_key_file or api_key_command; no flag takes the key itself, so it stays out of \
shell history.",
    ),
    (
        "Profiles",
        "Settings from $XDG_CONFIG_HOME/orchestrator/config.toml (or --config): `[default]` and \
`[profiles.NAME]` tables whose keys are the long flag names in snake case. A flag beats its \
environment variable, which beats the profile, which beats `[default]`. `orchestrator-cli \
config show` prints the effective settings and where each came from.",
    ),
];

/// The text after `--help`: the exit codes, then [`NOTES`].
fn after_long_help() -> String {
    let mut text = String::from("Exit codes:\n");
    for exit in crate::exit::ALL {
        text.push_str(&format!("  {:<4} {}\n", exit.code(), exit.meaning()));
    }
    text.push_str(crate::exit::WORST_OF_SEVERAL);
    for (heading, note) in NOTES {
        text.push_str(&format!("\n\n{heading}: {note}"));
    }
    text
}

/// Options for every subcommand.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml.
    #[arg(long, global = true, env = "ORCHESTRATOR_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Apply the config file's `[profiles.NAME]` table (over its `[default]` table).
    #[arg(long, global = true, env = "ORCHESTRATOR_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

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

    /// A profile's command whose standard output is the API key (only from a config file).
    #[arg(skip)]
    pub api_key_command: Option<String>,

    /// Trust this CA certificate (PEM) besides the system's, for a server with a private CA.
    #[arg(long, global = true, env = "ORCHESTRATOR_CACERT", value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Send requests through this proxy (http:// or https://; CONNECT for https APIs).
    /// Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply.
    #[arg(long, global = true, value_name = "URL", conflicts_with = "no_proxy")]
    pub proxy: Option<String>,

    /// Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY.
    #[arg(long, global = true)]
    pub no_proxy: bool,

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

    /// Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw.
    /// Implies `-o json` unless `-o jsonl` is given (then it runs on every line).
    #[arg(long, global = true, value_name = "EXPR")]
    pub jq: Option<String>,

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
    /// Show the status of one or more tasks once.
    Status(Status),
    /// Cancel tasks that have not finished, by id (a finished one is exit 5, or
    /// nothing with --ignore-finished) or every one a filter selects.
    Cancel(Cancel),
    /// List your tasks, newest first: a table at a terminal, tab-separated lines
    /// in a pipe, an array with -o json.
    List(List),
    /// Submit FAILED or CANCELLED tasks again, as new tasks (same bot, input and
    /// labels); print the new ids, or wait for them with --wait.
    Retry(Retry),
    /// Print your tasks' events as they happen, until Ctrl-C: one tab-separated line
    /// each (id, event, task, state, progress, message), or JSON lines with -o json/jsonl.
    Events(Events),
    /// Start the bundled reference server in-process and analyze a sample document:
    /// the one-command first run.
    Demo(Demo),
    /// Print a shell completion script to stdout.
    ///
    /// bash:       orchestrator-cli completion bash > ~/.local/share/bash-completion/completions/orchestrator-cli
    ///
    /// zsh:        orchestrator-cli completion zsh > ~/.zfunc/_orchestrator-cli   (with fpath+=~/.zfunc in ~/.zshrc)
    ///
    /// fish:       orchestrator-cli completion fish > ~/.config/fish/completions/orchestrator-cli.fish
    ///
    /// PowerShell: orchestrator-cli completion powershell | Out-String | Invoke-Expression
    ///
    /// elvish:     eval (orchestrator-cli completion elvish | slurp)
    #[command(verbatim_doc_comment)]
    Completion(Completion),
    /// Show the effective settings (flags, environment, config file) and where each came from.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write shell completions and man pages into DIR/completions and DIR/man.
    #[command(hide = true)]
    Generate(Generate),
}

/// `submit` options.
#[derive(Debug, Args)]
pub(crate) struct SubmitArgs {
    /// The bot to run the task (e.g. `bot-abc-123`).
    pub bot_id: String,

    /// URL of a document to analyze (http, https, data:, or file:// where the server allows);
    /// repeat it to submit several.
    #[arg(long, value_name = "URL", required_unless_present_any = ["action", "from", "data"], conflicts_with_all = ["action", "data"])]
    pub document_url: Vec<String>,

    /// Submit one task per line of FILE (`-`: standard input): a document URL, or a JSON
    /// request body (with --action, or for analyze-document). Blank lines and `#` comments are skipped.
    #[arg(long, value_name = "FILE | -", conflicts_with = "data")]
    pub from: Option<PathBuf>,

    /// Run another action instead of analyze-document (needs --data or --from).
    #[arg(long, value_name = "NAME")]
    pub action: Option<String>,

    /// The request's JSON body (of --action, else of analyze-document): inline JSON,
    /// `@FILE`, or `-` (or `@-`) for standard input.
    #[arg(long, value_name = "JSON | @FILE | -")]
    pub data: Option<String>,

    /// Wait for the task(s) to finish and print the result(s).
    #[arg(long)]
    pub wait: bool,

    /// Idempotency key: resubmitting with the same key returns the same task. For several
    /// tasks it is a prefix, each task's key derived from it and the task's request, so
    /// rerunning the same batch creates nothing new.
    #[arg(long, value_name = "KEY", env = "ORCHESTRATOR_IDEMPOTENCY_KEY")]
    pub idempotency_key: Option<String>,

    /// Submit (and wait for) at most this many tasks at a time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallel: u16,

    /// Label the task(s) KEY=VALUE, to find them again with `list --label` (repeat for
    /// several, at most 16; a key is lowercase letters, digits, `_ . -`).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,

    /// Have the server POST each task's finish to URL (signed, Standard Webhooks; the
    /// server needs a webhook secret for your tenant). Sent outside the action's body.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
}

/// What selects tasks, for a listing, a cancel and an event stream alike.
#[derive(Debug, Args)]
pub(crate) struct Selection {
    /// Tasks in this state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED (repeat for any of several).
    #[arg(long, value_name = "STATE", value_parser = parse_state)]
    pub status: Vec<orchestrator::TaskState>,

    /// Tasks submitted to this bot.
    #[arg(long, value_name = "BOT_ID")]
    pub bot: Option<String>,

    /// Tasks of this action (e.g. analyze-document).
    #[arg(long, value_name = "NAME")]
    pub action: Option<String>,

    /// Tasks labelled KEY=VALUE (repeat: all must match).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,
}

impl Selection {
    /// Whether nothing was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.status.is_empty()
            && self.bot.is_none()
            && self.action.is_none()
            && self.labels.is_empty()
    }

    /// The SDK's filter for it.
    pub(crate) fn task_filter(&self) -> orchestrator::TaskFilter {
        let mut filter = orchestrator::TaskFilter::new();
        for state in &self.status {
            filter = filter.status(state.clone());
        }
        if let Some(bot) = &self.bot {
            filter = filter.bot_id(bot);
        }
        if let Some(action) = &self.action {
            filter = filter.action(action);
        }
        for (k, v) in &self.labels {
            filter = filter.label(k, v);
        }
        filter
    }
}

/// Filters of a listing and a cancel: a selection, and a time.
#[derive(Debug, Args)]
pub(crate) struct Filters {
    #[command(flatten)]
    pub selection: Selection,

    /// Tasks submitted within this long (`1h`, `30m`) or since this time (RFC 3339, UTC).
    #[arg(long, value_name = "DURATION | TIME", value_parser = parse_since)]
    pub since: Option<std::time::SystemTime>,
}

impl Filters {
    /// Whether no filter was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.selection.is_empty() && self.since.is_none()
    }

    /// The SDK's filter for them.
    pub(crate) fn task_filter(&self) -> orchestrator::TaskFilter {
        let filter = self.selection.task_filter();
        match self.since {
            Some(since) => filter.created_after(since),
            None => filter,
        }
    }
}

/// `list` options.
#[derive(Debug, Args)]
pub(crate) struct List {
    #[command(flatten)]
    pub filters: Filters,

    /// Show at most this many tasks.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "all")]
    pub limit: u32,

    /// Show every matching task, page after page, as they arrive.
    #[arg(long)]
    pub all: bool,

    /// Keep the listing live until Ctrl-C (like `kubectl get -w`): redrawn in place at a
    /// terminal; elsewhere one line per change (a new task, a state or progress change).
    #[arg(long, short = 'w', conflicts_with = "all")]
    pub watch: bool,
}

/// `events` options.
#[derive(Debug, Args)]
pub(crate) struct Events {
    #[command(flatten)]
    pub selection: Selection,

    /// Events of this task (repeat for several).
    #[arg(long = "task", value_name = "ID")]
    pub tasks: Vec<String>,

    /// Start after this event id (0: every event the server keeps) instead of from now.
    #[arg(long, value_name = "N")]
    pub since_id: Option<u64>,
}

/// `retry` options.
#[derive(Debug, Args)]
pub(crate) struct Retry {
    /// Ids or status URLs of FAILED or CANCELLED tasks; `-` reads them from standard input.
    #[arg(required = true, value_name = "TASK")]
    pub tasks: Vec<String>,

    /// Wait for the new tasks to finish and print their results, as `submit --wait`.
    #[arg(long)]
    pub wait: bool,
}

/// `wait` options.
#[derive(Debug, Args)]
pub(crate) struct Wait {
    /// Task ids or status URLs; `-` reads them from standard input, separated by
    /// newlines or spaces (JSON lines with `task_id`/`status_url`, as `submit -o jsonl`
    /// prints, work too).
    #[arg(required = true, value_name = "TASK")]
    pub tasks: Vec<String>,
}

/// `status` options.
#[derive(Debug, Args)]
pub(crate) struct Status {
    /// Task ids or status URLs; `-` reads them from standard input, separated by
    /// newlines or spaces.
    #[arg(required = true, value_name = "TASK")]
    pub tasks: Vec<String>,
}

/// `completion` options.
#[derive(Debug, Args)]
pub(crate) struct Completion {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print each setting, its value (the key redacted) and where it came from.
    Show,
}

/// `cancel` options.
#[derive(Debug, Args)]
pub(crate) struct Cancel {
    /// Task ids or status URLs; `-` reads them from standard input, separated by
    /// newlines or spaces.
    /// Without any, the filters below choose the tasks.
    #[arg(value_name = "TASK", required_unless_present_any = ["status", "bot", "action", "labels", "since"])]
    pub tasks: Vec<String>,

    /// Cancel every unfinished task these select (instead of naming tasks).
    #[command(flatten)]
    pub filters: Filters,

    /// Cancel by filter without asking (needed when not at a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// A task that has already finished is no error: it is reported as such
    /// and the exit code stays 0 (as `kubectl delete --ignore-not-found`).
    #[arg(long)]
    pub ignore_finished: bool,
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

fn parse_label(s: &str) -> Result<(String, String), String> {
    orchestrator::Labels::parse_pair(s).map_err(|e| e.to_string())
}

fn parse_state(s: &str) -> Result<orchestrator::TaskState, String> {
    match orchestrator::TaskState::parse(s.trim()) {
        orchestrator::TaskState::Unknown(_) => Err(format!(
            "`{s}` is not a state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED"
        )),
        known => Ok(known),
    }
}

/// `1h` (that long ago) or an RFC 3339 time.
fn parse_since(s: &str) -> Result<std::time::SystemTime, String> {
    if let Ok(ago) = humantime::parse_duration(s.trim()) {
        return std::time::SystemTime::now()
            .checked_sub(ago)
            .ok_or_else(|| format!("`{s}` reaches back too far"));
    }
    humantime::parse_rfc3339_weak(s.trim()).map_err(|_| {
        format!("`{s}` is neither a duration like 1h or 30m nor an RFC 3339 time like 2026-12-02T09:30:00Z")
    })
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration like 90s, 10m or 1h30m: {e}"))
}
