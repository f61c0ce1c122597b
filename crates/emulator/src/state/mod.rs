//! The emulator's state: one struct behind one lock, changed only in short critical
//! sections (never across an await), plus lock-free counters for the hot statistics.

use crate::config::EmulatorConfig;
use crate::credentials::{RegisteredCert, RegisteredFederated};
use crate::faults::FaultRule;
use crate::record::MessageRecord;
use crate::request_log::RequestLog;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::watch;

mod throttle;
mod upload_session;

pub use throttle::Throttle;
pub use upload_session::UploadSession;

/// Change counters the web inbox follows over server-sent events (`/_emulator/events`):
/// a page re-reads the list whose counter moved, instead of polling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Changes {
    /// Bumped when messages arrive, are deleted, or are marked read/unread.
    pub messages: u64,
    /// Bumped when a request is logged or the log is cleared.
    pub requests: u64,
}

/// Shared by every connection of one emulator.
pub struct Shared {
    pub config: EmulatorConfig,
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT`.
    pub base_url: String,
    /// HMAC key that signs access tokens; random per run, so tokens of another emulator
    /// instance (or a hand-made token) fail as forged.
    pub token_key: Vec<u8>,
    /// Certificates per app index, parsed once at start.
    pub certs: Vec<Vec<RegisteredCert>>,
    /// Federated credentials per app index, keys loaded once at start.
    pub federated: Vec<Vec<RegisteredFederated>>,
    pub token_requests: AtomicU64,
    pub connections: AtomicU64,
    pub graph_requests: AtomicU64,
    /// Senders of live updates; see [`Changes`].
    pub changes: watch::Sender<Changes>,
    state: Mutex<State>,
}

/// Everything that changes while serving.
#[derive(Default)]
pub struct State {
    /// Sent messages, oldest first.
    pub messages: Vec<MessageRecord>,
    /// Drafts not yet sent or deleted, oldest first.
    pub drafts: Vec<MessageRecord>,
    pub uploads: HashMap<String, UploadSession>,
    pub requests: Vec<RequestLog>,
    pub faults: Vec<FaultRule>,
    pub throttle: Throttle,
    /// The messages' count and newest id when the inbox was last told of a change.
    pub inbox_mark: (usize, Option<String>),
}

impl Shared {
    pub fn new(
        config: EmulatorConfig,
        base_url: String,
        certs: Vec<Vec<RegisteredCert>>,
        federated: Vec<Vec<RegisteredFederated>>,
    ) -> Shared {
        let mut token_key = vec![0u8; 32];
        let _ = aws_lc_rs::rand::fill(&mut token_key);
        Shared {
            config,
            base_url,
            token_key,
            certs,
            federated,
            token_requests: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            graph_requests: AtomicU64::new(0),
            changes: watch::Sender::new(Changes::default()),
            state: Mutex::new(State::default()),
        }
    }

    /// Tells live pages that the message list changed.
    pub fn messages_changed(&self) {
        self.changes.send_modify(|c| c.messages += 1);
    }

    /// Tells live pages that the request log changed, and the message list too if a
    /// request added or sent a message (every Graph request ends in the log, so this one
    /// place sees every arrival without the Graph handlers knowing about the inbox).
    pub fn requests_changed(&self, state: &mut State) {
        let mark = (state.messages.len(), state.messages.last().map(|m| m.id.clone()));
        let inbox = mark != state.inbox_mark;
        state.inbox_mark = mark;
        self.changes.send_modify(|c| {
            c.requests += 1;
            if inbox {
                c.messages += 1;
            }
        });
    }

    /// Locks the state. A panic elsewhere never poisons it for good: the data is plain
    /// records, still consistent, so we keep serving.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
