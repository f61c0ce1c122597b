//! One request's way through the emulator: ids, fault rules, body reading with Graph's
//! size cap, routing to Entra or Graph (`route`), the `request-id`/`client-request-id`
//! headers on every answer, and the entry in `/_emulator/requests` (`pending_log`).

mod fault_answer;
mod pending_log;
mod route;

use crate::context::Ctx;
use crate::faults::{self, DropWhen, FaultRule};
use crate::graph::errors::GraphError;
use crate::http::{self, Body, DropConnection, Resp};
use crate::request_log::RequestLog;
use crate::state::Shared;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{HeaderMap, Request};
use pending_log::PendingLog;
use route::Route;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

/// The ids of one request: the emulator's `request-id`, and the client's
/// `client-request-id` if it sent one.
struct Ids {
    request_id: String,
    client_request_id: Option<String>,
}

impl Ids {
    fn of(headers: &HeaderMap) -> Ids {
        let client_request_id = headers.get("client-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        Ids { request_id: uuid::Uuid::new_v4().to_string(), client_request_id }
    }

    /// Puts the ids on an answer.
    fn stamp(&self, resp: &mut Resp) {
        http::set_header(resp, "request-id", &self.request_id);
        // Graph echoes the client's id, or repeats its own when the client sent none.
        http::set_header(resp, "client-request-id", self.client_request_id.as_deref().unwrap_or(&self.request_id));
    }
}

/// hyper's entry point for every request.
pub async fn serve(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, DropConnection> {
    let (arrived, started) = (SystemTime::now(), Instant::now());
    let (parts, body) = req.into_parts();
    if let Some(refused) = crate::host_guard::refuse(&shared, &parts) {
        return Ok(refused);
    }
    let ids = Ids::of(&parts.headers);
    let which = route::route(&parts.method, parts.uri.path());
    if matches!(which, Route::Inspect) {
        let mut resp = crate::inspect::handle(&shared, &parts, body).await;
        ids.stamp(&mut resp);
        return Ok(resp);
    }
    count(&shared, &which);
    let mailbox = crate::graph::routes::mailbox_of(parts.uri.path());
    // Counts the request at its mailbox from arrival to answer (or the client leaving).
    let arrival = match (&which, &mailbox) {
        (Route::Graph | Route::Upload, Some(m)) => Some(crate::graph::throttle::Arrival::begin(&shared, m)),
        _ => None,
    };
    let fault = {
        let mut state = shared.lock();
        faults::take(&mut state.faults, parts.method.as_str(), parts.uri.path(), mailbox.as_deref())
    };
    // From here on the entry is written whatever happens: answered, dropped by a fault,
    // or abandoned by the client (the guard's drop).
    let log = PendingLog::open(&shared, log_entry(&parts, &ids, mailbox, fault.as_ref()), arrived, started);
    let resp = answer(&shared, (parts, body), &which, &ids, fault.as_ref(), log).await?;
    if let Some(a) = &arrival {
        a.answered(resp.status().as_u16(), fault.as_ref().is_some_and(|f| f.status.is_some()));
    }
    Ok(resp)
}

/// Counts a token or Graph request for `/_emulator/stats`.
fn count(shared: &Shared, which: &Route) {
    match which {
        Route::Token(_) | Route::ManagedIdentity(_) => shared.token_requests.fetch_add(1, Ordering::Relaxed),
        Route::Graph => shared.graph_requests.fetch_add(1, Ordering::Relaxed),
        _ => 0,
    };
}

/// The log entry of a request as it arrives (the answer is filled in later).
fn log_entry(parts: &Parts, ids: &Ids, mailbox: Option<String>, fault: Option<&FaultRule>) -> RequestLog {
    let header = |name| parts.headers.get(name).and_then(|v: &hyper::header::HeaderValue| v.to_str().ok()).map(str::to_string);
    RequestLog {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        mailbox,
        request_id: ids.request_id.clone(),
        client_request_id: ids.client_request_id.clone(),
        content_type: header(hyper::header::CONTENT_TYPE),
        authorization: parts.headers.contains_key(hyper::header::AUTHORIZATION),
        fault: fault.is_some(),
        fault_rule: fault.and_then(|f| serde_json::to_value(f).ok()),
        http_version: format!("{:?}", parts.version),
        ..Default::default()
    }
}

/// Reads the body and answers, or drops the connection where a fault rule says so or
/// the client broke off the body; writes the log entry either way.
async fn answer(
    shared: &Arc<Shared>,
    (parts, body): (Parts, Incoming),
    which: &Route,
    ids: &Ids,
    fault: Option<&FaultRule>,
    mut log: PendingLog,
) -> Result<Resp, DropConnection> {
    if let Some(f) = fault_answer::drops(fault, DropWhen::BeforeBody) {
        return drop_connection(log, f).await;
    }
    let (ctx, body) = read(shared, parts, body, which, ids).await;
    note_body(&mut log.entry, which, &ctx, &body);
    if matches!(body, Body::Broken) {
        // The client stopped sending the body (went away, or broke the framing).
        log.abandon();
        return Err(DropConnection);
    }
    if let Some(f) = fault_answer::drops(fault, DropWhen::AfterBody) {
        return drop_connection(log, f).await;
    }
    let Some(mut resp) = respond(shared, &ctx, which, &body, fault).await else {
        log.finish(0, None);
        return Err(DropConnection);
    };
    ids.stamp(&mut resp);
    if matches!(which, Route::Token(_) | Route::Discovery(_)) {
        http::set_header(&mut resp, "x-ms-request-id", &ids.request_id);
    }
    log.answered(&resp);
    Ok(resp)
}

/// Reads the body under the route's size cap and builds the handlers' view of the
/// request.
async fn read(shared: &Shared, parts: Parts, body: Incoming, which: &Route, ids: &Ids) -> (Ctx, Body) {
    let limit = match which {
        Route::Upload => shared.config.limits.max_chunk_bytes,
        Route::Graph => shared.config.limits.max_request_bytes,
        _ => 1024 * 1024,
    };
    let body = http::read_body(body, limit).await;
    let ctx = Ctx {
        request_id: ids.request_id.clone(),
        client_request_id: ids.client_request_id.clone(),
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body: match &body { Body::Complete(b) => b.clone(), _ => Bytes::new() },
    };
    (ctx, body)
}

/// What the log keeps of the body: its size, and the scope or resource a token request
/// asked for (never the secret or the assertion).
fn note_body(entry: &mut RequestLog, which: &Route, ctx: &Ctx, body: &Body) {
    entry.body_bytes = match body { Body::Complete(b) => b.len() as u64, Body::TooLarge(n) => *n, Body::Broken => 0 };
    let param = |form: &[u8], name: &str| form_urlencoded::parse(form).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    match which {
        Route::Token(_) => entry.scope = param(&ctx.body, "scope"),
        Route::ManagedIdentity(_) => entry.scope = param(ctx.query.as_deref().unwrap_or("").as_bytes(), "resource"),
        Route::Graph => entry.check_probe = crate::graph::send_mail::is_mailbox_probe(ctx),
        _ => {}
    }
}

/// The answer: a fault rule's, Graph's 413 for a body over the cap, or the route's
/// (then a delivering fault rule's in its place). `None`: drop the connection.
async fn respond(shared: &Arc<Shared>, ctx: &Ctx, which: &Route, body: &Body, fault: Option<&FaultRule>) -> Option<Resp> {
    let latency = shared.config.latency_ms;
    if let Some(f) = fault_answer::answers(fault) {
        sleep_ms(latency + f.delay_ms.unwrap_or(0)).await;
        return Some(fault_answer::fault_response(f, ctx, which));
    }
    if matches!(body, Body::TooLarge(_)) {
        sleep_ms(latency).await;
        return Some(GraphError::too_large().response(ctx));
    }
    let extra = Duration::from_millis(fault.and_then(|f| f.delay_ms).unwrap_or(0));
    let resp = route::handle(shared, ctx, which, extra).await;
    match fault.filter(|f| f.deliver) {
        Some(f) if f.drop.is_some() => None,
        Some(f) if f.status.is_some() => Some(fault_answer::fault_response(f, ctx, which)),
        _ => Some(resp),
    }
}

/// Drops the connection after the rule's delay, logging status 0.
async fn drop_connection(log: PendingLog, f: &FaultRule) -> Result<Resp, DropConnection> {
    sleep_ms(f.delay_ms.unwrap_or(0)).await;
    log.finish(0, None);
    Err(DropConnection)
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}
