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

mod control;
pub mod events;
pub mod inbox;
mod message_api;
pub mod messages;
mod reply;
pub mod web;
mod write_guard;

use crate::http::Resp;
use crate::state::Shared;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};

/// Serves one inspection request: the routing table of the control API and the page.
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
    match (m, segs.as_slice()) {
        (&Method::GET, [] | ["ui", "requests"]) => web::shell(StatusCode::OK),
        (&Method::GET, ["ui", id]) => message_api::page(shared, id),
        (&Method::GET, ["_emulator", "ui", file]) => web::asset(file),
        (&Method::GET, ["_emulator", "inbox"]) => message_api::inbox(shared, query),
        (_, ["_emulator", "messages", rest @ ..]) => message_api::handle(shared, m, rest, query),
        (_, ["_emulator", rest @ ..]) => control::handle(shared, m, rest, query, body).await,
        _ => reply::unknown_endpoint(),
    }
}
