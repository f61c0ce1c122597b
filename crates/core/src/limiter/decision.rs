//! The limiter's decision, pure: what a store's refusal means for a send that must be
//! done by its deadline. No clock, no socket, no store: the store said why and how long
//! (`store.rs`), the caller says how much time is left, and this says whether to sleep,
//! to wait for a release, or to give up with a throttling error (`refused.rs`).

use std::time::Duration;

use super::store::Refusal;

/// What the wait loop does after a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Sleep this long, then try again: a window, the upload budget or Graph's hold ends
    /// then, and nothing frees it earlier.
    Sleep(Duration),
    /// All slots are taken: wait up to this long for a release, then try again (a
    /// release may come at any time; the wait is until the first lease would expire,
    /// cut to what the deadline leaves).
    AwaitRelease(Duration),
    /// The wait cannot end before the deadline: fail now with a throttling error.
    GiveUp(GiveUp),
}

/// Why a send gives up: for its error, and for the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GiveUp {
    /// The wait that would be needed (carried as `retry_after`); zero when it has no
    /// known end (slots taken until the deadline).
    pub wait: Duration,
    /// What was left of the deadline.
    pub left: Duration,
    /// The send holds a place in the mailbox's queue of waiters, to be given back.
    pub queued: bool,
}

/// The step after `why` with the store's `wait`, when `left` remains of the deadline.
pub(crate) fn decide(why: Refusal, wait: Duration, left: Duration) -> Step {
    if why != Refusal::Concurrency {
        // A wait that ends exactly at the deadline leaves no time for the request.
        if wait >= left {
            return Step::GiveUp(GiveUp { wait, left, queued: false });
        }
        return Step::Sleep(wait);
    }
    if left.is_zero() {
        return Step::GiveUp(GiveUp { wait: Duration::ZERO, left, queued: true });
    }
    Step::AwaitRelease(wait.min(left))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn a_timed_refusal_is_slept_off_when_it_ends_before_the_deadline() {
        for why in [Refusal::Window, Refusal::Upload, Refusal::Hold] {
            assert_eq!(decide(why, S, 3 * S), Step::Sleep(S), "{why:?}");
        }
    }

    #[test]
    fn a_timed_refusal_that_reaches_the_deadline_gives_up_at_once_with_its_wait() {
        for why in [Refusal::Window, Refusal::Upload, Refusal::Hold] {
            for (wait, left) in [(3 * S, S), (S, S), (S, Duration::ZERO)] {
                assert_eq!(decide(why, wait, left), Step::GiveUp(GiveUp { wait, left, queued: false }), "{why:?} {wait:?} {left:?}");
            }
        }
    }

    #[test]
    fn taken_slots_are_waited_for_until_a_release_or_the_deadline() {
        // The lease expires in 20 s: a release is waited for up to what is left.
        assert_eq!(decide(Refusal::Concurrency, 20 * S, 2 * S), Step::AwaitRelease(2 * S));
        assert_eq!(decide(Refusal::Concurrency, S / 10, 2 * S), Step::AwaitRelease(S / 10));
        // A store that cannot tell when a slot comes back.
        assert_eq!(decide(Refusal::Concurrency, Duration::MAX, S), Step::AwaitRelease(S));
    }

    #[test]
    fn taken_slots_at_the_deadline_give_up_without_a_wait_and_leave_the_queue() {
        let step = decide(Refusal::Concurrency, 20 * S, Duration::ZERO);
        assert_eq!(step, Step::GiveUp(GiveUp { wait: Duration::ZERO, left: Duration::ZERO, queued: true }));
    }
}
