//! `GET /users/{mailbox}/messages/{id}/attachments`: a draft's attachments as Graph lists
//! them (fileAttachments with their `contentBytes`), so a client can check what it attached
//! before it sends. Graph lists a message's attachments in any folder; the emulator keeps
//! only drafts readable this way (sent mail is inspected through `/_emulator/messages`).

use super::drafts;
use super::errors::GraphError;
use crate::http::{self, Resp};
use crate::state::Shared;
use base64::Engine;
use hyper::StatusCode;
use serde_json::{Value, json};

/// Lists the attachments of draft `id` (404 ErrorItemNotFound when there is none).
pub fn list(shared: &Shared, mailbox: &str, id: &str) -> Result<Resp, GraphError> {
    let state = shared.lock();
    let pos = drafts::position(&state.drafts, mailbox, id)?;
    let value: Vec<Value> = state.drafts[pos]
        .attachments
        .iter()
        .enumerate()
        .map(|(n, att)| {
            // The ids `POST .../attachments` handed out: the draft id and the position.
            let mut item = drafts::attachment_json(att, &format!("{}{}", id.trim_end_matches('='), n + 1));
            item["contentBytes"] = json!(base64::engine::general_purpose::STANDARD.encode(&att.bytes));
            item
        })
        .collect();
    Ok(http::json(StatusCode::OK, &json!({
        "@odata.context": format!("{}/v1.0/$metadata#users('{mailbox}')/messages('{id}')/attachments", shared.base_url),
        "value": value,
    })))
}
