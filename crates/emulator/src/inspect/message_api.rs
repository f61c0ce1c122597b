//! The received messages through the control API: `/_emulator/messages/...` (list, one
//! message, its MIME/JSON/HTML/parts/requests, read marks, deletion), the inbox
//! summaries the web page lists (`/_emulator/inbox`), and whether `/ui/{id}` names a
//! message.

use super::reply::{self, to_json};
use super::{inbox, messages, web};
use crate::http::{self, Resp};
use crate::record::MessageRecord;
use crate::state::Shared;
use hyper::{Method, StatusCode};

/// `GET /ui/{id}`: the page, 404 when no such message.
pub fn page(shared: &Shared, id: &str) -> Resp {
    let known = with_message(shared, id, |_| http::empty(StatusCode::OK)).status() == StatusCode::OK;
    web::shell(if known { StatusCode::OK } else { StatusCode::NOT_FOUND })
}

/// `GET /_emulator/inbox?q=&limit=`: summaries, with the request counts the page's
/// navigation shows.
pub fn inbox(shared: &Shared, query: Option<&str>) -> Resp {
    let limit = http::query_param(query, "limit").and_then(|l| l.parse().ok());
    let q = http::query_param(query, "q");
    let state = shared.lock();
    let mut list = inbox::list(&state.messages, q.as_deref(), limit);
    // The page's navigation shows how many requests failed (refused sends too; not a
    // mailbox check's probe answered as designed).
    list["requests"] = state.requests.len().into();
    list["failed_requests"] = state.requests.iter().filter(|r| r.failed).count().into();
    http::json(StatusCode::OK, &list)
}

/// `/_emulator/messages/{rest}` (`m`: the method, HEAD read as GET).
pub fn handle(shared: &Shared, m: &Method, rest: &[&str], query: Option<&str>) -> Resp {
    let download = query.is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "download"));
    match (m, rest) {
        (&Method::GET, []) => to_json(&shared.lock().messages),
        (&Method::DELETE, []) => change(shared, |all| all.clear()),
        (&Method::POST, ["read"]) => change(shared, |all| all.iter_mut().for_each(|m| m.read = true)),
        (&Method::GET, [id]) => with_message(shared, id, to_json),
        (&Method::DELETE, [id]) => delete(shared, id),
        (&Method::POST | &Method::DELETE, [id, "read"]) => mark_read(shared, id, *m == Method::POST),
        (&Method::GET, [id, "mime"]) => with_message(shared, id, |m| messages::mime(m, download)),
        (&Method::GET, [id, "json"]) => with_message(shared, id, |m| messages::json(m, download)),
        (&Method::GET, [id, "html"]) => with_message(shared, id, messages::html),
        (&Method::GET, [id, "cid", cid]) => with_message(shared, id, |m| messages::by_content_id(m, cid)),
        (&Method::GET, [id, "attachments", n]) => with_message(shared, id, |m| messages::attachment(m, n)),
        (&Method::GET, [id, "requests"]) => {
            let state = shared.lock();
            let log = &state.requests;
            find(&state.messages, &state.drafts, id, |m| to_json(&messages::requests(m, log)))
        }
        _ => reply::unknown_endpoint(),
    }
}

/// Changes the sent messages and tells live pages.
fn change(shared: &Shared, f: impl FnOnce(&mut Vec<MessageRecord>)) -> Resp {
    f(&mut shared.lock().messages);
    shared.messages_changed();
    http::empty(StatusCode::NO_CONTENT)
}

fn delete(shared: &Shared, id: &str) -> Resp {
    let id = http::pct_decode(id);
    let removed = {
        let mut state = shared.lock();
        let before = state.messages.len();
        state.messages.retain(|m| m.id != id);
        before != state.messages.len()
    };
    if !removed {
        return reply::error(StatusCode::NOT_FOUND, "no such message");
    }
    shared.messages_changed();
    http::empty(StatusCode::NO_CONTENT)
}

fn mark_read(shared: &Shared, id: &str, read: bool) -> Resp {
    let id = http::pct_decode(id);
    let found = shared.lock().messages.iter_mut().find(|m| m.id == id).map(|m| m.read = read).is_some();
    if !found {
        return reply::error(StatusCode::NOT_FOUND, "no such message");
    }
    shared.messages_changed();
    http::empty(StatusCode::NO_CONTENT)
}

/// Answers with `f` of the sent message or draft `id` (percent-encoded), or 404.
fn with_message(shared: &Shared, id: &str, f: impl FnOnce(&MessageRecord) -> Resp) -> Resp {
    let state = shared.lock();
    find(&state.messages, &state.drafts, id, f)
}

fn find(sent: &[MessageRecord], drafts: &[MessageRecord], id: &str, f: impl FnOnce(&MessageRecord) -> Resp) -> Resp {
    let id = http::pct_decode(id);
    match sent.iter().chain(drafts.iter()).find(|m| m.id == id) {
        Some(m) => f(m),
        None => reply::error(StatusCode::NOT_FOUND, "no such message"),
    }
}
