//! The tasks named on a command line, where `-` means "read them from
//! standard input": one per line as `submit` prints them, or several on a
//! line as `echo $ids` joins them.

use std::io::{self, BufRead};

use orchestrator::TaskRef;

/// The tasks in `args`, with `-` expanded; notes go to `warn`.
pub(crate) fn task_refs(args: &[String], warn: impl Fn(&str)) -> Result<Vec<TaskRef>, String> {
    if args.iter().filter(|a| *a == "-").count() > 1 {
        return Err("`-` (standard input) can be given only once".to_owned());
    }
    let mut tasks = Vec::new();
    for arg in args {
        if arg == "-" {
            tasks.extend(from_lines(io::stdin().lock(), &warn)?);
        } else {
            tasks.push(TaskRef::from(arg.as_str()));
        }
    }
    if tasks.is_empty() {
        return Err("no tasks given (standard input was empty)".to_owned());
    }
    Ok(tasks)
}

/// Ids and status URLs separated by newlines or spaces (neither holds a
/// space), or one JSON object per line with `task_id`/`status_url` (what
/// `submit -o jsonl` prints). Objects without either (a failed submit's
/// line) are skipped with a note.
fn from_lines(input: impl BufRead, warn: &impl Fn(&str)) -> Result<Vec<TaskRef>, String> {
    let mut tasks = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read standard input: {e}"))?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if text.starts_with('{') {
            match serde_json::from_str::<TaskRef>(text) {
                Ok(task) => tasks.push(task),
                Err(_) => warn(&format!(
                    "standard input line {}: no task_id or status_url; skipped",
                    n + 1
                )),
            }
        } else {
            tasks.extend(text.split_whitespace().map(TaskRef::from));
        }
    }
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_urls_and_submit_json_lines_are_all_tasks() {
        let input = "task-1\n\n# a comment\nhttp://h/v1/tasks/task-2\n\
                     {\"task_id\":\"task-3\",\"status_url\":\"http://h/ops/3\",\"outcome\":\"accepted\"}\n\
                     {\"outcome\":\"error\",\"exit_code\":5}\n";
        let notes = std::cell::RefCell::new(Vec::new());
        let tasks = from_lines(input.as_bytes(), &|n: &str| {
            notes.borrow_mut().push(n.to_owned())
        })
        .unwrap();
        let ids: Vec<String> = tasks.iter().map(ToString::to_string).collect();
        assert_eq!(ids, ["task-1", "task-2", "task-3"]);
        assert_eq!(tasks[2].status_url(), Some("http://h/ops/3"));
        assert_eq!(notes.borrow().len(), 1);
        assert!(notes.borrow()[0].contains("line 6"));
    }

    #[test]
    fn ids_joined_on_one_line_by_an_unquoted_echo_are_each_a_task() {
        let tasks = from_lines(
            " task-1 task-2\thttp://h/v1/tasks/task-3 \n".as_bytes(),
            &|_: &str| {},
        )
        .unwrap();
        let ids: Vec<String> = tasks.iter().map(ToString::to_string).collect();
        assert_eq!(ids, ["task-1", "task-2", "task-3"]);
    }
}
