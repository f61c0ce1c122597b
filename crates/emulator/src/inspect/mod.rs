//! The control and inspection API under `/_emulator/` (what tests read and steer) and
//! the web page at `/`. Not part of Graph: no auth, no faults, no latency, not logged.
//!
//! - `GET /_emulator/messages` (oldest first), `GET /_emulator/messages/{id}`,
//!   `GET /_emulator/messages/{id}/mime`, `GET /_emulator/messages/{id}/attachments/{n}`,
//!   `DELETE /_emulator/messages`
//! - `GET|DELETE /_emulator/drafts`, `GET /_emulator/requests`, `DELETE /_emulator/requests`
//! - `GET /_emulator/stats`
//! - `GET|POST|DELETE /_emulator/faults`
//! - `POST /_emulator/reset`: forget messages, drafts, uploads, requests, faults, counters

pub mod faults;
pub mod web;

use crate::http::{self, Resp};
use crate::record::MessageRecord;
use crate::state::Shared;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};
use serde_json::json;
use std::sync::atomic::Ordering;

fn error(status: StatusCode, message: &str) -> Resp {
    http::json(status, &json!({"error": {"code": "EmulatorRequestInvalid", "message": message}}))
}

/// Serves one inspection request.
pub async fn handle(shared: &Shared, parts: &Parts, body: Incoming) -> Resp {
    let path = parts.uri.path();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let m = &parts.method;
    match (m, segs.as_slice()) {
        (&Method::GET, []) => web::index(shared),
        (&Method::GET, ["ui", id]) => web::message(shared, &http::pct_decode(id)),
        (&Method::GET, ["_emulator", "messages"]) => to_json(&shared.lock().messages),
        (&Method::DELETE, ["_emulator", "messages"]) => {
            shared.lock().messages.clear();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["_emulator", "messages", id]) => with_message(shared, id, to_json),
        (&Method::GET, ["_emulator", "messages", id, "mime"]) => with_message(shared, id, |m| match &m.mime {
            Some(mime) => http::with_body(StatusCode::OK, "message/rfc822", mime.clone()),
            None => error(StatusCode::NOT_FOUND, "this message was not sent as MIME"),
        }),
        (&Method::GET, ["_emulator", "messages", id, "attachments", n]) => with_message(shared, id, |m| {
            match n.parse::<usize>().ok().and_then(|n| m.attachments.get(n)) {
                Some(a) => http::with_body(
                    StatusCode::OK,
                    a.content_type.as_deref().unwrap_or("application/octet-stream"),
                    a.bytes.clone(),
                ),
                None => error(StatusCode::NOT_FOUND, "no such attachment (attachments are numbered from 0)"),
            }
        }),
        (&Method::GET, ["_emulator", "drafts"]) => to_json(&shared.lock().drafts),
        (&Method::DELETE, ["_emulator", "drafts"]) => {
            let mut state = shared.lock();
            state.drafts.clear();
            state.uploads.clear();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["_emulator", "requests"]) => to_json(&shared.lock().requests),
        (&Method::DELETE, ["_emulator", "requests"]) => {
            shared.lock().requests.clear();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["_emulator", "stats"]) => stats(shared),
        (&Method::GET, ["_emulator", "faults"]) => to_json(&shared.lock().faults),
        (&Method::DELETE, ["_emulator", "faults"]) => {
            shared.lock().faults.clear();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::POST, ["_emulator", "faults"]) => add_faults(shared, body).await,
        (&Method::POST, ["_emulator", "reset"]) => {
            *shared.lock() = Default::default();
            shared.token_requests.store(0, Ordering::Relaxed);
            shared.connections.store(0, Ordering::Relaxed);
            shared.graph_requests.store(0, Ordering::Relaxed);
            http::empty(StatusCode::NO_CONTENT)
        }
        _ => error(StatusCode::NOT_FOUND, "unknown emulator endpoint; see docs/emulator.md"),
    }
}

fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Resp {
    http::json(StatusCode::OK, &serde_json::to_value(v).unwrap_or_default())
}

fn with_message(shared: &Shared, id: &str, f: impl FnOnce(&MessageRecord) -> Resp) -> Resp {
    let id = http::pct_decode(id);
    let state = shared.lock();
    match state.messages.iter().chain(state.drafts.iter()).find(|m| m.id == id) {
        Some(m) => f(m),
        None => error(StatusCode::NOT_FOUND, "no such message"),
    }
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
    }))
}

async fn add_faults(shared: &Shared, body: Incoming) -> Resp {
    let bytes = match http::read_body(body, 1024 * 1024).await {
        http::Body::Complete(b) => b,
        _ => return error(StatusCode::PAYLOAD_TOO_LARGE, "fault rules must be under 1 MB"),
    };
    match faults::parse(&bytes) {
        Ok(rules) => {
            let mut state = shared.lock();
            state.faults.extend(rules);
            to_json(&state.faults)
        }
        Err(e) => error(StatusCode::BAD_REQUEST, &format!("invalid fault rules: {e}")),
    }
}
