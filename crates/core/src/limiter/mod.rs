//! The per-mailbox limiter. Exchange throttles each app per mailbox: 4 requests in flight,
//! 10,000 requests per 10 minutes, 150 MB of uploads per 5 minutes (docs/graph-facts.md).
//! Every Graph request of a send takes a slot here before each HTTP attempt and gives it
//! back when the answer is read; the retry loop's sleeps hold no slot.
//!
//! Split as governor splits its rate limiter, each piece small and testable alone:
//! - stores (`store.rs`): where a mailbox's slots are kept and the grant decided:
//!   in-process (`local.rs`: a semaphore of 4 per mailbox, shared by this process's sends
//!   only) and Redis (`shared.rs` with the Lua scripts, `redis_url`: every process on
//!   every host that uses the same Redis shares the slots (leases that expire), both
//!   windows, and the hold that a 429 with Retry-After sets for the mailbox);
//! - the decision (`decision.rs`, pure): what a refusal means before the send's deadline;
//! - the wait loop (`wait.rs`): acts on it, with the one jitter of the crate (`jitter.rs`);
//! - the fallback (`fallback.rs`): Redis when it answers, this process's own slots when
//!   not, the failure said once per process (`connection.rs`);
//! - the error (`refused.rs`): a wait that cannot end before the `deadline` fails at once
//!   with a throttling error that carries the wait, so a queue can retry the mail when
//!   the mailbox is free again.
//!
//! The Redis connection below the store (`connection.rs`, `dial.rs`, `bounded_stream.rs`,
//! `resp_frame.rs`, `route.rs`, `discover.rs`, `replicas.rs`) is shared with the send ledger.

mod ask;
mod bounded_stream;
mod connection;
mod decision;
mod dial;
mod discover;
mod fallback;
mod key;
mod limits;
#[cfg(any(test, feature = "test-support"))]
mod test_scale;
mod local;
mod refused;
mod replicas;
mod resp_frame;
mod route;
mod shared;
mod store;
mod wait;

pub use connection::TIMEOUT as REDIS_TIMEOUT;
pub use key::{MailboxKey, PREFIX as KEY_PREFIX};
#[cfg(feature = "test-support")]
pub use limits::Limits;
#[cfg(feature = "test-support")]
pub use test_scale::{UPLOAD_VAR, WINDOW_VAR, set_limits};
pub use local::MAILBOX_CONCURRENCY;
pub use crate::config::redis_url::RedisUrl;
pub(crate) use ask::Ask;
pub(crate) use connection::take_warning;
// The send ledger (`ledger`) keeps its entries in the same Redis, over the same connection.
pub(crate) use connection::redis;
pub(crate) use connection::Redis;
pub(crate) use fallback::MailboxLimiter;
pub(crate) use replicas::Replicated;

use crate::config::Config;

/// For `diagnose()`: how the limits of `config` are shared, and a warning when its
/// Redis cannot be used (checked now, with a fresh connection and PING).
pub(crate) async fn describe(config: &Config) -> (String, Option<String>) {
    let Some(url) = &config.redis_url else {
        return ("per process: at most 4 requests in flight per mailbox in each process; set `redis_url` to share the limits between workers".into(), None);
    };
    let redis = connection::redis(url, config.ca_file.as_ref());
    match redis.probe().await {
        Ok(()) => (format!("shared by every process using the Redis at {}", redis.address()), None),
        Err(why) => {
            let (cause, fix) = connection::cause_and_fix(&why);
            (
                format!("per process: the Redis at {} cannot be used ({why})", redis.address()),
                Some(format!("redis_url: the Redis at {} cannot be used ({cause}); sends fall back to per-process limits. Fix: {fix}", redis.address())),
            )
        }
    }
}
