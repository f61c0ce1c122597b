//! The throttling counters the shared state keeps (see `graph::throttle` for the model
//! and its 429 answers): per app and mailbox the requests in flight, the arrivals inside
//! the request window and the upload bytes inside the upload window, and per mailbox the
//! statistics `/_emulator/stats` reports. Admitting a request is a pure decision over
//! these counters and the configured budgets.

use crate::config::ThrottleConfig;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
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

/// Why a request is refused, in Graph's words, and when the client may come back.
pub struct Refusal {
    pub message: &'static str,
    /// `Retry-After` seconds.
    pub retry_after: String,
}

impl Throttle {
    /// Admits a request of the app and mailbox `key` (`upload_bytes`: an upload PUT's
    /// body, else 0) and counts it in flight, or refuses it and counts the cause.
    pub fn admit(&mut self, cfg: &ThrottleConfig, key: &str, mailbox: &str, now: Instant, upload_bytes: u64) -> Result<(), Refusal> {
        let k = self.keys.entry(key.to_string()).or_default();
        let refused = check(cfg, k, now, upload_bytes);
        let stats = self.mailboxes.entry(mailbox.to_ascii_lowercase()).or_default();
        if let Err((cause, refusal)) = refused {
            match cause {
                Cause::Concurrency => stats.throttled_concurrency += 1,
                Cause::Window => stats.throttled_window += 1,
                Cause::Upload => stats.throttled_upload += 1,
            }
            return Err(refusal);
        }
        stats.admitted += 1;
        stats.upload_bytes += upload_bytes;
        k.recent.push_back(now);
        if upload_bytes > 0 {
            k.uploads.push_back((now, upload_bytes));
            k.upload_sum += upload_bytes;
        }
        k.in_flight += 1;
        Ok(())
    }

    /// An admitted request of `key` was answered.
    pub fn release(&mut self, key: &str) {
        if let Some(k) = self.keys.get_mut(key) {
            k.in_flight = k.in_flight.saturating_sub(1);
        }
    }
}

/// Seconds to put in Retry-After, rounded up (a client coming back at the floor would
/// arrive too early), at least 1.
fn retry_secs(wait: Duration) -> String {
    (wait.as_secs_f64().ceil() as u64).max(1).to_string()
}

/// The three budgets in Exchange's order: concurrency, request window, upload bytes.
fn check(cfg: &ThrottleConfig, k: &mut KeyState, now: Instant, bytes: u64) -> Result<(), (Cause, Refusal)> {
    if k.in_flight >= cfg.concurrency {
        return Err((Cause::Concurrency, Refusal {
            message: "Application is over its MailboxConcurrency limit.",
            retry_after: cfg.concurrency_retry_after_secs.to_string(),
        }));
    }
    let window = Duration::from_secs(cfg.window_secs);
    while k.recent.front().is_some_and(|t| now.duration_since(*t) >= window) {
        k.recent.pop_front();
    }
    if k.recent.len() as u64 >= cfg.window_requests {
        let oldest = k.recent.front().copied().unwrap_or(now);
        return Err((Cause::Window, Refusal {
            message: "Application is over its MailboxRequests limit.",
            retry_after: retry_secs(window.saturating_sub(now.duration_since(oldest))),
        }));
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
    Err((Cause::Upload, Refusal { message: "Application is over its IncomingBytes limit.", retry_after: retry_secs(wait) }))
}
