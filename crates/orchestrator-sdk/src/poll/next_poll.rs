//! The pause before the next poll, as finally chosen: the client's own
//! choice ([`trend::pace`](super::trend::pace), or the retry backoff after a
//! failure) against the server's `Retry-After`, long polling and the
//! deadline.
//!
//! The policy is a pure function ([`choose_delay`]) of those inputs, so it
//! is tested exhaustively without sleeping.

use std::time::Duration;

use super::options::PollOptions;

/// Where the pause before the next poll came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DelaySource {
    /// The client's own schedule when it knows nothing better: from
    /// `min_interval`, growing 1.5× per poll (with jitter) up to
    /// `max_interval`; after failed polls, doubling.
    Backoff,
    /// Aimed just after the finish that the task's `progress_percent`
    /// predicts (or part of the way there, to estimate again), within
    /// `[min_interval, max_interval]`.
    Estimate,
    /// The server's `Retry-After` (or `retry-after-ms`), which was longer
    /// than the backoff; capped by `max_retry_after`.
    RetryAfter,
    /// The server already held the request (long polling), so no pause.
    LongPoll,
    /// Shortened to end exactly at the wait's deadline.
    Deadline,
    /// No poll is planned: the server pushes the task's next status over
    /// its event stream (the delay is zero; the deadline still applies).
    EventStream,
}

/// The pause chosen before the next poll, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NextPoll {
    /// How long the poller will sleep before its next request.
    pub delay: Duration,
    /// Which rule chose that delay.
    pub source: DelaySource,
}

/// A bare duration is the client's schedule speaking
/// ([`DelaySource::Backoff`]).
impl From<Duration> for NextPoll {
    fn from(delay: Duration) -> Self {
        NextPoll {
            delay,
            source: DelaySource::Backoff,
        }
    }
}

/// Picks the pause before the next poll.
///
/// * `own` — the client's own choice (its schedule, or an estimate from
///   progress); clamped to `[min_interval, max_interval]`.
/// * `retry_after` — the server's hint; a floor on the pause, capped by
///   `max_retry_after`.
/// * `server_waited` — the server held the request (long polling), so the
///   backoff is skipped; the server's hint still applies.
/// * `time_left` — until the deadline; the pause never runs past it.
///
/// The result is always within `[0, max(max_interval, max_retry_after)]`.
pub(crate) fn choose_delay(
    options: &PollOptions,
    own: impl Into<NextPoll>,
    retry_after: Option<Duration>,
    server_waited: bool,
    time_left: Option<Duration>,
) -> NextPoll {
    let mut next = if server_waited {
        NextPoll {
            delay: Duration::ZERO,
            source: DelaySource::LongPoll,
        }
    } else {
        let own = own.into();
        NextPoll {
            delay: clamp(own.delay, options.min_interval, options.max_interval),
            source: own.source,
        }
    };
    if let Some(hint) = retry_after {
        let hint = hint.min(options.max_retry_after);
        if hint > next.delay || (hint == next.delay && !hint.is_zero()) {
            next = NextPoll {
                delay: hint,
                source: DelaySource::RetryAfter,
            };
        }
    }
    if let Some(left) = time_left
        && next.delay > left
    {
        next = NextPoll {
            delay: left,
            source: DelaySource::Deadline,
        };
    }
    next
}

/// How far past a `Retry-After` a poll may go, as a fraction of it.
const RETRY_AFTER_SPREAD: f64 = 0.1;

/// A `Retry-After` hint moved up to 10 % later, by `draw` in `[0, 1)`.
///
/// Many clients told the same instant (after a `503`, or polling tasks
/// submitted together) would otherwise all come back at once; and a fixed
/// hint that matches a task's own rhythm (1 s against a task of 3 s) would
/// land every poll just before the change it waits for.
pub(crate) fn spread(hint: Duration, draw: f64) -> Duration {
    hint + hint.mul_f64(RETRY_AFTER_SPREAD * draw.clamp(0.0, 1.0))
}

/// `Duration::clamp` panics when `min > max`; options are validated, but a
/// pure function should not rely on that.
fn clamp(d: Duration, min: Duration, max: Duration) -> Duration {
    d.max(min).min(max.max(min))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn options() -> PollOptions {
        PollOptions::default()
    }

    #[test]
    fn the_server_wins_when_it_asks_for_more_and_the_deadline_caps_everything() {
        let options = PollOptions::default();
        let s = Duration::from_secs;

        // The server asks for more than the backoff: the server wins.
        let next = choose_delay(&options, s(2), Some(s(9)), false, None);
        assert_eq!((next.delay, next.source), (s(9), DelaySource::RetryAfter));

        // An absurd hint is capped, and the deadline caps everything.
        let next = choose_delay(&options, s(2), Some(s(86_400)), false, Some(s(4)));
        assert_eq!((next.delay, next.source), (s(4), DelaySource::Deadline));
    }

    #[test]
    fn a_retry_after_is_spread_over_the_tenth_after_it() {
        assert_eq!(spread(S(10), 0.0), S(10));
        assert_eq!(spread(S(10), 0.5), Duration::from_millis(10_500));
        assert!(spread(S(10), 0.999_999) < Duration::from_millis(11_000));
        // Out-of-range draws are clamped, and a zero hint stays zero.
        assert_eq!(spread(S(10), 7.0), S(11));
        assert_eq!(spread(Duration::ZERO, 0.9), Duration::ZERO);
    }

    #[test]
    fn backoff_alone_is_clamped_into_the_interval_range() {
        let o = options();
        assert_eq!(
            choose_delay(&o, Duration::ZERO, None, false, None).delay,
            o.min_interval
        );
        assert_eq!(
            choose_delay(&o, S(3600), None, false, None).delay,
            o.max_interval
        );
        let n = choose_delay(&o, S(4), None, false, None);
        assert_eq!((n.delay, n.source), (S(4), DelaySource::Backoff));
    }

    #[test]
    fn retry_after_is_a_floor_not_a_ceiling() {
        let o = options();
        // A hint shorter than the backoff does not speed polling up.
        let n = choose_delay(&o, S(8), Some(S(2)), false, None);
        assert_eq!((n.delay, n.source), (S(8), DelaySource::Backoff));
        // Zero is a hint too, and still the backoff applies.
        let n = choose_delay(&o, S(1), Some(Duration::ZERO), false, None);
        assert_eq!((n.delay, n.source), (S(1), DelaySource::Backoff));
    }

    #[test]
    fn a_huge_retry_after_is_capped_by_max_retry_after() {
        let o = options();
        let n = choose_delay(&o, S(1), Some(Duration::MAX), false, None);
        assert_eq!(
            (n.delay, n.source),
            (o.max_retry_after, DelaySource::RetryAfter)
        );
    }

    #[test]
    fn after_a_long_poll_the_next_request_goes_at_once_unless_the_server_asks_otherwise() {
        let o = options();
        let n = choose_delay(&o, S(16), None, true, None);
        assert_eq!((n.delay, n.source), (Duration::ZERO, DelaySource::LongPoll));
        let n = choose_delay(&o, S(16), Some(Duration::ZERO), true, None);
        assert_eq!((n.delay, n.source), (Duration::ZERO, DelaySource::LongPoll));
        let n = choose_delay(&o, S(16), Some(S(3)), true, None);
        assert_eq!((n.delay, n.source), (S(3), DelaySource::RetryAfter));
    }

    #[test]
    fn the_delay_never_runs_past_the_deadline() {
        let o = options();
        let n = choose_delay(&o, S(30), Some(S(200)), false, Some(S(5)));
        assert_eq!((n.delay, n.source), (S(5), DelaySource::Deadline));
        let n = choose_delay(&o, S(30), None, false, Some(Duration::ZERO));
        assert_eq!(n.delay, Duration::ZERO);
    }

    #[test]
    fn inverted_bounds_do_not_panic() {
        let o = PollOptions {
            min_interval: S(10),
            max_interval: S(1),
            ..options()
        };
        assert_eq!(choose_delay(&o, S(5), None, false, None).delay, S(10));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn ms(n: u64) -> Duration {
            Duration::from_millis(n)
        }

        proptest! {
            #[test]
            fn the_delay_stays_within_bounds_and_honours_the_floor_and_the_deadline(
                min in 1u64..60_000,
                extra in 0u64..600_000,
                cap in 0u64..3_600_000,
                backoff in any::<u64>(),
                hint in proptest::option::of(any::<u64>()),
                waited in any::<bool>(),
                left in proptest::option::of(0u64..10_000_000),
            ) {
                let o = PollOptions {
                    min_interval: ms(min),
                    max_interval: ms(min + extra),
                    max_retry_after: ms(cap),
                    ..PollOptions::default()
                };
                let hint = hint.map(ms);
                let left = left.map(ms);
                let n = choose_delay(&o, ms(backoff), hint, waited, left);
                // Never more than the largest allowed pause.
                prop_assert!(n.delay <= o.max_interval.max(o.max_retry_after));
                // Never past the deadline.
                if let Some(left) = left {
                    prop_assert!(n.delay <= left);
                }
                // The server's hint (capped) is a floor, unless the deadline is nearer.
                if let Some(h) = hint {
                    let floor = h.min(o.max_retry_after).min(left.unwrap_or(Duration::MAX));
                    prop_assert!(n.delay >= floor);
                }
                // Without a long poll, polling never spins faster than min_interval
                // (unless the deadline is nearer).
                if !waited {
                    prop_assert!(n.delay >= o.min_interval.min(left.unwrap_or(Duration::MAX)));
                }
            }
        }
    }
}
