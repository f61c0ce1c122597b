//! The emulator's state: one struct behind one lock, changed only in short critical
//! sections (never across an await), plus lock-free counters for the hot statistics.

use crate::config::EmulatorConfig;
use crate::entra::assertion::RegisteredCert;
use crate::inspect::faults::FaultRule;
use crate::record::MessageRecord;
use crate::request_log::RequestLog;
use crate::graph::throttle::Throttle;
use crate::graph::upload::UploadSession;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

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
    pub federated: Vec<Vec<crate::entra::federated::RegisteredFederated>>,
    pub token_requests: AtomicU64,
    pub connections: AtomicU64,
    pub graph_requests: AtomicU64,
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
    /// Client assertion `jti`s seen, with their expiry, to refuse replays.
    pub used_jtis: HashMap<String, u64>,
    pub throttle: Throttle,
}

impl Shared {
    pub fn new(
        config: EmulatorConfig,
        base_url: String,
        certs: Vec<Vec<RegisteredCert>>,
        federated: Vec<Vec<crate::entra::federated::RegisteredFederated>>,
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
            state: Mutex::new(State::default()),
        }
    }

    /// Locks the state. A panic elsewhere never poisons it for good: the data is plain
    /// records, still consistent, so we keep serving.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
