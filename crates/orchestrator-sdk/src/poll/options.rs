//! How a wait behaves: intervals, caps, deadline, long polling.

use std::time::Duration;

use crate::error::{Error, Result};

/// Settings for waiting on a task. Set client-wide defaults with
/// [`ClientBuilder::poll_options`](crate::ClientBuilder::poll_options) and
/// override them per wait on the [`Poller`](crate::Poller).
///
/// # Default
///
/// | field | default |
/// |---|---|
/// | `timeout` | none: wait as long as the task runs |
/// | `min_interval` | 500 ms |
/// | `max_interval` | 30 s |
/// | `max_retry_after` | 5 min |
/// | `long_poll_wait` | `Some(20 s)` |
/// | `max_consecutive_errors` | 10 |
/// | `first_answer_timeout` | 5 s |
/// | `event_stream` | `true` |
///
/// The fields are public to read and assign; `#[non_exhaustive]` means new
/// settings may be added, so build one from [`PollOptions::default`] and
/// the `with_*` methods (or assignments), never with a struct literal.
///
/// ```
/// use std::time::Duration;
///
/// let options = orchestrator::PollOptions::default()
///     .with_timeout(Some(Duration::from_secs(600)))
///     .with_max_interval(Duration::from_secs(10));
/// assert_eq!(options.min_interval, Duration::from_millis(500));
/// assert_eq!(options.max_interval, Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollOptions {
    /// Give up waiting (with an [`ErrorKind::TimedOut`](crate::ErrorKind::TimedOut)
    /// error naming the task) after this long. The task itself keeps running.
    pub timeout: Option<Duration>,
    /// The shortest client-side pause between polls, whatever the schedule
    /// or the progress estimate says. The no-progress schedule starts here
    /// (and returns here whenever the task's state changes), growing 1.5×
    /// per poll.
    pub min_interval: Duration,
    /// The longest pause the backoff grows to.
    pub max_interval: Duration,
    /// The server's `Retry-After` is a floor on the next pause, but never
    /// more than this, so an absurd value cannot park the client.
    pub max_retry_after: Duration,
    /// Ask the server to hold each status request until something changes,
    /// for up to this long (`Prefer: wait=N`, RFC 7240); `None` turns long
    /// polling off. Whole seconds are sent; below one second it is off.
    pub long_poll_wait: Option<Duration>,
    /// Give up after this many failed polls in a row (connection errors,
    /// `5xx`, `408`, `429`, non-JSON bodies). A success resets the count.
    pub max_consecutive_errors: u32,
    /// How long a wait keeps trying a server that has not answered once
    /// (connection refused, no such host, no route): a wrong URL or a
    /// stopped server is reported after this, not after every retry. Once
    /// the server has answered anything — the submit's `202` counts — its
    /// outages are ridden out as `max_consecutive_errors` allows.
    pub first_answer_timeout: Duration,
    /// On a server that advertises its event stream (a `Link: …;
    /// rel="events"` on its answers), wait for pushed events instead of
    /// polling: all the client's concurrent waits share one connection to
    /// `GET /v1/events`, and each reads its task's status once, when it
    /// starts. `false` keeps every wait polling (and long polling).
    pub event_stream: bool,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            timeout: None,
            min_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            long_poll_wait: Some(Duration::from_secs(20)),
            max_consecutive_errors: 10,
            first_answer_timeout: Duration::from_secs(5),
            event_stream: true,
        }
    }
}

impl PollOptions {
    /// Sets [`timeout`](Self::timeout): give up waiting after this long
    /// (`None`: wait as long as the task runs).
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = orchestrator::PollOptions::default().with_timeout(Some(Duration::from_secs(90)));
    /// assert_eq!(o.timeout, Some(Duration::from_secs(90)));
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`min_interval`](Self::min_interval), the shortest pause between polls.
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = orchestrator::PollOptions::default().with_min_interval(Duration::from_millis(250));
    /// assert_eq!(o.min_interval, Duration::from_millis(250));
    /// ```
    #[must_use]
    pub fn with_min_interval(mut self, interval: Duration) -> Self {
        self.min_interval = interval;
        self
    }

    /// Sets [`max_interval`](Self::max_interval), the longest pause the
    /// backoff grows to.
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = orchestrator::PollOptions::default().with_max_interval(Duration::from_secs(5));
    /// assert_eq!(o.max_interval, Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn with_max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// Sets [`max_retry_after`](Self::max_retry_after), the most a server's
    /// `Retry-After` may make a wait pause.
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = orchestrator::PollOptions::default().with_max_retry_after(Duration::from_secs(60));
    /// assert_eq!(o.max_retry_after, Duration::from_secs(60));
    /// ```
    #[must_use]
    pub fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Sets [`long_poll_wait`](Self::long_poll_wait); `None` turns long
    /// polling off.
    ///
    /// ```
    /// let o = orchestrator::PollOptions::default().with_long_poll_wait(None);
    /// assert_eq!(o.long_poll_wait, None);
    /// ```
    #[must_use]
    pub fn with_long_poll_wait(mut self, wait: Option<Duration>) -> Self {
        self.long_poll_wait = wait;
        self
    }

    /// Sets [`max_consecutive_errors`](Self::max_consecutive_errors).
    ///
    /// ```
    /// let o = orchestrator::PollOptions::default().with_max_consecutive_errors(3);
    /// assert_eq!(o.max_consecutive_errors, 3);
    /// ```
    #[must_use]
    pub fn with_max_consecutive_errors(mut self, errors: u32) -> Self {
        self.max_consecutive_errors = errors;
        self
    }

    /// Sets [`first_answer_timeout`](Self::first_answer_timeout): how long a
    /// wait tries a server that has never answered.
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = orchestrator::PollOptions::default().with_first_answer_timeout(Duration::from_secs(30));
    /// assert_eq!(o.first_answer_timeout, Duration::from_secs(30));
    /// ```
    #[must_use]
    pub fn with_first_answer_timeout(mut self, timeout: Duration) -> Self {
        self.first_answer_timeout = timeout;
        self
    }

    /// Sets [`event_stream`](Self::event_stream): `false` keeps waits
    /// polling on a server that pushes events.
    ///
    /// ```
    /// let o = orchestrator::PollOptions::default().with_event_stream(false);
    /// assert!(!o.event_stream);
    /// ```
    #[must_use]
    pub fn with_event_stream(mut self, enabled: bool) -> Self {
        self.event_stream = enabled;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.min_interval < Duration::from_millis(1) {
            return Err(Error::invalid_input(
                "min_interval must be at least 1 ms, or polling would spin",
            ));
        }
        if self.max_interval < self.min_interval {
            return Err(Error::invalid_input(format!(
                "max_interval ({:?}) is shorter than min_interval ({:?})",
                self.max_interval, self.min_interval
            )));
        }
        if self.max_consecutive_errors == 0 {
            return Err(Error::invalid_input(
                "max_consecutive_errors must be at least 1",
            ));
        }
        Ok(())
    }

    /// Whole seconds to ask the server to hold a status request, given the
    /// time left before the deadline; `None` when long polling is off or
    /// there is not enough time left for it to be worth it.
    pub(crate) fn long_poll_seconds(&self, time_left: Option<Duration>) -> Option<u64> {
        let cap = self.long_poll_wait?;
        // Leave a second of slack so the held request returns before the deadline.
        let bounded = match time_left {
            Some(left) => cap.min(left.saturating_sub(Duration::from_secs(1))),
            None => cap,
        };
        Some(bounded.as_secs()).filter(|s| *s >= 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        PollOptions::default().validate().unwrap();
    }

    #[test]
    fn inverted_intervals_are_rejected_with_both_values() {
        let o = PollOptions {
            max_interval: Duration::from_millis(10),
            ..PollOptions::default()
        };
        let e = o.validate().unwrap_err();
        assert!(e.to_string().contains("10ms"), "{e}");
    }

    #[test]
    fn long_poll_wait_is_bounded_by_the_time_left() {
        let o = PollOptions::default();
        assert_eq!(o.long_poll_seconds(None), Some(20));
        assert_eq!(o.long_poll_seconds(Some(Duration::from_secs(8))), Some(7));
        assert_eq!(o.long_poll_seconds(Some(Duration::from_millis(1500))), None);
        let off = PollOptions {
            long_poll_wait: None,
            ..PollOptions::default()
        };
        assert_eq!(off.long_poll_seconds(None), None);
    }
}
