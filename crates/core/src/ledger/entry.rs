//! One message's line in the send ledger, as stored (JSON, in Redis and in process
//! memory): what state the send is in, the draft that carries it (the exactly-once
//! route), and the receipt once Graph accepted it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::graph::mailbox::Receipt;

/// Where a send stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum State {
    /// A process is sending it now (until `until_ms`; after that its owner is gone).
    InFlight,
    /// Graph accepted it; `receipt` says how.
    Accepted,
    /// The last request that could have sent it got no clear answer.
    Unknown,
}

/// The stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub state: State,
    /// `mime`, `json` or `draft`: the route of the send; only a draft can be settled.
    pub route: String,
    /// The draft that carries the message (draft route, once created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_id: Option<String>,
    /// When it was written (ms since the epoch).
    pub at_ms: u64,
    /// In flight: the owner's deadline; after it, the owner is gone (killed) or gave up.
    #[serde(default)]
    pub until_ms: u64,
    /// Accepted: the receipt of the accepting request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
}

/// Now, in ms since the epoch (wall clock: entries are compared across hosts).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Entry {
    /// In flight by this process for at most `hold`.
    pub fn in_flight(route: &str, draft_id: Option<&str>, hold: Duration) -> Entry {
        let at_ms = now_ms();
        Entry {
            state: State::InFlight,
            route: route.to_string(),
            draft_id: draft_id.map(str::to_string),
            at_ms,
            until_ms: at_ms.saturating_add(hold.as_millis() as u64),
            receipt: None,
        }
    }

    /// Accepted, with its receipt.
    pub fn accepted(route: &str, receipt: &Receipt) -> Entry {
        Entry { state: State::Accepted, route: route.to_string(), draft_id: None, at_ms: now_ms(), until_ms: 0, receipt: Some(receipt.clone()) }
    }

    /// Outcome unknown; `draft_id`: the draft whose `/send` got no clear answer.
    pub fn unknown(route: &str, draft_id: Option<&str>) -> Entry {
        Entry { state: State::Unknown, route: route.to_string(), draft_id: draft_id.map(str::to_string), at_ms: now_ms(), until_ms: 0, receipt: None }
    }

    /// An in-flight entry whose owner's deadline has passed: it will write nothing more.
    pub fn is_abandoned(&self) -> bool {
        self.state == State::InFlight && now_ms() > self.until_ms
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `None` for what this version cannot read (treated like an unknown outcome).
    pub fn decode(raw: &str) -> Option<Entry> {
        serde_json::from_str(raw).ok()
    }
}
