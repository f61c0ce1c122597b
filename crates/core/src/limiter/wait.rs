//! The wait loop, thin: ask the store, let the decision (`decision.rs`) say what its
//! refusal means before the deadline, and sleep, wait for a release or give up. The only
//! timing of its own is the poll of a waiter that cannot wait on a release (`limits::POLL`,
//! jittered with the retry loop's formula so that many processes do not look in step).

use super::ask::Ask;
use super::decision::{Step, decide};
use super::limits::POLL;
use super::refused::throttled;
use super::store::{Answer, Request, Store, Woken};
use crate::error::Result;
use crate::jitter::jittered;

/// A slot of `store` for `ask`, waiting within its deadline; `None` when the store
/// cannot be used (the caller falls back), `Err` the throttling error of a wait that
/// cannot end in time.
pub(crate) async fn until_granted<S: Store>(store: &S, req: &Request<'_>, ask: &Ask<'_>) -> Option<Result<S::Lease>> {
    loop {
        let (why, wait) = match store.try_acquire(req).await {
            Answer::Granted(lease) => return Some(Ok(lease)),
            Answer::Refused(why, wait) => (why, wait),
            Answer::Unavailable => return None,
        };
        match decide(why, wait, ask.left()) {
            Step::Sleep(d) => tokio::time::sleep(d).await,
            // Woken by the release that frees a slot for this waiter, else it polls; at
            // the latest it asks again when a lease would expire or the deadline passed.
            Step::AwaitRelease(max) => match store.wait_for_release(req.id, max).await {
                Woken::Handed(lease) => return Some(Ok(lease)),
                Woken::TryAgain => {}
                Woken::Poll => tokio::time::sleep(max.min(jittered(POLL))).await,
            },
            Step::GiveUp(late) => {
                if late.queued {
                    store.leave(req.id).await;
                }
                return Some(Err(throttled(ask, why, &late, req.limits)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The loop over the real in-process store: no socket, no Redis.
    use std::time::{Duration, Instant};

    use super::*;
    use crate::error::ErrorKind;
    use crate::limiter::limits::Limits;
    use crate::limiter::local::{MAILBOX_CONCURRENCY, slots};

    fn run<F: Future<Output = ()>>(f: F) {
        tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime").block_on(f);
    }

    fn ask(deadline: Instant) -> Ask<'static> {
        Ask { upload_bytes: 0, deadline, budget: Duration::from_secs(1), what: "sendMail for mailbox `w@contoso.com`" }
    }

    #[test]
    fn a_slot_freed_while_waiting_is_handed_to_the_waiter() {
        run(async {
            let store = slots("wait-handed@contoso.com");
            let (limits, started) = (Limits::default(), Instant::now());
            let req = Request { id: "w1", limits: &limits, lease: Duration::from_secs(1), upload_bytes: 0 };
            let mut held = Vec::new();
            for _ in 0..MAILBOX_CONCURRENCY {
                held.push(until_granted(&*store, &req, &ask(started)).await.expect("local").expect("free slot"));
            }
            let freed = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                drop(held.pop());
                held
            });
            let granted = until_granted(&*store, &req, &ask(started + Duration::from_secs(5))).await;
            assert!(matches!(granted, Some(Ok(_))), "the freed slot went to the waiter");
            let waited = started.elapsed();
            assert!(waited >= Duration::from_millis(50) && waited < Duration::from_secs(2), "{waited:?}");
            drop(freed.await);
        });
    }

    #[test]
    fn slots_taken_until_the_deadline_fail_with_the_throttling_error_at_the_deadline() {
        run(async {
            let store = slots("wait-deadline@contoso.com");
            let limits = Limits::default();
            let req = Request { id: "w2", limits: &limits, lease: Duration::from_secs(1), upload_bytes: 0 };
            let start = Instant::now();
            let mut held = Vec::new();
            for _ in 0..MAILBOX_CONCURRENCY {
                held.push(until_granted(&*store, &req, &ask(start)).await);
            }
            let deadline = start + Duration::from_millis(100);
            let e = match until_granted(&*store, &req, &ask(deadline)).await {
                Some(Err(e)) => e,
                _ => panic!("a fifth slot was granted"),
            };
            assert!(Instant::now() >= deadline && start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
            assert_eq!(e.kind, ErrorKind::Throttled);
            assert!(e.message.contains("were in flight until the deadline"), "{e}");
            assert_eq!(e.retry_after, None, "no known end to carry");
        });
    }
}
