//! The ledger in the Redis of `redis_url`, shared by every process that uses it: one key
//! per message, changed by one Lua script (compare and set, with the TTL), so two
//! workers that pick up the same message never both start it. The script and the plain
//! GET, SET and DEL follow a Redis Cluster's moved slots alike (`Redis::invoke`,
//! `Redis::query`). Uses the limiter's connection of this process (one per node of `redis_url`, with its timeouts and
//! backoff; `connection(key)` picks the node serving the key: the one node, the
//! Sentinels' primary, or the cluster node owning the key's slot).
//! `Err(Down)`: Redis cannot be used now; the caller falls back to process memory.

use std::sync::LazyLock;
use std::time::Duration;

use crate::limiter::Redis;

static SWAP: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(include_str!("swap.lua")));

/// Redis could not be reached or failed: marked failing by `Redis` (its backoff), which
/// says so once per process, with the cause (`Redis::failed`).
pub(super) struct Down;

/// Writes `value` (`None`: deletes) when the key holds `expect` (`None`: absent); else
/// `Ok(Err(current))`.
pub(super) async fn swap(
    redis: &Redis,
    key: &str,
    expect: Option<&str>,
    value: Option<&str>,
    ttl: Duration,
) -> Result<Result<(), Option<String>>, Down> {
    let mut script = SWAP.prepare_invoke();
    script.key(key).arg(expect.unwrap_or("")).arg(value.unwrap_or("")).arg(ttl.as_millis().max(1) as u64);
    // Routed to the key's node, MOVED followed, failures marked (`Redis::invoke`).
    let answer = redis.invoke::<(i64, String)>(key, &script).await.ok_or(Down)?;
    match answer {
        Ok((1, _)) => Ok(Ok(())),
        Ok((_, current)) => Ok(Err(Some(current).filter(|c| !c.is_empty()))),
        Err(_) => Err(Down),
    }
}

/// Writes `value` (`None`: deletes) whatever the key holds; with `replicate`, then waits
/// up to that long for a replica to have it (`durable.rs`), on the connection that wrote it.
pub(super) async fn set(redis: &Redis, key: &str, value: Option<&str>, ttl: Duration, replicate: Option<Duration>) -> Result<(), Down> {
    let cmd = match value {
        Some(v) => redis::cmd("SET").arg(key).arg(v).arg("PX").arg(ttl.as_millis().max(1) as u64).clone(),
        None => redis::cmd("DEL").arg(key).clone(),
    };
    // Routed like the script (`Redis::query`): a slot being moved is no failure, and
    // the entry lands on the node serving the key now.
    let ((), mut conn) = redis.query_keeping_connection::<()>(key, &cmd).await.ok_or(Down)?.map_err(|_| Down)?;
    // WAIT on the very connection that took the SET (the route followed any MOVED), so
    // that it counts that write.
    if let Some(max) = replicate {
        super::durable::note(redis.replicate(key, &mut conn, max).await, redis.address());
    }
    Ok(())
}

/// The key's value.
pub(super) async fn get(redis: &Redis, key: &str) -> Result<Option<String>, Down> {
    redis.query::<Option<String>>(key, redis::cmd("GET").arg(key)).await.ok_or(Down)?.map_err(|_| Down)
}
