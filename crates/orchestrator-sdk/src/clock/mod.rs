//! Time, injectable: the poller reads the wall clock (for `Retry-After`
//! dates), a monotonic clock (for deadlines) and sleeps only through a
//! [`Clock`], so tests can run hour-long waits in microseconds.
//!
//! Programs never need this module: a client uses [`SystemClock`] unless
//! told otherwise. Tests do, with `VirtualClock`, which the `test-util`
//! feature adds:
//!
//! ```toml
//! [dev-dependencies]
//! orchestrator-sdk = { version = "0.2", features = ["test-util"] }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

#[cfg(feature = "test-util")]
mod virtual_clock;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub use virtual_clock::VirtualClock;

/// A boxed future returned by [`Clock::sleep`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The source of time used for polling delays and deadlines.
///
/// The default is [`SystemClock`]. Inject another (a `VirtualClock`, with
/// the `test-util` feature) with [`ClientBuilder::clock`](crate::ClientBuilder::clock).
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current wall-clock time, used to turn an HTTP-date into a delay.
    fn now(&self) -> SystemTime;
    /// Monotonic time elapsed since an arbitrary fixed point, used for deadlines.
    fn elapsed(&self) -> Duration;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// Real time: `SystemTime::now`, `Instant`, and `tokio::time::sleep`.
#[derive(Debug, Clone)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock reading real time.
    pub fn new() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}
