//! One request's way through the emulator: ids, fault rules, body reading with Graph's
//! size cap, routing to Entra or Graph, the `request-id`/`client-request-id` headers on
//! every answer, and the entry in `/_emulator/requests` (see `request_log`).

use crate::graph::errors::GraphError;
use crate::http::{self, Body, DropConnection, Resp};
use crate::faults::{self, DropWhen, FaultRule};
use crate::request_log::RequestLog;
use crate::state::Shared;
use crate::context::{Ctx, ErrorCode};
use pending_log::PendingLog;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

mod pending_log;

/// Which part of the emulator a path belongs to.
enum Route {
    Inspect,
    Token(String),
    Discovery(String),
    Jwks,
    /// A managed identity token endpoint (IMDS or App Service style).
    ManagedIdentity(crate::entra::managed_identity::Style),
    /// The token endpoint with a method other than POST.
    TokenWrongMethod,
    Graph,
    Upload,
    Unknown,
}

fn route(method: &Method, path: &str) -> Route {
    if path == "/" || path.starts_with("/_emulator") || path.starts_with("/ui/") {
        return Route::Inspect;
    }
    if path.starts_with("/v1.0/") || path.starts_with("/beta/") {
        return Route::Graph;
    }
    if path.starts_with(crate::graph::upload::PATH_PREFIX) {
        return Route::Upload;
    }
    {
        use crate::entra::managed_identity::{APP_SERVICE_PATH, IMDS_PATH, Style};
        match path.trim_end_matches('/') {
            IMDS_PATH => return Route::ManagedIdentity(Style::Imds),
            APP_SERVICE_PATH => return Route::ManagedIdentity(Style::AppService),
            _ => {}
        }
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        [tenant, "oauth2", "v2.0", "token"] if *method == Method::POST => Route::Token(http::pct_decode(tenant)),
        [_, "oauth2", "v2.0", "token"] => Route::TokenWrongMethod,
        [tenant, "v2.0", ".well-known", "openid-configuration"] | [tenant, ".well-known", "openid-configuration"] => {
            Route::Discovery(http::pct_decode(tenant))
        }
        [_, "discovery", "v2.0", "keys"] | [_, "discovery", "keys"] => Route::Jwks,
        _ => Route::Unknown,
    }
}

/// hyper's entry point for every request.
pub async fn serve(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, DropConnection> {
    let (arrived, started) = (SystemTime::now(), Instant::now());
    let (parts, body) = req.into_parts();
    if let Some(refused) = crate::host_guard::refuse(&shared, &parts) {
        return Ok(refused);
    }
    let path = parts.uri.path().to_string();
    let which = route(&parts.method, &path);
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = parts
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if matches!(which, Route::Inspect) {
        let mut resp = crate::inspect::handle(&shared, &parts, body).await;
        finish_headers(&mut resp, &request_id, client_request_id.as_deref());
        return Ok(resp);
    }
    match which {
        Route::Token(_) | Route::ManagedIdentity(_) => shared.token_requests.fetch_add(1, Ordering::Relaxed),
        Route::Graph => shared.graph_requests.fetch_add(1, Ordering::Relaxed),
        _ => 0,
    };
    let mailbox = crate::graph::routes::mailbox_of(&path);
    // Counts the request at its mailbox from arrival to answer (or the client leaving).
    let arrival = match (&which, &mailbox) {
        (Route::Graph | Route::Upload, Some(m)) => Some(crate::graph::throttle::Arrival::begin(&shared, m)),
        _ => None,
    };
    let fault = {
        let mut state = shared.lock();
        faults::take(&mut state.faults, parts.method.as_str(), &path, mailbox.as_deref())
    };
    // From here on the entry is written whatever happens: answered, dropped by a fault,
    // or abandoned by the client (the guard's drop).
    let mut log = PendingLog::open(&shared, RequestLog {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_string),
        mailbox: mailbox.clone(),
        request_id: request_id.clone(),
        client_request_id: client_request_id.clone(),
        content_type: parts.headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string),
        authorization: parts.headers.contains_key(hyper::header::AUTHORIZATION),
        fault: fault.is_some(),
        fault_rule: fault.as_ref().and_then(|f| serde_json::to_value(f).ok()),
        http_version: format!("{:?}", parts.version),
        ..Default::default()
    }, arrived, started);
    if let Some(f) = fault.as_ref().filter(|f| f.drop == Some(DropWhen::BeforeBody) && !f.deliver) {
        sleep_ms(f.delay_ms.unwrap_or(0)).await;
        log.finish(0, None);
        return Err(DropConnection);
    }
    let limit = match which {
        Route::Upload => shared.config.limits.max_chunk_bytes,
        Route::Graph => shared.config.limits.max_request_bytes,
        _ => 1024 * 1024,
    };
    let body = http::read_body(body, limit).await;
    let ctx = Ctx {
        request_id: request_id.clone(),
        client_request_id: client_request_id.clone(),
        method: parts.method.clone(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body: match &body { Body::Complete(b) => b.clone(), _ => Bytes::new() },
    };
    log.entry.body_bytes = match &body { Body::Complete(b) => b.len() as u64, Body::TooLarge(n) => *n, Body::Broken => 0 };
    if matches!(which, Route::Token(_)) {
        log.entry.scope = form_urlencoded::parse(&ctx.body).find(|(k, _)| k == "scope").map(|(_, v)| v.into_owned());
    }
    if matches!(which, Route::ManagedIdentity(_)) {
        let query = ctx.query.as_deref().unwrap_or("");
        log.entry.scope = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "resource").map(|(_, v)| v.into_owned());
    }
    if matches!(body, Body::Broken) {
        // The client stopped sending the body (went away, or broke the framing).
        log.abandon();
        return Err(DropConnection);
    }
    if let Some(f) = fault.as_ref().filter(|f| f.drop == Some(DropWhen::AfterBody) && !f.deliver) {
        sleep_ms(f.delay_ms.unwrap_or(0)).await;
        log.finish(0, None);
        return Err(DropConnection);
    }
    let answering_fault = fault.as_ref().filter(|f| (f.status.is_some() || f.drop.is_some()) && !f.deliver);
    let mut resp = if let Some(f) = answering_fault {
        sleep_ms(shared.config.latency_ms + f.delay_ms.unwrap_or(0)).await;
        fault_response(f, &ctx, &which)
    } else if matches!(body, Body::TooLarge(_)) {
        sleep_ms(shared.config.latency_ms).await;
        GraphError::too_large().response(&ctx)
    } else {
        let extra = Duration::from_millis(fault.as_ref().and_then(|f| f.delay_ms).unwrap_or(0));
        let resp = handle(&shared, &ctx, &which, extra).await;
        match fault.as_ref().filter(|f| f.deliver) {
            Some(f) if f.drop.is_some() => {
                log.finish(0, None);
                return Err(DropConnection);
            }
            Some(f) if f.status.is_some() => fault_response(f, &ctx, &which),
            _ => resp,
        }
    };
    finish_headers(&mut resp, &request_id, client_request_id.as_deref());
    if matches!(which, Route::Token(_) | Route::Discovery(_)) {
        http::set_header(&mut resp, "x-ms-request-id", &request_id);
    }
    if resp.status().as_u16() >= 400 {
        log.entry.error_message = error_message(&resp);
    }
    if let Some(a) = &arrival {
        a.answered(resp.status().as_u16(), fault.as_ref().is_some_and(|f| f.status.is_some()));
    }
    log.finish(resp.status().as_u16(), resp.extensions().get::<ErrorCode>().map(|c| c.0.clone()));
    Ok(resp)
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

async fn handle(shared: &Arc<Shared>, ctx: &Ctx, which: &Route, extra: Duration) -> Resp {
    let latency = Duration::from_millis(shared.config.latency_ms) + extra;
    match which {
        Route::Graph => crate::graph::routes::handle(shared, ctx, latency).await,
        Route::Token(tenant) => {
            tokio::time::sleep(latency).await;
            crate::entra::token::handle(shared, ctx, tenant)
        }
        Route::Discovery(tenant) => {
            tokio::time::sleep(latency).await;
            crate::entra::discovery::openid_configuration(shared, ctx, tenant)
        }
        Route::Jwks => crate::entra::discovery::jwks(shared),
        Route::ManagedIdentity(style) => {
            tokio::time::sleep(latency).await;
            crate::entra::managed_identity::handle(shared, ctx, *style)
        }
        Route::TokenWrongMethod => {
            let cid = ctx.correlation_id();
            crate::entra::errors::EntraError::wrong_method(ctx.method.as_str()).response(&ctx.request_id, &cid)
        }
        Route::Upload => {
            // Upload PUTs count against the creating app's budgets on the mailbox, like
            // any request, and their bytes against the upload budget.
            let _slot = match crate::graph::upload::owner(shared, ctx) {
                Some((app, mailbox)) => {
                    let bytes = if ctx.method == hyper::Method::PUT { ctx.body.len() as u64 } else { 0 };
                    match crate::graph::throttle::admit(shared, &app, &mailbox, bytes, latency).await {
                        Ok(slot) => Some(slot),
                        Err(e) => return e.response(ctx),
                    }
                }
                None => None,
            };
            tokio::time::sleep(latency).await;
            crate::graph::upload::put(shared, ctx)
        }
        Route::Inspect | Route::Unknown => GraphError::new(
            StatusCode::NOT_FOUND,
            "UnknownError",
            format!("No route for {} {}.", ctx.method, ctx.path),
        )
        .response(ctx),
    }
}

fn fault_response(f: &FaultRule, ctx: &Ctx, which: &Route) -> Resp {
    let status = StatusCode::from_u16(f.status.unwrap_or(503)).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let code = f.graph_code.clone().unwrap_or_else(|| faults::default_code(status.as_u16()).to_string());
    let message = f.message.clone().unwrap_or_else(|| {
        status.canonical_reason().map(|r| format!("{r} (emulator fault rule).")).unwrap_or_default()
    });
    let mut resp = if matches!(which, Route::Token(_)) {
        entra_fault(status, f.graph_code.as_deref(), &message, ctx)
    } else {
        let mut e = GraphError::new(status, &code, message);
        e.retry_after = f.retry_after_header();
        e.response(ctx)
    };
    if let Some(ra) = f.retry_after_header() {
        http::set_header(&mut resp, "retry-after", &ra);
    }
    resp
}

/// A fault on the token endpoint, in Entra's shape. `code` may be `AADSTSnnnn` (sets
/// `error_codes`) or an OAuth error name; by default the OAuth error fits the status.
fn entra_fault(status: StatusCode, code: Option<&str>, message: &str, ctx: &Ctx) -> Resp {
    let number: Option<u32> = code.and_then(|c| c.strip_prefix("AADSTS")).and_then(|n| n.parse().ok());
    let error = match (code, number, status.as_u16()) {
        (Some(c), None, _) => c.to_string(),
        (_, _, 401) => "invalid_client".to_string(),
        (_, _, s) if s >= 500 || s == 429 => "temporarily_unavailable".to_string(),
        _ => "invalid_request".to_string(),
    };
    let code = code.unwrap_or(error.as_str()).to_string();
    let ts = crate::clock::entra_time(crate::clock::now_secs());
    let cid = ctx.correlation_id();
    let prefix = number.map(|n| format!("AADSTS{n}: ")).unwrap_or_default();
    let body = serde_json::json!({
        "error": error,
        "error_description": format!("{prefix}{message}\r\nTrace ID: {}\r\nCorrelation ID: {cid}\r\nTimestamp: {ts}", ctx.request_id),
        "error_codes": number.map(|n| vec![n]).unwrap_or_default(),
        "timestamp": ts,
        "trace_id": ctx.request_id,
        "correlation_id": cid,
    });
    let mut resp = http::json(status, &body);
    resp.extensions_mut().insert(ErrorCode(code));
    resp
}

fn finish_headers(resp: &mut Resp, request_id: &str, client_request_id: Option<&str>) {
    http::set_header(resp, "request-id", request_id);
    // Graph echoes the client's id, or repeats its own when the client sent none.
    http::set_header(resp, "client-request-id", client_request_id.unwrap_or(request_id));
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}
