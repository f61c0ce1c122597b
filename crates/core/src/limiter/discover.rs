//! Finds the route of a `redis_url` (see `route.rs`): for a Redis Cluster, CLUSTER SLOTS
//! from the first seed node that answers; for Sentinel, the primary the first Sentinel
//! that knows the service names (SENTINEL get-master-addr-by-name). Every connection
//! made here is bounded like the others (`dial.rs`). The caller bounds the whole with
//! its timeout; a seed or Sentinel that refuses is passed over at once.

use std::time::Duration;

use redis::{ErrorKind, RedisResult, Value};

use super::dial::{self, refused};
use super::route::{node_address, Route, SlotMap};
use crate::config::ca_file::CaFile;
use crate::config::redis_url::{RedisUrl, Topology};

/// The route of `url` now.
pub(crate) async fn route(url: &RedisUrl, ca_file: Option<&CaFile>, response: Duration) -> RedisResult<Route> {
    let mut last = None;
    for node in url.nodes() {
        let found = match url.topology() {
            Topology::Single => return Ok(Route::One(node.clone())),
            Topology::Cluster => cluster_slots(url, node, ca_file, response).await,
            Topology::Sentinel { service } => primary(url, node, service, ca_file, response).await,
        };
        match found {
            Ok(route) => return Ok(route),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| refused("`redis_url` names no node")))
}

async fn cluster_slots(url: &RedisUrl, seed: &str, ca_file: Option<&CaFile>, response: Duration) -> RedisResult<Route> {
    let mut conn = dial::open(&url.node_url(seed), ca_file, response).await?.conn;
    let answer: Value = redis::cmd("CLUSTER").arg("SLOTS").query_async(&mut conn).await?;
    let host = seed.rsplit_once(':').map_or(seed, |(h, _)| h);
    SlotMap::parse(&answer, host)
        .map(Route::Slots)
        .ok_or_else(|| refused("a node of `redis_url` answered CLUSTER SLOTS with something that is not a slot map"))
}

async fn primary(url: &RedisUrl, sentinel: &str, service: &str, ca_file: Option<&CaFile>, response: Duration) -> RedisResult<Route> {
    let ask = async {
        let mut conn = dial::open(&url.sentinel_url(sentinel), ca_file, response).await?.conn;
        redis::cmd("SENTINEL").arg("get-master-addr-by-name").arg(service).query_async::<Option<(String, u16)>>(&mut conn).await
    };
    let named = ask.await.map_err(|e| sentinel_auth_failed(url, e))?;
    let (host, port) = named.ok_or_else(|| refused("the Sentinels of `redis_url` know no primary of its service name. Fix: check the name after the last `/`"))?;
    Ok(Route::One(node_address(&host, port)))
}

/// A Sentinel that wants a password (NOAUTH) or refused the one given: said with the
/// query parameter to fix, since the password before `@` is the primary's, not theirs.
fn sentinel_auth_failed(url: &RedisUrl, e: redis::RedisError) -> redis::RedisError {
    let auth = e.kind() == ErrorKind::AuthenticationFailed || matches!(e.code(), Some("NOAUTH" | "WRONGPASS" | "NOPERM"));
    match (auth, url.sentinel_auth()) {
        (false, _) => e,
        (true, false) => refused(
            "the Sentinels of `redis_url` require a password of their own (NOAUTH). Fix: add `?sentinel_password=...` (percent-encoded; \
             `&sentinel_username=...` for an ACL user) to `redis_url`; the password before `@` is the primary's",
        ),
        (true, true) => refused(
            "the Sentinels of `redis_url` refused its `sentinel_password` (or `sentinel_username`). Fix: set them to the Sentinels' own \
             `requirepass` or ACL user, not the primary's",
        ),
    }
}

/// Whether the node behind `conn` is a primary (ROLE), for the node a Sentinel named:
/// during a failover it may still be, or have become, a replica.
pub(crate) async fn is_primary(conn: &mut redis::aio::MultiplexedConnection) -> RedisResult<()> {
    let role: Value = redis::cmd("ROLE").query_async(conn).await?;
    match role_name(&role) {
        Some(b"master") => Ok(()),
        _ => Err(refused("the node the Sentinels of `redis_url` name as primary is not one (a failover is under way)")),
    }
}

/// For a one-node `redis_url`: refuses a replica (writes fail with READONLY) and a
/// Sentinel (no data commands), each with its fix. A node that does not answer ROLE
/// (an ACL user without it, a proxy) is taken as it is: the limiter's own commands
/// then tell.
pub(crate) async fn is_data_primary(conn: &mut redis::aio::MultiplexedConnection) -> RedisResult<()> {
    let role = match redis::cmd("ROLE").query_async::<Value>(conn).await {
        Ok(role) => role,
        Err(e) if e.code().is_some() => return Ok(()),
        Err(e) => return Err(e),
    };
    match role_name(&role) {
        Some(b"slave") => Err(refused(
            "`redis_url` points at a replica (ROLE: slave), where every write fails with READONLY. Fix: point `redis_url` at the primary, \
             or use redis+sentinel://SENTINEL:26379/SERVICE_NAME so that the primary is found and followed through failovers",
        )),
        Some(b"sentinel") => Err(refused(
            "`redis_url` points at a Redis Sentinel, which holds no data. Fix: use redis+sentinel://SENTINEL:26379,.../SERVICE_NAME \
             (the Sentinels and the primary's name) instead of redis://",
        )),
        _ => Ok(()),
    }
}

/// The first field of a ROLE answer (`master`, `slave`, `sentinel`).
fn role_name(role: &Value) -> Option<&[u8]> {
    match role {
        Value::Array(fields) => match fields.first() {
            Some(Value::BulkString(r)) => Some(r),
            Some(Value::SimpleString(r)) => Some(r.as_bytes()),
            _ => None,
        },
        _ => None,
    }
}
