//! One attachment into a draft: through an upload session (PUT byte ranges of at most
//! 4 MB to the pre-authenticated `uploadUrl`, without an Authorization header; the
//! executor retries throttled and failed chunks; the next range starts where Graph's
//! `nextExpectedRanges` says, asked with `GET uploadUrl` after a range refused as out of
//! order) or, for attachments under the session minimum,
//! one `POST .../attachments`.
//!
//! The loop is bounded whatever the session answers: a server that keeps sending the
//! client back (416s, `nextExpectedRanges` that move backwards or alternate) gets at
//! most [`MAX_SETBACKS`] setbacks per upload, and an upload never sends more than twice
//! the attachment plus one chunk (each attempt of a chunk counted).

use reqwest::Method;
use serde_json::{Value, json};

use crate::error::{Error, ErrorKind, Result};
use crate::graph::mailbox::MailboxClient;
use crate::graph::request::{GraphRequest, Replay};
use crate::send::progress::Reporter;
use crate::mime::draft_plan::{CHUNK_BYTES, Cut, Via};

/// Times per upload the session may send the client back to an offset it had passed.
pub const MAX_SETBACKS: u32 = 4;

/// Adds `cut` to draft `draft_id`.
pub(crate) async fn add(graph: &MailboxClient<'_>, draft_id: &str, cut: &Cut<'_>, reporter: &Reporter) -> Result<()> {
    match cut.via {
        Via::AttachmentRequest => post(graph, draft_id, cut, reporter).await,
        Via::UploadSession => upload(graph, draft_id, cut, reporter).await,
    }
}

fn item(cut: &Cut<'_>) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), json!(cut.name));
    m.insert("contentType".into(), json!(cut.leaf.content_type));
    m.insert("isInline".into(), json!(cut.leaf.is_inline()));
    if let Some(cid) = &cut.leaf.content_id {
        m.insert("contentId".into(), json!(cid));
    }
    m
}

fn unreadable(cut: &Cut<'_>, e: crate::mime::part_bytes::InvalidBody) -> Error {
    Error::config("mime", format!("attachment `{}`: {}", cut.name, e.0))
}

async fn post(graph: &MailboxClient<'_>, draft_id: &str, cut: &Cut<'_>, reporter: &Reporter) -> Result<()> {
    let mut body = item(cut);
    body.insert("@odata.type".into(), json!("#microsoft.graph.fileAttachment"));
    body.insert("contentBytes".into(), Value::String(cut.bytes.to_base64().map_err(|e| unreadable(cut, e))?));
    let url = graph.url(&["messages", draft_id, "attachments"]);
    // Not idempotent: a repeat could attach the file twice.
    graph.call(GraphRequest::new(Method::POST, url, "adding an attachment to the draft").with_json(&Value::Object(body))?).await?;
    reporter.uploaded(cut.bytes.len(), &cut.name);
    Ok(())
}

/// The first offset in `nextExpectedRanges` (`["1234-"]` or `["1234-5678"]`).
pub(crate) fn next_expected(v: &Value) -> Option<u64> {
    let ranges = v.get("nextExpectedRanges").or_else(|| v.get("NextExpectedRanges"))?.as_array()?;
    ranges.first()?.as_str()?.split('-').next()?.trim().parse().ok()
}

/// `GET uploadUrl`: the session's `nextExpectedRanges`, when the service reports it.
async fn resume_point(graph: &MailboxClient<'_>, upload_url: &str) -> Option<u64> {
    let req = GraphRequest::new(Method::GET, upload_url, "asking an upload session where to resume")
        .without_bearer()
        .with_replay(Replay::Idempotent);
    let answer = graph.call(req).await.ok()?;
    next_expected(&serde_json::from_slice::<Value>(&answer.body).ok()?)
}

/// `createUploadSession`: the session's `uploadUrl` and the first offset it expects.
async fn open_session(graph: &MailboxClient<'_>, draft_id: &str, cut: &Cut<'_>) -> Result<(String, u64)> {
    let mut item = item(cut);
    item.insert("attachmentType".into(), json!("file"));
    item.insert("size".into(), json!(cut.bytes.len()));
    let url = graph.url(&["messages", draft_id, "attachments", "createUploadSession"]);
    let req = GraphRequest::new(Method::POST, url, "creating an upload session").with_json(&json!({ "AttachmentItem": item }))?;
    let session: Value = graph.call(req.with_replay(Replay::Idempotent)).await?.json()?;
    let upload_url = session.get("uploadUrl").and_then(Value::as_str).map(str::to_string).ok_or_else(|| {
        Error::new(ErrorKind::GraphServer, "Graph created an upload session without an uploadUrl")
    })?;
    Ok((upload_url, next_expected(&session).unwrap_or(0).min(cut.bytes.len())))
}

async fn upload(graph: &MailboxClient<'_>, draft_id: &str, cut: &Cut<'_>, reporter: &Reporter) -> Result<()> {
    let size = cut.bytes.len();
    let (upload_url, mut next) = open_session(graph, draft_id, cut).await?;
    // Set when a range was refused as out of order: the executor had resent a chunk
    // that had arrived (its answer was lost); resume once per range.
    let mut skipped_at: Option<u64> = None;
    let mut budget = Budget::new(size);
    while next < size {
        if reporter.cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "the progress callback asked to stop"));
        }
        let end = (next + CHUNK_BYTES).min(size);
        budget.moved_to(next, cut)?;
        budget.spend(end - next, cut)?;
        let chunk = cut.bytes.read(next..end).map_err(|e| unreadable(cut, e))?;
        let req = GraphRequest::new(Method::PUT, upload_url.clone(), "uploading an attachment chunk")
            .with_body(chunk, "application/octet-stream")
            .with_header("content-range", format!("bytes {next}-{}/{size}", end - 1))
            .without_bearer()
            .with_replay(Replay::Idempotent);
        match graph.call(req).await {
            Ok(answer) => {
                budget.resent(end - next, answer.attempts);
                reporter.uploaded(end - next, &cut.name);
                if answer.status == 201 {
                    return Ok(());
                }
                let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
                next = next_expected(&body).filter(|n| *n > next && *n <= size).unwrap_or(end);
            }
            Err(e) if e.status == Some(416) && skipped_at != Some(next) => {
                // Out of order: ask the session where to resume; without an answer assume
                // the range arrived (a retried chunk whose first answer was lost), once.
                skipped_at = Some(next);
                let resume = match resume_point(graph, &upload_url).await {
                    Some(n) if n <= size => n,
                    _ => end,
                };
                if resume > next {
                    reporter.uploaded(resume - next, &cut.name);
                }
                next = resume;
            }
            Err(mut e) => {
                e.message = format!("bytes {next}-{} of {size}: {}", end - 1, e.message);
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The limits of one upload: bytes put on the wire and setbacks.
struct Budget {
    size: u64,
    sent: u64,
    furthest: u64,
    setbacks: u32,
}

impl Budget {
    fn new(size: u64) -> Budget {
        Budget { size, sent: 0, furthest: 0, setbacks: 0 }
    }

    /// At most twice the attachment plus one chunk.
    fn limit(&self) -> u64 {
        self.size.saturating_mul(2).saturating_add(CHUNK_BYTES)
    }

    /// Counts a chunk about to be sent; refuses it when it would pass the limit.
    fn spend(&mut self, chunk: u64, cut: &Cut<'_>) -> Result<()> {
        if self.sent.saturating_add(chunk) > self.limit() {
            return Err(self.runaway(cut, format!("{} bytes were already sent for it", self.sent)));
        }
        self.sent = self.sent.saturating_add(chunk);
        Ok(())
    }

    /// Counts the executor's retries of a chunk (they sent it again).
    fn resent(&mut self, chunk: u64, attempts: u32) {
        self.sent = self.sent.saturating_add(chunk.saturating_mul(u64::from(attempts.saturating_sub(1))));
    }

    /// Counts a setback when the session asks for an offset before the furthest reached.
    fn moved_to(&mut self, next: u64, cut: &Cut<'_>) -> Result<()> {
        if next < self.furthest {
            self.setbacks += 1;
            if self.setbacks > MAX_SETBACKS {
                return Err(self.runaway(cut, format!("it sent the client back {} times", self.setbacks)));
            }
        }
        self.furthest = self.furthest.max(next);
        Ok(())
    }

    fn runaway(&self, cut: &Cut<'_>, why: String) -> Error {
        Error::new(
            ErrorKind::GraphServer,
            format!(
                "the upload session of attachment `{}` ({} bytes) kept asking for bytes already sent: {why}; gave up",
                cut.name, self.size
            ),
        )
        .with_hint("try again later; if it persists, check `graph_endpoint` and any proxy between this server and Graph")
    }
}
