//! The large-message path: create a draft from the cut MIME, add the cut attachments
//! (several at once; the mailbox limiter keeps it to 4 requests in flight), send the
//! draft. When a step fails the draft is deleted and the error names the step. The one
//! exception: when the send itself may have gone through (timeout, 504), the draft is
//! left alone, because deleting it could race with a send in progress.

use base64::Engine as _;
use futures_util::future::try_join_all;

use crate::error::{Error, ErrorKind, Result};
use crate::mailbox_graph::{Graph, Receipt};
use crate::graph_request::{GraphRequest, Replay};
use crate::progress::{Phase, Reporter};
use crate::draft_plan::DraftPlan;

/// Sends `plan` as draft + attachments + send.
pub(crate) async fn send(graph: &Graph<'_>, plan: &DraftPlan<'_>, reporter: &Reporter) -> Result<Receipt> {
    reporter.set_total(plan.cuts.iter().map(|c| c.bytes.len()).sum());
    reporter.phase(Phase::Draft);
    let body = bytes::Bytes::from(base64::engine::general_purpose::STANDARD.encode(&plan.draft_mime));
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["messages"]), "creating the draft").with_body(body, "text/plain");
    let created: serde_json::Value = graph
        .call(req)
        .await
        .and_then(|a| a.json())
        .map_err(|e| step_failed(needs_read_write(e), "create the draft", None))?;
    let id = created.get("id").and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| {
        step_failed(Error::new(ErrorKind::GraphServer, "Graph created the draft but returned no id"), "create the draft", None)
    })?;

    reporter.phase(Phase::Upload);
    let draft_id = id.as_str();
    let uploads = plan.cuts.iter().map(|cut| async move {
        crate::upload_session::add(graph, draft_id, cut, reporter).await.map_err(|e| (e, cut.name.clone()))
    });
    if let Err((e, name)) = try_join_all(uploads).await {
        let cleanup = delete(graph, &id).await;
        return Err(step_failed(needs_read_write(e), &format!("add attachment `{name}`"), Some(cleanup)));
    }
    if reporter.cancelled() {
        let cleanup = delete(graph, &id).await;
        let e = Error::new(ErrorKind::Cancelled, "the progress callback asked to stop");
        return Err(step_failed(e, "send the draft", Some(cleanup)));
    }

    reporter.phase(Phase::Send);
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["messages", &id, "send"]), "sending the draft")
        .with_replay(Replay::NotIdempotent);
    match graph.call(req).await {
        Ok(a) => Ok(graph.receipt(&a)),
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

/// Deletes the draft; says what happened, for the error message.
async fn delete(graph: &Graph<'_>, id: &str) -> String {
    let req = GraphRequest::new(reqwest::Method::DELETE, graph.url(&["messages", id]), "deleting the draft").with_replay(Replay::Idempotent);
    match graph.call(req).await {
        Ok(_) => "the draft was deleted".to_string(),
        Err(e) if e.status == Some(404) => "the draft was already gone".to_string(),
        Err(e) => format!("deleting the draft {id} failed too ({}); delete it from the mailbox's Drafts folder", e.message),
    }
}

/// 403 on the draft path: Mail.Send alone does not allow drafts.
fn needs_read_write(mut e: Error) -> Error {
    let policy = crate::graph_error::is_access_restriction(&e.message);
    if e.status == Some(403) && e.code.as_deref() == Some("ErrorAccessDenied") && !policy {
        e.message = format!("{} Messages over ~4 MB are sent as a draft with upload sessions, which needs the Mail.ReadWrite application permission", e.message);
        e.hint = Some(
            "large messages need Mail.ReadWrite: add the application permission Mail.ReadWrite (Microsoft Graph, Application) to the app and grant admin consent in Entra; keep messages under ~3 MB to send with Mail.Send alone".into(),
        );
    }
    e
}

fn step_failed(mut e: Error, step: &str, cleanup: Option<String>) -> Error {
    let cleanup = cleanup.map(|c| format!(" ({c})")).unwrap_or_default();
    e.message = format!("sending the large message failed at step `{step}`{cleanup}: {}", e.message);
    e
}
