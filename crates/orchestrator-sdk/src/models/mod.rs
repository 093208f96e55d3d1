//! Wire types: what the server sends and what the client posts.

mod analyze;
mod decode;
mod labels;
pub(crate) mod problem;
mod task_error;
mod task_event;
mod task_filter;
mod task_id;
mod task_page;
mod task_state;
mod task_status;
mod webhook_delivery;

pub use analyze::{AnalyzeDocument, AnalyzeDocumentResult, Sentiment};
pub use labels::{LABELS_HEADER, LabelError, Labels};
pub use problem::Problem;
pub use task_error::TaskError;
pub use task_event::{StreamEvent, TaskEvent, TaskEventKind};
pub use task_filter::{DEFAULT_PAGE_SIZE, FilterError, MAX_PAGE_SIZE, TaskFilter};
pub use task_id::TaskId;
pub use task_page::{CancelledCount, TaskPage};
pub use task_state::TaskState;
pub use task_status::TaskStatus;
pub use webhook_delivery::WebhookDelivery;
