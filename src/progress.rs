//! Progress on stderr: indicatif bars at a terminal, plain lines in logs.
//! Plain mode never redraws with carriage returns, prints on state changes
//! and 10% steps only, and a heartbeat every 30 s so CI does not kill a
//! silent job.
//!
//! At a terminal one `MultiProgress` draws a run's bars and its summary
//! line, and everything else written to stderr meanwhile (warnings, the
//! log) goes through [`above_bars`], so it lands above them instead of
//! tearing them.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use orchestrator::{TaskState, TaskStatus};

use crate::args::ProgressMode;
use crate::describe::{describe, state_word};

/// How often plain mode says "still waiting" when nothing else was printed.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(30);
/// Plain mode prints progress in steps of this many percent.
const PLAIN_STEP: u32 = 10;

/// The bars being drawn now, if any: what [`above_bars`] prints above.
static DRAWING: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Runs `write` (a write to stderr) above the bars, when bars are drawn:
/// they are lifted out of the way and drawn again below it.
pub(crate) fn above_bars(write: impl FnOnce()) {
    let drawing = DRAWING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    match drawing {
        Some(multi) => multi.suspend(write),
        None => write(),
    }
}

/// Stderr for the log: each event written above the bars.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StderrAboveBars;

impl Write for StderrAboveBars {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut written = Ok(buf.len());
        above_bars(|| written = std::io::stderr().lock().write_all(buf).map(|()| buf.len()));
        written
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Whether `CI` says this runs in CI: set, and neither empty, `false` nor `0`.
pub(crate) fn in_ci(value: Option<&std::ffi::OsStr>) -> bool {
    value
        .and_then(|v| v.to_str().map(str::trim).map(str::to_owned))
        .is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0")
}

/// The resolved display for a run.
#[derive(Clone)]
pub(crate) enum Display {
    Bar(MultiProgress),
    Plain,
    None,
}

impl Display {
    /// `auto` → bars only when stderr is a terminal and not in CI. One per
    /// run: its bars and summary share one `MultiProgress`.
    pub(crate) fn new(mode: ProgressMode, quiet: bool) -> Display {
        let terminal = std::io::stderr().is_terminal() && !in_ci(std::env::var_os("CI").as_deref());
        let display = match (mode, quiet) {
            (_, true) | (ProgressMode::None, _) => Display::None,
            (ProgressMode::Bar, _) => Display::Bar(MultiProgress::with_draw_target(
                ProgressDrawTarget::stderr_with_hz(10),
            )),
            (ProgressMode::Auto, _) if terminal => Display::Bar(MultiProgress::with_draw_target(
                ProgressDrawTarget::stderr_with_hz(10),
            )),
            (ProgressMode::Auto | ProgressMode::Plain, _) => Display::Plain,
        };
        if let Display::Bar(multi) = &display {
            *DRAWING.lock().unwrap_or_else(PoisonError::into_inner) = Some(multi.clone());
        }
        display
    }

    /// The bars are done: stderr is written plainly again.
    pub(crate) fn finish(&self) {
        if let Display::Bar(multi) = self {
            let _ = multi.clear();
            *DRAWING.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }

    /// Progress for one task.
    pub(crate) fn task(&self, label: String) -> TaskProgress {
        let bar = match self {
            Display::Bar(multi) => {
                let bar = multi.add(ProgressBar::new(100));
                bar.set_style(spinner_style());
                bar.set_prefix(label.clone());
                bar.set_message("waiting");
                bar.enable_steady_tick(Duration::from_millis(120));
                Some(bar)
            }
            _ => None,
        };
        TaskProgress {
            plain: matches!(self, Display::Plain),
            bar,
            label,
            started: Instant::now(),
            last_line: Instant::now(),
            last_state: None,
            last_step: None,
            last_message: None,
            with_percent: false,
        }
    }
}

// The message goes last as `wide_msg`, which indicatif cuts to the
// terminal's width: a line that wrapped would leave stale frames behind.
fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner:.cyan} {prefix} {elapsed} {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{spinner:.cyan} {prefix} [{bar:24.cyan/blue}] {pos:>3}% {elapsed} (ETA {eta}) {wide_msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("█▉▊▋▌▍▎▏ ")
}

/// Progress of one task.
pub(crate) struct TaskProgress {
    plain: bool,
    bar: Option<ProgressBar>,
    label: String,
    started: Instant,
    last_line: Instant,
    last_state: Option<TaskState>,
    last_step: Option<u32>,
    /// The task's last `progress_message`, so a new one gets a plain line.
    last_message: Option<String>,
    with_percent: bool,
}

impl TaskProgress {
    /// Shows a newly observed status.
    pub(crate) fn observe(&mut self, status: &TaskStatus) {
        let percent = status.progress_percent();
        if let Some(bar) = &self.bar {
            match percent {
                Some(p) if status.state() == &TaskState::Running || status.is_terminal() => {
                    if !self.with_percent {
                        bar.set_style(bar_style());
                        self.with_percent = true;
                    }
                    bar.set_position(p.round() as u64);
                    bar.set_message(bar_message(status));
                }
                _ => bar.set_message(bar_message(status)),
            }
        }
        if self.plain {
            let step = percent.map(|p| (p as u32) / PLAIN_STEP * PLAIN_STEP);
            let state_changed = self.last_state.as_ref() != Some(status.state());
            let doing = status.progress_message().map(str::to_owned);
            let doing_changed = doing.is_some() && doing != self.last_message;
            if state_changed || step > self.last_step || doing_changed {
                self.line(&describe_step(status, step));
            }
            self.last_step = self.last_step.max(step);
            self.last_message = doing;
        }
        self.last_state = Some(status.state().clone());
    }

    /// In plain mode: a line if nothing was printed for [`HEARTBEAT`].
    pub(crate) fn heartbeat(&mut self) {
        if self.plain && self.last_line.elapsed() >= HEARTBEAT {
            let state = self
                .last_state
                .as_ref()
                .map_or("waiting", TaskState::as_str)
                .to_owned();
            let elapsed =
                humantime::format_duration(Duration::from_secs(self.started.elapsed().as_secs()));
            self.line(&format!("still {state} after {elapsed}"));
        }
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{}: {text}", self.label);
        self.last_line = Instant::now();
    }

    /// Removes the bar (the result follows on stdout).
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for TaskProgress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn describe_step(status: &TaskStatus, step: Option<u32>) -> String {
    let doing = status
        .progress_message()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    match step {
        Some(s) if status.state() == &TaskState::Running => {
            format!("{} {s}%{doing}", status.state())
        }
        _ if status.state() == &TaskState::Running => format!("{}{doing}", describe(status)),
        _ => describe(status),
    }
}

/// The words after a bar: the state, and while it runs, what the task says
/// it is doing (`RUNNING · extracting the text`).
fn bar_message(status: &TaskStatus) -> String {
    match status.progress_message() {
        Some(doing) if status.state() == &TaskState::Running => {
            format!("{} · {doing}", state_word(status))
        }
        _ => state_word(status),
    }
}

/// More tasks than this at a terminal get one summary line instead of a
/// bar each.
pub(crate) const MAX_BARS: usize = 4;

/// The live summary of many tasks at a terminal: "12/40 done, 1 failed",
/// below their bars; when it ends it stays as one line. Off a terminal (or
/// with one task, or `--quiet`) it draws nothing.
#[derive(Clone)]
pub(crate) struct Summary {
    bar: Option<ProgressBar>,
    total: usize,
    verb: &'static str,
    counts: std::sync::Arc<std::sync::Mutex<(usize, usize)>>,
}

impl Summary {
    /// A summary of `total` tasks on `display`, each counted as `verb`
    /// ("submitted", "done") when it ends.
    pub(crate) fn new(display: &Display, total: usize, verb: &'static str) -> Summary {
        let bar = match display {
            Display::Bar(multi) if total > 1 => {
                let bar = multi.add(ProgressBar::new(total as u64));
                bar.set_style(
                    ProgressStyle::with_template("{spinner:.cyan} {msg} [{elapsed}]")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.enable_steady_tick(Duration::from_millis(120));
                Some(bar)
            }
            _ => None,
        };
        let summary = Summary {
            bar,
            total,
            verb,
            counts: std::sync::Arc::default(),
        };
        summary.draw();
        summary
    }

    /// Whether the summary replaces per-task bars.
    pub(crate) fn replaces_bars(&self) -> bool {
        self.bar.is_some() && self.total > MAX_BARS
    }

    /// One more task ended (`failed`: not as hoped).
    pub(crate) fn step(&self, failed: bool) {
        if let Ok(mut c) = self.counts.lock() {
            c.0 += 1;
            c.1 += usize::from(failed);
        }
        self.draw();
    }

    fn text(&self) -> String {
        let (done, failed) = self.counts.lock().map(|c| *c).unwrap_or_default();
        let failed = if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        };
        format!("{done}/{} {}{failed}", self.total, self.verb)
    }

    fn draw(&self) {
        if let Some(bar) = &self.bar {
            bar.set_message(self.text());
        }
    }

    /// Ends the live line; with `keep`, its last text stays as a plain
    /// line, the one summary above the results.
    pub(crate) fn finish(&self, keep: bool) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            if keep {
                above_bars(|| {
                    let _ = writeln!(std::io::stderr().lock(), "{}", self.text());
                });
            }
        }
    }
}
