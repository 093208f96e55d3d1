//! Wire types: what the server sends and what the client posts.

mod analyze;
mod problem;
mod task_error;
mod task_id;
mod task_state;
mod task_status;

pub use analyze::{AnalyzeDocument, AnalyzeDocumentResult, Sentiment};
pub use problem::Problem;
pub use task_error::TaskError;
pub use task_id::TaskId;
pub use task_state::TaskState;
pub use task_status::TaskStatus;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Decodes a JSON value into `T`, naming the JSON path that failed
/// (`result.entities[2]: invalid type: …`), so a broken payload is easy to pin down.
pub(crate) fn decode_value<T: DeserializeOwned>(
    value: &serde_json::Value,
    what: &str,
) -> Result<T> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = if path == "." {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        Error::protocol(format!("could not decode {what}{at}: {inner}")).with_source(inner)
    })
}
