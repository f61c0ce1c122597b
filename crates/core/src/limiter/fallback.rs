//! The limiter of one mailbox: the slots shared through Redis when `redis_url` is set and
//! Redis answers, else this process's own. A Redis that fails (down, in its backoff after
//! a failure, a peer breaking the bounds) never stops a send: the wait goes on with the
//! in-process slots, and the failure is said once per process, as a warning on the next
//! receipt (`connection.rs`, which the send ledger shares).

use std::sync::Arc;
use std::time::Duration;

use super::ask::Ask;
use super::connection::{self, Redis};
use super::decision::GiveUp;
use super::key::MailboxKey;
use super::local;
use super::refused::throttled;
use super::shared::{Lease, Shared};
use super::store::{Refusal, Request};
use super::wait::until_granted;
use crate::config::Config;
use crate::error::Result;

/// The limits in force: Exchange's, always, in a build for users.
#[cfg(not(feature = "test-support"))]
fn limits_in_force() -> Result<super::limits::Limits> {
    Ok(super::limits::Limits::default())
}
/// With the test seams: the test-scale limits when a test or the environment set them.
#[cfg(feature = "test-support")]
use super::test_scale::current as limits_in_force;

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

impl MailboxLimiter {
    /// The limiter of `mailbox` for `config` (Redis when `redis_url` is set).
    pub fn new(config: &Config, mailbox: &str) -> MailboxLimiter {
        let key = MailboxKey::new(config, mailbox);
        let local = local::slots(key.local());
        let redis = config.redis_url.as_ref().map(|u| connection::redis(u, config.ca_file.as_ref()));
        let lease = limits_in_force().ok().and_then(|l| l.lease).unwrap_or(config.timeout.saturating_mul(2));
        MailboxLimiter { key, local, redis, lease }
    }

    /// A slot for one HTTP attempt, waiting within the deadline.
    pub async fn acquire(&self, ask: &Ask<'_>) -> Result<Slot> {
        let limits = limits_in_force()?;
        // The lease's id, and the waiter's in the mailbox's queue while it waits.
        let id = uuid::Uuid::new_v4().simple().to_string();
        let req = Request { id: &id, limits: &limits, lease: self.lease, upload_bytes: ask.upload_bytes };
        if let Some(redis) = &self.redis
            && let Some(granted) = until_granted(&Shared { redis, key: &self.key }, &req, ask).await
        {
            return granted.map(Slot::Shared);
        }
        // No Redis, or it failed now or before: this process's own slots.
        match until_granted(&*self.local, &req, ask).await {
            Some(granted) => granted.map(Slot::Local),
            // The in-process store is always there; were it not, the deadline is what passed.
            None => Err(throttled(ask, Refusal::Concurrency, &GiveUp { wait: Duration::ZERO, left: ask.left(), queued: false }, &limits)),
        }
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
