//! The Redis connection of this process: one multiplexed connection per node of
//! `redis_url` (and `ca_file`), opened on first use and shared by every send, like the
//! HTTP pool. Callers ask for the connection of a key ([`Redis::connection`]): the one
//! node, the primary the Sentinels name (checked with ROLE), or the Redis Cluster node
//! owning the key's slot (`route.rs`, `discover.rs`). Commands on keys go through
//! [`Redis::invoke`] (scripts) or [`Redis::query`] (one-key commands): a MOVED answer
//! updates the route ([`Redis::redirected`]) and the command is tried again.
//! Fork-safe the same way (see `runtime.rs`): the map is keyed by process id, and a child
//! of a fork leaks the inherited connections and opens its own, because the parent's
//! connection is driven by a task of a runtime that does not exist in the child.
//!
//! Redis must never stall or lose a send: connecting and each command time out after
//! [`TIMEOUT`]; after a failure the connection is dropped and Redis is not tried again
//! until a backoff (1 s doubling to 30 s) has passed; meanwhile the limiter falls back to
//! this process's own limits. The backoff starts again at 1 s only once a command was
//! answered ([`Redis::succeeded`]), not when a connection opens: a Redis that accepts
//! connections and then never answers is tried ever less often, not every 1.5 s.
//! The first failure is reported once per process as a warning of the next successful
//! send's receipt ([`take_warning`]): one warning for the limiter and the send ledger,
//! which share these connections, naming the cause whichever of them met it first.
//!
//! Redis must not be able to take the worker down either: every connection is bounded
//! (`dial.rs`, `bounded_stream.rs`): a reply over 16 KiB, bytes that are not RESP, or
//! bytes while no command is pending close that connection, which then counts as a
//! failure like any other.
//!
//! A failure of any node (it went away, a failover, READONLY from a demoted primary)
//! drops every connection and the route: after the backoff the route is found afresh
//! from the seed nodes or the Sentinels, so a failover is followed within a few seconds.
//!
//! A second connection per process is opened when a send first has to wait for a slot:
//! waiters block on it (BLPOP on their wake list) until a release hands them the slot.
//! A blocked client holds up every command sent after it on the same connection, so the
//! slots' own traffic never goes through this one, and only one send of the process
//! waits on it at a time (the others poll).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;

use super::bounded_stream::Tripwire;
use super::dial::{self, Opened};
use super::discover;
use super::route::Route;
use crate::config::ca_file::CaFile;
use crate::process_warning::ProcessWarning;
use crate::config::redis_url::{RedisUrl, Topology};

/// Longest wait for a connection (TCP + TLS + handshake) and for any one command.
pub const TIMEOUT: Duration = Duration::from_millis(500);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// With a Redis Cluster or Sentinels a failure is most often a failover, over within
/// seconds: the route is looked for again at least this often, so that the new primary
/// is used soon after (each try costs a send at most [`TIMEOUT`]).
const MAX_FAILOVER_BACKOFF: Duration = Duration::from_secs(4);
/// Redirections (MOVED) and migration pauses (ASK, TRYAGAIN) in a row for one call.
const MAX_REDIRECTS: usize = 8;
const MIGRATION_PAUSE: Duration = Duration::from_millis(50);

/// One Redis as this process sees it.
pub(crate) struct Redis {
    url: RedisUrl,
    ca_file: Option<CaFile>,
    state: Mutex<State>,
    /// One connection attempt at a time (the others wait for its outcome).
    connecting: tokio::sync::Mutex<()>,
    /// The blocking connection of the waiters (see the module doc).
    waiter: tokio::sync::Mutex<Waiter>,
}

#[derive(Default)]
struct Waiter {
    /// The node (`host:port`) and the connection.
    conn: Option<(String, MultiplexedConnection)>,
    /// After a failure, not tried again before this (the waiter polls meanwhile).
    retry_at: Option<Instant>,
}

#[derive(Default)]
struct State {
    /// Per node `host:port`.
    conns: HashMap<String, (MultiplexedConnection, Tripwire)>,
    /// Where keys go; `None`: to be found (again).
    route: Option<Route>,
    retry_at: Option<Instant>,
    /// The last backoff; `None` once a command succeeded.
    backoff: Option<Duration>,
    /// Per node `host:port`: whether it has replicas (learned once per connection,
    /// `replicas.rs`); forgotten with the connections.
    replicas: HashMap<String, bool>,
}

type Key = (RedisUrl, Option<CaFile>);
static REDIS: Mutex<Option<(u32, HashMap<Key, Arc<Redis>>)>> = Mutex::new(None);

/// This process's handle on the Redis at `url`.
pub(crate) fn redis(url: &RedisUrl, ca_file: Option<&CaFile>) -> Arc<Redis> {
    let pid = std::process::id();
    let mut slot = REDIS.lock().unwrap_or_else(PoisonError::into_inner);
    if slot.as_ref().is_some_and(|(p, _)| *p != pid) {
        // Inherited through fork: never used or dropped here (see the module doc).
        std::mem::forget(slot.take());
    }
    let (_, map) = slot.get_or_insert_with(|| (pid, HashMap::new()));
    let key = (url.clone(), if url.tls() { ca_file.cloned() } else { None });
    Arc::clone(map.entry(key).or_insert_with(|| {
        Arc::new(Redis {
            url: url.clone(),
            ca_file: ca_file.cloned(),
            state: Mutex::default(),
            connecting: tokio::sync::Mutex::new(()),
            waiter: tokio::sync::Mutex::default(),
        })
    }))
}

impl Redis {
    /// The connection of the node serving `key`, opened if needed; `None` while Redis
    /// is in its backoff after a failure, or when connecting fails now.
    pub async fn connection(&self, key: &str) -> Option<MultiplexedConnection> {
        if let Some(c) = self.ready(key) {
            return c;
        }
        // Concurrent first requests wait for the one connect (bounded by TIMEOUT), so that
        // none of them falls back to the per-process limits while Redis is fine.
        let _one = self.connecting.lock().await;
        if let Some(c) = self.ready(key) {
            return c;
        }
        match tokio::time::timeout(TIMEOUT, self.open_for(key)).await {
            Ok(Ok((node, Opened { conn, tripwire }))) => {
                // The backoff stays until a command succeeds (see the module doc).
                let mut s = self.lock();
                s.conns.insert(node, (conn.clone(), tripwire));
                s.retry_at = None;
                Some(conn)
            }
            Ok(Err(e)) => {
                self.failed(&e);
                None
            }
            Err(_) => {
                self.failed_because(&format!("no connection within {} ms", TIMEOUT.as_millis()));
                None
            }
        }
    }

    /// Runs `script` (its keys and arguments set) on the node serving `key`, loading it
    /// on that node when it does not know it (NOSCRIPT); routed as [`Redis::routed`] says.
    /// The one entry point for scripts, whatever the topology of `redis_url`.
    pub async fn invoke<T: redis::FromRedisValue>(&self, key: &str, script: &redis::ScriptInvocation<'_>) -> Option<redis::RedisResult<T>> {
        self.routed(key, |mut conn| async move { script.invoke_async(&mut conn).await }).await
    }

    /// Runs the one-key command `cmd` (GET, SET, DEL of `key`) on the node serving `key`,
    /// routed as [`Redis::routed`] says: a plain command meets MOVED and ASK during a slot
    /// migration just as a script does, and is no Redis failure either.
    pub async fn query<T: redis::FromRedisValue>(&self, key: &str, cmd: &redis::Cmd) -> Option<redis::RedisResult<T>> {
        self.routed(key, |mut conn| async move { cmd.query_async(&mut conn).await }).await
    }

    /// As [`Redis::query`], also handing back the connection that answered, for a command
    /// that must follow on that very connection: WAIT counts the writes of its own
    /// connection, and a second lookup could find a new one (or another node's) after a
    /// failure elsewhere dropped the connections or the slot moved.
    pub async fn query_keeping_connection<T: redis::FromRedisValue>(
        &self,
        key: &str,
        cmd: &redis::Cmd,
    ) -> Option<redis::RedisResult<(T, MultiplexedConnection)>> {
        self.routed(key, |mut conn| async move {
            let answer = cmd.query_async(&mut conn).await?;
            Ok((answer, conn))
        })
        .await
    }

    /// Runs `call` on the connection of the node serving `key`, following MOVED; marks
    /// Redis as answering, or as failing. A slot in the middle of a migration (ASK, or
    /// TRYAGAIN when its keys are split between the two nodes, as for the scripts' several
    /// keys) is tried again after [`MIGRATION_PAUSE`]: moving one mailbox's few keys takes
    /// milliseconds, and the MOVED that follows is followed. `None`: no Redis now (in its
    /// backoff, or a slot moving on and on): the caller falls back to what it does
    /// without Redis.
    async fn routed<T, F, Fut>(&self, key: &str, call: F) -> Option<redis::RedisResult<T>>
    where
        F: Fn(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        for _ in 0..MAX_REDIRECTS {
            let conn = self.connection(key).await?;
            match call(conn).await {
                Ok(v) => {
                    self.succeeded();
                    return Some(Ok(v));
                }
                Err(e) if self.redirected(&e) => {}
                Err(e) if matches!(e.code(), Some("ASK" | "TRYAGAIN")) => tokio::time::sleep(MIGRATION_PAUSE).await,
                Err(e) => {
                    self.failed(&e);
                    return Some(Err(e));
                }
            }
        }
        // Not silent: the route is stale or the nodes disagree; found afresh after the backoff.
        self.failed_because(self.redirects_exhausted());
        None
    }

    /// Why a slot that kept moving is given up, with what to check.
    fn redirects_exhausted(&self) -> &'static str {
        if *self.url.topology() == Topology::Cluster {
            "the mailbox's hash slot moved (MOVED, ASK or TRYAGAIN) more than 8 times in a row: a resharding is under way, or the \
             nodes disagree on who serves it. Fix: check the cluster with `redis-cli --cluster check HOST:PORT` and fix it with `--cluster fix`"
        } else {
            "the node answered MOVED (or ASK, TRYAGAIN) more than 8 times in a row: it is a node of a Redis Cluster. Fix: use \
             redis+cluster://HOST1:PORT1,HOST2:PORT2/ in `redis_url` so that each mailbox's slot is routed to its node"
        }
    }

    /// A command was answered: the next failure backs off from 1 s again.
    pub fn succeeded(&self) {
        self.lock().backoff = None;
    }

    /// `Some(connection)` when open, `Some(None)` during the backoff, `None`: try now.
    fn ready(&self, key: &str) -> Option<Option<MultiplexedConnection>> {
        let s = self.lock();
        if let Some(why) = s.conns.values().find_map(|(_, tripwire)| tripwire.get()) {
            // A peer broke the bound while its connection sat idle.
            let why = why.to_string();
            drop(s);
            self.failed_because(&why);
            return Some(None);
        }
        let node = s.route.as_ref().and_then(|r| r.node_for(key));
        if let Some((c, _)) = node.and_then(|n| s.conns.get(n)) {
            return Some(Some(c.clone()));
        }
        match s.retry_at {
            Some(at) if Instant::now() < at => Some(None),
            _ => None,
        }
    }

    /// Finds the node of `key` (the route first, when not known) and connects to it.
    async fn open_for(&self, key: &str) -> redis::RedisResult<(String, Opened)> {
        let known = self.lock().route.clone();
        let route = match known {
            Some(r) => r,
            None => discover::route(&self.url, self.ca_file.as_ref(), TIMEOUT).await?,
        };
        let node = route.node_for(key).ok_or_else(|| dial::refused("no node of the Redis Cluster serves the mailbox's slot. Fix: cover every slot (`redis-cli --cluster fix HOST:PORT`)"))?.to_string();
        self.lock().route = Some(route);
        let mut opened = self.connect(&node, TIMEOUT).await?;
        self.check_role(&mut opened.conn).await?;
        Ok((node, opened))
    }

    /// The node must take writes: a Sentinel's primary is checked to be one (failovers),
    /// a one-node URL not to be a replica or a Sentinel (a setup mistake, said once with
    /// its fix). Cluster nodes come from CLUSTER SLOTS' primaries.
    async fn check_role(&self, conn: &mut MultiplexedConnection) -> redis::RedisResult<()> {
        match self.url.topology() {
            Topology::Sentinel { .. } => discover::is_primary(conn).await,
            Topology::Single => discover::is_data_primary(conn).await,
            Topology::Cluster => Ok(()),
        }
    }

    /// Whether `node` has replicas, when learned on its current connection.
    pub(super) fn known_replicas(&self, node: &str) -> Option<bool> {
        self.lock().replicas.get(node).copied()
    }

    /// Remembers whether `node` has replicas until its connection is dropped.
    pub(super) fn learned_replicas(&self, node: &str, has: bool) {
        self.lock().replicas.insert(node.to_string(), has);
    }

    /// The node serving `key` when the route is known.
    pub(super) fn node_for(&self, key: &str) -> Option<String> {
        self.lock().route.as_ref().and_then(|r| r.node_for(key)).map(str::to_string)
    }

    /// A new (bounded) connection to `node` whose commands may take up to `response` to
    /// be answered.
    async fn connect(&self, node: &str, response: Duration) -> redis::RedisResult<Opened> {
        dial::open(&self.url.node_url(node), self.ca_file.as_ref(), response).await
    }

    /// A MOVED answer (a Redis Cluster moved the key's slot): the route is updated and
    /// `true` says to try again at once; any other error: `false`.
    pub fn redirected(&self, e: &redis::RedisError) -> bool {
        let Some((node, slot)) = e.redirect_node().filter(|_| e.code() == Some("MOVED")) else { return false };
        if let Some(route) = self.lock().route.as_mut() {
            route.moved(slot, node);
        }
        true
    }

    /// Waits up to `max` for a release to push a token onto the wake list `key`, on the
    /// process's blocking connection. `Some(true)`: woken; `Some(false)`: `max` passed;
    /// `None`: that connection is in use by another send of this process or cannot be
    /// had now, so the caller polls instead.
    pub async fn wait_for_wake(&self, key: &str, max: Duration) -> Option<bool> {
        let Ok(mut waiter) = self.waiter.try_lock() else { return None };
        // The wake list lives on the node of the mailbox's other keys (same hash tag).
        let node = self.node_for(key)?;
        if waiter.conn.as_ref().is_some_and(|(n, _)| *n != node) {
            waiter.conn = None;
        }
        if waiter.conn.is_none() {
            if waiter.retry_at.is_some_and(|at| Instant::now() < at) {
                return None;
            }
            let connect = tokio::time::timeout(TIMEOUT, self.connect(&node, super::limits::WAKE_MAX + TIMEOUT));
            match connect.await {
                Ok(Ok(opened)) => waiter.conn = Some((node, opened.conn)),
                _ => {
                    waiter.retry_at = Some(Instant::now() + FIRST_BACKOFF);
                    return None;
                }
            }
        }
        let (_, conn) = waiter.conn.as_mut()?;
        // BLPOP takes seconds with decimals (Redis >= 6); 0 would block for ever.
        let secs = max.min(super::limits::WAKE_MAX).as_secs_f64().max(0.001);
        match redis::cmd("BLPOP").arg(key).arg(secs).query_async::<Option<(String, String)>>(conn).await {
            Ok(popped) => Some(popped.is_some()),
            Err(e) => {
                // The slots' connection notices a Redis that is gone; this one just goes.
                // An error answer (Redis 5 takes whole seconds only) will not change soon:
                // poll for longer before trying again.
                waiter.conn = None;
                let backoff = if e.code().is_some() { MAX_BACKOFF } else { FIRST_BACKOFF };
                waiter.retry_at = Some(Instant::now() + backoff);
                None
            }
        }
    }

    /// Connects afresh and sends PING (for `diagnose()`; sends never wait on this):
    /// `Err` says why Redis cannot be used, in words without the URL.
    pub async fn probe(&self) -> std::result::Result<(), String> {
        let ping = async {
            let route = discover::route(&self.url, self.ca_file.as_ref(), TIMEOUT).await?;
            let node = route.node_for("o365:limit:probe").map(str::to_string).unwrap_or_default();
            let mut conn = self.connect(&node, TIMEOUT).await?.conn;
            self.check_role(&mut conn).await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        match tokio::time::timeout(TIMEOUT * 2, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(describe(&e)),
            Err(_) => Err(format!("no answer within {} ms", (TIMEOUT * 2).as_millis())),
        }
    }

    /// `scheme://host:port[,...]`.
    pub fn address(&self) -> &str {
        self.url.address()
    }

    /// A command or the connection failed: drop the connection and back off.
    pub fn failed(&self, e: &redis::RedisError) {
        // When the peer broke the bound, that is the reason, not the lost connection.
        let tripped = self.lock().conns.values().find_map(|(_, t)| t.get().map(ToString::to_string));
        self.failed_because(&tripped.unwrap_or_else(|| describe(e)));
    }

    fn failed_because(&self, why: &str) {
        let mut s = self.lock();
        s.conns.clear();
        s.replicas.clear();
        s.route = None;
        let max = if *self.url.topology() == Topology::Single { MAX_BACKOFF } else { MAX_FAILOVER_BACKOFF };
        let backoff = s.backoff.map_or(FIRST_BACKOFF, |b| (b * 2).min(max));
        s.backoff = Some(backoff);
        s.retry_at = Some(Instant::now() + backoff);
        drop(s);
        // The one warning of this process for Redis failing, whoever met it first (the
        // limiter, or the send ledger, which uses this connection): it names the cause
        // (what a peer did, when the bounded stream recorded it), what both do meanwhile,
        // and one fix: the cause's own when it has one.
        let (why, fix) = cause_and_fix(why);
        WARNING.set(|| {
            format!(
                "redis_url: the Redis of the shared mailbox limiter and the send ledger ({}) failed: {why}; this process keeps \
                 sending with its own limits (4 requests in flight per mailbox in this process, no shared window or hold) and \
                 tries Redis again within {} s; the send ledger remembers the messages this process sent and never sends one \
                 twice, but a retry of the same message in another process is not recognised until Redis is back. Fix: {fix}",
                self.url.address(),
                max.as_secs()
            )
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a cause of failure names its own fix, it follows this (the refusals of
/// `discover.rs` and `dial.rs`, [`describe`], [`Redis::redirects_exhausted`]).
pub(super) const FIX: &str = ". Fix: ";
/// The fix of a cause that has none of its own (a Redis down, unreachable, timing out).
pub(super) const REACH_FIX: &str = "make that Redis reachable from every worker, or remove `redis_url`";

/// A cause of failure and the one fix to say with it: its own, else [`REACH_FIX`].
pub(super) fn cause_and_fix(why: &str) -> (&str, &str) {
    why.split_once(FIX).unwrap_or((why, REACH_FIX))
}

/// What went wrong, in words that never contain the URL or its password.
fn describe(e: &redis::RedisError) -> String {
    if e.is_timeout() {
        format!("no answer within {} ms", TIMEOUT.as_millis())
    } else if e.is_connection_refusal() {
        "connection refused".into()
    } else if e.code() == Some("READONLY") {
        "a write was refused with READONLY (the node is a replica, or a primary demoted by a failover). Fix: point `redis_url` at the \
         primary, or use redis+sentinel:// (or redis+cluster://) so that the current primary is found"
            .into()
    } else if e.kind() == redis::ErrorKind::AuthenticationFailed {
        "authentication failed. Fix: check the user and password in `redis_url`".into()
    } else if e.kind() == redis::ErrorKind::InvalidClientConfig {
        // Only the static description (never the URL), not the detail.
        e.to_string().split(" - ").next().unwrap_or_default().to_string()
    } else if e.is_io_error() {
        "connection lost or not possible".into()
    } else if let Some(code) = e.code() {
        format!("Redis answered the error {code}")
    } else {
        format!("{:?} error", e.kind())
    }
}

/// The Redis warning of this process (see [`Redis::failed`]).
static WARNING: ProcessWarning = ProcessWarning::new();

/// The Redis warning, once per process: the first receipt after a failure carries it.
pub(crate) fn take_warning() -> Option<String> {
    WARNING.take()
}
