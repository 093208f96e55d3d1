//! A listing's cursor: the last task of a page (its `created_at` and id)
//! and a checksum of the filter it belongs to, as hex. It is opaque to
//! clients; one that was not made here, or was made for another filter, is
//! refused as a `400` naming `cursor` rather than silently paging another
//! listing.

use super::problem::ApiError;
use crate::store::{Cursor, TaskQuery, TaskRecord};

/// The version of the cursor's layout.
const VERSION: &str = "c1";

/// FNV-1a over the filter (not the cursor, not the limit): a cursor says
/// which listing it continues. A checksum, not a secret — the cursor only
/// ever names a position in the caller's own tasks.
fn checksum(query: &TaskQuery) -> u64 {
    let shape = TaskQuery {
        after: None,
        limit: 0,
        ..query.clone()
    };
    format!("{shape:?}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 1024 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The cursor of the page after `last`.
pub(crate) fn encode(last: &TaskRecord, query: &TaskQuery) -> String {
    hex(format!(
        "{VERSION}|{}|{:016x}|{}",
        last.created_at,
        checksum(query),
        last.id
    )
    .as_bytes())
}

/// The position a cursor names, if it is one of ours for this filter.
pub(crate) fn decode(cursor: &str, query: &TaskQuery) -> Result<Cursor, ApiError> {
    let refused = |why: &str| {
        ApiError::bad_parameter(
            "cursor",
            format!("`cursor` {why}; use the next_cursor of a page of the same listing"),
        )
    };
    let text = unhex(cursor.trim())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| refused("is not a cursor this server made"))?;
    let mut parts = text.splitn(4, '|');
    let (Some(VERSION), Some(created_at), Some(sum), Some(id)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused("is not a cursor this server made"));
    };
    let created_at = created_at
        .parse::<i64>()
        .map_err(|_| refused("is not a cursor this server made"))?;
    if sum != format!("{:016x}", checksum(query)) {
        return Err(refused("belongs to a listing with other filters"));
    }
    Ok(Cursor {
        created_at,
        id: id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use orchestrator::TaskState;

    fn record(created_at: i64, id: &str) -> TaskRecord {
        TaskRecord {
            id: id.into(),
            tenant: "t".into(),
            bot_id: "b".into(),
            action: "a".into(),
            input: serde_json::Value::Null,
            state: TaskState::Pending,
            progress: None,
            progress_message: None,
            result: None,
            error: None,
            created_at,
            started_at: None,
            completed_at: None,
            attempts: 0,
            labels: Default::default(),
            retry_of: None,
            webhook_url: None,
        }
    }

    #[test]
    fn a_cursor_comes_back_as_its_position_for_its_own_filter_only() {
        let failed = TaskQuery {
            statuses: vec![TaskState::Failed],
            limit: 51,
            ..TaskQuery::default()
        };
        let cursor = encode(&record(1_700, "task-x|y"), &failed);
        let position = decode(&cursor, &failed).unwrap();
        assert_eq!(position.created_at, 1_700);
        assert_eq!(position.id, "task-x|y");
        let other = TaskQuery {
            statuses: vec![TaskState::Pending],
            ..failed.clone()
        };
        assert!(decode(&cursor, &other).is_err());
        for junk in ["", "zz", "abc", &"00".repeat(600), &hex(b"c1|x|0|id")] {
            assert!(decode(junk, &failed).is_err(), "{junk}");
        }
    }
}
