//! The control and inspection API under `/_emulator/` (what tests read and steer) and
//! the web page at `/`. Not part of Graph: no auth, no faults, no latency, not logged.
//!
//! - `GET /_emulator/messages` (oldest first), `GET /_emulator/messages/{id}`,
//!   `GET /_emulator/messages/{id}/mime` (`?download`: as a `.eml` file), `.../json`,
//!   `GET|HEAD /_emulator/messages/{id}/attachments/{n}`, `.../cid/{content-id}`,
//!   `.../html` (the HTML body, `cid:` resolved, under a CSP), `.../requests`,
//!   `POST|DELETE .../read`, `DELETE /_emulator/messages/{id}`, `DELETE /_emulator/messages`,
//!   `POST /_emulator/messages/read` (all read)
//! - `GET /_emulator/inbox?q=&limit=` (summaries for the web page, with search),
//!   `GET /_emulator/events` (server-sent events, see `events`)
//! - the web inbox: `/`, `/ui/{id}`, `/ui/requests`, assets under `/_emulator/ui/`
//! - `GET|DELETE /_emulator/drafts`, `GET /_emulator/requests`, `DELETE /_emulator/requests`
//! - `GET /_emulator/stats`
//! - `GET|POST|DELETE /_emulator/faults`
//! - `POST /_emulator/reset`: forget messages, drafts, uploads, requests, faults, counters
//!
//! Writes from other web pages are refused first (`write_guard`).

pub mod events;
pub mod inbox;
pub mod messages;
pub mod web;
mod write_guard;

use crate::faults;
use crate::http::{self, Resp};
use crate::record::MessageRecord;
use crate::state::Shared;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};
use serde_json::json;
use std::sync::atomic::Ordering;

pub(crate) fn error(status: StatusCode, message: &str) -> Resp {
    http::json(status, &json!({"error": {"code": "EmulatorRequestInvalid", "message": message}}))
}

/// Serves one inspection request.
pub async fn handle(shared: &Shared, parts: &Parts, body: Incoming) -> Resp {
    let path = parts.uri.path();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    // HEAD is GET without the body (hyper leaves the body out, keeps Content-Length).
    let m = if parts.method == Method::HEAD { &Method::GET } else { &parts.method };
    if *m != Method::GET {
        if let Some(refused) = write_guard::refuse(shared, parts, &body) {
            return refused;
        }
    }
    let query = parts.uri.query();
    let flag = |name: &str| query.is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == name));
    match (m, segs.as_slice()) {
        (&Method::GET, []) => web::shell(StatusCode::OK),
        (&Method::GET, ["ui", "requests"]) => web::shell(StatusCode::OK),
        (&Method::GET, ["ui", id]) => {
            let known = with_message(shared, id, |_| http::empty(StatusCode::OK)).status() == StatusCode::OK;
            web::shell(if known { StatusCode::OK } else { StatusCode::NOT_FOUND })
        }
        (&Method::GET, ["_emulator", "ui", file]) => web::asset(file),
        (&Method::GET, ["_emulator", "inbox"]) => {
            let limit = http::query_param(query, "limit").and_then(|l| l.parse().ok());
            let q = http::query_param(query, "q");
            let state = shared.lock();
            let mut list = inbox::list(&state.messages, q.as_deref(), limit);
            // The page's navigation shows how many requests failed (refused sends too).
            list["requests"] = state.requests.len().into();
            list["failed_requests"] = state.requests.iter().filter(|r| r.status == 0 || r.status >= 400).count().into();
            http::json(StatusCode::OK, &list)
        }
        (&Method::GET, ["_emulator", "messages"]) => to_json(&shared.lock().messages),
        (&Method::DELETE, ["_emulator", "messages"]) => {
            shared.lock().messages.clear();
            shared.messages_changed();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::POST, ["_emulator", "messages", "read"]) => {
            shared.lock().messages.iter_mut().for_each(|m| m.read = true);
            shared.messages_changed();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["_emulator", "messages", id]) => with_message(shared, id, to_json),
        (&Method::DELETE, ["_emulator", "messages", id]) => {
            let id = http::pct_decode(id);
            let removed = {
                let mut state = shared.lock();
                let before = state.messages.len();
                state.messages.retain(|m| m.id != id);
                before != state.messages.len()
            };
            if !removed {
                return error(StatusCode::NOT_FOUND, "no such message");
            }
            shared.messages_changed();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::POST | &Method::DELETE, ["_emulator", "messages", id, "read"]) => {
            let id = http::pct_decode(id);
            let read = parts.method == Method::POST;
            let found = shared.lock().messages.iter_mut().find(|m| m.id == id).map(|m| m.read = read).is_some();
            if !found {
                return error(StatusCode::NOT_FOUND, "no such message");
            }
            shared.messages_changed();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["_emulator", "messages", id, "mime"]) => with_message(shared, id, |m| messages::mime(m, flag("download"))),
        (&Method::GET, ["_emulator", "messages", id, "json"]) => with_message(shared, id, |m| messages::json(m, flag("download"))),
        (&Method::GET, ["_emulator", "messages", id, "html"]) => with_message(shared, id, messages::html),
        (&Method::GET, ["_emulator", "messages", id, "cid", cid]) => with_message(shared, id, |m| messages::by_content_id(m, cid)),
        (&Method::GET, ["_emulator", "messages", id, "attachments", n]) => with_message(shared, id, |m| messages::attachment(m, n)),
        (&Method::GET, ["_emulator", "messages", id, "requests"]) => {
            let id = http::pct_decode(id);
            let state = shared.lock();
            match state.messages.iter().chain(state.drafts.iter()).find(|m| m.id == id) {
                Some(m) => to_json(&messages::requests(m, &state.requests)),
                None => error(StatusCode::NOT_FOUND, "no such message"),
            }
        }
        (&Method::GET, ["_emulator", "drafts"]) => to_json(&shared.lock().drafts),
        (&Method::DELETE, ["_emulator", "drafts"]) => {
            let mut state = shared.lock();
            state.drafts.clear();
            state.uploads.clear();
            http::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["_emulator", "requests"]) => {
            // `?limit=N`: the newest N entries only (the log keeps up to 100,000).
            let state = shared.lock();
            let limit = http::query_param(query, "limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(usize::MAX);
            to_json(&state.requests[state.requests.len().saturating_sub(limit)..])
        }
        (&Method::DELETE, ["_emulator", "requests"]) => {
            shared.lock().requests.clear();
            shared.changes.send_modify(|c| c.requests += 1);
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
            shared.changes.send_modify(|c| {
                c.messages += 1;
                c.requests += 1;
            });
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
        "throttled": state.throttle.mailboxes.values().map(|m| m.throttled).sum::<u64>(),
        "mailboxes": &state.throttle.mailboxes,
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
