//! Jitter: a random share of a wait, so that PHP workers that met the same condition at
//! the same moment (a 429 for all of them, a mailbox whose slots are all taken) do not
//! all look again in step. One formula for the retry loop's backoff (`http/retry.rs`) and the
//! limiter's polling (`limiter/wait.rs`).

use std::time::Duration;

/// Between half and all of `d`, uniformly in steps of 1/1000 (a v4 UUID is the
/// randomness already at hand: no RNG crate for one number per wait).
pub(crate) fn jittered(d: Duration) -> Duration {
    let r = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
    d / 2 + d / 2 * r / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_half_and_all_of_the_wait_and_varies() {
        let d = Duration::from_millis(500);
        let seen: std::collections::BTreeSet<Duration> = (0..200).map(|_| jittered(d)).collect();
        assert!(seen.iter().all(|j| *j >= d / 2 && *j <= d), "{seen:?}");
        assert!(seen.len() > 20, "{} distinct values in 200 draws", seen.len());
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
