//! The request log behind `GET /_emulator/requests`: one entry per Entra or Graph
//! request, the evidence tests read. An entry is opened when the request arrives and
//! written when the answer is decided; when the client goes away first (a timeout, a
//! closed connection, a reset HTTP/2 stream), hyper drops the request's future and the
//! entry's drop guard writes it anyway, marked `abandoned`, so a request the client gave
//! up on is still seen, with its `client_request_id`.

use crate::state::Shared;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// One request as `/_emulator/requests` lists it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RequestLog {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The mailbox in `/users/{mailbox}/...` or an upload URL, if any.
    pub mailbox: Option<String>,
    /// HTTP status answered; 0 when no answer was sent (a fault dropped the connection,
    /// or the client abandoned the request).
    pub status: u16,
    pub request_id: String,
    pub client_request_id: Option<String>,
    pub content_type: Option<String>,
    pub body_bytes: u64,
    /// Whether an Authorization header was present (never its value).
    pub authorization: bool,
    /// The Graph or Entra error code answered, if any.
    pub error: Option<String>,
    /// The Graph or Entra error message answered (`error.message`, or Entra's
    /// `error_description` up to its trace lines), so a developer sees why a send failed.
    pub error_message: Option<String>,
    /// A fault rule decided this answer.
    pub fault: bool,
    /// That rule, as `GET /_emulator/faults` lists it (with its hit count at the time).
    pub fault_rule: Option<serde_json::Value>,
    /// When the request arrived (ISO 8601, whole seconds).
    pub time: String,
    /// When the request arrived, in milliseconds since the Unix epoch: before any
    /// latency or fault delay, so gaps between attempts are the client's own.
    pub time_ms: u64,
    /// From arrival to the answer (or to the client going away).
    pub duration_ms: u64,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    /// Token requests: the `scope` asked for (never the secret or the assertion).
    pub scope: Option<String>,
    /// The client went away before the answer: it timed out, closed the connection,
    /// reset the stream or broke off the body. `status` is 0.
    pub abandoned: bool,
}

/// The request log keeps the newest entries only, so a long-running development
/// emulator does not grow without bound.
const MAX_LOGGED_REQUESTS: usize = 100_000;

/// An entry being filled in while its request is served. `finish` writes it; dropping
/// it unfinished writes it as abandoned.
pub struct PendingLog {
    shared: Arc<Shared>,
    started: Instant,
    pub entry: RequestLog,
    written: bool,
}

impl PendingLog {
    /// Opens an entry for a request that arrived at `arrived` (wall clock, for the log)
    /// and `started` (monotonic, for the duration).
    pub fn open(shared: &Arc<Shared>, entry: RequestLog, arrived: SystemTime, started: Instant) -> PendingLog {
        let since_epoch = arrived.duration_since(UNIX_EPOCH).unwrap_or_default();
        let entry = RequestLog {
            time: crate::clock::iso(since_epoch.as_secs()),
            time_ms: since_epoch.as_millis() as u64,
            ..entry
        };
        PendingLog { shared: Arc::clone(shared), started, entry, written: false }
    }

    /// Writes the entry with the status answered (0: the connection was dropped).
    pub fn finish(mut self, status: u16, error: Option<String>) {
        self.entry.status = status;
        self.entry.error = error;
        self.write(false);
    }

    /// Writes the entry for a request the client abandoned.
    pub fn abandon(mut self) {
        self.write(true);
    }

    fn write(&mut self, abandoned: bool) {
        if self.written {
            return;
        }
        self.written = true;
        let mut entry = std::mem::take(&mut self.entry);
        entry.duration_ms = self.started.elapsed().as_millis() as u64;
        if abandoned {
            entry.status = 0;
            entry.abandoned = true;
        }
        let mut state = self.shared.lock();
        if state.requests.len() >= MAX_LOGGED_REQUESTS {
            state.requests.drain(..MAX_LOGGED_REQUESTS / 10);
        }
        state.requests.push(entry);
        self.shared.requests_changed(&mut state);
    }
}

impl Drop for PendingLog {
    /// Still unwritten here means hyper dropped the request's future: the client left.
    fn drop(&mut self) {
        self.write(true);
    }
}
