//! The MIME route: `sendMail` with the whole RFC 5322 message base64-encoded as
//! `text/plain` (full fidelity: both bodies, cid images, every header). Not idempotent:
//! once it may have reached Graph it is never sent again (see `graph_client`).

use base64::Engine as _;

use crate::error::Result;
use crate::graph::mailbox::{MailboxClient, Receipt};
use crate::graph::request::{GraphRequest, Replay};
use crate::send::progress::{Phase, Reporter};

/// Posts `mime` (prepared by `envelope::prepare`) to `/users/{mailbox}/sendMail`.
pub(crate) async fn send(graph: &MailboxClient<'_>, mime: &[u8], reporter: &Reporter) -> Result<Receipt> {
    reporter.phase(Phase::Send);
    let body = base64::engine::general_purpose::STANDARD.encode(mime);
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["sendMail"]), "sendMail")
        .with_body(body, "text/plain")
        .with_replay(Replay::NotIdempotent);
    graph.send(req).await
}
