//! `orchestrator-cli`: submit tasks to an asynchronous task API and wait for
//! them. A thin layer over the SDK (`orchestrator`), using only its public
//! API. `main` parses, sets up logging and colour, and maps the run's `Exit`
//! to the process exit code — the one place that happens.

mod args;
mod batch;
mod commands;
mod config_show;
#[cfg(feature = "demo")]
mod demo;
mod describe;
mod events;
mod exit;
mod generate;
mod jq;
mod key;
mod listing;
mod output;
mod profiles;
mod progress;
mod task_list;
mod waiting;

use std::io::IsTerminal;
use std::process::ExitCode;

use std::cell::Cell;
use std::rc::Rc;

use clap::FromArgMatches;

use args::{Cli, command};
use exit::Exit;
use generate::generate;

use args::{ColorMode, Command, ConfigCommand, Global, Output};
use output::Printer;

/// The whole program: parse, run, exit.
fn main() -> ExitCode {
    let parsed = command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let e = usage_error_without_env(e);
            let _ = e.print();
            // --help and --version are not errors.
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // The config file sits under flags and environment; its errors (with
    // file and line) are usage errors, reported before anything is sent.
    let provenance = match profiles::apply(&mut cli.global, &matches) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage.into();
        }
    };
    let jq = match cli.global.jq.as_deref().map(jq::Jq::compile).transpose() {
        Ok(jq) => jq,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage.into();
        }
    };
    // --jq filters JSON: it implies `-o json` unless jsonl was chosen.
    if jq.is_some() && cli.global.output == Output::Text {
        cli.global.output = Output::Json;
    }
    init_logging(&cli.global);
    let printer = Printer {
        format: cli.global.output,
        color: colors(cli.global.color),
        jq: jq.map(Rc::new),
        jq_failed: Rc::new(Cell::new(false)),
        api_url: cli.global.api_url.clone(),
        width: std::io::stdout()
            .is_terminal()
            .then(|| console::Term::stdout().size_checked())
            .flatten()
            .map(|(_rows, columns)| usize::from(columns)),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            printer.error(&format!("cannot start the async runtime: {e}"));
            return Exit::Unavailable.into();
        }
    };
    match runtime.block_on(run(cli, &printer, &provenance)) {
        // A --jq filter that failed on the output is a usage error.
        Ok(_) if printer.jq_failed.get() => Exit::Usage.into(),
        Ok(exit) => exit.into(),
        // stdout went away (`| head`): nothing more to say, and nobody to say it to.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            printer.error(&e.to_string());
            Exit::Unavailable.into()
        }
    }
}

async fn run(
    cli: Cli,
    printer: &Printer,
    provenance: &profiles::Provenance,
) -> std::io::Result<Exit> {
    let Cli { global, command } = cli;
    match command {
        // The commands that talk to an API share one client, built (and
        // its configuration errors reported) in one place.
        Command::Submit(_)
        | Command::Wait(_)
        | Command::Status(_)
        | Command::Cancel(_)
        | Command::List(_)
        | Command::Retry(_)
        | Command::Events(_) => {
            let client = match commands::client(&global, printer) {
                Ok(c) => c,
                Err(exit) => return Ok(exit),
            };
            match command {
                Command::Submit(args) => commands::submit(&client, &global, args, printer).await,
                Command::Wait(args) => commands::wait(&client, &global, args, printer).await,
                Command::Status(args) => commands::status(&client, &global, args, printer).await,
                Command::Cancel(args) if !args.tasks.is_empty() && !args.filters.is_empty() => {
                    printer.error("give task ids or filters to cancel, not both");
                    Ok(Exit::Usage)
                }
                Command::Cancel(args) if args.tasks.is_empty() => {
                    listing::cancel_matching(&client, &global, &args.filters, args.yes, printer)
                        .await
                }
                Command::Cancel(args) => commands::cancel(&client, &global, args, printer).await,
                Command::List(args) => listing::list(&client, &global, args, printer).await,
                Command::Retry(args) => listing::retry(&client, &global, args, printer).await,
                Command::Events(args) => events::tail(&client, &global, args, printer).await,
                _ => unreachable!("matched above"),
            }
        }
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(&global, args, printer).await,
        #[cfg(not(feature = "demo"))]
        Command::Demo(_) => {
            printer
                .error("this build has no bundled server (feature `demo`); `demo` is unavailable");
            Ok(Exit::Usage)
        }
        Command::Completion(args) => {
            let mut out = Vec::new();
            generate::completion(args.shell, &mut out);
            std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
            Ok(Exit::Success)
        }
        Command::Config(ConfigCommand::Show) => config_show::show(&global, provenance, printer),
        Command::Generate(args) => match generate(&args.dir) {
            Ok(()) => Ok(Exit::Success),
            Err(e) => {
                printer.error(&e.to_string());
                Ok(Exit::Usage)
            }
        },
    }
}

/// clap names every argument that was set in the usage line of an error,
/// and counts one set by its environment variable as set, so with
/// `ORCHESTRATOR_API_URL` exported every mistake read
/// `Usage: orchestrator-cli submit --api-url <API_URL> …`, as if that flag
/// were required. When the same mistake is made without the environment,
/// that error (whose usage shows only what was typed) is the one shown; an
/// error that only the environment causes (a bad `ORCHESTRATOR_OUTPUT`)
/// stays as it was.
fn usage_error_without_env(error: clap::Error) -> clap::Error {
    if !error.use_stderr() {
        return error;
    }
    let without_env = command().mut_args(|arg| arg.env(None));
    let without_env = without_env.mut_subcommands(|sub| sub.mut_args(|arg| arg.env(None)));
    match without_env.try_get_matches() {
        Err(again) if again.kind() == error.kind() => again,
        _ => error,
    }
}

/// Colour for stdout; also sets it for stderr (indicatif and messages).
fn colors(mode: ColorMode) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (out, err) = match mode {
        ColorMode::Always => (true, true),
        ColorMode::Never => (false, false),
        ColorMode::Auto => (
            !no_color && std::io::stdout().is_terminal(),
            !no_color && std::io::stderr().is_terminal(),
        ),
    };
    console::set_colors_enabled(out);
    console::set_colors_enabled_stderr(err);
    out
}

/// Logs to stderr: warnings by default, more with -v, errors only with -q;
/// `RUST_LOG` overrides. The SDK never logs the key, at any level.
fn init_logging(global: &Global) {
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "orchestrator=warn,error",
        (false, 1) => "orchestrator=info,warn",
        (false, 2) => "orchestrator=debug,info",
        (false, _) => "trace",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| progress::StderrAboveBars)
        .with_ansi(console::colors_enabled_stderr())
        .try_init();
}
