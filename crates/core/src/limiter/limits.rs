//! The numbers the limiter enforces: Exchange's per app and mailbox limits (docs/graph-facts.md:
//! 4 concurrent requests, 10,000 requests per 10 minutes, 150 MB uploaded per 5 minutes)
//! and the limiter's own timings. Microsoft's, always, in a build for users. Not a config
//! key: users have no reason to ask Graph for less than it allows. Tests and benchmarks
//! scale them down so that a window fills in seconds, through seams that exist only with
//! the `test-support` feature (`test_scale.rs`; `fallback.rs` picks the limits in force).

use std::time::Duration;

/// What the shared limiter allows per (cloud, tenant, app, mailbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests in flight at once, across every process using the same Redis.
    pub concurrency: u32,
    /// Requests started per `window`.
    pub window_requests: u64,
    /// The request window.
    pub window: Duration,
    /// Upload bytes (upload-session PUTs) started per `upload_window`.
    pub upload_bytes: u64,
    /// The upload window.
    pub upload_window: Duration,
    /// How long a slot lives when its holder never gives it back (a SIGKILLed worker);
    /// `None`: twice the config's `timeout`, which bounds every attempt.
    pub lease: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 4,
            window_requests: 10_000,
            window: Duration::from_secs(600),
            // "150 MB" read as MiB, like the attachment limit: one attachment of the
            // largest size Graph takes must fit in one budget.
            upload_bytes: 150 * 1024 * 1024,
            upload_window: Duration::from_secs(300),
            lease: None,
        }
    }
}

/// Windows are counted in this many buckets; a bucket leaves the count only when all of it
/// is older than the window, so the limiter is never more lenient than an exact sliding
/// window (at most one bucket, 1/20 of the window, stricter).
pub(crate) const BUCKETS: u32 = 20;

/// Added to each window: a request is counted when its slot is granted, and reaches
/// Graph a little later, so Graph's window lets it go a little later too.
pub(crate) const WINDOW_MARGIN: Duration = Duration::from_secs(1);

/// Longest sleep between two tries for a slot while all are taken, for a waiter that
/// cannot wait on its wake list (another send of the same process is waiting on the
/// process's one blocking connection): it looks again this often (with jitter, see `mod.rs`).
pub(crate) const POLL: Duration = Duration::from_millis(10);

/// Longest wait on the wake list (BLPOP) before a waiter asks again. Releases wake the
/// head of the queue at once; this catches the slots that come back without a release
/// (the lease of a killed worker expires) and keeps the waiter's place (it must ask
/// within [`WAITER_STALE`]).
pub(crate) const WAKE_MAX: Duration = Duration::from_millis(200);

/// A waiter that has not asked for this long lost its place in the mailbox's queue
/// (2.5 times [`WAKE_MAX`]: only a killed or stalled process is that quiet).
pub(crate) const WAITER_STALE: Duration = Duration::from_millis(500);
