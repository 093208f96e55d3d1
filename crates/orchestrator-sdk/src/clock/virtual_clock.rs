//! A clock for tests (feature `test-util`): sleeps return at once and move
//! its time forward, and every sleep is recorded.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::{Clock, Sleep};

/// A clock for tests: `sleep` returns at once and moves virtual time forward,
/// and every sleep is recorded so a test can assert the delays the poller chose.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use orchestrator::clock::{Clock, VirtualClock};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let start = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
/// let clock = VirtualClock::new(start);
/// clock.sleep(Duration::from_secs(90)).await; // returns immediately
/// assert_eq!(clock.now(), start + Duration::from_secs(90));
/// assert_eq!(clock.sleeps(), vec![Duration::from_secs(90)]);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct VirtualClock {
    state: Arc<Mutex<VirtualState>>,
}

#[derive(Debug)]
struct VirtualState {
    start: SystemTime,
    elapsed: Duration,
    sleeps: Vec<Duration>,
}

impl VirtualClock {
    /// A virtual clock whose wall time starts at `start`.
    pub fn new(start: SystemTime) -> Self {
        VirtualClock {
            state: Arc::new(Mutex::new(VirtualState {
                start,
                elapsed: Duration::ZERO,
                sleeps: Vec::new(),
            })),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut VirtualState) -> T) -> T {
        // A panic elsewhere cannot leave this state half-updated.
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Moves time forward without recording a sleep (time spent elsewhere).
    pub fn advance(&self, by: Duration) {
        self.with(|s| s.elapsed = s.elapsed.saturating_add(by));
    }

    /// Every sleep requested so far, in order (zero-length ones included).
    pub fn sleeps(&self) -> Vec<Duration> {
        self.with(|s| s.sleeps.clone())
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> SystemTime {
        self.with(|s| s.start.checked_add(s.elapsed).unwrap_or(s.start))
    }

    fn elapsed(&self) -> Duration {
        self.with(|s| s.elapsed)
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        self.with(|s| {
            s.sleeps.push(duration);
            s.elapsed = s.elapsed.saturating_add(duration);
        });
        // Still yield, so a poll loop in a test cannot starve the runtime.
        Box::pin(tokio::task::yield_now())
    }
}
