//! The in-process store: one semaphore of [`MAILBOX_CONCURRENCY`] slots per mailbox
//! key, shared by every send of this process. What the sender does without `redis_url`,
//! and while Redis cannot be reached. PHP-FPM workers are separate processes and cannot
//! share it; Graph's 429s and the retries cover that case. Only the slots are kept here
//! (no windows, no hold): a refusal is always [`Refusal::Concurrency`], and a waiter
//! queues on the semaphore, which hands the next freed slot to the longest waiting.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use super::store::{Answer, Refusal, Request, Store, Woken};

/// Exchange allows 4 concurrent requests per app and mailbox.
pub const MAILBOX_CONCURRENCY: usize = 4;

/// In-flight requests of one mailbox, process-wide. (The semaphore is never closed, so
/// acquiring a slot fails only by running out of time.)
pub(crate) struct Slots {
    slots: Arc<tokio::sync::Semaphore>,
}

/// A slot of this process, given back when dropped.
pub(crate) type Permit = tokio::sync::OwnedSemaphorePermit;

impl Store for Slots {
    type Lease = Permit;

    async fn try_acquire(&self, _: &Request<'_>) -> Answer<Permit> {
        // Fails while others wait on the semaphore: a try never jumps the queue.
        match Arc::clone(&self.slots).try_acquire_owned() {
            Ok(p) => Answer::Granted(p),
            // No lease expires here: a slot comes back only when its holder is done.
            Err(_) => Answer::Refused(Refusal::Concurrency, Duration::MAX),
        }
    }

    async fn wait_for_release(&self, _: &str, max: Duration) -> Woken<Permit> {
        match tokio::time::timeout(max, Arc::clone(&self.slots).acquire_owned()).await {
            Ok(Ok(p)) => Woken::Handed(p),
            _ => Woken::TryAgain,
        }
    }

    /// A waiter leaves the semaphore's queue when its wait ends: nothing to give back.
    async fn leave(&self, _: &str) {}
}

static SLOTS: LazyLock<Mutex<HashMap<String, Arc<Slots>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Above this many mailboxes, idle semaphores are dropped from the map. A worker that
/// sends from many mailboxes (one per tenant user) would otherwise keep one per address
/// it ever used, for the life of the process.
const TRIM_ABOVE: usize = 64;

/// The slots of the mailbox keyed `key`.
pub(crate) fn slots(key: &str) -> Arc<Slots> {
    let mut map = SLOTS.lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= TRIM_ABOVE {
        // Idle: nobody but the map holds it, so no request is in flight or waiting.
        map.retain(|_, l| Arc::strong_count(l) > 1);
    }
    map.entry(key.to_string())
        .or_insert_with(|| Arc::new(Slots { slots: Arc::new(tokio::sync::Semaphore::new(MAILBOX_CONCURRENCY)) }))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_limiters_are_trimmed_and_busy_ones_kept() {
        let busy = slots("busy@contoso.com");
        for i in 0..10_000 {
            drop(slots(&format!("user{i}@contoso.com")));
        }
        let map = SLOTS.lock().unwrap();
        assert!(map.len() <= TRIM_ABOVE + 1, "{} limiters kept", map.len());
        assert!(map.get("busy@contoso.com").is_some_and(|l| Arc::ptr_eq(l, &busy)), "a limiter in use is never dropped");
    }
}
