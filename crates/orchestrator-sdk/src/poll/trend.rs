//! The client's own pause when the server gives no hint: aimed just after
//! the finish that `progress_percent` predicts, or else the next step of
//! the gentle no-progress schedule.
//!
//! [`pace`] is a pure function of what was observed, the time and a jitter
//! draw, so the estimator is tested without a clock or a server;
//! [`ProgressTrend`] holds the little state it needs, and the schedule is
//! the crate's one [`Backoff`](crate::backoff::Backoff).

use std::time::Duration;

use super::next_poll::{DelaySource, NextPoll};
use super::options::PollOptions;
use crate::models::{TaskState, TaskStatus};

/// The no-progress schedule adds up to this fraction at random, so many
/// clients started together spread out.
const SCHEDULE_JITTER: f64 = 0.2;
/// Aim this long after the predicted finish: a poll that lands just before
/// it costs a whole `min_interval` more.
const AIM_AFTER: Duration = Duration::from_millis(10);
/// Plus up to this fraction of the time left, at random (the jitter of an
/// aimed poll).
const AIM_JITTER: f64 = 0.02;
/// While the finish is further away than the progress seen so far spans,
/// the extrapolation is shaky: look again after this fraction of the time
/// left and aim from the better estimate.
const APPROACH: f64 = 2.0 / 3.0;

/// One observation of `progress_percent`, at a time on the wait's clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub(crate) at: Duration,
    pub(crate) percent: f64,
}

/// The progress seen during one wait: where it started and where it is.
///
/// The rate is taken over the whole span (not the last step), which
/// averages out the rounding of whole-percent reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ProgressTrend {
    origin: Option<Point>,
    latest: Option<Point>,
}

impl ProgressTrend {
    /// Records `status` seen at `at`. A task still `PENDING` without a
    /// figure counts as 0 %; a report that goes backwards starts the trend
    /// over; a task that reports nothing leaves it empty.
    pub(crate) fn observe(&mut self, at: Duration, status: &TaskStatus) {
        let percent = match (status.progress_percent(), status.state()) {
            (Some(p), _) if p.is_finite() => p.clamp(0.0, 100.0),
            (None, TaskState::Pending) => 0.0,
            _ => return,
        };
        let point = Point { at, percent };
        if self.latest.is_none_or(|l| percent < l.percent) {
            self.origin = Some(point);
        }
        self.latest = Some(point);
    }

    /// The time still to run after the latest observation, and the span of
    /// time the estimate is based on; `None` until progress has moved.
    pub(crate) fn estimate(&self) -> Option<(Duration, Duration)> {
        let (origin, latest) = (self.origin?, self.latest?);
        let span = latest.at.checked_sub(origin.at)?;
        let gained = latest.percent - origin.percent;
        if span.is_zero() || gained <= 0.0 {
            return None;
        }
        let per_second = gained / span.as_secs_f64();
        let left = (100.0 - latest.percent) / per_second;
        Some((Duration::try_from_secs_f64(left).ok()?, span))
    }

    /// When the latest observation was made.
    pub(crate) fn latest_at(&self) -> Option<Duration> {
        self.latest.map(|l| l.at)
    }
}

/// The client's own choice of pause, before the server's hints and the
/// deadline are applied (see [`choose_delay`](super::next_poll::choose_delay)).
///
/// * `trend` — the progress seen so far; once it has moved, the pause aims
///   just after the predicted finish ([`DelaySource::Estimate`]), or, while
///   the finish is further off than the evidence spans, two thirds of the
///   way there to estimate again.
/// * `now` — the wait's clock; time already spent since the latest
///   observation is taken off.
/// * `step` — the no-progress schedule's next step (a gentle
///   [`Backoff`](crate::backoff::Backoff)), used when there is no estimate
///   ([`DelaySource::Backoff`]).
/// * `jitter` — a draw in `[0, 1)`.
///
/// The result always lies within `[min_interval, max_interval]`.
pub(crate) fn pace(
    options: &PollOptions,
    trend: &ProgressTrend,
    now: Duration,
    step: Duration,
    jitter: f64,
) -> NextPoll {
    let jitter = jitter.clamp(0.0, 1.0);
    let bound = |d: Duration| {
        d.max(options.min_interval)
            .min(options.max_interval.max(options.min_interval))
    };
    if let Some((left, span)) = trend.estimate() {
        let since = trend
            .latest_at()
            .map_or(Duration::ZERO, |at| now.saturating_sub(at));
        let left = left.saturating_sub(since);
        let delay = if left <= span.max(options.min_interval * 3) {
            left + AIM_AFTER + left.mul_f64(AIM_JITTER * jitter)
        } else {
            left.mul_f64(APPROACH)
        };
        return NextPoll {
            delay: bound(delay),
            source: DelaySource::Estimate,
        };
    }
    NextPoll {
        delay: bound(step.mul_f64(1.0 + SCHEDULE_JITTER * jitter)),
        source: DelaySource::Backoff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backoff::Backoff;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn running(percent: f64) -> TaskStatus {
        TaskStatus::new("t", TaskState::Running).with_progress_percent(percent)
    }

    fn pending() -> TaskStatus {
        TaskStatus::new("t", TaskState::Pending)
    }

    /// A task that runs `duration` and reports linear progress rounded down
    /// to whole percents, watched by `pace` alone: when each poll lands.
    fn polls_of_a_linear_task(duration: Duration, options: &PollOptions) -> Vec<Duration> {
        let mut trend = ProgressTrend::default();
        let mut schedule = Backoff::gentle();
        trend.observe(Duration::ZERO, &pending());
        let mut now = Duration::ZERO;
        let mut polls = Vec::new();
        loop {
            let step = schedule.next_delay(options.min_interval, options.max_interval);
            let next = pace(options, &trend, now, step, 0.5);
            now += next.delay;
            polls.push(now);
            if now >= duration || polls.len() > 100 {
                return polls;
            }
            let percent = (now.as_secs_f64() / duration.as_secs_f64() * 100.0).floor();
            trend.observe(now, &running(percent));
        }
    }

    #[test]
    fn without_progress_the_schedule_starts_at_min_interval_and_grows_gently() {
        let o = PollOptions::default();
        let (trend, mut schedule) = (ProgressTrend::default(), Backoff::gentle());
        let mut next_step = || schedule.next_delay(o.min_interval, o.max_interval);
        let delays: Vec<_> = (0..4)
            .map(|_| pace(&o, &trend, Duration::ZERO, next_step(), 0.0))
            .collect();
        assert!(delays.iter().all(|n| n.source == DelaySource::Backoff));
        let d: Vec<_> = delays.iter().map(|n| n.delay.as_millis()).collect();
        assert_eq!(d, [500, 750, 1125, 1687]);
        // At most 20 % of jitter on top.
        let n = pace(&o, &trend, Duration::ZERO, ms(1000), 0.999_999);
        assert!(n.delay >= ms(1000) && n.delay < ms(1200), "{n:?}");
        // Capped at max_interval; reset starts over.
        for _ in 0..20 {
            next_step();
        }
        assert_eq!(next_step(), o.max_interval);
        schedule.reset();
        assert_eq!(
            schedule.next_delay(o.min_interval, o.max_interval),
            o.min_interval
        );
    }

    #[test]
    fn once_progress_moves_the_poll_aims_just_after_the_predicted_finish() {
        let o = PollOptions::default();
        let mut trend = ProgressTrend::default();
        trend.observe(Duration::ZERO, &pending());
        trend.observe(ms(1000), &running(50.0));
        // 50 % a second: 1 s left; aimed 10 ms after it (no jitter drawn).
        let n = pace(&o, &trend, ms(1000), ms(500), 0.0);
        assert_eq!((n.delay, n.source), (ms(1010), DelaySource::Estimate));
        // Time already spent since the observation is taken off.
        let n = pace(&o, &trend, ms(1400), ms(500), 0.0);
        assert_eq!(n.delay, ms(610));
        // Jitter only ever moves the aim later, by at most 2 % of what is left.
        let n = pace(&o, &trend, ms(1000), ms(500), 0.999);
        assert!(n.delay > ms(1010) && n.delay <= ms(1030), "{n:?}");
    }

    #[test]
    fn a_far_finish_is_approached_in_steps_and_never_faster_than_min_interval() {
        let o = PollOptions::default();
        let mut trend = ProgressTrend::default();
        trend.observe(Duration::ZERO, &pending());
        trend.observe(ms(500), &running(2.0));
        // 24.5 s left on half a second of evidence: go two thirds of the way.
        let n = pace(&o, &trend, ms(500), ms(500), 0.0);
        assert_eq!(n.source, DelaySource::Estimate);
        assert_eq!(n.delay, Duration::from_secs_f64(24.5 * APPROACH));
        // Nearly done: still not sooner than min_interval.
        trend.observe(ms(1000), &running(99.9));
        let n = pace(&o, &trend, ms(1000), ms(500), 0.0);
        assert_eq!(n.delay, o.min_interval);
        // And never later than max_interval.
        let mut slow = ProgressTrend::default();
        slow.observe(Duration::ZERO, &running(0.0));
        slow.observe(Duration::from_secs(100), &running(1.0));
        let n = pace(&o, &slow, Duration::from_secs(100), ms(500), 0.0);
        assert_eq!(n.delay, o.max_interval);
    }

    #[test]
    fn progress_that_stalls_or_goes_backwards_falls_back_to_the_schedule() {
        let o = PollOptions::default();
        let mut trend = ProgressTrend::default();
        trend.observe(Duration::ZERO, &running(40.0));
        trend.observe(ms(1000), &running(40.0));
        assert_eq!(trend.estimate(), None);
        trend.observe(ms(2000), &running(60.0));
        assert!(trend.estimate().is_some());
        // Backwards: the trend starts over from this point.
        trend.observe(ms(3000), &running(10.0));
        assert_eq!(trend.estimate(), None);
        let n = pace(&o, &trend, ms(3000), ms(750), 0.0);
        assert_eq!((n.delay, n.source), (ms(750), DelaySource::Backoff));
        // A RUNNING task that reports no figure tells nothing either.
        let mut silent = ProgressTrend::default();
        silent.observe(Duration::ZERO, &TaskStatus::new("t", TaskState::Running));
        silent.observe(ms(1000), &TaskStatus::new("t", TaskState::Running));
        assert_eq!(silent.estimate(), None);
    }

    #[test]
    fn a_linear_task_is_seen_soon_after_it_ends_with_few_polls() {
        let o = PollOptions::default();
        for (secs, max_polls) in [(1.5, 2), (3.0, 3), (20.0, 6), (600.0, 30)] {
            let duration = Duration::from_secs_f64(secs);
            let polls = polls_of_a_linear_task(duration, &o);
            let last = *polls.last().unwrap();
            let lag = last - duration;
            assert!(polls.len() <= max_polls, "{secs} s: {polls:?}");
            // Whole-percent reports leave up to 1 % of the duration unknown.
            assert!(
                lag <= duration / 100 + ms(50),
                "{secs} s: lag {lag:?}, {polls:?}"
            );
            // Never two polls closer than min_interval.
            assert!(
                polls.windows(2).all(|w| w[1] - w[0] >= o.min_interval),
                "{polls:?}"
            );
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_pace_stays_within_the_interval_bounds(
                min in 1u64..10_000,
                extra in 0u64..600_000,
                points in proptest::collection::vec((0u64..1_000_000, -10.0f64..200.0), 0..6),
                now in 0u64..2_000_000,
                step in any::<u32>(),
                jitter in 0.0f64..1.0,
            ) {
                let o = PollOptions::default()
                    .with_min_interval(ms(min))
                    .with_max_interval(ms(min + extra));
                let mut trend = ProgressTrend::default();
                let mut at = 0;
                for (gap, percent) in points {
                    at += gap;
                    trend.observe(ms(at), &running(percent));
                }
                let n = pace(&o, &trend, ms(now), ms(u64::from(step)), jitter);
                prop_assert!(n.delay >= o.min_interval && n.delay <= o.max_interval, "{n:?}");
            }
        }
    }
}
