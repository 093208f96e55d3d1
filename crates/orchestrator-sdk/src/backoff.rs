//! The one backoff generator: pauses that grow by a fixed factor from `min`
//! to `max`, restartable, used by submit retries, failed polls and the
//! no-progress polling schedule.
//!
//! It is a step counter and a growth curve (eight bytes): the bounds come
//! from the caller's options at each call, so thousands of waits do not
//! each keep copies of them, and the jitter draw can be passed in, so every
//! curve is tested exactly.

use std::time::Duration;

/// How a backoff grows, and how much jitter it adds by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Growth {
    /// 1.5× per step, no jitter of its own: the no-progress polling
    /// schedule, gentler than doubling so a task of a few seconds is still
    /// seen soon after it ends (its caller adds a little jitter on top).
    Gentle,
    /// 2× per step, plus up to 100 % at random on top of each step (then
    /// clamped into `[min, max]` again): retries after failures, spread out
    /// so that clients failing together do not come back together.
    Doubling,
}

impl Growth {
    fn factor(self) -> f64 {
        match self {
            Growth::Gentle => 1.5,
            Growth::Doubling => 2.0,
        }
    }

    /// The fraction of a step that jitter may add (a draw of `1.0` adds it all).
    fn jitter(self) -> f64 {
        match self {
            Growth::Gentle => 0.0,
            Growth::Doubling => 1.0,
        }
    }
}

/// Pauses growing from `min` to `max`; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    growth: Growth,
    step: u16,
}

/// Beyond this many steps every curve is at `max` anyway.
const MAX_STEP: u16 = 64;

impl Backoff {
    /// The no-progress polling schedule: `min`, then 1.5× per step.
    pub(crate) const fn gentle() -> Backoff {
        Backoff {
            growth: Growth::Gentle,
            step: 0,
        }
    }

    /// Retries after failures: `min`, then doubling, with full jitter.
    pub(crate) const fn doubling() -> Backoff {
        Backoff {
            growth: Growth::Doubling,
            step: 0,
        }
    }

    /// The next pause within `[min, max]`, drawing its jitter at random.
    pub(crate) fn next_delay(&mut self, min: Duration, max: Duration) -> Duration {
        let draw = if self.growth.jitter() > 0.0 {
            fastrand::f64()
        } else {
            0.0
        };
        self.next_with(min, max, draw)
    }

    /// The next pause within `[min, max]`, with `draw` in `[0, 1)` as the
    /// jitter (ignored by a curve without jitter).
    pub(crate) fn next_with(&mut self, min: Duration, max: Duration, draw: f64) -> Duration {
        let max = max.max(min);
        // In floating point, saturating at `max`: `min` and `max` are the
        // caller's, and `Duration`'s own arithmetic panics on overflow.
        let scaled = |d: Duration, by: f64| Duration::try_from_secs_f64(d.as_secs_f64() * by).ok();
        let grown = scaled(min, self.growth.factor().powi(i32::from(self.step)))
            .unwrap_or(max)
            .min(max);
        self.step = (self.step + 1).min(MAX_STEP);
        let extra = scaled(grown, self.growth.jitter() * draw.clamp(0.0, 1.0)).unwrap_or_default();
        grown.saturating_add(extra).clamp(min, max)
    }

    /// Starts over from `min`: the task showed signs of life, or polls
    /// succeed again.
    pub(crate) fn reset(&mut self) {
        self.step = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_gentle_curve_grows_by_half_each_step_and_ignores_the_draw() {
        let mut b = Backoff::gentle();
        let d: Vec<_> = (0..4)
            .map(|_| b.next_with(ms(500), ms(30_000), 0.9).as_millis())
            .collect();
        assert_eq!(d, [500, 750, 1125, 1687]);
    }

    #[test]
    fn the_doubling_curve_adds_at_most_the_whole_step_as_jitter() {
        let mut b = Backoff::doubling();
        assert_eq!(b.next_with(ms(100), ms(10_000), 0.0), ms(100));
        assert_eq!(b.next_with(ms(100), ms(10_000), 0.5), ms(300));
        assert!(b.next_with(ms(100), ms(10_000), 0.999_999) < ms(800));
    }

    #[test]
    fn a_huge_step_count_or_inverted_bounds_do_not_panic() {
        let mut b = Backoff::doubling();
        for _ in 0..1_000 {
            let d = b.next_with(ms(100), ms(1_600), 0.7);
            assert!(d >= ms(100) && d <= ms(1_600), "{d:?}");
        }
        assert_eq!(
            Backoff::gentle().next_with(ms(10_000), ms(1_000), 0.0),
            ms(10_000)
        );
        let mut huge = Backoff::doubling();
        for _ in 0..100 {
            assert_eq!(
                huge.next_with(Duration::MAX, Duration::MAX, 0.9),
                Duration::MAX
            );
        }
    }

    #[test]
    fn the_backoff_grows_stays_in_range_and_resets() {
        let (min, max) = (Duration::from_millis(100), Duration::from_millis(1600));
        let mut b = Backoff::doubling();
        let first: Vec<_> = (0..12).map(|_| b.next_delay(min, max)).collect();
        assert!(first.iter().all(|d| *d >= min && *d <= max), "{first:?}");
        // Without jitter the 6th step would be 3.2 s; with it, it is pinned at max.
        assert_eq!(first[11], max);
        b.reset();
        // A fresh schedule starts at min (+ up to 100% jitter).
        assert!(b.next_delay(min, max) <= min * 2);
    }
}
