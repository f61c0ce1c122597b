//! Exchange's throttling per app and mailbox, across every connection: at most N
//! concurrent requests (the next gets 429 "Application is over its MailboxConcurrency
//! limit."), at most M requests per sliding window, and at most B bytes of upload-session
//! PUTs per sliding upload window. A `Slot` holds one concurrency unit until dropped, so
//! a request counts as "in flight" for exactly as long as the emulator works on it.
//! The counters and the admission decision live in the shared state (`state::throttle`);
//! here they become Graph's 429 answers. Counters per mailbox (429s per cause, peak in
//! flight) feed `/_emulator/stats`: they are how tests and the fleet bench check what
//! clients did, measured at the server.

use super::errors::GraphError;
use crate::state::Shared;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One admitted request; releases its concurrency unit on drop.
pub struct Slot {
    shared: Arc<Shared>,
    key: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.lock().throttle.release(&self.key);
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

fn acquire(shared: &Arc<Shared>, appid: &str, mailbox: &str, upload_bytes: u64) -> Result<Slot, GraphError> {
    let key = format!("{}|{}", appid.to_ascii_lowercase(), mailbox.to_ascii_lowercase());
    let admitted = shared.lock().throttle.admit(&shared.config.throttle, &key, mailbox, Instant::now(), upload_bytes);
    admitted.map_err(|r| GraphError::throttled(r.message, r.retry_after))?;
    Ok(Slot { shared: Arc::clone(shared), key })
}
