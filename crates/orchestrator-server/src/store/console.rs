//! What the operator console asks of the store beyond the API's own reads:
//! counts per state, the finishes of the last hour, the instances serving
//! the database, and console sessions.

use orchestrator::TaskState;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
use super::Scope;

/// How many tasks of one state a filter selects, counted up to a cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCount {
    /// The state.
    pub state: TaskState,
    /// How many, at most the cap asked for (the cap itself means "at least").
    pub count: u64,
}

/// Tasks that finished within one stretch of time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActivityBucket {
    /// Its index from the start of the window asked for (0: the oldest).
    pub index: u32,
    /// Tasks that completed.
    pub completed: u64,
    /// Tasks that failed (not counting cancels).
    pub failed: u64,
    /// Tasks that were cancelled.
    pub cancelled: u64,
}

/// A server instance, as it last said it was alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceBeat {
    /// `inst-<uuid>`, the id its claims carry.
    pub id: String,
    /// How many tasks it runs at once.
    pub workers: u32,
    /// When it started, in milliseconds since the Unix epoch.
    pub started_at: i64,
    /// When it last said it was alive.
    pub heartbeat_at: i64,
}

/// A signed-in console session. Only hashes are stored: the session's
/// token is in the browser's cookie alone, and the key it was opened with
/// is named by its SHA-256, which also tells whether the key (and so the
/// session) is still valid and what role it has now.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The SHA-256 of the session token, in hexadecimal.
    pub token_sha256: String,
    /// The SHA-256 of the API key it was opened with, in hexadecimal.
    pub key_sha256: String,
    /// The key's tenant when it signed in.
    pub tenant: String,
    /// When it was opened, in milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When it stops being valid.
    pub expires_at: i64,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("tenant", &self.tenant)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The statement of the finishes since `since`, grouped into buckets of
/// `bucket_ms` (columns: bucket index, state, count). Its parameters:
/// `since`, `bucket_ms`, then the tenant when the scope has one.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn activity_statement(
    scope: Scope<'_>,
    since: i64,
    bucket_ms: i64,
    placeholder: fn(usize) -> String,
) -> super::listing::Built {
    use super::listing::Param;
    let (p_since, p_bucket) = (placeholder(1), placeholder(2));
    let mut params = vec![Param::Int(since), Param::Int(bucket_ms.max(1))];
    let tenant = match scope {
        Scope::Tenant(tenant) => {
            params.push(Param::Text(tenant.to_owned()));
            format!(" AND tenant = {}", placeholder(3))
        }
        Scope::Every => String::new(),
    };
    super::listing::Built {
        sql: format!(
            "SELECT (completed_at - {p_since}) / {p_bucket} AS bucket, status, count(*) \
             FROM tasks WHERE completed_at IS NOT NULL AND completed_at >= {p_since}{tenant} \
             GROUP BY bucket, status"
        ),
        params,
    }
}

/// Folds the activity statement's rows (bucket, state, count) into
/// `buckets` buckets, oldest first.
pub(crate) fn fold_activity(
    rows: impl IntoIterator<Item = (i64, TaskState, u64)>,
    buckets: u32,
) -> Vec<ActivityBucket> {
    let mut out: Vec<ActivityBucket> = (0..buckets)
        .map(|index| ActivityBucket {
            index,
            ..ActivityBucket::default()
        })
        .collect();
    for (bucket, state, count) in rows {
        let Some(slot) = usize::try_from(bucket).ok().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        match state {
            TaskState::Completed => slot.completed += count,
            TaskState::Failed => slot.failed += count,
            TaskState::Cancelled => slot.cancelled += count,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finishes_fall_into_their_bucket_and_stray_rows_are_dropped() {
        let rows = [
            (0, TaskState::Completed, 3),
            (0, TaskState::Failed, 1),
            (11, TaskState::Cancelled, 2),
            (12, TaskState::Completed, 9),
            (-1, TaskState::Completed, 9),
        ];
        let buckets = fold_activity(rows, 12);
        assert_eq!(buckets.len(), 12);
        assert_eq!((buckets[0].completed, buckets[0].failed), (3, 1));
        assert_eq!(buckets[11].cancelled, 2);
        let total: u64 = buckets.iter().map(|b| b.completed).sum();
        assert_eq!(total, 3);
    }

    #[test]
    fn a_session_shows_neither_hash_in_debug() {
        let session = SessionRecord {
            token_sha256: "aa11".into(),
            key_sha256: "bb22".into(),
            tenant: "acme".into(),
            created_at: 1,
            expires_at: 2,
        };
        let shown = format!("{session:?}");
        assert!(shown.contains("acme"), "{shown}");
        assert!(
            !shown.contains("aa11") && !shown.contains("bb22"),
            "{shown}"
        );
    }
}
