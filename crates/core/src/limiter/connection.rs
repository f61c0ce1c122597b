//! The Redis connection of this process: one multiplexed connection per `redis_url`
//! (and `ca_file`), opened on first use and shared by every send, like the HTTP pool.
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
//! send's receipt ([`take_warning`]).
//!
//! Redis must not be able to take the worker down either: every connection is bounded
//! (`dial.rs`, `bounded_stream.rs`): a reply over 16 KiB, bytes that are not RESP, or
//! bytes while no command is pending close that connection, which then counts as a
//! failure like any other.
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
use crate::ca_file::CaFile;
use crate::redis_url::RedisUrl;

/// Longest wait for a connection (TCP + TLS + handshake) and for any one command.
pub const TIMEOUT: Duration = Duration::from_millis(500);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

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
    conn: Option<MultiplexedConnection>,
    /// After a failure, not tried again before this (the waiter polls meanwhile).
    retry_at: Option<Instant>,
}

#[derive(Default)]
struct State {
    conn: Option<(MultiplexedConnection, Tripwire)>,
    retry_at: Option<Instant>,
    /// The last backoff; `None` once a command succeeded.
    backoff: Option<Duration>,
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
    /// The connection, opened if needed; `None` while Redis is in its backoff after a
    /// failure, or when connecting fails now.
    pub async fn connection(&self) -> Option<MultiplexedConnection> {
        if let Some(c) = self.ready() {
            return c;
        }
        // Concurrent first requests wait for the one connect (bounded by TIMEOUT), so that
        // none of them falls back to the per-process limits while Redis is fine.
        let _one = self.connecting.lock().await;
        if let Some(c) = self.ready() {
            return c;
        }
        match tokio::time::timeout(TIMEOUT, self.connect(TIMEOUT)).await {
            Ok(Ok(Opened { conn, tripwire })) => {
                // The backoff stays until a command succeeds (see the module doc).
                let mut s = self.lock();
                s.conn = Some((conn.clone(), tripwire));
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

    /// A command was answered: the next failure backs off from 1 s again.
    pub fn succeeded(&self) {
        self.lock().backoff = None;
    }

    /// `Some(connection)` when open, `Some(None)` during the backoff, `None`: try now.
    fn ready(&self) -> Option<Option<MultiplexedConnection>> {
        let s = self.lock();
        if let Some((c, tripwire)) = &s.conn {
            let Some(why) = tripwire.get() else { return Some(Some(c.clone())) };
            // The peer broke the bound while the connection sat idle.
            let why = why.to_string();
            drop(s);
            self.failed_because(&why);
            return Some(None);
        }
        match s.retry_at {
            Some(at) if Instant::now() < at => Some(None),
            _ => None,
        }
    }

    /// A new (bounded) connection whose commands may take up to `response` to be answered.
    async fn connect(&self, response: Duration) -> redis::RedisResult<Opened> {
        dial::open(&self.url, self.ca_file.as_ref(), response).await
    }

    /// Waits up to `max` for a release to push a token onto the wake list `key`, on the
    /// process's blocking connection. `Some(true)`: woken; `Some(false)`: `max` passed;
    /// `None`: that connection is in use by another send of this process or cannot be
    /// had now, so the caller polls instead.
    pub async fn wait_for_wake(&self, key: &str, max: Duration) -> Option<bool> {
        let Ok(mut waiter) = self.waiter.try_lock() else { return None };
        if waiter.conn.is_none() {
            if waiter.retry_at.is_some_and(|at| Instant::now() < at) {
                return None;
            }
            let connect = tokio::time::timeout(TIMEOUT, self.connect(super::limits::WAKE_MAX + TIMEOUT));
            match connect.await {
                Ok(Ok(opened)) => waiter.conn = Some(opened.conn),
                _ => {
                    waiter.retry_at = Some(Instant::now() + FIRST_BACKOFF);
                    return None;
                }
            }
        }
        let conn = waiter.conn.as_mut()?;
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
            let mut conn = self.connect(TIMEOUT).await?.conn;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        match tokio::time::timeout(TIMEOUT * 2, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(describe(&e)),
            Err(_) => Err(format!("no answer within {} ms", (TIMEOUT * 2).as_millis())),
        }
    }

    /// `redis[s]://host:port`.
    pub fn address(&self) -> &str {
        self.url.address()
    }

    /// A command or the connection failed: drop the connection and back off.
    pub fn failed(&self, e: &redis::RedisError) {
        // When the peer broke the bound, that is the reason, not the lost connection.
        let tripped = self.lock().conn.as_ref().and_then(|(_, t)| t.get().map(ToString::to_string));
        self.failed_because(&tripped.unwrap_or_else(|| describe(e)));
    }

    fn failed_because(&self, why: &str) {
        let mut s = self.lock();
        s.conn = None;
        let backoff = s.backoff.map_or(FIRST_BACKOFF, |b| (b * 2).min(MAX_BACKOFF));
        s.backoff = Some(backoff);
        s.retry_at = Some(Instant::now() + backoff);
        drop(s);
        warn_once(format!(
            "redis_url: the Redis of the shared mailbox limiter ({}) failed: {why}; this process keeps sending with its own \
             limits (4 requests in flight per mailbox in this process, no shared window or hold) and tries Redis again \
             within {} s. Fix: make that Redis reachable from every worker, or remove `redis_url`",
            self.url.address(),
            MAX_BACKOFF.as_secs()
        ));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What went wrong, in words that never contain the URL or its password.
fn describe(e: &redis::RedisError) -> String {
    if e.is_timeout() {
        format!("no answer within {} ms", TIMEOUT.as_millis())
    } else if e.is_connection_refusal() {
        "connection refused".into()
    } else if e.kind() == redis::ErrorKind::AuthenticationFailed {
        "authentication failed (check the user and password in `redis_url`)".into()
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

/// The warning of this process (pid), and whether it was handed out already.
static WARNING: Mutex<Option<(u32, Option<String>, bool)>> = Mutex::new(None);

fn warn_once(message: String) {
    let pid = std::process::id();
    let mut w = WARNING.lock().unwrap_or_else(PoisonError::into_inner);
    match &mut *w {
        Some((p, _, _)) if *p == pid => {}
        _ => *w = Some((pid, Some(message), false)),
    }
}

/// The Redis warning, once per process: the first receipt after a failure carries it.
pub(crate) fn take_warning() -> Option<String> {
    let pid = std::process::id();
    let mut w = WARNING.lock().unwrap_or_else(PoisonError::into_inner);
    match &mut *w {
        Some((p, pending, given)) if *p == pid && !*given => {
            *given = true;
            pending.take()
        }
        _ => None,
    }
}
