//! Writing a request's log entry (see `request_log`). An entry is opened when the
//! request arrives and written when the answer is decided; when the client goes away
//! first (a timeout, a closed connection, a reset HTTP/2 stream), hyper drops the
//! request's future and the entry's drop guard writes it anyway, marked `abandoned`, so a
//! request the client gave up on is still seen, with its `client_request_id`.

use crate::context::ErrorCode;
use crate::http::Resp;
use crate::request_log::RequestLog;
use crate::state::Shared;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

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

    /// Writes the entry with the answer: its status, and for an error the code and
    /// message it carries.
    pub fn answered(mut self, resp: &Resp) {
        if resp.status().as_u16() >= 400 {
            self.entry.error_message = error_message(resp);
        }
        self.finish(resp.status().as_u16(), resp.extensions().get::<ErrorCode>().map(|c| c.0.clone()));
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
        entry.failed = entry.is_failure();
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

/// The message of a Graph (`error.message`) or Entra (`error_description`, first line)
/// error body, for the request log.
fn error_message(resp: &Resp) -> Option<String> {
    use http_body_util::BodyExt;
    // A complete buffer: its one frame is ready at once, and cloning the body is cheap.
    let body = resp.body().clone();
    let bytes = futures_now(body.collect())?.to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let text = v.pointer("/error/message").or_else(|| v.get("error_description")).and_then(|m| m.as_str())?;
    Some(text.lines().next().unwrap_or_default().to_string())
}

/// Polls a future once; a `Full` body's collect finishes on the first poll.
fn futures_now<T>(f: impl std::future::Future<Output = Result<T, std::convert::Infallible>>) -> Option<T> {
    use std::task::{Context, Poll, Waker};
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(v)) => Some(v),
        _ => None,
    }
}
