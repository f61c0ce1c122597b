//! The per-mailbox limiter. Exchange throttles each app per mailbox: 4 requests in flight,
//! 10,000 requests per 10 minutes, 150 MB of uploads per 5 minutes (docs/graph-facts.md).
//! Every Graph request of a send takes a slot here before each HTTP attempt and gives it
//! back when the answer is read; the retry loop's sleeps hold no slot.
//!
//! Two backends:
//! - in-process (`local.rs`): a semaphore of 4 per mailbox, shared by this process's
//!   sends only. Used without `redis_url`, and while Redis fails;
//! - Redis (`shared.rs`, with `redis_url`): every process on every host that uses the
//!   same Redis shares the slots (leases that expire), both windows, and the hold that a
//!   429 with Retry-After sets for the mailbox.
//!
//! A refused slot is waited for, within the send's `deadline`; a wait that cannot end
//! before it (a long Retry-After, a full window) fails at once with a throttling error
//! that carries the wait, so a queue can retry the mail when the mailbox is free again.

mod bounded_stream;
mod connection;
mod dial;
mod discover;
mod key;
mod replicas;
mod limits;
mod limits_env;
mod local;
mod resp_frame;
mod route;
mod shared;

use std::sync::Arc;
use std::time::{Duration, Instant};

pub use connection::TIMEOUT as REDIS_TIMEOUT;
pub use key::{MailboxKey, PREFIX as KEY_PREFIX};
pub use limits::{Limits, set_limits};
pub use limits_env::{UPLOAD_VAR, WINDOW_VAR};
pub use local::MAILBOX_CONCURRENCY;
pub use crate::config::redis_url::RedisUrl;
pub(crate) use connection::take_warning;
// The send ledger (`ledger`) keeps its entries in the same Redis, over the same connection.
pub(crate) use connection::redis;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
pub(crate) use connection::Redis;
pub(crate) use replicas::Replicated;
use shared::{Acquired, Lease, Refusal};

/// The limiter of one mailbox for one config.
pub(crate) struct MailboxLimiter {
    key: MailboxKey,
    local: Arc<local::Slots>,
    redis: Option<Arc<Redis>>,
    lease: Duration,
}

/// A slot; give it back with [`Slot::release`].
pub(crate) enum Slot {
    Local(#[allow(dead_code)] local::Permit),
    Shared(Lease),
}

/// What one acquire is for, and how long it may wait.
pub(crate) struct Ask<'a> {
    /// Bytes uploaded by the request (upload-session PUTs), counted in the upload budget.
    pub upload_bytes: u64,
    /// The send's deadline and the configured `deadline` (named in errors).
    pub deadline: Instant,
    pub budget: Duration,
    /// The request, for errors ("sendMail for mailbox `a@b`").
    pub what: &'a str,
}

impl MailboxLimiter {
    /// The limiter of `mailbox` for `config` (Redis when `redis_url` is set).
    pub fn new(config: &Config, mailbox: &str) -> MailboxLimiter {
        let key = MailboxKey::new(config, mailbox);
        let local = local::slots(key.local());
        let redis = config.redis_url.as_ref().map(|u| connection::redis(u, config.ca_file.as_ref()));
        let lease = limits::current().ok().and_then(|l| l.lease).unwrap_or(config.timeout.saturating_mul(2));
        MailboxLimiter { key, local, redis, lease }
    }

    /// A slot for one HTTP attempt, waiting within the deadline.
    pub async fn acquire(&self, ask: &Ask<'_>) -> Result<Slot> {
        let limits = limits::current()?;
        // The lease's id, and the waiter's in the mailbox's queue while it waits.
        let id = uuid::Uuid::new_v4().simple().to_string();
        // `None` from the script: Redis failed (and says so once) or is in its backoff.
        while let Some(redis) = &self.redis
            && let Some(acquired) = shared::acquire(redis, &self.key, &id, (&limits, self.lease, ask.upload_bytes)).await
        {
            match acquired {
                Acquired::Granted(lease) => return Ok(Slot::Shared(lease)),
                Acquired::Refused(why, wait) => {
                    let left = crate::http::retry::left(ask.deadline);
                    if why != Refusal::Concurrency {
                        if wait >= left {
                            return Err(refused(ask, why, wait, left, &limits));
                        }
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    if left.is_zero() {
                        // A concurrency wait has no known end: report the deadline.
                        shared::leave(redis, &self.key, &id).await;
                        return Err(refused(ask, why, Duration::ZERO, left, &limits));
                    }
                    // Woken by the release that frees a slot for this waiter, else after
                    // a poll (see `limits::POLL`); at the latest when a lease expires.
                    let nap = wait.min(left);
                    if redis.wait_for_wake(&shared::wake_key(&self.key, &id), nap).await.is_none() {
                        tokio::time::sleep(nap.min(jittered(limits::POLL))).await;
                    }
                }
            }
        }
        match self.local.acquire(ask.deadline).await {
            Some(permit) => Ok(Slot::Local(permit)),
            None => Err(refused(ask, Refusal::Concurrency, Duration::ZERO, Duration::ZERO, &limits)),
        }
    }
}

/// For `diagnose()`: how the limits of `config` are shared, and a warning when its
/// Redis cannot be used (checked now, with a fresh connection and PING).
pub(crate) async fn describe(config: &Config) -> (String, Option<String>) {
    let Some(url) = &config.redis_url else {
        return ("per process: at most 4 requests in flight per mailbox in each process; set `redis_url` to share the limits between workers".into(), None);
    };
    let redis = connection::redis(url, config.ca_file.as_ref());
    match redis.probe().await {
        Ok(()) => (format!("shared by every process using the Redis at {}", redis.address()), None),
        Err(why) => (
            format!("per process: the Redis at {} cannot be used ({why})", redis.address()),
            Some(format!(
                "redis_url: the Redis at {} cannot be used ({why}); sends fall back to per-process limits. Fix: make it reachable from every worker, or remove `redis_url`",
                redis.address()
            )),
        ),
    }
}

impl Slot {
    /// Gives the slot back; `hold` (Graph's Retry-After on a 429) makes every process
    /// sharing the limiter wait that long before its next request to the mailbox.
    pub async fn release(self, hold: Option<Duration>) {
        match self {
            Slot::Local(permit) => drop(permit),
            Slot::Shared(lease) => lease.release(hold).await,
        }
    }
}

/// Between half and all of `d`: waiters of many processes do not look in step.
fn jittered(d: Duration) -> Duration {
    let r = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
    d / 2 + d / 2 * r / 1000
}

/// The throttling error of a slot not granted within the deadline. Carries the wait as
/// `retry_after`, so a queue can put the mail back for that long.
fn refused(ask: &Ask<'_>, why: Refusal, wait: Duration, left: Duration, limits: &Limits) -> Error {
    let (what, hint) = match why {
        Refusal::Hold => (
            "Graph asked this app to wait before its next request to this mailbox (429 with Retry-After, shared by every worker through `redis_url`)".to_string(),
            "queue the mail and send it after the wait (the Laravel queue middleware releases the job for that long), or raise `deadline`",
        ),
        Refusal::Window => (
            format!("the app sent {} requests to this mailbox within {} s (Exchange's limit per app and mailbox)", limits.window_requests, limits.window.as_secs()),
            "spread the mail over more sending mailboxes or over time (queue it), or raise `deadline`",
        ),
        Refusal::Upload => (
            format!("the app uploaded {} MiB to this mailbox within {} s (Exchange's limit per app and mailbox)", limits.upload_bytes >> 20, limits.upload_window.as_secs()),
            "send large attachments from more mailboxes or spread them over time (queue the mail), or raise `deadline`",
        ),
        Refusal::Concurrency => (
            format!("{} requests of this app to this mailbox were in flight until the deadline", limits.concurrency),
            "send from fewer workers at once per mailbox, queue the mail, or raise `deadline` (seconds for the whole send)",
        ),
    };
    let message = if wait.is_zero() {
        format!("{}: throttled before sending: {what}; the send's deadline of {:.1} s (config `deadline`) passed while waiting", ask.what, ask.budget.as_secs_f64())
    } else {
        format!(
            "{}: throttled before sending: {what}; the wait of {:.1} s is not shorter than the {:.1} s left of the send's deadline ({:.0} s, config `deadline`)",
            ask.what,
            wait.as_secs_f64(),
            left.as_secs_f64(),
            ask.budget.as_secs_f64()
        )
    };
    let mut e = Error::new(ErrorKind::Throttled, message).with_hint(hint);
    if !wait.is_zero() {
        e.retry_after = Some(wait);
    }
    e
}
