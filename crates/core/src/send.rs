//! `sendMail` with a MIME body: Graph takes the whole RFC 5322 message base64-encoded
//! as `text/plain`. Not idempotent: the executor never resends it once it may have
//! reached Graph (see `graph_client`).

use base64::Engine as _;

use crate::error::Result;
use crate::graph_client::GraphClient;
use crate::graph_request::{GraphRequest, Replay};
use crate::mailer::Receipt;

/// Posts `mime` (already prepared by `envelope::prepare`) to `/users/{mailbox}/sendMail`.
pub(crate) async fn send_mail_mime(graph: &GraphClient, mailbox: &str, mime: &[u8]) -> Result<Receipt> {
    let body = base64::engine::general_purpose::STANDARD.encode(mime);
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["users", mailbox, "sendMail"]), "sendMail")
        .with_body(body, "text/plain")
        .with_mailbox(mailbox)
        .with_replay(Replay::NotIdempotent);
    let resp = graph.execute(&req).await?;
    Ok(Receipt {
        mailbox: mailbox.to_string(),
        request_id: resp.request_id,
        client_request_id: resp.client_request_id,
    })
}
