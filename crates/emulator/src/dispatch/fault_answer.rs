//! Answers decided by a fault rule (see `faults`): a Graph error body, or on the token
//! endpoint an Entra one, with the rule's status, code, message and Retry-After.

use super::route::Route;
use crate::context::{Ctx, ErrorCode};
use crate::faults::{self, DropWhen, FaultRule};
use crate::graph::errors::GraphError;
use crate::http::{self, Resp};
use hyper::StatusCode;

/// The rule, if it drops the connection at `when` without processing the request.
pub fn drops(fault: Option<&FaultRule>, when: DropWhen) -> Option<&FaultRule> {
    fault.filter(|f| f.drop == Some(when) && !f.deliver)
}

/// The rule, if it answers in the request's place (a status, or a drop after the body).
pub fn answers(fault: Option<&FaultRule>) -> Option<&FaultRule> {
    fault.filter(|f| (f.status.is_some() || f.drop.is_some()) && !f.deliver)
}

/// The rule's answer to a request.
pub fn fault_response(f: &FaultRule, ctx: &Ctx, which: &Route) -> Resp {
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
