//! The Redis store: one Lua script call per try and one per release (EVALSHA; the
//! script is loaded once per Redis), so a slot costs two round trips when nobody waits.
//! The scripts decide the grant, atomically for every process sharing the Redis.
//! Keys per mailbox (see `key.rs`; one hash tag, so one Redis Cluster slot):
//! - `...:leases`: sorted set of lease ids scored by expiry (ms). A lease lives
//!   `lease` ms (default twice `timeout`), so the slot of a killed worker comes back;
//! - `...:window`: hash of request counts per time bucket (the 10,000 / 10 min window);
//! - `...:upload`: hash of upload-PUT bytes per time bucket (150 MB / 5 min);
//! - `...:hold`: set with a PX expiry when Graph answered 429 with Retry-After: every
//!   process waits for it before its next request to that mailbox;
//! - `...:queue` and `...:seen`: the waiters for a slot, in the order they first asked,
//!   and when each last asked: free slots go to the longest waiting, and a waiter silent
//!   for [`WAITER_STALE`] (killed, or gone) is dropped when it reaches the head;
//! - `...:wake:<waiter>`: a list the release script pushes a token onto when a slot is
//!   free for that waiter, which waits for it with BLPOP (`Redis::wait_for_wake`).
//!
//! Time is Redis's (`TIME` inside the script), so hosts with skewed clocks agree.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use super::connection::Redis;
use super::key::MailboxKey;
use super::limits::{BUCKETS, WAITER_STALE, WAKE_MAX, WINDOW_MARGIN};
use super::store::{Answer, Refusal, Request, Store, Woken};

static ACQUIRE: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(include_str!("acquire.lua")));
static RELEASE: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(include_str!("release.lua")));

/// One mailbox's slots in the Redis of `redis_url`.
pub(crate) struct Shared<'a> {
    pub redis: &'a Arc<Redis>,
    pub key: &'a MailboxKey,
}

impl Store for Shared<'_> {
    type Lease = Lease;

    /// `Unavailable`: Redis failed (and says so once) or is in its backoff.
    async fn try_acquire(&self, req: &Request<'_>) -> Answer<Lease> {
        acquire(self.redis, self.key, req).await.unwrap_or(Answer::Unavailable)
    }

    /// On the process's blocking connection (BLPOP on the waiter's wake list), which
    /// one send at a time may use: the others poll.
    async fn wait_for_release(&self, id: &str, max: Duration) -> Woken<Lease> {
        match self.redis.wait_for_wake(&wake_key(self.key, id), max).await {
            Some(_) => Woken::TryAgain,
            None => Woken::Poll,
        }
    }

    async fn leave(&self, id: &str) {
        leave(self.redis, self.key, id).await;
    }
}

/// A slot held in Redis. Give it back with [`Lease::release`]; dropped unreleased (the
/// send was abandoned), it is released in the background, and failing that it expires.
pub(crate) struct Lease {
    redis: Arc<Redis>,
    keys: ReleaseKeys,
    id: Option<String>,
}

/// What the release script needs besides the lease id: the mailbox's keys and its
/// concurrency, to wake the waiters a free slot now belongs to.
#[derive(Clone)]
struct ReleaseKeys {
    leases: String,
    hold: String,
    queue: String,
    wake_prefix: String,
    concurrency: u32,
}

/// One try of an acquire: one script call, on the node of the mailbox's keys. The
/// request's id names the lease, and the waiter in the mailbox's queue: the same for
/// every try of one acquire, so that it keeps its place. `None`: Redis cannot be used
/// now (marked failing).
async fn acquire(redis: &Arc<Redis>, key: &MailboxKey, req: &Request<'_>) -> Option<Answer<Lease>> {
    let (limits, id) = (req.limits, req.id);
    let keys = ReleaseKeys {
        leases: key.redis_key("leases"),
        hold: key.redis_key("hold"),
        queue: key.redis_key("queue"),
        wake_prefix: wake_key(key, ""),
        concurrency: limits.concurrency,
    };
    let mut script = ACQUIRE.prepare_invoke();
    script
        .key(&keys.leases)
        .key(key.redis_key("window"))
        .key(key.redis_key("upload"))
        .key(&keys.hold)
        .key(&keys.queue)
        .key(key.redis_key("seen"))
        .arg(id)
        .arg(millis(req.lease))
        .arg(limits.concurrency)
        .arg(limits.window_requests)
        .arg(millis(limits.window))
        .arg(limits.upload_bytes)
        .arg(millis(limits.upload_window))
        .arg(req.upload_bytes)
        .arg(BUCKETS)
        .arg(millis(WINDOW_MARGIN))
        .arg(millis(WAITER_STALE));
    let (wait_ms, reason): (u64, u8) = redis.invoke(&keys.leases, &script).await?.ok()?;
    let wait = Duration::from_millis(wait_ms);
    Some(match reason {
        0 => Answer::Granted(Lease { redis: Arc::clone(redis), keys, id: Some(id.to_string()) }),
        1 => Answer::Refused(Refusal::Concurrency, wait),
        2 => Answer::Refused(Refusal::Window, wait),
        3 => Answer::Refused(Refusal::Upload, wait),
        _ => Answer::Refused(Refusal::Hold, wait),
    })
}

/// Leaves the mailbox's queue (a waiter that gives up), so that it does not hold up the
/// waiters behind it until it counts as silent. Best effort: one pipelined round trip.
async fn leave(redis: &Redis, key: &MailboxKey, id: &str) {
    let Some(mut conn) = redis.connection(&key.redis_key("queue")).await else { return };
    let _: redis::RedisResult<()> =
        redis::pipe().zrem(key.redis_key("queue"), id).ignore().hdel(key.redis_key("seen"), id).ignore().query_async(&mut conn).await;
}

/// The wake list of waiter `id` (the release script builds the same name from the prefix).
fn wake_key(key: &MailboxKey, id: &str) -> String {
    key.redis_key(&format!("wake:{id}"))
}

/// A wake list outlives the longest BLPOP, so a token pushed just before its waiter
/// looks is still there; one nobody takes (the waiter was granted meanwhile) expires.
fn wake_ttl() -> u64 {
    millis(WAKE_MAX * 4)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Lease {
    /// Gives the slot back; with `hold`, every process waits that long before its next
    /// request to the mailbox (Graph's Retry-After). A failure only costs the lease's
    /// expiry and marks Redis as failing.
    pub async fn release(mut self, hold: Option<Duration>) {
        if let Some(id) = self.id.take() {
            release(&self.redis, &self.keys, &id, hold).await;
        }
    }
}

async fn release(redis: &Redis, keys: &ReleaseKeys, id: &str, hold: Option<Duration>) {
    let hold_ms = hold.map_or(0, millis);
    let mut script = RELEASE.prepare_invoke();
    script
        .key(&keys.leases)
        .key(&keys.hold)
        .key(&keys.queue)
        .arg(id)
        .arg(hold_ms)
        .arg(keys.concurrency)
        .arg(&keys.wake_prefix)
        .arg(wake_ttl());
    let _: Option<redis::RedisResult<i64>> = redis.invoke(&keys.leases, &script).await;
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (Some(id), Ok(rt)) = (self.id.take(), tokio::runtime::Handle::try_current()) {
            let (redis, keys) = (Arc::clone(&self.redis), self.keys.clone());
            rt.spawn(async move { release(&redis, &keys, &id, None).await });
        }
    }
}
