//! Routing of `/v1.0/users/{mailbox}/...` and the checks every Graph mail request goes
//! through in Graph's order: token (401), permission (403), mailbox (404/403 policy),
//! throttling (429), then the operation itself.

use super::auth::{self, Caller};
use super::errors::GraphError;
use super::{attachments, drafts, send_mail, throttle, upload};
use crate::context::Ctx;
use crate::http::{self, Resp};
use crate::state::Shared;
use hyper::Method;
use std::sync::Arc;
use std::time::Duration;

/// The mailbox in `/v1.0/users/{mailbox}/...`, percent-decoded.
pub fn mailbox_of(path: &str) -> Option<String> {
    if let Some(rest) = path.strip_prefix(upload::PATH_PREFIX) {
        return upload::mailbox_in(rest);
    }
    let mut segs = path.trim_start_matches('/').split('/');
    let version = segs.next()?;
    if version != "v1.0" && version != "beta" {
        return None;
    }
    if !segs.next()?.eq_ignore_ascii_case("users") {
        return None;
    }
    segs.next().filter(|m| !m.is_empty()).map(http::pct_decode)
}

/// The Graph operations the emulator serves.
enum Op {
    SendMail,
    CreateDraft,
    GetMessage(String),
    DeleteMessage(String),
    SendDraft(String),
    AddAttachment(String),
    ListAttachments(String),
    CreateUploadSession(String),
}

impl Op {
    /// Application permissions that allow the operation.
    fn roles(&self) -> &'static [&'static str] {
        match self {
            Op::SendMail | Op::SendDraft(_) => &["Mail.Send"],
            Op::GetMessage(_) | Op::ListAttachments(_) => &["Mail.ReadWrite", "Mail.Read", "Mail.ReadBasic", "Mail.ReadBasic.All"],
            _ => &["Mail.ReadWrite"],
        }
    }
}

fn parse_op(method: &Method, rest: &[&str]) -> Result<Op, GraphError> {
    let id = |s: &str| http::pct_decode(s);
    let op = match rest {
        ["sendMail"] => (Method::POST, Op::SendMail),
        ["messages"] => (Method::POST, Op::CreateDraft),
        ["messages", mid] if *method == Method::DELETE => (Method::DELETE, Op::DeleteMessage(id(mid))),
        ["messages", mid] => (Method::GET, Op::GetMessage(id(mid))),
        ["messages", mid, "send"] => (Method::POST, Op::SendDraft(id(mid))),
        ["messages", mid, "attachments"] if *method == Method::GET => (Method::GET, Op::ListAttachments(id(mid))),
        ["messages", mid, "attachments"] => (Method::POST, Op::AddAttachment(id(mid))),
        ["messages", mid, "attachments", "createUploadSession"] => (Method::POST, Op::CreateUploadSession(id(mid))),
        _ => return Err(GraphError::unknown_segment(&rest.join("/"))),
    };
    if op.0 != *method {
        return Err(GraphError::method_not_allowed());
    }
    Ok(op.1)
}

/// Serves one Graph request; `latency` is applied while the request holds its
/// throttling slot, so slow answers count against the concurrency limit as in Exchange.
pub async fn handle(shared: &Arc<Shared>, ctx: &Ctx, latency: Duration) -> Resp {
    match run(shared, ctx, latency).await {
        Ok(resp) => resp,
        Err(e) => e.response(ctx),
    }
}

async fn run(shared: &Arc<Shared>, ctx: &Ctx, latency: Duration) -> Result<Resp, GraphError> {
    let segs: Vec<&str> = ctx.path.trim_start_matches('/').split('/').collect();
    let (mailbox, rest) = match segs.as_slice() {
        [_, users, mailbox, rest @ ..] if users.eq_ignore_ascii_case("users") && !mailbox.is_empty() => {
            (http::pct_decode(mailbox), rest)
        }
        [_, "me", ..] => {
            auth::caller(shared, ctx)?;
            return Err(GraphError::bad_request("BadRequest", "/me request is only valid with delegated authentication flow."));
        }
        _ => return Err(GraphError::unknown_segment(&ctx.path)),
    };
    let op = parse_op(&ctx.method, rest)?;
    let caller = auth::caller(shared, ctx)?;
    auth::authorize(shared, &caller, op.roles(), &mailbox)?;
    let _slot = throttle::admit(shared, &caller.appid, &mailbox, 0, latency).await?;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    execute(shared, ctx, &caller, &mailbox, op)
}

fn execute(shared: &Arc<Shared>, ctx: &Ctx, caller: &Caller, mailbox: &str, op: Op) -> Result<Resp, GraphError> {
    match op {
        Op::SendMail => send_mail::handle(shared, ctx, caller, mailbox),
        Op::CreateDraft => drafts::create(shared, ctx, caller, mailbox),
        Op::GetMessage(id) => drafts::get(shared, mailbox, &id),
        Op::DeleteMessage(id) => drafts::delete(shared, mailbox, &id),
        Op::SendDraft(id) => drafts::send(shared, ctx, caller, mailbox, &id),
        Op::AddAttachment(id) => drafts::add_attachment(shared, ctx, mailbox, &id),
        Op::ListAttachments(id) => attachments::list(shared, mailbox, &id),
        Op::CreateUploadSession(id) => upload::create(shared, ctx, caller, mailbox, &id),
    }
}
