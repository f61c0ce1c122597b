//! Upload sessions for big attachments (3–150 MB): `createUploadSession` on a draft
//! returns a pre-authenticated URL (Outlook-style, `/api/v2.0/Users('...')/Messages('...')
//! /AttachmentSessions('...')?authtoken=...`); the client PUTs byte ranges of at most
//! 4 MB in order, without an Authorization header. Intermediate chunks get 200 and
//! `nextExpectedRanges`; the last one 201 with a Location. A failed chunk can be resent
//! from `nextExpectedRanges` (GET on the URL reports it). DELETE cancels the session.

use super::drafts;
use super::message_json::ci;
use super::errors::GraphError;
use super::send_mail::json_body;
use crate::context::Ctx;
use crate::http::{self, Resp};
use crate::record::{AttachmentRecord, MessageRecord};
use crate::state::{Shared, UploadSession};
use bytes::BytesMut;
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

/// Upload URLs live under this path.
pub const PATH_PREFIX: &str = "/api/v2.0/";

/// How long an upload URL stays valid.
const SESSION_SECS: u64 = 6 * 3600;

/// The mailbox named in an upload URL path (after [`PATH_PREFIX`]).
pub fn mailbox_in(rest: &str) -> Option<String> {
    quoted_after(&http::pct_decode(rest), "Users(")
}

fn quoted_after(path: &str, key: &str) -> Option<String> {
    let start = path.find(key)? + key.len();
    let rest = path[start..].strip_prefix('\'')?;
    let end = rest.find('\'')?;
    Some(rest[..end].to_string())
}

fn invalid(message: &str) -> GraphError {
    GraphError::bad_request("ErrorInvalidRequest", message)
}

/// `POST /users/{m}/messages/{id}/attachments/createUploadSession`.
pub fn create(shared: &Shared, ctx: &Ctx, caller: &super::auth::Caller, mailbox: &str, draft_id: &str) -> Result<Resp, GraphError> {
    let body = json_body(ctx)?;
    let item = ci(&body, "AttachmentItem")
        .filter(|v| v.is_object())
        .ok_or_else(|| invalid("The request must contain an 'AttachmentItem'."))?;
    let kind = ci(item, "attachmentType").and_then(Value::as_str).unwrap_or("file");
    if !kind.eq_ignore_ascii_case("file") {
        return Err(invalid("Only attachmentType 'file' can be uploaded in a session."));
    }
    let size = ci(item, "size").and_then(Value::as_u64).ok_or_else(|| invalid("'AttachmentItem.size' is required."))?;
    let limits = &shared.config.limits;
    if size < limits.min_upload_session_bytes {
        return Err(GraphError::bad_request(
            "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
            "Attachment size must be greater than the minimum size.",
        ));
    }
    if size > limits.max_attachment_bytes {
        return Err(GraphError::bad_request(
            "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize",
            "Attachment size must be less than the maximum size.",
        ));
    }
    let s = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
    let mut state = shared.lock();
    drafts::position(&state.drafts, mailbox, draft_id)?;
    let session_id = drafts::new_id();
    let mut token = [0u8; 24];
    let _ = aws_lc_rs::rand::fill(&mut token);
    let authtoken = crate::jwt::b64url(&token);
    let expires = crate::clock::now_secs() + SESSION_SECS;
    let url = format!(
        "{}{PATH_PREFIX}Users('{}')/Messages('{draft_id}')/AttachmentSessions('{session_id}')?authtoken={authtoken}",
        upload_base(shared),
        url_safe(mailbox),
    );
    state.uploads.insert(session_id, UploadSession {
        draft_id: draft_id.to_string(),
        app: caller.appid.clone(),
        mailbox: mailbox.to_string(),
        authtoken,
        name: s("name"),
        content_type: s("contentType"),
        is_inline: ci(item, "isInline").and_then(Value::as_bool).unwrap_or(false),
        content_id: s("contentId"),
        size,
        received: BytesMut::new(),
        expires,
    });
    Ok(http::json(StatusCode::CREATED, &json!({
        "@odata.context": format!("{}/v1.0/$metadata#microsoft.graph.uploadSession", shared.base_url),
        "uploadUrl": url,
        "expirationDateTime": crate::clock::iso(expires),
        "nextExpectedRanges": ["0-"],
    })))
}

/// The base URL of upload URLs: the emulator's, on another name for the same address,
/// as Graph's upload URLs are on another host (outlook.office.com) than Graph, so that
/// clients which attach tokens per host (the Graph SDKs) send none there. `upload_host`
/// if configured; else `localhost` for a base URL on 127.0.0.1, and 127.0.0.1 for one
/// on localhost (loopback names both, which the TLS certificate covers); else (IPv6, or
/// a non-loopback address `localhost` would not reach) the base URL itself.
fn upload_base(shared: &Shared) -> String {
    let base = &shared.base_url;
    let Some((scheme, rest)) = base.split_once("://") else { return base.clone() };
    let Some((host, port)) = rest.rsplit_once(':') else { return base.clone() };
    let other = match (&shared.config.upload_host, host) {
        (Some(configured), _) => configured.as_str(),
        (None, "127.0.0.1") => "localhost",
        (None, h) if h.eq_ignore_ascii_case("localhost") => "127.0.0.1",
        (None, _) => return base.clone(),
    };
    format!("{scheme}://{other}:{port}")
}

fn url_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || "@.-_+".contains(c) { c.to_string() } else { format!("%{:02X}", c as u32 & 0xff) })
        .collect()
}

/// `PUT` (a chunk) or `DELETE` (cancel) on an upload URL.
pub fn put(shared: &Shared, ctx: &Ctx) -> Resp {
    match chunk(shared, ctx) {
        Ok(resp) => resp,
        Err(e) => e.response(ctx),
    }
}

/// The (app, mailbox) an upload URL belongs to, for throttling; `None` for an unknown
/// session (answered 404 by [`put`]).
pub fn owner(shared: &Shared, ctx: &Ctx) -> Option<(String, String)> {
    let session_id = quoted_after(&http::pct_decode(&ctx.path), "AttachmentSessions(")?;
    let state = shared.lock();
    state.uploads.get(&session_id).map(|s| (s.app.clone(), s.mailbox.clone()))
}

/// `Content-Range: bytes a-b/total`.
fn content_range(ctx: &Ctx) -> Option<(u64, u64, u64)> {
    let v = ctx.headers.get(hyper::header::CONTENT_RANGE)?.to_str().ok()?.trim();
    let (range, total) = v.strip_prefix("bytes ")?.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    let (a, b, total) = (a.trim().parse().ok()?, b.trim().parse().ok()?, total.trim().parse().ok()?);
    (a <= b && b < total).then_some((a, b, total))
}

/// An intermediate answer, as Outlook gives it (`ExpirationDateTime` in Pascal case; the
/// camel-case twin is there for clients that read Graph's uploadSession shape).
fn progress(shared: &Shared, session: &UploadSession) -> Value {
    json!({
        "@odata.context": format!("{}{PATH_PREFIX}$metadata#Users('{}')/Messages('{}')/AttachmentSessions/$entity",
            shared.base_url, url_safe(&session.mailbox), session.draft_id),
        "ExpirationDateTime": crate::clock::iso(session.expires),
        "expirationDateTime": crate::clock::iso(session.expires),
        "nextExpectedRanges": [session.received.len().to_string()],
    })
}

fn chunk(shared: &Shared, ctx: &Ctx) -> Result<Resp, GraphError> {
    let path = http::pct_decode(&ctx.path);
    let session_id = quoted_after(&path, "AttachmentSessions(").ok_or_else(GraphError::item_not_found)?;
    let token = http::query_param(ctx.query.as_deref(), "authtoken").unwrap_or_default();
    if ctx.headers.contains_key(hyper::header::AUTHORIZATION) {
        // The URL is pre-authenticated; Outlook refuses a bearer token meant for Graph.
        return Err(GraphError::invalid_token(
            "Do not send an Authorization header to an upload URL: it is pre-authenticated.",
        ));
    }
    let mut state = shared.lock();
    let session = state.uploads.get_mut(&session_id).ok_or_else(GraphError::item_not_found)?;
    if session.authtoken != token || session.expires < crate::clock::now_secs() {
        return Err(GraphError::invalid_token("The upload URL's authtoken is invalid or has expired."));
    }
    if ctx.method == Method::DELETE {
        state.uploads.remove(&session_id);
        return Ok(http::empty(StatusCode::NO_CONTENT));
    }
    if ctx.method == Method::GET {
        // Lets a client that lost a chunk's answer ask where to resume.
        return Ok(http::json(StatusCode::OK, &progress(shared, session)));
    }
    if ctx.method != Method::PUT {
        return Err(GraphError::method_not_allowed());
    }
    if !append(session, ctx)? {
        return Ok(http::json(StatusCode::OK, &progress(shared, session)));
    }
    let Some(session) = state.uploads.remove(&session_id) else { return Err(GraphError::item_not_found()) };
    attach(shared, &mut state.drafts, session)
}

/// Appends a PUT's bytes, which must start at the next expected byte; true when the
/// attachment is complete.
fn append(session: &mut UploadSession, ctx: &Ctx) -> Result<bool, GraphError> {
    let (start, end, total) = content_range(ctx).ok_or_else(|| {
        invalid("The Content-Range header is missing or malformed; expected 'bytes {start}-{end}/{total}'.")
    })?;
    if total != session.size {
        return Err(invalid("The total in Content-Range does not match the size given for the upload session."));
    }
    if end - start + 1 != ctx.body.len() as u64 {
        return Err(invalid("The number of bytes received does not match the Content-Range header."));
    }
    let next = session.received.len() as u64;
    if start != next {
        return Err(GraphError::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "InvalidRange",
            format!("The uploaded fragment does not start at the next expected byte {next}; resume from nextExpectedRanges."),
        ));
    }
    if next == 0 {
        // One allocation for the whole attachment instead of doubling up to 150 MB.
        session.received.reserve(total as usize);
    }
    session.received.extend_from_slice(&ctx.body);
    Ok(session.received.len() as u64 >= total)
}

/// Adds a complete upload to its draft: 201 with the attachment's Location.
fn attach(shared: &Shared, drafts: &mut [MessageRecord], session: UploadSession) -> Result<Resp, GraphError> {
    let mut att = AttachmentRecord::new(session.received.freeze(), "upload_session");
    att.name = session.name;
    att.content_type = session.content_type;
    att.is_inline = session.is_inline;
    att.content_id = session.content_id;
    let pos = drafts::position(drafts, &session.mailbox, &session.draft_id)?;
    let draft = &mut drafts[pos];
    let att_id = format!("{}{}", session.draft_id.trim_end_matches('='), draft.attachments.len() + 1);
    drafts::push_attachment(draft, att);
    let mut resp = http::empty(StatusCode::CREATED);
    http::set_header(&mut resp, "location", &format!(
        "{}{PATH_PREFIX}Users('{}')/Messages('{}')/Attachments('{att_id}')",
        shared.base_url, url_safe(&session.mailbox), session.draft_id));
    Ok(resp)
}
