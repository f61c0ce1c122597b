//! What the wait loop (`wait.rs`) asks of a place that keeps a mailbox's slots: one try
//! for a slot, a wait for a release, and leaving the queue of waiters. Two stores keep
//! them: this process's semaphores (`local.rs`) and Redis (`shared.rs`, the Lua scripts
//! `acquire.lua` and `release.lua`), where the grant itself is decided atomically.
//! Like governor's state stores: the store answers, `decision.rs` says what the answer
//! means for a send with a deadline, `wait.rs` acts on it.

use std::time::Duration;

use super::limits::Limits;

/// Why a slot was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// All slots are taken (the wait is until the first lease would expire, if known).
    Concurrency,
    /// The request window is full.
    Window,
    /// The upload budget is spent.
    Upload,
    /// Graph asked to wait (429 Retry-After), for every process.
    Hold,
}

/// A store's answer to one try.
pub(crate) enum Answer<L> {
    Granted(L),
    /// Not now, and the wait the store knows of (a window's, a hold's; for
    /// [`Refusal::Concurrency`] the longest a slot can stay taken, `Duration::MAX` when
    /// the store cannot tell).
    Refused(Refusal, Duration),
    /// The store cannot be used now (Redis failed, or is in its backoff): the caller
    /// falls back to one that can (`fallback.rs`).
    Unavailable,
}

/// How a wait for a release ended.
pub(crate) enum Woken<L> {
    /// The store handed a freed slot straight to this waiter (a semaphore does).
    Handed(L),
    /// A release freed a slot for this waiter, or the wait's time passed: try again.
    TryAgain,
    /// The store cannot wait for a release now (Redis: its one blocking connection is
    /// taken by another send of this process): the caller polls instead.
    Poll,
}

/// One try's terms: the same for every try of one acquire.
pub(crate) struct Request<'a> {
    /// Names the lease, and the waiter in the mailbox's queue (keeps its place).
    pub id: &'a str,
    pub limits: &'a Limits,
    /// How long a granted slot lives if its holder never gives it back.
    pub lease: Duration,
    /// Bytes the request uploads, counted in the upload budget.
    pub upload_bytes: u64,
}

/// A place that keeps one mailbox's slots.
pub(crate) trait Store {
    /// A granted slot; given back by its owner (see `fallback.rs`'s `Slot`).
    type Lease;

    /// One try for a slot, without waiting.
    async fn try_acquire(&self, req: &Request<'_>) -> Answer<Self::Lease>;

    /// Waits at most `max` for a release that frees a slot for waiter `id`.
    async fn wait_for_release(&self, id: &str, max: Duration) -> Woken<Self::Lease>;

    /// Waiter `id` gives up: it leaves the queue so that it holds up nobody behind it.
    async fn leave(&self, id: &str);
}
