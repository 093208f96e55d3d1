//! Wire types: what the server sends and what the client posts.

mod analyze;
mod decode;
pub(crate) mod problem;
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
