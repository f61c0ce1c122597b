//! The rest of the control API: drafts, the request log, statistics, fault rules and
//! the reset (`/_emulator/{drafts,requests,stats,faults,reset}`).

use super::reply::{self, to_json};
use crate::faults;
use crate::http::{self, Resp};
use crate::state::Shared;
use hyper::body::Incoming;
use hyper::{Method, StatusCode};
use serde_json::json;
use std::sync::atomic::Ordering;

/// `/_emulator/{rest}` other than messages, the inbox and the page's assets (`m`: the
/// method, HEAD read as GET).
pub async fn handle(shared: &Shared, m: &Method, rest: &[&str], query: Option<&str>, body: Incoming) -> Resp {
    match (m, rest) {
        (&Method::GET, ["drafts"]) => to_json(&shared.lock().drafts),
        (&Method::DELETE, ["drafts"]) => {
            let mut state = shared.lock();
            state.drafts.clear();
            state.uploads.clear();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["requests"]) => requests(shared, query),
        (&Method::DELETE, ["requests"]) => {
            shared.lock().requests.clear();
            shared.changes.send_modify(|c| c.requests += 1);
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["stats"]) => stats(shared),
        (&Method::GET, ["faults"]) => to_json(&shared.lock().faults),
        (&Method::DELETE, ["faults"]) => {
            shared.lock().faults.clear();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::POST, ["faults"]) => add_faults(shared, body).await,
        (&Method::POST, ["reset"]) => reset(shared),
        _ => reply::unknown_endpoint(),
    }
}

/// `GET /_emulator/requests?limit=N`: the newest N entries only (the log keeps up to
/// 100,000).
fn requests(shared: &Shared, query: Option<&str>) -> Resp {
    let state = shared.lock();
    let limit = http::query_param(query, "limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(usize::MAX);
    to_json(&state.requests[state.requests.len().saturating_sub(limit)..])
}

fn stats(shared: &Shared) -> Resp {
    let state = shared.lock();
    http::json(StatusCode::OK, &json!({
        "token_requests": shared.token_requests.load(Ordering::Relaxed),
        "connections": shared.connections.load(Ordering::Relaxed),
        "graph_requests": shared.graph_requests.load(Ordering::Relaxed),
        "requests": state.requests.len(),
        "messages": state.messages.len(),
        "drafts": state.drafts.len(),
        "upload_sessions": state.uploads.len(),
        "faults": state.faults.len(),
        "throttled": state.throttle.mailboxes.values().map(|m| m.throttled).sum::<u64>(),
        "mailboxes": &state.throttle.mailboxes,
    }))
}

async fn add_faults(shared: &Shared, body: Incoming) -> Resp {
    let bytes = match http::read_body(body, 1024 * 1024).await {
        http::Body::Complete(b) => b,
        _ => return reply::error(StatusCode::PAYLOAD_TOO_LARGE, "fault rules must be under 1 MB"),
    };
    match faults::parse(&bytes) {
        Ok(rules) => {
            let mut state = shared.lock();
            state.faults.extend(rules);
            to_json(&state.faults)
        }
        Err(e) => reply::error(StatusCode::BAD_REQUEST, &format!("invalid fault rules: {e}")),
    }
}

/// `POST /_emulator/reset`: forgets messages, drafts, uploads, requests, faults and
/// counters, and tells live pages.
fn reset(shared: &Shared) -> Resp {
    *shared.lock() = Default::default();
    shared.token_requests.store(0, Ordering::Relaxed);
    shared.connections.store(0, Ordering::Relaxed);
    shared.graph_requests.store(0, Ordering::Relaxed);
    shared.changes.send_modify(|c| {
        c.messages += 1;
        c.requests += 1;
    });
    http::empty(StatusCode::NO_CONTENT)
}
