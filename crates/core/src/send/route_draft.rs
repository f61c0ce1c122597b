//! The draft route: create a draft from the cut MIME, add the cut attachments (several at
//! once; the mailbox limiter keeps it to 4 requests in flight), send the draft. Large
//! messages take it; with `exactly_once` every message does. When a step fails the draft
//! is deleted and the error names the step.
//!
//! When the `/send` itself may have gone through (a timeout, a 504, a dropped
//! connection): without `exactly_once` the draft is left alone and the outcome is
//! unknown. With it, the send is settled: the draft is deleted. Exchange removes a sent
//! draft's id (the message lives on in Sent Items under another id), so 204 proves the
//! draft was still unsent and can no longer be sent (a new draft goes), and 404
//! ErrorItemNotFound says it was sent. docs/sender.md says what this relies on.

use std::time::Duration;

use base64::Engine as _;
use futures_util::future::try_join_all;

use crate::error::{Error, ErrorKind, Result};
use crate::graph::request::{GraphRequest, Replay};
use crate::ledger::Record;
use crate::graph::mailbox::{MailboxClient, Receipt};
use crate::send::progress::{Phase, Reporter};
use crate::mime::draft_plan::DraftPlan;

/// The pause before a settling DELETE: a gateway's 504 can come while Exchange is still
/// sending, and the DELETE should see the end of that, not race it.
const SETTLE_PAUSE: Duration = Duration::from_millis(500);

/// What deleting a draft after an ambiguous `/send` proved.
pub(crate) enum Settled {
    /// 404 ErrorItemNotFound: it was sent; the request ids of the DELETE's answer.
    Sent { request_id: Option<String>, client_request_id: Option<String> },
    /// 204: the draft was still unsent and is now gone.
    NotSent,
    /// The DELETE failed too: still unknown (why, for the error message).
    Unknown(String),
}

/// Sends `plan` as draft + attachments + send. `record` (a message with a Message-ID)
/// learns the draft's id before its `/send`.
pub(crate) async fn send(graph: &MailboxClient<'_>, plan: &DraftPlan<'_>, reporter: &Reporter, record: Option<&mut Record>) -> Result<Receipt> {
    let id = create(graph, plan, reporter, false).await?;
    if let Some(r) = record {
        r.in_flight(Some(&id)).await;
    }
    match send_draft(graph, &id, reporter).await {
        Ok(receipt) => Ok(receipt),
        Err(e) if e.kind == ErrorKind::OutcomeUnknown => {
            let note = format!("the draft {id} was kept: it may be on its way; check Sent Items before sending again");
            Err(step_failed(e, "send the draft", Some(note)))
        }
        Err(e) => {
            let cleanup = delete(graph, &id).await;
            Err(step_failed(e, "send the draft", Some(cleanup)))
        }
    }
}

/// `exactly_once`: sends `plan` as a draft, settling every ambiguous `/send` by deleting
/// its draft, and sending a new draft while that proves the last one unsent. Bounded by
/// the send's deadline: every request of the loop draws on it.
pub(crate) async fn send_once(graph: &MailboxClient<'_>, plan: &DraftPlan<'_>, reporter: &Reporter, mut record: Option<&mut Record>) -> Result<Receipt> {
    loop {
        let id = create(graph, plan, reporter, true).await?;
        if let Some(r) = record.as_mut() {
            r.in_flight(Some(&id)).await;
        }
        let lost = match send_draft(graph, &id, reporter).await {
            Ok(receipt) => return Ok(receipt),
            Err(e) if e.kind == ErrorKind::OutcomeUnknown => e,
            Err(e) => {
                let cleanup = delete(graph, &id).await;
                return Err(step_failed(e, "send the draft", Some(cleanup)));
            }
        };
        match settle(graph, &id).await {
            Settled::Sent { request_id, client_request_id } => {
                let mut receipt = Receipt::unnamed(graph.mailbox);
                receipt.request_id = lost.request_id.or(request_id).unwrap_or_default();
                receipt.client_request_id = lost.client_request_id.or(client_request_id).unwrap_or_default();
                return Ok(receipt);
            }
            Settled::NotSent => reporter.phase(Phase::Draft),
            Settled::Unknown(why) => return Err(step_failed(lost, "send the draft", Some(why))),
        }
    }
}

/// Deletes draft `id` after a `/send` of it got no clear answer: see [`Settled`].
pub(crate) async fn settle(graph: &MailboxClient<'_>, id: &str) -> Settled {
    tokio::time::sleep(SETTLE_PAUSE).await;
    let req = GraphRequest::new(reqwest::Method::DELETE, graph.url(&["messages", id]), "deleting the draft to settle its send")
        .with_replay(Replay::Idempotent);
    match graph.call(req).await {
        Ok(_) => Settled::NotSent,
        Err(e) if e.status == Some(404) && e.code.as_deref() == Some("ErrorItemNotFound") => {
            Settled::Sent { request_id: e.request_id, client_request_id: e.client_request_id }
        }
        Err(e) => Settled::Unknown(format!(
            "deleting the draft {id} to learn whether it went failed too ({}); the next send of this message settles it again",
            e.message
        )),
    }
}

/// Creates the draft and adds its attachments; returns its id. On failure the draft is
/// deleted (nothing was sent: a draft is only sent by `/send`).
async fn create(graph: &MailboxClient<'_>, plan: &DraftPlan<'_>, reporter: &Reporter, once: bool) -> Result<String> {
    reporter.set_total(plan.cuts.iter().map(|c| c.bytes.len()).sum());
    reporter.phase(Phase::Draft);
    let body = bytes::Bytes::from(base64::engine::general_purpose::STANDARD.encode(&plan.draft_mime));
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["messages"]), "creating the draft").with_body(body, "text/plain");
    let created: serde_json::Value = graph
        .call(req)
        .await
        .and_then(|a| a.json())
        .map_err(|e| step_failed(needs_read_write(sent_nothing(e), once), "create the draft", None))?;
    let id = created.get("id").and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| {
        step_failed(Error::new(ErrorKind::GraphServer, "Graph created the draft but returned no id"), "create the draft", None)
    })?;

    reporter.phase(Phase::Upload);
    let draft_id = id.as_str();
    let uploads = plan.cuts.iter().map(|cut| async move {
        crate::send::upload_session::add(graph, draft_id, cut, reporter).await.map_err(|e| (e, cut.name.clone()))
    });
    if let Err((e, name)) = try_join_all(uploads).await {
        let cleanup = delete(graph, &id).await;
        return Err(step_failed(needs_read_write(e, once), &format!("add attachment `{name}`"), Some(cleanup)));
    }
    if reporter.cancelled() {
        let cleanup = delete(graph, &id).await;
        let e = Error::new(ErrorKind::Cancelled, "the progress callback asked to stop");
        return Err(step_failed(e, "send the draft", Some(cleanup)));
    }
    Ok(id)
}

/// `POST .../messages/{id}/send`; its 202 is the receipt.
async fn send_draft(graph: &MailboxClient<'_>, id: &str, reporter: &Reporter) -> Result<Receipt> {
    reporter.phase(Phase::Send);
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["messages", id, "send"]), "sending the draft")
        .with_replay(Replay::NotIdempotent);
    graph.send(req).await
}

/// A lost answer to the draft's creation sent nothing (a draft is never sent by itself):
/// not an unknown outcome, at worst an unsent draft left in Drafts.
fn sent_nothing(mut e: Error) -> Error {
    if e.kind == ErrorKind::OutcomeUnknown {
        e.kind = ErrorKind::Transport;
        e.message = format!("{}; nothing was sent (an unsent draft may be left in the mailbox's Drafts folder)", e.message);
        e.hint = Some("send it again: the lost request only created a draft".into());
    }
    e
}

/// Deletes the draft; says what happened, for the error message.
async fn delete(graph: &MailboxClient<'_>, id: &str) -> String {
    let req = GraphRequest::new(reqwest::Method::DELETE, graph.url(&["messages", id]), "deleting the draft").with_replay(Replay::Idempotent);
    match graph.call(req).await {
        Ok(_) => "the draft was deleted".to_string(),
        Err(e) if e.status == Some(404) => "the draft was already gone".to_string(),
        Err(e) => format!("deleting the draft {id} failed too ({}); delete it from the mailbox's Drafts folder", e.message),
    }
}

/// 403 on the draft route: Mail.Send alone does not allow drafts.
fn needs_read_write(mut e: Error, once: bool) -> Error {
    let policy = crate::graph::error::is_access_restriction(&e.message);
    if e.status == Some(403) && e.code.as_deref() == Some("ErrorAccessDenied") && !policy {
        let (why, who, other) = if once {
            ("With `exactly_once` every message is sent as a draft", "`exactly_once` needs", "or turn `exactly_once` off to send with Mail.Send alone")
        } else {
            ("Messages over ~4 MB are sent as a draft with upload sessions", "large messages need", "keep messages under ~3 MB to send with Mail.Send alone")
        };
        e.message = format!("{} {why}, which needs the Mail.ReadWrite application permission", e.message);
        e.hint = Some(format!(
            "{who} Mail.ReadWrite: add the application permission Mail.ReadWrite (Microsoft Graph, Application) to the app and grant admin consent in Entra; {other}"
        ));
    }
    e
}

fn step_failed(mut e: Error, step: &str, cleanup: Option<String>) -> Error {
    let cleanup = cleanup.map(|c| format!(" ({c})")).unwrap_or_default();
    e.message = format!("sending the message as a draft failed at step `{step}`{cleanup}: {}", e.message);
    e
}
