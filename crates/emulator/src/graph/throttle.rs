//! Exchange's throttling per app and mailbox, across every connection: at most N
//! concurrent requests (the next gets 429 "Application is over its MailboxConcurrency
//! limit."), at most M requests per sliding window, and at most B bytes of upload-session
//! PUTs per sliding upload window. A `Slot` holds one concurrency unit until dropped, so
//! a request counts as "in flight" for exactly as long as the emulator works on it.
//! Counters per mailbox (429s per cause, peak in flight) feed `/_emulator/stats`: they
//! are how tests and the fleet bench check what clients did, measured at the server.

use super::errors::GraphError;
use crate::state::Shared;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counters per (app, mailbox), and per mailbox for the statistics.
#[derive(Default)]
pub struct Throttle {
    keys: HashMap<String, KeyState>,
    /// Per mailbox (lowercase), all apps together.
    pub mailboxes: BTreeMap<String, MailboxStats>,
}

/// The budgets of one app on one mailbox.
#[derive(Default)]
struct KeyState {
    in_flight: usize,
    /// Arrival times of admitted requests inside the request window.
    recent: VecDeque<Instant>,
    /// Admitted upload PUTs inside the upload window: (arrival, bytes).
    uploads: VecDeque<(Instant, u64)>,
    upload_sum: u64,
}

/// What `/_emulator/stats` reports per mailbox.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MailboxStats {
    /// Graph and upload requests that arrived for the mailbox.
    pub requests: u64,
    /// Requests the throttling model let through.
    pub admitted: u64,
    /// Every 429 answered for the mailbox (the causes below, and fault rules).
    pub throttled: u64,
    /// 429s because 4 (`concurrency`) requests of the app were already in flight.
    pub throttled_concurrency: u64,
    /// 429s because the request window was used up.
    pub throttled_window: u64,
    /// 429s because the upload budget was used up.
    pub throttled_upload: u64,
    /// 429s a fault rule answered.
    pub throttled_fault: u64,
    /// Requests at the emulator now, from arrival to answer, whatever the answer.
    pub in_flight: u64,
    /// The most requests at the emulator at once (arrival to answer, 429s included):
    /// what a client-side limiter must keep at or under the concurrency limit.
    pub peak_in_flight: u64,
    /// Upload PUT bytes admitted.
    pub upload_bytes: u64,
}

/// Why a request got 429.
#[derive(Clone, Copy)]
enum Cause {
    Concurrency,
    Window,
    Upload,
}

/// One admitted request; releases its concurrency unit on drop.
pub struct Slot {
    shared: Arc<Shared>,
    key: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if let Some(k) = state.throttle.keys.get_mut(&self.key) {
            k.in_flight = k.in_flight.saturating_sub(1);
        }
    }
}

/// One request at the emulator for a mailbox, counted from arrival to answer.
pub struct Arrival {
    shared: Arc<Shared>,
    mailbox: String,
}

impl Arrival {
    /// Counts a request that arrived for `mailbox`.
    pub fn begin(shared: &Arc<Shared>, mailbox: &str) -> Arrival {
        let mailbox = mailbox.to_ascii_lowercase();
        let mut state = shared.lock();
        let s = state.throttle.mailboxes.entry(mailbox.clone()).or_default();
        s.requests += 1;
        s.in_flight += 1;
        s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
        Arrival { shared: Arc::clone(shared), mailbox }
    }

    /// Records the answer's status (every 429 counts; `fault`: a fault rule answered).
    pub fn answered(&self, status: u16, fault: bool) {
        if status != 429 {
            return;
        }
        let mut state = self.shared.lock();
        let s = state.throttle.mailboxes.entry(self.mailbox.clone()).or_default();
        s.throttled += 1;
        if fault {
            s.throttled_fault += 1;
        }
    }
}

impl Drop for Arrival {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if let Some(s) = state.throttle.mailboxes.get_mut(&self.mailbox) {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
    }
}

/// Admits a request of `appid` on `mailbox` (`upload_bytes`: the body of an upload PUT,
/// else 0), or answers 429 after `latency`: a refusal also costs the client a round trip.
pub async fn admit(
    shared: &Arc<Shared>,
    appid: &str,
    mailbox: &str,
    upload_bytes: u64,
    latency: Duration,
) -> Result<Slot, GraphError> {
    match acquire(shared, appid, mailbox, upload_bytes) {
        Ok(slot) => Ok(slot),
        Err(e) => {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            Err(e)
        }
    }
}

/// Seconds to put in Retry-After, rounded up (a client coming back at the floor would
/// arrive too early), at least 1.
fn retry_secs(wait: Duration) -> String {
    (wait.as_secs_f64().ceil() as u64).max(1).to_string()
}

fn acquire(shared: &Arc<Shared>, appid: &str, mailbox: &str, upload_bytes: u64) -> Result<Slot, GraphError> {
    let cfg = &shared.config.throttle;
    let key = format!("{}|{}", appid.to_ascii_lowercase(), mailbox.to_ascii_lowercase());
    let now = Instant::now();
    let mut guard = shared.lock();
    let state = &mut *guard;
    let k = state.throttle.keys.entry(key.clone()).or_default();
    let refused = check(cfg, k, now, upload_bytes);
    let stats = state.throttle.mailboxes.entry(mailbox.to_ascii_lowercase()).or_default();
    if let Err((cause, e)) = refused {
        match cause {
            Cause::Concurrency => stats.throttled_concurrency += 1,
            Cause::Window => stats.throttled_window += 1,
            Cause::Upload => stats.throttled_upload += 1,
        }
        return Err(e);
    }
    stats.admitted += 1;
    stats.upload_bytes += upload_bytes;
    k.recent.push_back(now);
    if upload_bytes > 0 {
        k.uploads.push_back((now, upload_bytes));
        k.upload_sum += upload_bytes;
    }
    k.in_flight += 1;
    Ok(Slot { shared: Arc::clone(shared), key })
}

/// The three budgets in Exchange's order: concurrency, request window, upload bytes.
fn check(cfg: &crate::config::ThrottleConfig, k: &mut KeyState, now: Instant, bytes: u64) -> Result<(), (Cause, GraphError)> {
    if k.in_flight >= cfg.concurrency {
        return Err((Cause::Concurrency, GraphError::throttled(
            "Application is over its MailboxConcurrency limit.",
            cfg.concurrency_retry_after_secs.to_string(),
        )));
    }
    let window = Duration::from_secs(cfg.window_secs);
    while k.recent.front().is_some_and(|t| now.duration_since(*t) >= window) {
        k.recent.pop_front();
    }
    if k.recent.len() as u64 >= cfg.window_requests {
        let oldest = k.recent.front().copied().unwrap_or(now);
        return Err((Cause::Window, GraphError::throttled(
            "Application is over its MailboxRequests limit.",
            retry_secs(window.saturating_sub(now.duration_since(oldest))),
        )));
    }
    if bytes == 0 {
        return Ok(());
    }
    let upload_window = Duration::from_secs(cfg.upload_window_secs);
    while let Some(&(_, n)) = k.uploads.front().filter(|(t, _)| now.duration_since(*t) >= upload_window) {
        k.uploads.pop_front();
        k.upload_sum -= n;
    }
    // A chunk larger than the whole budget (only with a test-scale budget) passes on an
    // empty window, or it could never pass.
    if k.upload_sum + bytes <= cfg.upload_bytes || k.upload_sum == 0 {
        return Ok(());
    }
    // The wait until enough of the window's bytes have aged out for this chunk to fit
    // (all of them, for a chunk larger than the whole budget).
    let mut left = k.upload_sum;
    let mut wait = upload_window;
    for &(t, n) in &k.uploads {
        left -= n;
        if left + bytes <= cfg.upload_bytes || left == 0 {
            wait = upload_window.saturating_sub(now.duration_since(t));
            break;
        }
    }
    Err((Cause::Upload, GraphError::throttled("Application is over its IncomingBytes limit.", retry_secs(wait))))
}
