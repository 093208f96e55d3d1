//! Which tasks a listing or a cancel by filter selects, as the store sees
//! it ([`TaskQuery`]: times in milliseconds, a decoded cursor), and the one
//! SQL statement both database backends run for it.
//!
//! Pages are by keyset, newest first: `(created_at, id)` descending, and a
//! page starts strictly after the last row of the previous one. Tasks
//! submitted meanwhile are newer than any cursor, and deletions move
//! nothing, so paging never shows a task twice or skips one that existed
//! throughout. With a label filter the statement walks that label's index
//! (`task_labels`, in the same order; its rows carry the task's state, so
//! a label and one state are one walk), so a rare label is as fast as a
//! common one; without, the tasks' `(tenant, status, created_at, id)` or
//! `(tenant, created_at, id)` index.

use std::time::{SystemTime, UNIX_EPOCH};

use orchestrator::{TaskFilter, TaskState};

use super::TaskRecord;

/// Whose tasks a read or a cancel by filter covers: one tenant's (every
/// request of the API, and the console for a tenant's key), or every
/// tenant's (the console for an operator's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// This tenant's tasks only.
    Tenant(&'a str),
    /// Every tenant's.
    Every,
}

impl Scope<'_> {
    /// Whether a task of `tenant` is in scope.
    pub fn covers(self, tenant: &str) -> bool {
        match self {
            Scope::Tenant(t) => t == tenant,
            Scope::Every => true,
        }
    }
}

/// Where a page starts: just after this task, in listing order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last task's `created_at`.
    pub created_at: i64,
    /// The last task's id.
    pub id: String,
}

/// A listing's (or a cancel's) selection, in the store's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQuery {
    /// Any of these states (empty: any state). `Cancelled` is its own.
    pub statuses: Vec<TaskState>,
    /// The bot.
    pub bot_id: Option<String>,
    /// The action.
    pub action: Option<String>,
    /// Labels that must all match.
    pub labels: Vec<(String, String)>,
    /// Only these tasks (empty: any).
    pub tasks: Vec<String>,
    /// Submitted at or after (ms since the epoch).
    pub created_after: Option<i64>,
    /// Submitted before (ms since the epoch).
    pub created_before: Option<i64>,
    /// Start after this task.
    pub after: Option<Cursor>,
    /// The most tasks to return.
    pub limit: u32,
}

fn ms(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

impl TaskQuery {
    /// The store's view of a client's filter.
    pub fn from_filter(filter: &TaskFilter, after: Option<Cursor>, limit: u32) -> TaskQuery {
        TaskQuery {
            statuses: filter.statuses().to_vec(),
            bot_id: filter.bot().map(str::to_owned),
            action: filter.action_name().map(str::to_owned),
            labels: filter.labels().to_vec(),
            tasks: filter.task_ids().to_vec(),
            created_after: filter.after().map(ms),
            created_before: filter.before().map(ms),
            after,
            limit,
        }
    }

    /// The same selection narrowed to unfinished tasks, for a cancel; `None`
    /// when it asks only for finished ones (nothing to cancel).
    pub fn unfinished(&self) -> Option<TaskQuery> {
        let open = [TaskState::Pending, TaskState::Running];
        let statuses: Vec<TaskState> = if self.statuses.is_empty() {
            open.to_vec()
        } else {
            open.into_iter()
                .filter(|s| self.statuses.contains(s))
                .collect()
        };
        (!statuses.is_empty()).then(|| TaskQuery {
            statuses,
            after: None,
            ..self.clone()
        })
    }

    /// Whether `task` (of the right tenant) is selected, cursor included:
    /// what the SQL below says, for the memory store.
    pub(crate) fn matches(&self, task: &TaskRecord) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&task.state))
            && self.bot_id.as_ref().is_none_or(|b| *b == task.bot_id)
            && self.action.as_ref().is_none_or(|a| *a == task.action)
            && self
                .labels
                .iter()
                .all(|(k, v)| task.labels.get(k) == Some(v.as_str()))
            && (self.tasks.is_empty() || self.tasks.contains(&task.id))
            && self.created_after.is_none_or(|at| task.created_at >= at)
            && self.created_before.is_none_or(|at| task.created_at < at)
            && self
                .after
                .as_ref()
                .is_none_or(|c| (task.created_at, task.id.as_str()) < (c.created_at, c.id.as_str()))
    }
}

/// A parameter of a built statement.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// A statement and its parameters, in order.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[derive(Debug)]
pub(crate) struct Built {
    pub(crate) sql: String,
    pub(crate) params: Vec<Param>,
}

/// A statement's conditions and parameters, as they are added.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) struct Builder {
    pub(crate) placeholder: fn(usize) -> String,
    pub(crate) params: Vec<Param>,
    pub(crate) conditions: Vec<String>,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl Builder {
    /// Conditions on `alias`'s bot, action and id, and its labels (each
    /// looked up), as a listing and an event stream both filter tasks.
    pub(crate) fn task_conditions(&mut self, alias: &str, query: &TaskQuery, skip_labels: usize) {
        if let Some(bot) = &query.bot_id {
            let p = self.text(bot);
            self.conditions.push(format!("{alias}.bot_id = {p}"));
        }
        if let Some(action) = &query.action {
            let p = self.text(action);
            self.conditions.push(format!("{alias}.action = {p}"));
        }
        if !query.tasks.is_empty() {
            let ps: Vec<String> = query.tasks.iter().map(|id| self.text(id)).collect();
            self.conditions
                .push(format!("{alias}.id IN ({})", ps.join(", ")));
        }
        for (key, value) in query.labels.iter().skip(skip_labels) {
            let (k, v) = (self.text(key), self.text(value));
            self.conditions.push(format!(
                "EXISTS (SELECT 1 FROM task_labels li WHERE li.task_id = {alias}.id AND li.key = {k} AND li.value = {v})"
            ));
        }
    }

    fn bind(&mut self, p: Param) -> String {
        self.params.push(p);
        (self.placeholder)(self.params.len())
    }

    pub(crate) fn text(&mut self, v: &str) -> String {
        self.bind(Param::Text(v.to_owned()))
    }

    pub(crate) fn int(&mut self, v: i64) -> String {
        self.bind(Param::Int(v))
    }
}

/// The task columns, each prefixed with `t.`.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn qualified_columns() -> String {
    task_columns!()
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `SELECT … FROM … WHERE …` of `query` in `scope`, selecting
/// `select` (with `t` the tasks), and the `ORDER BY` that goes with it.
/// Its parameters are numbered after `before`, the statement's own.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn selection(
    scope: Scope<'_>,
    query: &TaskQuery,
    placeholder: fn(usize) -> String,
    select: &str,
    before: Vec<Param>,
) -> (Builder, String, &'static str) {
    let mut b = Builder {
        placeholder,
        params: before,
        conditions: Vec::new(),
    };
    // The order columns: the first label's index rows, or the task itself.
    let (from, order_time, order_id, order) = match query.labels.first() {
        Some((key, value)) => {
            if let Scope::Tenant(tenant) = scope {
                let t = b.text(tenant);
                b.conditions.push(format!("l0.tenant = {t}"));
            }
            let (k, v) = (b.text(key), b.text(value));
            b.conditions
                .push(format!("l0.key = {k} AND l0.value = {v}"));
            (
                "task_labels l0 JOIN tasks t ON t.id = l0.task_id",
                "l0.created_at",
                "l0.task_id",
                "ORDER BY l0.created_at DESC, l0.task_id DESC",
            )
        }
        None => {
            if let Scope::Tenant(tenant) = scope {
                let t = b.text(tenant);
                b.conditions.push(format!("t.tenant = {t}"));
            }
            (
                "tasks t",
                "t.created_at",
                "t.id",
                "ORDER BY t.created_at DESC, t.id DESC",
            )
        }
    };
    // A label's rows carry their task's state: one state and a label walk
    // the label-and-state index, already in listing order.
    let status_column = if query.labels.is_empty() {
        "t.status"
    } else {
        "l0.status"
    };
    match query.statuses.as_slice() {
        [] => {}
        [one] => {
            let p = b.text(one.as_str());
            b.conditions.push(format!("{status_column} = {p}"));
        }
        many => {
            let ps: Vec<String> = many.iter().map(|s| b.text(s.as_str())).collect();
            b.conditions
                .push(format!("t.status IN ({})", ps.join(", ")));
        }
    }
    b.task_conditions("t", query, 1);
    if let Some(at) = query.created_after {
        let p = b.int(at);
        b.conditions.push(format!("{order_time} >= {p}"));
    }
    if let Some(at) = query.created_before {
        let p = b.int(at);
        b.conditions.push(format!("{order_time} < {p}"));
    }
    if let Some(cursor) = &query.after {
        let (c, i) = (b.int(cursor.created_at), b.text(&cursor.id));
        b.conditions
            .push(format!("({order_time}, {order_id}) < ({c}, {i})"));
    }
    let conditions = if b.conditions.is_empty() {
        "TRUE".to_owned()
    } else {
        b.conditions.join(" AND ")
    };
    let sql = format!("SELECT {select} FROM {from} WHERE {conditions}");
    (b, sql, order)
}

/// The page `query` selects in `scope`: the task columns, in listing
/// order, at most `query.limit` rows.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn page_statement(
    scope: Scope<'_>,
    query: &TaskQuery,
    placeholder: fn(usize) -> String,
) -> Built {
    let (mut b, sql, order) =
        selection(scope, query, placeholder, &qualified_columns(), Vec::new());
    let limit = b.int(i64::from(query.limit));
    Built {
        sql: format!("{sql} {order} LIMIT {limit}"),
        params: b.params,
    }
}

/// The ids of the tasks `query` selects in `scope` (no order, no
/// limit), as a sub-select for an `UPDATE … WHERE id IN (…)` whose own
/// parameters come first (`before` of them).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn ids_statement(
    scope: Scope<'_>,
    query: &TaskQuery,
    placeholder: fn(usize) -> String,
    before: Vec<Param>,
) -> Built {
    let (b, sql, _) = selection(scope, query, placeholder, "t.id", before);
    Built {
        sql,
        params: b.params,
    }
}

/// How many tasks `query` selects in `scope` (its cursor and limit not
/// used), counted up to `cap` and no further: one statement per state of
/// `states`, each a count over at most `cap` rows of the state's index walk,
/// so that a tab's count costs the same at a thousand tasks as at a million.
/// Each statement's single column is the count.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn count_statements(
    scope: Scope<'_>,
    query: &TaskQuery,
    states: &[TaskState],
    cap: u32,
    placeholder: fn(usize) -> String,
) -> Vec<(TaskState, Built)> {
    states
        .iter()
        .map(|state| {
            let one_state = TaskQuery {
                statuses: vec![state.clone()],
                after: None,
                ..query.clone()
            };
            let (mut b, sql, _) = selection(scope, &one_state, placeholder, "1", Vec::new());
            let limit = b.int(i64::from(cap));
            let built = Built {
                sql: format!("SELECT count(*) FROM ({sql} LIMIT {limit}) capped"),
                params: b.params,
            };
            (state.clone(), built)
        })
        .collect()
}

#[cfg(all(test, any(feature = "sqlite", feature = "postgres")))]
mod tests {
    use super::*;

    fn pg(i: usize) -> String {
        format!("${i}")
    }

    #[test]
    fn the_first_label_drives_the_order_and_the_rest_are_checked_by_lookup() {
        let query = TaskQuery {
            statuses: vec![TaskState::Failed],
            labels: vec![("run".into(), "42".into()), ("team".into(), "x".into())],
            after: Some(Cursor {
                created_at: 5,
                id: "task-b".into(),
            }),
            limit: 50,
            ..TaskQuery::default()
        };
        let built = page_statement(Scope::Tenant("acme"), &query, pg);
        assert!(
            built.sql.contains("FROM task_labels l0 JOIN tasks t"),
            "{}",
            built.sql
        );
        assert!(built.sql.contains("l0.status = $4"), "{}", built.sql);
        assert!(
            built.sql.contains("(l0.created_at, l0.task_id) < ($7, $8)"),
            "{}",
            built.sql
        );
        assert!(
            built
                .sql
                .ends_with("ORDER BY l0.created_at DESC, l0.task_id DESC LIMIT $9")
        );
        assert_eq!(built.params.len(), 9);
        assert_eq!(built.params[0], Param::Text("acme".into()));
    }

    #[test]
    fn an_id_selection_numbers_its_parameters_after_the_callers() {
        let query = TaskQuery {
            statuses: vec![TaskState::Pending, TaskState::Running],
            bot_id: Some("b".into()),
            ..TaskQuery::default()
        };
        let before: Vec<Param> = (0..10).map(Param::Int).collect();
        let built = ids_statement(Scope::Tenant("acme"), &query, pg, before);
        assert!(built.sql.contains("t.tenant = $11"), "{}", built.sql);
        assert!(
            built.sql.contains("t.status IN ($12, $13)"),
            "{}",
            built.sql
        );
        assert!(built.sql.contains("t.bot_id = $14"), "{}", built.sql);
        assert_eq!(built.params.len(), 14);
    }

    #[test]
    fn every_tenants_listing_names_no_tenant_and_counts_stop_at_their_cap() {
        let query = TaskQuery {
            labels: vec![("run".into(), "42".into())],
            limit: 50,
            ..TaskQuery::default()
        };
        let built = page_statement(Scope::Every, &query, pg);
        assert!(!built.sql.contains("tenant ="), "{}", built.sql);
        assert!(built.sql.contains("l0.key = $1"), "{}", built.sql);
        let plain = page_statement(Scope::Every, &TaskQuery::default(), pg);
        assert!(plain.sql.contains("WHERE TRUE"), "{}", plain.sql);
        let counts = count_statements(
            Scope::Tenant("acme"),
            &TaskQuery::default(),
            &[TaskState::Pending, TaskState::Failed],
            10_000,
            pg,
        );
        assert_eq!(counts.len(), 2);
        let (state, failed) = &counts[1];
        assert_eq!(*state, TaskState::Failed);
        assert!(
            failed
                .sql
                .starts_with("SELECT count(*) FROM (SELECT 1 FROM tasks t"),
            "{}",
            failed.sql
        );
        assert!(failed.sql.ends_with("LIMIT $3) capped"), "{}", failed.sql);
        assert_eq!(failed.params[2], Param::Int(10_000));
    }

    #[test]
    fn a_cancel_keeps_only_the_unfinished_states_it_was_asked_for() {
        let all = TaskQuery::default().unfinished().unwrap();
        assert_eq!(all.statuses, [TaskState::Pending, TaskState::Running]);
        let finished = TaskQuery {
            statuses: vec![TaskState::Completed],
            ..TaskQuery::default()
        };
        assert_eq!(finished.unfinished(), None);
    }
}
