//! `list`, `retry`, and `cancel` by filter: finding tasks again and acting
//! on many at once.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::{Duration, SystemTime};

use futures_util::{StreamExt, TryStreamExt};
use orchestrator::{Client, MAX_PAGE_SIZE, TaskFilter, TaskState, TaskStatus};
use serde_json::Value;

use crate::args::{Filters, Global, List, Output, Retry};
use crate::commands::{fail, named_tasks};
use crate::describe::state_word;
use crate::exit::Exit;
use crate::output::{Printer, Shape, accepted_object, error_text, fit};
use crate::progress::Display;
use crate::waiting::{Pending, wait_all};

/// The SDK filter of the command line's.
/// A table column: its heading, how much it matters when the terminal is
/// narrow (lower goes first), and its cell for a task.
struct Column {
    heading: &'static str,
    keep: u8,
    cell: fn(&TaskStatus, SystemTime) -> String,
}

const COLUMNS: [Column; 7] = [
    Column {
        heading: "ID",
        keep: 9,
        cell: |s, _| s.task_id().map(|id| id.to_string()).unwrap_or_default(),
    },
    Column {
        heading: "STATUS",
        keep: 8,
        cell: |s, _| state_word(s),
    },
    Column {
        heading: "PROGRESS",
        keep: 4,
        cell: |s, _| match s.progress_percent() {
            Some(p) if !s.is_terminal() => format!("{p:.0}%"),
            _ if s.state() == &TaskState::Completed => "100%".to_owned(),
            _ => "-".to_owned(),
        },
    },
    Column {
        heading: "ACTION",
        keep: 2,
        cell: |s, _| s.action().unwrap_or("-").to_owned(),
    },
    Column {
        heading: "BOT",
        keep: 3,
        cell: |s, _| s.bot_id().unwrap_or("-").to_owned(),
    },
    Column {
        heading: "AGE",
        keep: 6,
        cell: |s, now| age(s, now),
    },
    Column {
        heading: "LABELS",
        keep: 1,
        cell: |s, _| labels_text(s),
    },
];

/// `run=42,team=docs`.
fn labels_text(s: &TaskStatus) -> String {
    s.labels()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// How long ago the task was submitted, in its largest unit: `45s`, `3m`,
/// `2h`, `4d`.
fn age(s: &TaskStatus, now: SystemTime) -> String {
    let Some(at) = s
        .created_at()
        .and_then(|t| humantime::parse_rfc3339_weak(t).ok())
    else {
        return "-".to_owned();
    };
    let secs = now.duration_since(at).unwrap_or(Duration::ZERO).as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// The table of `tasks` for a terminal `width` columns wide: the columns
/// that matter least go first when they do not all fit, and what is left
/// is cut at the edge.
fn table(tasks: &[TaskStatus], width: usize, now: SystemTime) -> Vec<String> {
    let cells: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| COLUMNS.iter().map(|c| (c.cell)(t, now)).collect())
        .collect();
    let widths: Vec<usize> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|row| console::measure_text_width(&row[i]))
                .chain([c.heading.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut shown: Vec<usize> = (0..COLUMNS.len()).collect();
    let total = |shown: &[usize]| shown.iter().map(|i| widths[*i] + 2).sum::<usize>();
    while total(&shown) > width && shown.len() > 2 {
        let least = shown
            .iter()
            .enumerate()
            .min_by_key(|(_, i)| COLUMNS[**i].keep)
            .map(|(at, _)| at)
            .unwrap_or(0);
        shown.remove(least);
    }
    let line = |row: &dyn Fn(usize) -> String| {
        let text = shown
            .iter()
            .map(|i| {
                let cell = row(*i);
                let pad = widths[*i].saturating_sub(console::measure_text_width(&cell));
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect::<Vec<_>>()
            .join("  ");
        fit(text.trim_end(), Some(width))
    };
    let mut lines = vec![line(&|i| COLUMNS[i].heading.to_owned())];
    for row in &cells {
        lines.push(line(&|i| row[i].clone()));
    }
    lines
}

/// One tab-separated line per task, for scripts: id, state, progress,
/// action, bot, created_at, labels (as the `Task-Labels` header carries
/// them, values percent-encoded, so a `,` or a tab in one cannot split it).
fn plain_line(s: &TaskStatus) -> String {
    [
        s.task_id().map(|id| id.to_string()).unwrap_or_default(),
        state_word(s),
        s.progress_percent()
            .map(|p| format!("{p:.0}"))
            .unwrap_or_else(|| "-".into()),
        s.action().unwrap_or("-").to_owned(),
        s.bot_id().unwrap_or("-").to_owned(),
        s.created_at().unwrap_or("-").to_owned(),
        s.labels().to_header_value(),
    ]
    .join("\t")
}

/// How often `list --watch` looks again.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// What a watched task looked like last: its state word and progress.
fn watched_view(s: &TaskStatus) -> (String, Option<i64>) {
    (
        state_word(s),
        s.progress_percent().map(|p| p.round() as i64),
    )
}

/// `list --watch`: the first page of the filter, looked at every second
/// until Ctrl-C. At a terminal the table is redrawn in place; elsewhere
/// each new task and each change of state or whole percent is one line.
async fn watch(
    client: &Client,
    filter: TaskFilter,
    limit: usize,
    printer: &Printer,
) -> io::Result<Exit> {
    let mut seen: std::collections::HashMap<String, (String, Option<i64>)> = Default::default();
    let mut drawn = 0usize;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let page: Result<Vec<TaskStatus>, _> = client.list(&filter).take(limit).try_collect().await;
        let tasks = match page {
            Ok(tasks) => tasks,
            // A failed look is said once and tried again: a restart passes.
            Err(e) => {
                printer.err(&format!("warning: {}", crate::output::error_text(&e)));
                Vec::new()
            }
        };
        match printer.width {
            Some(width) if !tasks.is_empty() => {
                let lines = table(&tasks, width, SystemTime::now());
                let mut out = io::stdout().lock();
                // Up to the table drawn last time, and clear from there.
                if drawn > 0 {
                    write!(out, "\x1b[{drawn}A\x1b[J")?;
                }
                for line in &lines {
                    writeln!(out, "{line}")?;
                }
                out.flush()?;
                drawn = lines.len();
            }
            Some(_) => {}
            None => {
                // Oldest first, so the lines read in the order things happened.
                for t in tasks.iter().rev() {
                    let Some(id) = t.task_id().map(|id| id.to_string()) else {
                        continue;
                    };
                    let view = watched_view(t);
                    if seen.get(&id) != Some(&view) {
                        printer.out(&plain_line(t))?;
                        seen.insert(id, view);
                    }
                }
            }
        }
        tokio::select! {
            _ = &mut interrupted => return Ok(Exit::Interrupted),
            () = tokio::time::sleep(WATCH_EVERY) => {}
        }
    }
}

pub(crate) async fn list(
    client: &Client,
    global: &Global,
    args: List,
    printer: &Printer,
) -> io::Result<Exit> {
    if args.watch {
        let filter = args
            .filters
            .task_filter()
            .page_size(args.limit.min(MAX_PAGE_SIZE));
        return watch(client, filter, args.limit as usize, printer).await;
    }
    let page = if args.all {
        MAX_PAGE_SIZE
    } else {
        args.limit.min(MAX_PAGE_SIZE)
    };
    let filter = args.filters.task_filter().page_size(page);
    let wanted = if args.all {
        usize::MAX
    } else {
        args.limit as usize
    };
    let mut stream = Box::pin(client.list(&filter).take(wanted).chunks(page as usize));
    let mut count = 0usize;
    let mut array = (global.output == Output::Json).then(Vec::new);
    let mut header_done = false;
    while let Some(chunk) = stream.next().await {
        let (tasks, failure): (Vec<_>, Vec<_>) = chunk.into_iter().partition(Result::is_ok);
        let tasks: Vec<TaskStatus> = tasks.into_iter().filter_map(Result::ok).collect();
        count += tasks.len();
        match (global.output, &mut array) {
            (Output::Json, Some(all)) => all.extend(tasks.iter().map(|t| t.as_json().clone())),
            (Output::Jsonl, _) => {
                for t in &tasks {
                    printer.json(t.as_json())?;
                }
            }
            _ => match printer.width {
                Some(width) => {
                    let mut lines = table(&tasks, width, SystemTime::now());
                    // A page after the first keeps the first one's heading.
                    if header_done || tasks.is_empty() {
                        lines.remove(0);
                    }
                    header_done |= !tasks.is_empty();
                    for line in lines {
                        printer.out(&line)?;
                    }
                }
                None => {
                    for t in &tasks {
                        printer.out(&plain_line(t))?;
                    }
                }
            },
        }
        if let Some(Err(e)) = failure.into_iter().next() {
            if let Some(all) = array {
                printer.json(&Value::Array(all))?;
            }
            return Ok(fail(printer, &e));
        }
    }
    if let Some(all) = array {
        printer.json(&Value::Array(all))?;
    }
    if count == 0 && !global.quiet {
        printer.err("note: no tasks match");
    }
    Ok(Exit::Success)
}

pub(crate) async fn retry(
    client: &Client,
    global: &Global,
    args: Retry,
    printer: &Printer,
) -> io::Result<Exit> {
    let Some(tasks) = named_tasks(&args.tasks, printer) else {
        return Ok(Exit::Usage);
    };
    let shape = Shape::of(&args.tasks);
    let mut exit = Exit::Success;
    let mut pending = Vec::new();
    let mut array = Vec::new();
    for task in tasks {
        match client.retry(task.clone()).await {
            Ok(accepted) if args.wait => pending.push(match shape {
                Shape::One => Pending::Task(accepted.into()),
                Shape::Many => Pending::Submitted(task.to_string(), accepted.into()),
            }),
            Ok(accepted) if global.output == Output::Json && shape == Shape::Many => {
                let mut o = accepted_object(&accepted);
                o["retry_of"] = Value::from(task.to_string());
                array.push(o);
            }
            Ok(accepted) => printer.accepted(&accepted)?,
            Err(e) if args.wait => pending.push(Pending::NotSubmitted(task.to_string(), e)),
            Err(e) => {
                printer.error(&format!("could not retry {task}: {}", error_text(&e)));
                exit = exit.worst(Exit::for_error(&e));
            }
        }
    }
    if !array.is_empty() {
        printer.json(&Value::Array(array))?;
    }
    if !args.wait {
        return Ok(exit);
    }
    let display = Display::new(global.progress, global.quiet);
    let waited = wait_all(client, global, &display, pending, shape, printer).await?;
    Ok(exit.worst(waited))
}

/// `cancel` with filters instead of ids: at a terminal it counts the
/// matches and asks; elsewhere it needs `--yes`.
pub(crate) async fn cancel_matching(
    client: &Client,
    global: &Global,
    filters: &Filters,
    yes: bool,
    printer: &Printer,
) -> io::Result<Exit> {
    let filter = filters.task_filter();
    if !yes {
        let asking = io::stdin().is_terminal() && io::stderr().is_terminal();
        if !asking {
            printer.error("cancelling by filter needs --yes when not at a terminal");
            return Ok(Exit::Usage);
        }
        // What the server will cancel: the unfinished among the matches.
        let mut counting = filter.clone().page_size(MAX_PAGE_SIZE);
        if filter.statuses().is_empty() {
            counting = counting
                .status(TaskState::Pending)
                .status(TaskState::Running);
        }
        let count = match client
            .list(&counting)
            .try_filter(|s| std::future::ready(!s.is_terminal()))
            .try_fold(0u64, |n, _| async move { Ok(n + 1) })
            .await
        {
            Ok(n) => n,
            Err(e) => return Ok(fail(printer, &e)),
        };
        if count == 0 {
            printer.err("note: no unfinished tasks match; nothing to cancel");
            return report(global, printer, 0);
        }
        eprint!(
            "Cancel {count} unfinished task{}? [y/N] ",
            if count == 1 { "" } else { "s" }
        );
        let _ = io::stderr().flush();
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            printer.err("nothing cancelled");
            return Ok(Exit::Success);
        }
    }
    match client.cancel_matching(&filter).await {
        Ok(n) => report(global, printer, n),
        Err(e) => Ok(fail(printer, &e)),
    }
}

fn report(global: &Global, printer: &Printer, n: u64) -> io::Result<Exit> {
    match global.output {
        Output::Text => printer.out(&format!("cancelled {n}"))?,
        _ => printer.json(&serde_json::json!({"cancelled": n}))?,
    }
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: &str, labels: &str) -> TaskStatus {
        TaskStatus::from_json(serde_json::json!({
            "task_id": id, "status": "RUNNING", "progress_percent": 40,
            "bot_id": "invoices", "action": "analyze-document",
            "created_at": "2026-12-02T10:00:00Z", "labels": {"run": labels}
        }))
        .unwrap()
    }

    #[test]
    fn a_narrow_table_drops_the_least_needed_columns_and_never_overflows() {
        let now = humantime::parse_rfc3339("2026-12-02T10:05:00Z").unwrap();
        let tasks = [
            status("task-0f6c1e9a-3b7d-4c55-9f0e-2a8d4b1c6e90", "42"),
            status("task-1", "a long label value that goes on"),
        ];
        let wide = table(&tasks, 200, now);
        assert!(wide[0].starts_with("ID"), "{wide:?}");
        for heading in ["STATUS", "PROGRESS", "ACTION", "BOT", "AGE", "LABELS"] {
            assert!(wide[0].contains(heading), "{heading}: {wide:?}");
        }
        assert!(
            wide[1].contains("5m") && wide[1].contains("run=42"),
            "{wide:?}"
        );
        let narrow = table(&tasks, 60, now);
        for line in &narrow {
            assert!(console::measure_text_width(line) < 60, "{line:?}");
        }
        assert!(
            narrow[0].contains("STATUS") && narrow[0].contains("AGE"),
            "{narrow:?}"
        );
        assert!(!narrow[0].contains("LABELS"), "{narrow:?}");
    }
}
