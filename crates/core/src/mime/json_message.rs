//! The JSON form of `sendMail`, for `save_to_sent_items = false` (MIME mode has no such
//! switch). The MIME is parsed with `mail-parser` (it is small: the JSON request has the
//! same ~4 MB limit) into Graph's message resource: subject; one body (HTML when the
//! message has both HTML and text: Graph keeps one body, and the HTML one is what
//! recipients see); To/Cc/Bcc, Reply-To, From and Sender with display names; importance
//! from X-Priority / Importance / Priority; attachments and inline images with their
//! content ids; up to 5 `x-` headers. What JSON cannot carry (other headers, a 6th
//! `x-` header) is dropped with a warning that names the headers, never their values.

use base64::Engine as _;
use mail_parser::{Address, MessageParser, MimeHeaders};
use serde_json::{Value, json};

use crate::error::Result;
use crate::mime::parts;

/// Graph's limit of `internetMessageHeaders`.
pub const MAX_X_HEADERS: usize = 5;

/// Headers the JSON form expresses through its own fields.
const MAPPED: &[&str] = &[
    "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "mime-version", "content-type",
    "content-transfer-encoding", "content-disposition", "content-id", "importance", "priority", "x-priority",
    "x-msmail-priority",
];

/// A built `sendMail` JSON body and what had to be dropped.
#[derive(Debug)]
pub struct JsonMessage {
    /// `{"message": {...}, "saveToSentItems": ...}`.
    pub body: Value,
    /// One line per kind of loss.
    pub warnings: Vec<String>,
}

fn recipients(a: Option<&Address<'_>>) -> Vec<Value> {
    let Some(a) = a else { return Vec::new() };
    a.iter()
        .filter_map(|x| {
            let address = x.address()?.trim();
            if address.is_empty() {
                return None;
            }
            let mut email = serde_json::Map::new();
            email.insert("address".into(), json!(address));
            if let Some(n) = x.name().map(str::trim).filter(|n| !n.is_empty()) {
                email.insert("name".into(), json!(n));
            }
            Some(json!({ "emailAddress": Value::Object(email) }))
        })
        .collect()
}

/// Importance from the priority headers, the way Outlook reads them.
fn importance(msg: &mail_parser::Message<'_>) -> Option<&'static str> {
    let raw = |n: &str| msg.header_raw(n).map(|v| v.trim().to_ascii_lowercase());
    if let Some(v) = raw("Importance") {
        return match v.as_str() {
            "high" => Some("high"),
            "low" => Some("low"),
            _ => Some("normal"),
        };
    }
    if let Some(v) = raw("X-Priority") {
        return match v.chars().next() {
            Some('1' | '2') => Some("high"),
            Some('4' | '5') => Some("low"),
            _ => Some("normal"),
        };
    }
    match raw("Priority").as_deref() {
        Some("urgent") => Some("high"),
        Some("non-urgent") => Some("low"),
        Some(_) => Some("normal"),
        None => None,
    }
}

fn subtype_is(part: &mail_parser::MessagePart<'_>, sub: &str) -> bool {
    match part.content_type() {
        None => sub == "plain",
        Some(ct) => ct.ctype().eq_ignore_ascii_case("text") && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case(sub)),
    }
}

/// Builds the JSON form of `mime`; `extra_bcc` are envelope recipients missing from the
/// headers.
pub fn build(mime: &[u8], extra_bcc: &[String], save_to_sent_items: bool) -> Result<JsonMessage> {
    let msg = MessageParser::default()
        .parse(mime)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(crate::mime::envelope::not_mime)?;
    let mut warnings = Vec::new();
    let mut m = serde_json::Map::new();
    m.insert("subject".into(), json!(msg.subject().unwrap_or_default()));
    let html = msg.html_bodies().find(|p| subtype_is(p, "html")).and_then(|p| p.text_contents());
    let text = msg.text_bodies().find(|p| subtype_is(p, "plain")).and_then(|p| p.text_contents());
    let body = match (html, text) {
        (Some(h), _) => json!({"contentType": "html", "content": h}),
        (None, Some(t)) => json!({"contentType": "text", "content": t}),
        (None, None) => json!({"contentType": "text", "content": ""}),
    };
    m.insert("body".into(), body);
    m.insert("toRecipients".into(), Value::Array(msg.all_to().flat_map(|a| recipients(Some(a))).collect()));
    m.insert("ccRecipients".into(), Value::Array(msg.all_cc().flat_map(|a| recipients(Some(a))).collect()));
    let mut bcc: Vec<Value> = msg.all_bcc().flat_map(|a| recipients(Some(a))).collect();
    bcc.extend(extra_bcc.iter().map(|a| json!({"emailAddress": {"address": a}})));
    m.insert("bccRecipients".into(), Value::Array(bcc));
    let reply_to = recipients(msg.reply_to());
    if !reply_to.is_empty() {
        m.insert("replyTo".into(), Value::Array(reply_to));
    }
    if let Some(from) = recipients(msg.from()).into_iter().next() {
        m.insert("from".into(), from);
    }
    if let Some(sender) = recipients(msg.sender()).into_iter().next() {
        m.insert("sender".into(), sender);
    }
    if let Some(i) = importance(&msg) {
        m.insert("importance".into(), json!(i));
    }

    let (x_headers, header_warnings) = x_headers(&msg);
    if !x_headers.is_empty() {
        m.insert("internetMessageHeaders".into(), Value::Array(x_headers));
    }
    warnings.extend(header_warnings);
    let attachments = attachments(&msg);
    if !attachments.is_empty() {
        m.insert("attachments".into(), Value::Array(attachments));
    }
    Ok(JsonMessage { body: json!({"message": Value::Object(m), "saveToSentItems": save_to_sent_items}), warnings })
}

/// The first [`MAX_X_HEADERS`] `x-` headers as `internetMessageHeaders`, and a warning
/// per kind of header dropped (names only, never values).
fn x_headers(msg: &mail_parser::Message<'_>) -> (Vec<Value>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut x_headers = Vec::new();
    let (mut dropped_x, mut dropped_other) = (Vec::new(), Vec::new());
    for (name, value) in msg.headers_raw() {
        let lower = name.to_ascii_lowercase();
        if MAPPED.contains(&lower.as_str()) {
            continue;
        }
        if lower.starts_with("x-") {
            if x_headers.len() < MAX_X_HEADERS {
                let value: String = value.replace("\r\n", "").replace('\n', "").trim().to_string();
                x_headers.push(json!({"name": name, "value": value}));
            } else {
                dropped_x.push(name.to_string());
            }
        } else if !dropped_other.iter().any(|d: &String| d.eq_ignore_ascii_case(name)) {
            dropped_other.push(name.to_string());
        }
    }
    if !dropped_x.is_empty() {
        warnings.push(format!(
            "Graph's JSON form takes at most {MAX_X_HEADERS} x- headers; dropped: {}",
            dropped_x.join(", ")
        ));
    }
    if !dropped_other.is_empty() {
        warnings.push(format!(
            "save_to_sent_items=false sends Graph's JSON form, which carries only x- headers; dropped: {}",
            dropped_other.join(", ")
        ));
    }
    (x_headers, warnings)
}

/// Attachments and inline parts as Graph `fileAttachment`s.
fn attachments(msg: &mail_parser::Message<'_>) -> Vec<Value> {
    let mut attachments = Vec::new();
    for (n, part) in msg.attachments().enumerate() {
        let content_type = part
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream")).to_ascii_lowercase())
            .unwrap_or_else(|| "application/octet-stream".into());
        let content_id = parts::content_id(part);
        let inline = parts::shows_inline(parts::disposition(part).as_deref(), content_id.is_some());
        let name = parts::attachment_name(part.attachment_name(), content_id.as_deref(), &content_type, n + 1);
        let mut a = serde_json::Map::new();
        a.insert("@odata.type".into(), json!("#microsoft.graph.fileAttachment"));
        a.insert("name".into(), json!(name));
        a.insert("contentType".into(), json!(content_type));
        a.insert("isInline".into(), json!(inline));
        if let Some(cid) = content_id {
            a.insert("contentId".into(), json!(cid));
        }
        a.insert("contentBytes".into(), json!(base64::engine::general_purpose::STANDARD.encode(part.contents())));
        attachments.push(Value::Object(a));
    }
    attachments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_fields_and_drops_what_json_cannot_carry() {
        let mime = "From: \"Ann A\" <ann@x.com>\r\nTo: Bob <bob@x.com>, c@x.com\r\nReply-To: r@x.com\r\nSubject: =?utf-8?q?H=C3=A9llo?=\r\n\
X-Priority: 1 (Highest)\r\nMessage-ID: <m1@x>\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\nX-E: 5\r\nX-F: 6\r\n\
Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b\r\nContent-Type: text/html\r\n\r\n<b>html</b>\r\n--b--\r\n";
        let j = build(mime.as_bytes(), &["hidden@y.com".into()], false).unwrap();
        let m = &j.body["message"];
        assert_eq!(j.body["saveToSentItems"], false);
        assert_eq!(m["subject"], "Héllo");
        assert_eq!(m["body"]["contentType"], "html");
        assert_eq!(m["toRecipients"][0]["emailAddress"]["name"], "Bob");
        assert_eq!(m["bccRecipients"][0]["emailAddress"]["address"], "hidden@y.com");
        assert_eq!(m["importance"], "high");
        assert_eq!(m["internetMessageHeaders"].as_array().unwrap().len(), 5);
        assert_eq!(j.warnings.len(), 2);
        assert!(j.warnings[0].contains("X-F") && j.warnings[1].contains("Message-ID"), "{:?}", j.warnings);
    }
}
