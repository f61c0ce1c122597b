//! The ledger in the Redis of `redis_url`, shared by every process that uses it: one key
//! per message, changed by one Lua script (compare and set, with the TTL), so two
//! workers that pick up the same message never both start it. Uses the limiter's
//! connection of this process (one per `redis_url`, with its timeouts and backoff).
//! `Err(Down)`: Redis cannot be used now; the caller falls back to process memory.

use std::sync::LazyLock;
use std::time::Duration;

use crate::limiter::Redis;

static SWAP: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(include_str!("swap.lua")));

/// Redis could not be reached or failed; said once per process (see `super::warn_once`).
pub(super) struct Down(pub String);

/// Writes `value` (`None`: deletes) when the key holds `expect` (`None`: absent); else
/// `Ok(Err(current))`.
pub(super) async fn swap(
    redis: &Redis,
    key: &str,
    expect: Option<&str>,
    value: Option<&str>,
    ttl: Duration,
) -> Result<Result<(), Option<String>>, Down> {
    let mut conn = redis.connection().await.ok_or_else(|| Down("no connection (see the warning of the limiter)".into()))?;
    let answer = SWAP
        .key(key)
        .arg(expect.unwrap_or(""))
        .arg(value.unwrap_or(""))
        .arg(ttl.as_millis().max(1) as u64)
        .invoke_async::<(i64, String)>(&mut conn)
        .await;
    match answer {
        Ok((1, _)) => Ok(Ok(())),
        Ok((_, current)) => Ok(Err(Some(current).filter(|c| !c.is_empty()))),
        Err(e) => {
            redis.failed(&e);
            Err(Down(if e.is_timeout() { "no answer in time".into() } else { "the command failed".into() }))
        }
    }
}

/// Writes `value` (`None`: deletes) whatever the key holds.
pub(super) async fn set(redis: &Redis, key: &str, value: Option<&str>, ttl: Duration) -> Result<(), Down> {
    let mut conn = redis.connection().await.ok_or_else(|| Down("no connection (see the warning of the limiter)".into()))?;
    let done = match value {
        Some(v) => redis::cmd("SET").arg(key).arg(v).arg("PX").arg(ttl.as_millis().max(1) as u64).query_async::<()>(&mut conn).await,
        None => redis::cmd("DEL").arg(key).query_async::<()>(&mut conn).await,
    };
    done.map_err(|e| {
        redis.failed(&e);
        Down(if e.is_timeout() { "no answer in time".into() } else { "the command failed".into() })
    })
}

/// The key's value.
pub(super) async fn get(redis: &Redis, key: &str) -> Result<Option<String>, Down> {
    let mut conn = redis.connection().await.ok_or_else(|| Down("no connection (see the warning of the limiter)".into()))?;
    redis::cmd("GET").arg(key).query_async::<Option<String>>(&mut conn).await.map_err(|e| {
        redis.failed(&e);
        Down(if e.is_timeout() { "no answer in time".into() } else { "the command failed".into() })
    })
}
