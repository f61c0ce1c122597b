//! When to try again. Graph's Retry-After wins when given (fractional seconds allowed);
//! otherwise exponential backoff with jitter. Bounded by `max_retries` and by a total
//! time cap (Microsoft's SDKs use 180 s), so a send never hangs a PHP request forever.

use std::time::{Duration, Instant};

/// Total time budget for waiting between attempts.
pub const TOTAL_CAP: Duration = Duration::from_secs(180);
/// First backoff delay without Retry-After. Shorter than the SDKs' 3 s: a PHP request
/// (often a web request) is waiting, and Graph sends Retry-After when it cares.
pub const BASE_DELAY: Duration = Duration::from_millis(500);
/// Largest single backoff delay.
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// Retry state of one operation.
#[derive(Debug)]
pub struct Backoff {
    max_retries: u32,
    attempt: u32,
    started: Instant,
    cap: Duration,
}

impl Backoff {
    /// A fresh budget of `max_retries` retries.
    pub fn new(max_retries: u32) -> Self {
        Backoff { max_retries, attempt: 0, started: Instant::now(), cap: TOTAL_CAP }
    }

    /// The delay before the next attempt, or `None` when the budget is spent.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Option<Duration> {
        if self.attempt >= self.max_retries {
            return None;
        }
        let delay = match retry_after {
            Some(d) => d,
            None => {
                let exp = BASE_DELAY.saturating_mul(1u32 << self.attempt.min(16)).min(MAX_DELAY);
                // Jitter over [exp/2, exp]: spreads apart the retries of many PHP workers
                // that were throttled at the same moment.
                let r = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
                exp / 2 + exp / 2 * r / 1000
            }
        };
        if self.started.elapsed() + delay > self.cap {
            return None;
        }
        self.attempt += 1;
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_retry_after_and_the_budget() {
        let mut b = Backoff::new(2);
        assert_eq!(b.next_delay(Some(Duration::from_millis(2128))), Some(Duration::from_millis(2128)));
        let d = b.next_delay(None).unwrap();
        assert!(d >= BASE_DELAY && d <= BASE_DELAY * 2, "{d:?}");
        assert_eq!(b.next_delay(None), None);
        let mut b = Backoff::new(5);
        assert_eq!(b.next_delay(Some(Duration::from_secs(500))), None, "over the total cap");
    }
}
