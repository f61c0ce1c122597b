//! `POST /users/{mailbox}/sendMail`: JSON (`{"message": {...}, "saveToSentItems": ...}`)
//! or base64 MIME (`Content-Type: text/plain`). 202 with an empty body; the message is
//! kept for inspection.

use super::auth::Caller;
use super::errors::GraphError;
use super::message_json::ci;
use super::{message_json, mime, validate};
use crate::context::Ctx;
use crate::http::{self, Resp};
use crate::record::MessageRecord;
use crate::state::Shared;
use hyper::StatusCode;
use serde_json::Value;

/// Whether the request body is base64 MIME (Graph keys this on `text/plain`).
pub fn is_mime(ctx: &Ctx) -> bool {
    content_type(ctx).starts_with("text/plain")
}

/// The lowercased Content-Type.
pub fn content_type(ctx: &Ctx) -> String {
    ctx.headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Parses a JSON body; Graph insists on a JSON content type.
pub fn json_body(ctx: &Ctx) -> Result<Value, GraphError> {
    if !content_type(ctx).contains("json") {
        return Err(GraphError::invalid_json());
    }
    serde_json::from_slice(&ctx.body).map_err(|_| GraphError::invalid_json())
}

/// Whether a request is a mailbox check's probe: `POST .../sendMail` of an empty
/// message, what crates/core's mailbox check sends (`{"message": {}, "saveToSentItems":
/// false}`) so that Graph checks the caller and the mailbox and then refuses the
/// recipients. A real send always has something in its message.
pub fn is_mailbox_probe(ctx: &Ctx) -> bool {
    ctx.method == hyper::Method::POST
        && ctx.path.ends_with("/sendMail")
        && json_body(ctx).is_ok_and(|v| v.get("message").and_then(Value::as_object).is_some_and(|m| m.is_empty()))
}

pub fn handle(shared: &Shared, ctx: &Ctx, caller: &Caller, mailbox: &str) -> Result<Resp, GraphError> {
    let mut rec = if is_mime(ctx) {
        mime::parse(&mime::decode_base64(&ctx.body)?)?
    } else {
        let body = json_body(ctx)?;
        if let Some(key) = body.as_object().and_then(|o| {
            o.keys().find(|k| !k.contains('@') && !["message", "saveToSentItems"].iter().any(|p| p.eq_ignore_ascii_case(k)))
        }) {
            // What Graph's OData reader answers for a parameter sendMail does not have.
            return Err(message_json::body_read(format!(
                "The parameter '{key}' in the request payload is not a valid parameter for the operation 'sendMail'."
            )));
        }
        let message = ci(&body, "message").filter(|m| !m.is_null()).ok_or_else(|| {
            GraphError::bad_request("ErrorInvalidParameter", "The value of the parameter 'Message' is empty.")
        })?;
        let mut rec = message_json::parse(message, &shared.config.limits)?;
        // Graph converts the strings "true"/"false" to Edm.Boolean (202 for both,
        // microsoft-graph-docs-contrib#6649); anything else is refused.
        rec.save_to_sent_items = match ci(&body, "saveToSentItems") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") || s.trim().eq_ignore_ascii_case("false") => {
                s.trim().eq_ignore_ascii_case("true")
            }
            Some(_) => {
                return Err(GraphError::bad_request(
                    "RequestBodyRead",
                    "Cannot convert the value of parameter 'saveToSentItems' to the expected type 'Edm.Boolean'.",
                ));
            }
        };
        rec
    };
    validate::before_send(shared, mailbox, &rec)?;
    stamp(&mut rec, ctx, caller, mailbox, "sendMail");
    shared.lock().messages.push(rec);
    Ok(http::empty(StatusCode::ACCEPTED))
}

/// Fills in who sent a record and when.
pub fn stamp(rec: &mut MessageRecord, ctx: &Ctx, caller: &Caller, mailbox: &str, via: &str) {
    if rec.id.is_empty() {
        rec.id = uuid::Uuid::new_v4().to_string();
    }
    rec.mailbox = mailbox.to_string();
    rec.via = via.to_string();
    rec.app = caller.appid.clone();
    rec.tenant = caller.tid.clone();
    rec.request_id = ctx.request_id.clone();
    rec.request_ids.push(ctx.request_id.clone());
    rec.client_request_id = ctx.client_request_id.clone();
    rec.received_at = crate::clock::iso(crate::clock::now_secs());
}
