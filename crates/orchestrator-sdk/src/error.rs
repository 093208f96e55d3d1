//! The one error type of the SDK.
//!
//! Like `reqwest::Error` it is opaque: callers ask it questions (`kind()`,
//! `is_transient()`, `status()`, `task()`) instead of matching on a big enum
//! whose variants would freeze the crate's internals into its API.
//!
//! It sits below everything else in the crate: it knows the problem-details
//! type and nothing more, so every module can return it. The task an error
//! is about is attached without this file naming its type (the accessor,
//! [`Error::task`], lives with [`TaskRef`](crate::TaskRef)).

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;

use reqwest::StatusCode;

use crate::models::problem::Problem;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// `e` and its causes, outermost first. An `io::Error`'s `source()` skips
/// the error it wraps (it returns that error's own source), and connectors
/// nest one `io::Error` in another, so this steps into the wrapped error
/// instead.
pub(crate) fn causes<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |&c: &&'a (dyn StdError + 'static)| match c
        .downcast_ref::<std::io::Error>()
    {
        Some(io) => io.get_ref().map(|inner| inner as _),
        None => c.source(),
    })
}

/// What went wrong, in broad strokes. Match on it to decide what to do next.
///
/// New kinds may be added in minor releases, so a `match` needs a wildcard
/// arm; map it to the most cautious reaction your program has (the
/// command-line client treats an unknown kind like a server failure).
///
/// ```
/// use orchestrator::{Error, ErrorKind};
///
/// fn exit_code(e: &Error) -> u8 {
///     match e.kind() {
///         ErrorKind::Auth => 4,
///         ErrorKind::NotFound | ErrorKind::Rejected => 5,
///         ErrorKind::TimedOut => 124,
///         _ => 69,
///     }
/// }
/// let e = orchestrator::Client::builder("not a url").build().unwrap_err();
/// assert_eq!(exit_code(&e), 69);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server refused the credentials (`401` or `403`), or none were given.
    Auth,
    /// The task (or route) does not exist, or no longer exists (`404`, `410`).
    NotFound,
    /// The server rejected the request (any other `4xx`); see
    /// [`Error::status`] and [`Error::problem`].
    Rejected,
    /// The server kept failing (`5xx`) after the retries allowed.
    Server,
    /// The request never got an HTTP answer: connection refused or reset,
    /// DNS failure, or a request timeout. (A TLS failure is [`Tls`](Self::Tls).)
    Transport,
    /// The wait's deadline passed while the task was still running. The task
    /// is unaffected; [`Error::task`] says which one to resume waiting for.
    TimedOut,
    /// The server broke the contract: an undecodable payload, a `202` with
    /// neither `Location` nor `task_id`, a body over the size cap.
    Protocol,
    /// A URL the server handed out points at another origin than the base URL,
    /// and the client was not told to follow such URLs.
    CrossOrigin,
    /// The caller's configuration or arguments are invalid (reported by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) or before any
    /// request is sent).
    InvalidInput,
    /// A result was asked of a task that has none: it failed, was
    /// cancelled, or has not finished. Not a fault of the server.
    NoResult,
    /// The TLS handshake failed: the server's certificate is not trusted,
    /// names another host, or has expired. Retrying cannot help; trusting
    /// the right CA ([`ClientBuilder::add_root_certificate`](crate::ClientBuilder::add_root_certificate))
    /// or fixing the URL can.
    Tls,
    /// The server does not offer what was asked: it has no such endpoint
    /// (`404`/`405`/`501` on an extension such as listing or retrying
    /// tasks). A server that knows only the contract answers so.
    Unsupported,
    /// A webhook delivery failed verification
    /// ([`webhooks::verify`](crate::webhooks::verify)): a header missing,
    /// its timestamp outside the tolerance, no signature matching, or a
    /// body that is not an event.
    InvalidWebhook,
}

/// What the kind is called in messages: `authentication failed`, `not
/// found`, `could not reach the server`, …
impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::Auth => "authentication failed",
            ErrorKind::NotFound => "not found",
            ErrorKind::Rejected => "request rejected",
            ErrorKind::Server => "server error",
            ErrorKind::Transport => "could not reach the server",
            ErrorKind::TimedOut => "timed out",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::CrossOrigin => "cross-origin URL refused",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::NoResult => "no result",
            ErrorKind::Tls => "TLS failure",
            ErrorKind::Unsupported => "not supported by the server",
            ErrorKind::InvalidWebhook => "invalid webhook delivery",
        }
    }
}

/// The error of every fallible operation in this crate.
///
/// It is `Send + Sync + 'static`, one pointer wide, and its messages never
/// contain the bearer token.
///
/// ```
/// # async fn demo(client: orchestrator::Client) {
/// use orchestrator::ErrorKind;
///
/// match client.status("task-123").await {
///     Ok(status) => println!("{}", status.state()),
///     Err(e) if e.kind() == ErrorKind::NotFound => println!("no such task"),
///     Err(e) if e.is_transient() => println!("try again later: {e}"),
///     Err(e) => println!("{e}"),
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    /// What a program using this crate can do about it, in the crate's
    /// terms (a builder setting); kept apart so that a tool built on the
    /// crate can give its own advice instead.
    advice: Option<&'static str>,
    status: Option<StatusCode>,
    problem: Option<Problem>,
    body: Option<String>,
    subject: Option<Box<dyn Subject>>,
    transient: bool,
    source: Option<BoxError>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                advice: None,
                status: None,
                problem: None,
                body: None,
                subject: None,
                transient: false,
                source: None,
            }),
        }
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported, message)
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Protocol, message)
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_problem(mut self, problem: Option<Problem>, body: Option<String>) -> Self {
        self.inner.problem = problem;
        self.inner.body = body;
        self
    }

    /// Attaches what the error is about (the task, for a failed wait).
    pub(crate) fn with_subject(mut self, subject: impl Subject) -> Self {
        self.inner.subject = Some(Box::new(subject));
        self
    }

    /// What the error is about, if it is a `T`.
    pub(crate) fn subject<T: Any>(&self) -> Option<&T> {
        let subject: &dyn Any = self.inner.subject.as_deref()?;
        subject.downcast_ref()
    }

    pub(crate) fn transient(mut self, transient: bool) -> Self {
        self.inner.transient = transient;
        self
    }

    /// What a program can do about the error, in this crate's terms.
    pub(crate) fn with_advice(mut self, advice: &'static str) -> Self {
        self.inner.advice = Some(advice);
        self
    }

    /// Prefixes the message, keeping everything else.
    pub(crate) fn context(mut self, prefix: impl fmt::Display) -> Self {
        self.inner.message = format!("{prefix}: {}", self.inner.message);
        self
    }

    /// What happened, without the kind's name in front and without the
    /// advice in this crate's terms that [`Display`](fmt::Display) adds —
    /// for a tool that words its own (the command-line client suggests its
    /// flags, not builder methods).
    ///
    /// ```
    /// let err = orchestrator::Client::builder("ftp://example.com").build().unwrap_err();
    /// assert_eq!(err.message(), "the base URL must use http or https, not `ftp`");
    /// assert_eq!(err.to_string(), "invalid input: the base URL must use http or https, not `ftp`");
    /// ```
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// What a program using this crate can do about the error, when there
    /// is something (which builder setting to change); also the end of the
    /// [`Display`](fmt::Display) text.
    pub fn advice(&self) -> Option<&str> {
        self.inner.advice
    }

    /// What kind of failure this is.
    ///
    /// ```
    /// # async fn demo() {
    /// let err = orchestrator::Client::builder("not a url").build().unwrap_err();
    /// assert_eq!(err.kind(), orchestrator::ErrorKind::InvalidInput);
    /// # }
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Whether trying the same thing again later may succeed: connection
    /// failures, request timeouts, `408`, `429`, `5xx`, and non-JSON bodies
    /// (typically an HTML page from a proxy).
    ///
    /// ```
    /// let err = orchestrator::Client::builder("ftp://example.com").build().unwrap_err();
    /// assert!(!err.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        self.inner.transient
    }

    /// Whether this is an authentication failure (`401`/`403`).
    pub fn is_auth(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// Whether the task or route was not found.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// Whether a wait gave up because its deadline passed.
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::TimedOut
    }

    /// Whether the server lacks the endpoint asked for (an extension of
    /// the contract, such as listing tasks).
    pub fn is_unsupported(&self) -> bool {
        self.kind() == ErrorKind::Unsupported
    }

    /// Whether the server broke the API contract.
    pub fn is_protocol(&self) -> bool {
        self.kind() == ErrorKind::Protocol
    }

    /// The HTTP status of the response that caused this error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The RFC 9457 problem details the server sent with an error response.
    pub fn problem(&self) -> Option<&Problem> {
        self.inner.problem.as_ref()
    }

    /// The raw body of an error response, when it was not problem details
    /// (truncated to a few kilobytes).
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }
}

/// What an error can be about: any value the crate attaches with
/// [`Error::with_subject`] (a `TaskRef`, in practice).
pub(crate) trait Subject: Any + fmt::Debug + Send + Sync {}

impl<T: Any + fmt::Debug + Send + Sync> Subject for T {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.kind.describe(), self.inner.message)?;
        if let Some(advice) = self.inner.advice {
            write!(f, "; {advice}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        d.field("message", &self.inner.message);
        if let Some(status) = self.inner.status {
            d.field("status", &status);
        }
        if let Some(problem) = &self.inner.problem {
            d.field("problem", problem);
        }
        if let Some(subject) = &self.inner.subject {
            d.field("task", subject);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer_wide_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn display_names_the_kind_and_the_message() {
        let e = Error::new(ErrorKind::NotFound, "task `t-1` does not exist");
        assert_eq!(e.to_string(), "not found: task `t-1` does not exist");
    }

    #[test]
    fn source_is_exposed() {
        let io = std::io::Error::other("boom");
        let e = Error::new(ErrorKind::Transport, "x").with_source(io);
        assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some("boom"));
    }
}
