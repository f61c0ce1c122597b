//! Base64 MIME bodies (`Content-Type: text/plain` on sendMail and on draft creation):
//! decoding the base64 like Graph (whitespace tolerated, anything else is
//! ErrorMimeContentInvalidBase64String) and reading the message's headers, recipients,
//! bodies and attachments for the inspection API.

use super::errors::GraphError;
use crate::record::{AttachmentRecord, Header, MessageRecord};
use base64::Engine;
use mail_parser::{Address, MessageParser, MimeHeaders};

/// Decodes the request body. Line breaks (as from `chunk_split`) are allowed.
pub fn decode_base64(body: &[u8]) -> Result<Vec<u8>, GraphError> {
    let compact: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err(invalid_base64());
    }
    base64::engine::general_purpose::STANDARD.decode(&compact).map_err(|_| invalid_base64())
}

fn invalid_base64() -> GraphError {
    GraphError::bad_request("ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
}

/// Reads a decoded MIME message into a record (format `mime`).
pub fn parse(raw: &[u8]) -> Result<MessageRecord, GraphError> {
    let msg = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| GraphError::bad_request("ErrorMimeContentInvalid", "The MIME content is not a valid RFC 5322 message."))?;
    let list = |a: Option<&Address<'_>>| -> Vec<String> {
        a.map(|a| a.iter().filter_map(|x| x.address()).map(str::to_string).collect()).unwrap_or_default()
    };
    let headers = msg
        .headers_raw()
        .map(|(n, v)| Header { name: n.to_string(), value: unfold(v) })
        .collect();
    let mut rec = MessageRecord {
        format: "mime".into(),
        subject: msg.subject().map(str::to_string),
        from: list(msg.from()).into_iter().next(),
        sender: list(msg.sender()).into_iter().next(),
        reply_to: list(msg.reply_to()),
        to: msg.all_to().flat_map(|a| list(Some(a))).collect(),
        cc: msg.all_cc().flat_map(|a| list(Some(a))).collect(),
        bcc: msg.all_bcc().flat_map(|a| list(Some(a))).collect(),
        save_to_sent_items: true,
        importance: msg.header_raw("Importance").map(|v| v.trim().to_ascii_lowercase()),
        // mail-parser converts between text and HTML when one is missing; Graph keeps
        // only what the message has, so read the parts of the right subtype only.
        body_text: msg.text_part(0).filter(|p| subtype_is(p, "plain")).and_then(|_| msg.body_text(0)).map(|b| b.into_owned()),
        body_html: msg.html_part(0).filter(|p| subtype_is(p, "html")).and_then(|_| msg.body_html(0)).map(|b| b.into_owned()),
        headers,
        mime: Some(String::from_utf8_lossy(raw).into_owned()),
        size: raw.len() as u64,
        ..Default::default()
    };
    for addr in [msg.from(), msg.sender(), msg.reply_to()].into_iter().flatten()
        .chain(msg.all_to()).chain(msg.all_cc()).chain(msg.all_bcc())
        .flat_map(|a| a.iter())
    {
        if let Some(address) = addr.address() {
            rec.add_name(address, addr.name());
        }
    }
    for part in msg.attachments() {
        let mut att = AttachmentRecord::new(bytes::Bytes::copy_from_slice(part.contents()), "mime");
        att.name = part.attachment_name().map(str::to_string);
        att.content_type = part.content_type().map(|ct| match &ct.c_subtype {
            Some(sub) => format!("{}/{}", ct.c_type, sub),
            None => ct.c_type.to_string(),
        });
        att.content_id = part.content_id().map(|c| c.trim_matches(['<', '>']).to_string());
        let disposition = part.content_disposition().map(|d| d.c_type.to_ascii_lowercase());
        att.is_inline = match disposition.as_deref() {
            Some("inline") => true,
            Some(_) => false,
            None => att.content_id.is_some(),
        };
        rec.attachments.push(att);
    }
    Ok(rec)
}

/// Whether a text part has this subtype (a part without Content-Type is text/plain).
fn subtype_is(part: &mail_parser::MessagePart<'_>, subtype: &str) -> bool {
    match part.content_type() {
        None => subtype == "plain",
        Some(ct) => ct.c_subtype.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(subtype)),
    }
}

fn unfold(v: &str) -> String {
    v.replace("\r\n", "").replace('\n', "").trim().to_string()
}
