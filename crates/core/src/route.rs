//! Size and Sent Items routing of one send, and the progress loop around it.
//! - fits one request (base64 MIME ≤ ~4 MB) and `save_to_sent_items`: MIME `sendMail`;
//! - `save_to_sent_items = false`: the JSON form when it fits one request;
//! - otherwise: draft + upload sessions + send. With `save_to_sent_items = false` that
//!   path still leaves a copy in Sent Items (Graph has no switch for `/send`), and the
//!   receipt says so in a warning.
//!
//! Every check (recipients, sizes, the 150 MB limits) runs before the first request.
//! The MIME is read in place: only the draft (small) and upload chunks are new buffers.

use std::borrow::Cow;

use crate::envelope;
use crate::error::Result;
use crate::graph_call::Graph;
use crate::graph_request::{GraphRequest, Replay};
use crate::mailer::{Mailer, Receipt};
use crate::progress::{Phase, Progress, Reporter};
use crate::size_routing::{self, MAX_REQUEST_BYTES};

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Base64 MIME to `sendMail`.
    Mime,
    /// Graph's JSON message to `sendMail` (`save_to_sent_items = false`).
    Json,
    /// Draft + upload sessions + `/send` (large messages).
    Draft,
}

impl Route {
    /// Lowercase name, as PHP sees it.
    pub fn name(self) -> &'static str {
        match self {
            Route::Mime => "mime",
            Route::Json => "json",
            Route::Draft => "draft",
        }
    }
}

/// The result of a send: the receipt, the route, and what the caller should know
/// (dropped headers, a Sent Items copy that could not be avoided). Warnings never hold
/// header values or secrets.
#[derive(Debug, Clone)]
pub struct Sent {
    /// What Graph said.
    pub receipt: Receipt,
    /// The way the message went.
    pub route: Route,
    /// Losses and surprises, one sentence each.
    pub warnings: Vec<String>,
}

/// A progress callback: runs on the calling thread; returning `false` asks the send to
/// stop (between requests; a draft already created is deleted).
pub type ProgressFn<'a> = &'a mut dyn FnMut(&Progress) -> bool;

/// Sent Items copy on the draft path, said once.
pub const SENT_ITEMS_WARNING: &str = "save_to_sent_items=false cannot apply to this message: it is too large for one request, \
and messages sent as a draft (draft + upload sessions + send) always leave a copy in the mailbox's Sent Items";

/// JSON candidates: above this the JSON request cannot fit anyway.
const JSON_CANDIDATE_BYTES: usize = 6 * 1024 * 1024;

/// The top-level header block (up to the blank line), found with memchr so that a
/// 150 MB message is not walked byte by byte; the whole message when it has no body.
fn header_block(mime: &[u8]) -> &[u8] {
    let mut pos = 0;
    for nl in memchr::memchr_iter(b'\n', mime) {
        let line = mime.get(pos..nl).unwrap_or_default();
        if line.is_empty() || line == b"\r" {
            return mime.get(..pos).unwrap_or(mime);
        }
        pos = nl + 1;
    }
    mime
}

pub(crate) fn send(
    mailer: &Mailer,
    mime: &[u8],
    mailbox: Option<&str>,
    recipients: &[String],
    progress: Option<ProgressFn<'_>>,
) -> Result<Sent> {
    // Recipient checks and the Bcc line for envelope-only recipients, computed on the
    // header block alone so that a large message is never copied for it.
    let head = header_block(mime);
    let prepared = envelope::prepare(head, recipients)?;
    let prefix: Vec<u8> = match &prepared.mime {
        Cow::Owned(v) => v.get(..v.len().saturating_sub(head.len())).unwrap_or_default().to_vec(),
        Cow::Borrowed(_) => Vec::new(),
    };
    let added_bcc = prepared.added_bcc.clone();
    let mailbox = mailer.pick_mailbox(head, mailbox)?;
    let config = mailer.config();
    let total_len = mime.len() + prefix.len();

    // Decide and check everything before the first request.
    let mut warnings = Vec::new();
    let mut json = None;
    if !config.save_to_sent_items && total_len <= JSON_CANDIDATE_BYTES {
        let built = crate::json_message::build(mime, &added_bcc, false)?;
        let body = serde_json::to_vec(&built.body).unwrap_or_default();
        if body.len() <= MAX_REQUEST_BYTES {
            warnings.extend(built.warnings);
            json = Some(body);
        }
    }
    let plan = if json.is_none() && (!size_routing::fits_send_mail(total_len) || !config.save_to_sent_items) {
        Some(size_routing::plan_draft(mime, &prefix)?)
    } else {
        None
    };
    if plan.is_some() && !config.save_to_sent_items {
        warnings.push(SENT_ITEMS_WARNING.to_string());
    }
    let route = match (&json, &plan) {
        (Some(_), _) => Route::Json,
        (None, Some(_)) => Route::Draft,
        (None, None) => Route::Mime,
    };

    let client = mailer.graph()?;
    let graph = Graph::new(&client, &mailbox);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reporter = if progress.is_some() { Reporter::new(Some(tx)) } else { Reporter::silent() };
    let cancel = reporter.cancel_flag();
    let work = async {
        reporter.phase(Phase::Prepare);
        match (json, &plan) {
            (Some(body), _) => {
                reporter.phase(Phase::Send);
                let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["sendMail"]), "sendMail")
                    .with_body(body, "application/json")
                    .with_replay(Replay::NotIdempotent);
                let a = graph.call(req).await?;
                reporter.phase(Phase::Done);
                Ok(Receipt { mailbox: mailbox.clone(), request_id: a.request_id, client_request_id: a.client_request_id })
            }
            (None, Some(plan)) => crate::draft::send(&graph, plan, &reporter).await,
            (None, None) => {
                reporter.phase(Phase::Send);
                let full = envelope::prepare(mime, recipients)?;
                let r = crate::send::send_mail_mime(&client, &mailbox, &full.mime).await?;
                reporter.phase(Phase::Done);
                Ok(r)
            }
        }
    };
    let mut progress = progress;
    let process = crate::runtime::process()?;
    let receipt = process.run(async {
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                Some(ev) = rx.recv() => {
                    if let Some(cb) = progress.as_mut() {
                        if !cb(&ev) {
                            cancel.store(true, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                }
                r = &mut work => {
                    while let Ok(ev) = rx.try_recv() {
                        if let Some(cb) = progress.as_mut() {
                            cb(&ev);
                        }
                    }
                    return r;
                }
            }
        }
    })?;
    Ok(Sent { receipt, route, warnings })
}
