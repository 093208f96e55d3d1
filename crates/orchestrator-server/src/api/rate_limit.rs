//! Each tenant's submit rate (`--rate-limit`): a GCRA token bucket per
//! tenant (governor). Over the limit, a submit gets `429` and a
//! `Retry-After` saying when the next one would be let in.

use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::config::RateLimit;

/// The per-tenant limiter.
pub(crate) struct SubmitLimiter {
    limiter: RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>,
    clock: DefaultClock,
}

impl std::fmt::Debug for SubmitLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubmitLimiter").finish_non_exhaustive()
    }
}

impl SubmitLimiter {
    pub(crate) fn new(limit: RateLimit) -> SubmitLimiter {
        let period = limit.per / limit.requests.get();
        // A zero period cannot happen for a whole number of requests per
        // second or longer; fall back to the tightest the clock allows.
        let quota = Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(limit.requests))
            .allow_burst(limit.burst);
        SubmitLimiter {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// `Ok` to let a submit of `tenant` in, or how long until one would be.
    pub(crate) fn check(&self, tenant: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&tenant.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    #[test]
    fn a_burst_is_let_in_then_the_next_waits_and_tenants_do_not_share_a_bucket() {
        let limiter = SubmitLimiter::new(RateLimit {
            requests: NonZeroU32::new(2).unwrap(),
            per: Duration::from_secs(1),
            burst: NonZeroU32::new(2).unwrap(),
        });
        assert!(limiter.check("acme").is_ok());
        assert!(limiter.check("acme").is_ok());
        let wait = limiter.check("acme").unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        assert!(limiter.check("globex").is_ok());
    }
}
