// The SDK's front door: its documentation is the crate's README, and every
// public name is re-exported here from the private module that owns it.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod accepted;
mod backoff;
mod builder;
mod client;
pub mod clock;
mod error;
mod events;
mod from_env;
mod listing;
mod models;
mod poll;
mod retry_after;
mod submit;
mod task_ref;
mod transport;
pub mod webhooks;

pub use accepted::Accepted;
pub use builder::ClientBuilder;
pub use client::Client;
pub use error::{Error, ErrorKind, Result};
pub use models::{
    AnalyzeDocument, AnalyzeDocumentResult, CancelledCount, DEFAULT_PAGE_SIZE, FilterError,
    LABELS_HEADER, LabelError, Labels, MAX_PAGE_SIZE, Problem, Sentiment, StreamEvent, TaskError,
    TaskEvent, TaskEventKind, TaskFilter, TaskId, TaskPage, TaskState, TaskStatus, WebhookDelivery,
};
pub use poll::{DelaySource, NextPoll, Outcome, PollOptions, PollUpdate, Poller, PollerFuture};
pub use retry_after::{parse_retry_after, retry_after};
pub use submit::Submit;
pub use task_ref::TaskRef;
