//! The send path: one orchestrator for every message. It checks and plans the message
//! before the first request, then runs the one route the plan chose while the caller's
//! progress callback is served on the calling thread:
//! - fits one request (base64 MIME ≤ ~4 MB) and `save_to_sent_items`: MIME `sendMail`
//!   (`route_mime`);
//! - `save_to_sent_items = false`: the JSON form when it fits one request (`route_json`);
//! - otherwise: draft + upload sessions + send (`route_draft`). With
//!   `save_to_sent_items = false` that path still leaves a copy in Sent Items (Graph has
//!   no switch for `/send`), and the result says so in a warning.
//!
//! With `exactly_once`, every message takes the draft route, whose ambiguous `/send` is
//! settled (`route_draft::send_once`).
//!
//! A message with a Message-ID goes through the send ledger (`ledger`) first: one that
//! Graph already accepted is not sent again (its first receipt comes back, marked
//! `already_sent`), one whose outcome is unknown is settled or refused, never sent
//! blindly; what the route then learns (accepted, unknown, refused) is written back.
//!
//! The checks that need no server (recipients, sizes, the 150 MB limits, the JSON form)
//! run before the first request; Graph's own checks (the mailbox, permissions) come with
//! its answers. Routes get a [`Graph`] bound to the mailbox and never call back here.
//! The MIME is read in place: only the draft (small) and upload chunks are new buffers.

use std::borrow::Cow;
use std::sync::Arc;

use crate::config::Config;
use crate::mime::envelope;
use crate::error::{ErrorKind, Result};
use crate::ledger::{self, Record, Verdict};
use crate::graph::mailbox::{MailboxClient, Receipt};
use crate::mime::parts;
use crate::graph::client::GraphClient;
use crate::send::progress::{Phase, Progress, Reporter};
use crate::mime::draft_plan::{self, DraftPlan, JSON_CANDIDATE_BYTES, MAX_REQUEST_BYTES};

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

/// Sent Items copy with `exactly_once`, said once.
pub const EXACTLY_ONCE_SENT_ITEMS_WARNING: &str = "save_to_sent_items=false cannot apply with exactly_once: every message is sent as a draft, \
and a sent draft always leaves a copy in the mailbox's Sent Items";

/// What will be sent, decided before any request.
enum Plan<'a> {
    /// The prepared MIME (with the added `Bcc:` line).
    Mime(Cow<'a, [u8]>),
    /// The JSON `sendMail` body.
    Json(Vec<u8>),
    /// The large-message plan.
    Draft(DraftPlan<'a>),
}

/// Sends `mime` for `config`: the mailbox is `config.mailbox`, else `envelope_sender`,
/// else the message's Sender/From; `recipients` are all envelope recipients (empty: the
/// MIME headers' recipients).
pub(crate) fn send(
    config: &Arc<Config>,
    mime: &[u8],
    envelope_sender: Option<&str>,
    recipients: &[String],
    progress: Option<ProgressFn<'_>>,
) -> Result<Sent> {
    send_input(config, Input::Mime(mime), envelope_sender, recipients, progress)
}

/// What a send carries: the MIME in memory (read in place), or a streamed message split
/// into skeleton and spool (`stream`; always too large for one request: the draft route).
pub(crate) enum Input<'a> {
    Mime(&'a [u8]),
    Split(&'a crate::mime::stream::Split),
}

/// `send` for either input.
pub(crate) fn send_input(
    config: &Arc<Config>,
    input: Input<'_>,
    envelope_sender: Option<&str>,
    recipients: &[String],
    progress: Option<ProgressFn<'_>>,
) -> Result<Sent> {
    let head = match &input {
        Input::Mime(mime) => parts::header_block(mime),
        // The skeleton starts with the message's header block.
        Input::Split(split) => parts::header_block(split.skeleton()),
    };
    let mailbox = crate::send::sending_mailbox::pick(config, head, envelope_sender)?;
    let (plan, mut warnings) = plan(config, &input, head, recipients)?;
    let route = match &plan {
        Plan::Mime(_) => Route::Mime,
        Plan::Json(_) => Route::Json,
        Plan::Draft(_) => Route::Draft,
    };
    let identity = ledger::identify(head, recipients);
    let client = GraphClient::for_config(Arc::clone(config))?;
    let graph = MailboxClient::new(&client, &mailbox);
    let receipt = run(&graph, plan, progress, identity.as_ref(), route).map_err(|e| settle_hint(e, config))?;
    if receipt.already_sent {
        warnings.push(format!(
            "not sent again: Graph accepted this message (Message-ID {}) before; this is that send's receipt",
            identity.as_ref().map_or("", |i| i.message_id.as_str())
        ));
    }
    // Redis of `redis_url` failing: said once per process, on the first receipt after;
    // the limiter and the ledger share the Redis, so one failure is one warning.
    warnings.extend(crate::limiter::take_warning());
    // The ledger's "accepted" entry not confirmed by a Redis replica: said once.
    warnings.extend(ledger::take_warning());
    // A rotated certificate that could not be used (the previous key signs): said once.
    warnings.extend(crate::config::credential::take_warning());
    Ok(Sent { receipt, route, warnings })
}

/// An unknown outcome without `exactly_once` names it as the way to have it settled.
fn settle_hint(mut e: crate::error::Error, config: &Config) -> crate::error::Error {
    if e.kind == ErrorKind::OutcomeUnknown && !config.exactly_once && e.hint.as_deref().is_some_and(|h| !h.contains("exactly_once")) {
        e.hint = e.hint.map(|h| format!("{h}; set `exactly_once` (env O365_EXACTLY_ONCE) to have the sender settle such sends itself"));
    }
    e
}

/// Checks the recipients and chooses the route; every refusal that needs no server
/// happens here. The recipients are checked on the header block alone, so that a large
/// message is never copied for it.
fn plan<'a>(config: &Config, input: &Input<'a>, head: &[u8], recipients: &[String]) -> Result<(Plan<'a>, Vec<String>)> {
    let prepared = envelope::prepare(head, recipients)?;
    let bcc_line: Vec<u8> = match &prepared.mime {
        Cow::Owned(v) => v.get(..v.len().saturating_sub(head.len())).unwrap_or_default().to_vec(),
        Cow::Borrowed(_) => Vec::new(),
    };
    let mime = match input {
        Input::Mime(mime) => *mime,
        // Larger than JSON_CANDIDATE_BYTES and than one request: only the draft route
        // applies (its skeleton lacks the spooled parts, so it never goes whole).
        Input::Split(split) => {
            let mut warnings = Vec::new();
            if !config.save_to_sent_items {
                warnings.push(if config.exactly_once { EXACTLY_ONCE_SENT_ITEMS_WARNING } else { SENT_ITEMS_WARNING }.to_string());
            }
            return Ok((Plan::Draft(split.plan(&bcc_line)?), warnings));
        }
    };
    let total_len = mime.len() + bcc_line.len();
    let mut warnings = Vec::new();
    if config.exactly_once {
        if !config.save_to_sent_items {
            warnings.push(EXACTLY_ONCE_SENT_ITEMS_WARNING.to_string());
        }
        return Ok((Plan::Draft(draft_plan::plan_draft(mime, &bcc_line)?), warnings));
    }
    if !config.save_to_sent_items && total_len <= JSON_CANDIDATE_BYTES {
        let built = crate::mime::json_message::build(mime, &prepared.added_bcc, false)?;
        let body = serde_json::to_vec(&built.body).unwrap_or_default();
        if body.len() <= MAX_REQUEST_BYTES {
            return Ok((Plan::Json(body), built.warnings));
        }
    }
    if draft_plan::fits_send_mail(total_len) && config.save_to_sent_items {
        let full: Cow<'a, [u8]> = if bcc_line.is_empty() { Cow::Borrowed(mime) } else { Cow::Owned([bcc_line.as_slice(), mime].concat()) };
        return Ok((Plan::Mime(full), warnings));
    }
    if !config.save_to_sent_items {
        warnings.push(SENT_ITEMS_WARNING.to_string());
    }
    Ok((Plan::Draft(draft_plan::plan_draft(mime, &bcc_line)?), warnings))
}

/// Runs the planned route on the process's runtime, through the ledger when the
/// message has a Message-ID; progress events are handed to the callback on this thread,
/// and a `false` from it asks the route to stop.
fn run(graph: &MailboxClient<'_>, plan: Plan<'_>, progress: Option<ProgressFn<'_>>, identity: Option<&ledger::Identity>, route: Route) -> Result<Receipt> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reporter = if progress.is_some() { Reporter::new(Some(tx)) } else { Reporter::silent() };
    let cancel = reporter.cancel_flag();
    let work = async {
        reporter.phase(Phase::Prepare);
        let receipt = match identity {
            Some(id) => recorded(graph, &plan, &reporter, id, route).await?,
            None => run_route(graph, &plan, &reporter, None).await?,
        };
        reporter.phase(Phase::Done);
        Ok(receipt)
    };
    let mut progress = progress;
    crate::runtime::process()?.run(async {
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
    })
}

/// The planned route; `record`: the message's ledger entry, which the route keeps up to
/// date (the draft carrying it), and which exactly_once needs.
async fn run_route(graph: &MailboxClient<'_>, plan: &Plan<'_>, reporter: &Reporter, record: Option<&mut Record>) -> Result<Receipt> {
    match (plan, record) {
        (Plan::Mime(mime), _) => crate::send::route_mime::send(graph, mime, reporter).await,
        (Plan::Json(body), _) => crate::send::route_json::send(graph, body.clone(), reporter).await,
        (Plan::Draft(draft), record) if graph.client.config().exactly_once => crate::send::route_draft::send_once(graph, draft, reporter, record).await,
        (Plan::Draft(draft), record) => crate::send::route_draft::send(graph, draft, reporter, record).await,
    }
}

/// A send through the ledger: asks it first, then writes back what became of the message.
async fn recorded(graph: &MailboxClient<'_>, plan: &Plan<'_>, reporter: &Reporter, id: &ledger::Identity, route: Route) -> Result<Receipt> {
    let config = graph.client.config();
    let message_id = &id.message_id;
    let mut record = match ledger::check(config, graph.mailbox, id, route.name()).await {
        Verdict::Send(record) => record,
        Verdict::AlreadySent(receipt) => return Ok(receipt),
        Verdict::Refuse(e) => return Err(e),
        Verdict::Settle(record, draft) => match crate::send::route_draft::settle(graph, &draft).await {
            crate::send::route_draft::Settled::Sent { request_id, client_request_id } => {
                let mut receipt = Receipt::unnamed(graph.mailbox);
                receipt.request_id = request_id.unwrap_or_default();
                receipt.client_request_id = client_request_id.unwrap_or_default();
                record.accepted(&receipt, graph.client.deadline()).await;
                receipt.already_sent = true;
                return Ok(receipt);
            }
            crate::send::route_draft::Settled::NotSent => record,
            crate::send::route_draft::Settled::Unknown(why) => {
                record.unknown().await;
                return Err(crate::error::Error::new(ErrorKind::OutcomeUnknown, format!("not sent again: an earlier send of the message {message_id} got no clear answer, and {why}"))
                    .with_hint("send it again later: the ledger settles it then; or look for its Message-ID in the mailbox's Sent Items"));
            }
        },
    };
    let result = run_route(graph, plan, reporter, Some(&mut record)).await;
    match &result {
        Ok(receipt) => record.accepted(receipt, graph.client.deadline()).await,
        Err(e) if e.kind == ErrorKind::OutcomeUnknown => record.unknown().await,
        Err(_) => record.forget().await,
    }
    result
}
