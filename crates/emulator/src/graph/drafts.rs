//! Drafts, the large-message path: create (`POST /users/{m}/messages`, JSON or base64
//! MIME) → add attachments (small ones with `POST .../attachments`, big ones through
//! upload sessions) → `POST .../send` (202; the draft becomes a sent message and always
//! lands in Sent Items) or `DELETE` (204).
//!
//! As in Exchange, a sent draft's id is gone: GET, DELETE and `/send` of it answer 404
//! ErrorItemNotFound, and the message lives on in Sent Items under a new id. The
//! exactly-once sender relies on exactly this: after an ambiguous `/send` it deletes the
//! draft, and 204 (it was still a draft) proves it was not sent, 404 that it was.

use super::auth::Caller;
use super::errors::GraphError;
use super::send_mail::{is_mime, json_body, stamp};
use super::{message_json, mime, validate};
use crate::context::Ctx;
use crate::http::{self, Resp};
use crate::record::{AttachmentRecord, MessageRecord};
use crate::state::Shared;
use hyper::StatusCode;
use serde_json::{Value, json};

/// A Graph-looking item id (`AAMkAG...=`); URL-safe so clients need no escaping.
pub fn new_id() -> String {
    let mut raw = [0u8; 30];
    let _ = aws_lc_rs::rand::fill(&mut raw);
    format!("AAMkAG{}AAA=", crate::jwt::b64url(&raw))
}

pub fn create(shared: &Shared, ctx: &Ctx, caller: &Caller, mailbox: &str) -> Result<Resp, GraphError> {
    let mut rec = if is_mime(ctx) {
        mime::parse(&mime::decode_base64(&ctx.body)?)?
    } else {
        message_json::parse(&json_body(ctx)?, &shared.config.limits)?
    };
    rec.id = new_id();
    stamp(&mut rec, ctx, caller, mailbox, "draft");
    let body = message_json(&rec, shared, true);
    shared.lock().drafts.push(rec);
    Ok(http::json(StatusCode::CREATED, &body))
}

pub fn get(shared: &Shared, mailbox: &str, id: &str) -> Result<Resp, GraphError> {
    let state = shared.lock();
    let ours = |m: &&MessageRecord| m.mailbox.eq_ignore_ascii_case(mailbox);
    if let Some(draft) = state.drafts.iter().filter(ours).find(|m| m.id == id) {
        return Ok(http::json(StatusCode::OK, &message_json(draft, shared, true)));
    }
    let sent = state
        .messages
        .iter()
        .filter(|m| m.save_to_sent_items)
        .filter(ours)
        .find(|m| graph_id(m) == id)
        .ok_or_else(GraphError::item_not_found)?;
    Ok(http::json(StatusCode::OK, &message_json(sent, shared, false)))
}

pub fn delete(shared: &Shared, mailbox: &str, id: &str) -> Result<Resp, GraphError> {
    let mut state = shared.lock();
    let pos = position(&state.drafts, mailbox, id)?;
    state.drafts.remove(pos);
    state.uploads.retain(|_, s| s.draft_id != id);
    Ok(http::empty(StatusCode::NO_CONTENT))
}

pub fn send(shared: &Shared, ctx: &Ctx, caller: &Caller, mailbox: &str, id: &str) -> Result<Resp, GraphError> {
    let mut state = shared.lock();
    let pos = position(&state.drafts, mailbox, id)?;
    let draft = &state.drafts[pos];
    validate::before_send(shared, mailbox, draft)?;
    let mut rec = state.drafts.remove(pos);
    state.uploads.retain(|_, s| s.draft_id != id);
    // The draft's id is gone; the Sent Items copy gets its own (Exchange's behaviour).
    rec.sent_items_id = Some(new_id());
    stamp(&mut rec, ctx, caller, mailbox, "draft");
    rec.save_to_sent_items = true;
    state.messages.push(rec);
    Ok(http::empty(StatusCode::ACCEPTED))
}

pub fn add_attachment(shared: &Shared, ctx: &Ctx, mailbox: &str, id: &str) -> Result<Resp, GraphError> {
    let body = json_body(ctx)?;
    let mut att = message_json::attachment(&body)?;
    att.source = "attachments_api".into();
    let mut state = shared.lock();
    let pos = position(&state.drafts, mailbox, id)?;
    let draft = &mut state.drafts[pos];
    let att_id = format!("{}{}", id.trim_end_matches('='), draft.attachments.len() + 1);
    let out = attachment_json(&att, &att_id);
    push_attachment(draft, att);
    Ok(http::json(StatusCode::CREATED, &out))
}

/// Adds an attachment to a draft and grows its size.
pub fn push_attachment(draft: &mut MessageRecord, att: AttachmentRecord) {
    draft.size += att.size;
    draft.attachments.push(att);
}

/// The index of a draft of `mailbox`, or 404 ErrorItemNotFound.
pub fn position(drafts: &[MessageRecord], mailbox: &str, id: &str) -> Result<usize, GraphError> {
    drafts
        .iter()
        .position(|d| d.id == id && d.mailbox.eq_ignore_ascii_case(mailbox))
        .ok_or_else(GraphError::item_not_found)
}

/// An `emailAddress`: Graph returns the display name it was given, else the address.
fn email(rec: &MessageRecord, address: &str) -> Value {
    json!({"emailAddress": {"address": address, "name": rec.name_of(address).unwrap_or(address)}})
}

fn recipients(rec: &MessageRecord, list: &[String]) -> Value {
    Value::Array(list.iter().map(|a| email(rec, a)).collect())
}

/// The id Graph knows a message by: a sent draft's Sent Items id, else its own.
fn graph_id(rec: &MessageRecord) -> &str {
    rec.sent_items_id.as_deref().unwrap_or(&rec.id)
}

/// The message's `internetMessageId`: a MIME message's own Message-ID (Exchange keeps it),
/// else one Exchange would make up.
fn internet_message_id(rec: &MessageRecord) -> String {
    let own = rec.headers.iter().find(|h| h.name.eq_ignore_ascii_case("Message-ID")).map(|h| h.value.trim());
    match own.filter(|v| !v.is_empty()) {
        Some(v) => v.to_string(),
        None => format!("<{}@emulator.local>", rec.id.trim_end_matches('=')),
    }
}

/// The message resource as Graph returns it: a draft (in Drafts) or a sent message (in
/// Sent Items).
pub fn message_json(rec: &MessageRecord, shared: &Shared, draft: bool) -> Value {
    let (kind, content) = match (&rec.body_html, &rec.body_text) {
        (Some(h), _) => ("html", h.clone()),
        (None, Some(t)) => ("text", t.clone()),
        (None, None) => ("text", String::new()),
    };
    let from = rec.from.clone().unwrap_or_else(|| rec.mailbox.clone());
    json!({
        "@odata.context": format!("{}/v1.0/$metadata#users('{}')/messages/$entity", shared.base_url, rec.mailbox),
        "@odata.etag": format!("W/\"{}\"", rec.id.len()),
        "id": if draft { rec.id.as_str() } else { graph_id(rec) },
        "createdDateTime": rec.received_at,
        "lastModifiedDateTime": rec.received_at,
        "changeKey": rec.id.chars().rev().take(12).collect::<String>(),
        "categories": [],
        "receivedDateTime": rec.received_at,
        "sentDateTime": rec.received_at,
        "hasAttachments": rec.attachments.iter().any(|a| !a.is_inline),
        "internetMessageId": internet_message_id(rec),
        "subject": rec.subject.clone().unwrap_or_default(),
        "bodyPreview": content.chars().take(255).collect::<String>(),
        "importance": rec.importance.clone().unwrap_or_else(|| "normal".into()),
        "parentFolderId": if draft { "drafts" } else { "sentitems" },
        "conversationId": rec.id,
        "isDeliveryReceiptRequested": false,
        "isReadReceiptRequested": false,
        "isRead": true,
        "isDraft": draft,
        "webLink": format!("{}/ui/{}", shared.base_url, rec.id),
        "inferenceClassification": "focused",
        "body": {"contentType": kind, "content": content},
        "sender": email(rec, rec.sender.as_deref().unwrap_or(&from)),
        "from": email(rec, &from),
        "toRecipients": recipients(rec, &rec.to),
        "ccRecipients": recipients(rec, &rec.cc),
        "bccRecipients": recipients(rec, &rec.bcc),
        "replyTo": recipients(rec, &rec.reply_to),
        "flag": {"flagStatus": "notFlagged"},
    })
}

/// An attachment resource as Graph returns it.
pub fn attachment_json(att: &AttachmentRecord, id: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.fileAttachment",
        "id": id,
        "lastModifiedDateTime": crate::clock::iso(crate::clock::now_secs()),
        "name": att.name,
        "contentType": att.content_type,
        "size": att.size,
        "isInline": att.is_inline,
        "contentId": att.content_id,
    })
}
