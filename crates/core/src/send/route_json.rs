//! The JSON route: `sendMail` with Graph's message resource, the only form that can
//! say `saveToSentItems: false` (built by `json_message`). Not idempotent.

use crate::error::Result;
use crate::graph::mailbox::{MailboxClient, Receipt};
use crate::graph::request::{GraphRequest, Replay};
use crate::send::progress::{Phase, Reporter};

/// Posts the JSON `body` to `/users/{mailbox}/sendMail`.
pub(crate) async fn send(graph: &MailboxClient<'_>, body: Vec<u8>, reporter: &Reporter) -> Result<Receipt> {
    reporter.phase(Phase::Send);
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["sendMail"]), "sendMail")
        .with_body(body, "application/json")
        .with_replay(Replay::NotIdempotent);
    graph.send(req).await
}
