//! Exchange's throttling per app and mailbox: at most N concurrent requests (the next
//! gets 429 "Application is over its MailboxConcurrency limit.") and at most M requests
//! per sliding window. A `Slot` holds one concurrency unit until dropped, so a request
//! counts as "in flight" for exactly as long as the emulator is working on it.

use super::errors::GraphError;
use crate::state::Shared;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counters per (app, mailbox).
#[derive(Default)]
pub struct Throttle {
    in_flight: HashMap<String, usize>,
    recent: HashMap<String, VecDeque<Instant>>,
}

/// One in-flight request; releases its unit on drop.
pub struct Slot {
    shared: Arc<Shared>,
    key: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if let Some(n) = state.throttle.in_flight.get_mut(&self.key) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Takes a slot for `appid` on `mailbox`, or answers 429.
pub fn acquire(shared: &Arc<Shared>, appid: &str, mailbox: &str) -> Result<Slot, GraphError> {
    let cfg = &shared.config.throttle;
    let key = format!("{}|{}", appid.to_ascii_lowercase(), mailbox.to_ascii_lowercase());
    let now = Instant::now();
    let window = Duration::from_secs(cfg.window_secs);
    let mut state = shared.lock();
    let in_flight = state.throttle.in_flight.get(&key).copied().unwrap_or(0);
    if in_flight >= cfg.concurrency {
        return Err(GraphError::throttled(
            "Application is over its MailboxConcurrency limit.",
            cfg.concurrency_retry_after_secs.to_string(),
        ));
    }
    let recent = state.throttle.recent.entry(key.clone()).or_default();
    while recent.front().is_some_and(|t| now.duration_since(*t) >= window) {
        recent.pop_front();
    }
    if recent.len() as u64 >= cfg.window_requests {
        let oldest = recent.front().copied().unwrap_or(now);
        let wait = window.saturating_sub(now.duration_since(oldest)).as_secs().max(1);
        return Err(GraphError::throttled(
            "Application is over its MailboxRequests limit.",
            wait.to_string(),
        ));
    }
    recent.push_back(now);
    *state.throttle.in_flight.entry(key.clone()).or_insert(0) += 1;
    Ok(Slot { shared: Arc::clone(shared), key })
}
