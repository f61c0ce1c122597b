//! Graph's JSON `message` resource: reading it into a record, with Graph's checks on
//! types and property names (400 RequestBodyRead: Graph's OData reader refuses a property
//! its type does not define), internetMessageHeaders (names must start with `x-`, at
//! most 5) and attachments (`@odata.type` required, since `attachment` is abstract; a
//! fileAttachment needs `name` and base64 `contentBytes`: 400 ErrorRequiredPropertyMissing).

use super::errors::GraphError;
use crate::config::Limits;
use crate::record::{AttachmentRecord, Header, MessageRecord};
use base64::Engine;
use serde_json::Value;

/// A property by name, case-insensitively as Graph reads them: the Graph SDKs send
/// action parameters in Pascal case (`Message`, `SaveToSentItems`, `AttachmentItem`).
pub fn ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

pub fn body_read(msg: impl Into<String>) -> GraphError {
    GraphError::bad_request("RequestBodyRead", msg)
}

/// The properties of `microsoft.graph.message` (with those of outlookItem and entity,
/// its navigation properties, and the beta-only ones), as Graph's metadata lists them.
const MESSAGE: &[&str] = &[
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "bccRecipients", "body",
    "bodyPreview", "ccRecipients", "conversationId", "conversationIndex", "flag", "from", "hasAttachments",
    "importance", "inferenceClassification", "internetMessageHeaders", "internetMessageId",
    "isDeliveryReceiptRequested", "isDraft", "isRead", "isReadReceiptRequested", "parentFolderId",
    "receivedDateTime", "replyTo", "sender", "sentDateTime", "subject", "toRecipients", "uniqueBody", "webLink",
    "attachments", "extensions", "multiValueExtendedProperties", "singleValueExtendedProperties", "mentions",
    "mentionsPreview", "unsubscribeData", "unsubscribeEnabled",
];
/// `microsoft.graph.attachment` (abstract) and its three kinds.
const ATTACHMENT: &[&str] = &["id", "contentType", "isInline", "lastModifiedDateTime", "name", "size"];
const FILE_ATTACHMENT: &[&str] = &["contentBytes", "contentId", "contentLocation"];
const ITEM_ATTACHMENT: &[&str] = &["item"];
const REFERENCE_ATTACHMENT: &[&str] = &["sourceUrl", "providerType", "thumbnailUrl", "previewUrl", "permission", "isFolder"];

/// Refuses a property `type_name` does not define, in Graph's words. Annotations
/// (`@odata.type`, `name@odata.type`) are not properties.
pub fn only_known(v: &Value, type_name: &str, known: &[&[&str]]) -> Result<(), GraphError> {
    let Some(obj) = v.as_object() else { return Ok(()) };
    let defined = |key: &str| known.iter().any(|list| list.iter().any(|k| k.eq_ignore_ascii_case(key)));
    match obj.keys().find(|k| !k.contains('@') && !defined(k)) {
        Some(key) => Err(body_read(format!(
            "The property '{key}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type or mark the type as open type."
        ))),
        None => Ok(()),
    }
}

/// A property Exchange requires is absent (or null).
fn required_missing() -> GraphError {
    GraphError::bad_request("ErrorRequiredPropertyMissing", "Required property is missing.")
}

/// Reads one `message` object.
pub fn parse(message: &Value, limits: &Limits) -> Result<MessageRecord, GraphError> {
    message
        .as_object()
        .ok_or_else(|| body_read("Cannot convert the literal to the expected type 'microsoft.graph.message'."))?;
    only_known(message, "microsoft.graph.message", &[MESSAGE])?;
    let mut rec = MessageRecord { format: "json".into(), save_to_sent_items: true, ..Default::default() };
    rec.subject = opt_str(ci(message, "subject"), "subject")?;
    rec.to = recipients(ci(message, "toRecipients"), "toRecipients")?;
    rec.cc = recipients(ci(message, "ccRecipients"), "ccRecipients")?;
    rec.bcc = recipients(ci(message, "bccRecipients"), "bccRecipients")?;
    rec.reply_to = recipients(ci(message, "replyTo"), "replyTo")?;
    rec.from = one_recipient(ci(message, "from"), "from")?;
    rec.sender = one_recipient(ci(message, "sender"), "sender")?;
    rec.importance = importance(ci(message, "importance"))?;
    body(ci(message, "body"), &mut rec)?;
    rec.headers = internet_headers(ci(message, "internetMessageHeaders"), limits)?;
    let mut size = rec.body_text.as_ref().or(rec.body_html.as_ref()).map_or(0, |b| b.len() as u64);
    if let Some(list) = ci(message, "attachments").filter(|v| !v.is_null()) {
        let list = list.as_array().ok_or_else(|| body_read("The property 'attachments' must be an array."))?;
        for a in list {
            let att = attachment(a)?;
            size += att.size;
            rec.attachments.push(att);
        }
    }
    rec.size = size;
    display_names(message, &mut rec);
    rec.json = Some(without_bytes(message));
    Ok(rec)
}

/// The `emailAddress.name`s of every recipient field, for the inspection UI.
fn display_names(message: &Value, rec: &mut MessageRecord) {
    for field in ["from", "sender", "replyTo", "toRecipients", "ccRecipients", "bccRecipients"] {
        let one = ci(message, field).map(|v| v.as_array().map_or_else(|| vec![v], |a| a.iter().collect()));
        for r in one.unwrap_or_default() {
            let email = ci(r, "emailAddress");
            let get = |k| email.and_then(|e| ci(e, k)).and_then(Value::as_str);
            if let Some(address) = get("address") {
                rec.add_name(address, get("name"));
            }
        }
    }
}

fn opt_str(v: Option<&Value>, name: &str) -> Result<Option<String>, GraphError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(body_read(format!("Cannot convert the value of property '{name}' to the expected type 'Edm.String'."))),
    }
}

fn one_recipient(v: Option<&Value>, name: &str) -> Result<Option<String>, GraphError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(r) => Ok(Some(address(r, name)?)),
    }
}

fn recipients(v: Option<&Value>, name: &str) -> Result<Vec<String>, GraphError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => list.iter().map(|r| address(r, name)).collect(),
        Some(_) => Err(body_read(format!("The property '{name}' must be a collection of microsoft.graph.recipient."))),
    }
}

/// `{"emailAddress": {"address": "...", "name": "..."}}` → the address.
fn address(r: &Value, name: &str) -> Result<String, GraphError> {
    only_known(r, "microsoft.graph.recipient", &[&["emailAddress"]])?;
    let email = ci(r, "emailAddress").filter(|e| e.is_object()).ok_or_else(|| {
        body_read(format!("A recipient in '{name}' has no 'emailAddress' object."))
    })?;
    only_known(email, "microsoft.graph.emailAddress", &[&["address", "name"]])?;
    match ci(email, "address") {
        Some(Value::String(a)) => Ok(a.trim().to_string()),
        None | Some(Value::Null) => Err(GraphError::bad_request(
            "ErrorInvalidRecipients",
            format!("At least one recipient is not valid., A recipient in '{name}' has no address."),
        )),
        Some(_) => Err(body_read("Cannot convert the value of property 'address' to the expected type 'Edm.String'.")),
    }
}

fn importance(v: Option<&Value>) -> Result<Option<String>, GraphError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if ["low", "normal", "high"].contains(&s.to_ascii_lowercase().as_str()) => {
            Ok(Some(s.to_ascii_lowercase()))
        }
        Some(other) => Err(body_read(format!(
            "Cannot convert the literal '{}' to the expected type 'microsoft.graph.importance'.",
            other.as_str().unwrap_or("?")
        ))),
    }
}

fn body(v: Option<&Value>, rec: &mut MessageRecord) -> Result<(), GraphError> {
    let Some(b) = v.filter(|b| !b.is_null()) else { return Ok(()) };
    only_known(b, "microsoft.graph.itemBody", &[&["contentType", "content"]])?;
    let content = opt_str(ci(b, "content"), "content")?.unwrap_or_default();
    let kind = opt_str(ci(b, "contentType"), "contentType")?.unwrap_or_else(|| "text".into());
    match kind.to_ascii_lowercase().as_str() {
        "text" => rec.body_text = Some(content),
        "html" => rec.body_html = Some(content),
        _ => return Err(body_read(format!("Cannot convert the literal '{kind}' to the expected type 'microsoft.graph.bodyType'."))),
    }
    Ok(())
}

fn internet_headers(v: Option<&Value>, limits: &Limits) -> Result<Vec<Header>, GraphError> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(body_read("The property 'internetMessageHeaders' must be a collection.")),
    };
    if list.len() > limits.max_internet_message_headers {
        return Err(GraphError::bad_request(
            "InvalidInternetMessageHeaderCollection",
            format!("Maximum number of headers in one message should be less than or equal to {}.", limits.max_internet_message_headers),
        ));
    }
    let mut out = Vec::new();
    for h in list {
        only_known(h, "microsoft.graph.internetMessageHeader", &[&["name", "value"]])?;
        let name = opt_str(ci(h, "name"), "name")?.unwrap_or_default();
        let value = opt_str(ci(h, "value"), "value")?.unwrap_or_default();
        if !(name.starts_with("x-") || name.starts_with("X-")) {
            return Err(GraphError::bad_request(
                "InvalidInternetMessageHeader",
                format!("The internet message header name '{name}' should start with 'x-' or 'X-'."),
            ));
        }
        out.push(Header { name, value });
    }
    Ok(out)
}

/// One `attachments[]` entry (fileAttachment with inline bytes; other kinds are kept
/// with their metadata only).
pub fn attachment(a: &Value) -> Result<AttachmentRecord, GraphError> {
    if !a.is_object() {
        return Err(body_read("An attachment must be an object."));
    }
    let kind = ci(a, "@odata.type").and_then(Value::as_str).map(|k| k.trim_start_matches('#').to_ascii_lowercase());
    let mut att = match kind.as_deref() {
        // Read as the abstract base type: a fileAttachment's properties are unknown there
        // (microsoft-graph-docs-contrib#310).
        None => {
            only_known(a, "microsoft.graph.attachment", &[ATTACHMENT])?;
            return Err(body_read(
                "The attachment has no '@odata.type': microsoft.graph.attachment is abstract; use '#microsoft.graph.fileAttachment'.",
            ));
        }
        Some("microsoft.graph.fileattachment") => {
            only_known(a, "microsoft.graph.fileAttachment", &[ATTACHMENT, FILE_ATTACHMENT])?;
            // msgraph-sdk-python#667: a fileAttachment without contentBytes is refused.
            let b64 = opt_str(ci(a, "contentBytes"), "contentBytes")?.ok_or_else(required_missing)?;
            if opt_str(ci(a, "name"), "name")?.is_none_or(|n| n.is_empty()) {
                return Err(required_missing());
            }
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| {
                body_read("Cannot convert the literal to the expected type 'Edm.Binary'.")
            })?;
            AttachmentRecord::new(bytes.into(), "inline_json")
        }
        Some("microsoft.graph.itemattachment") => {
            only_known(a, "microsoft.graph.itemAttachment", &[ATTACHMENT, ITEM_ATTACHMENT])?;
            AttachmentRecord::new(bytes::Bytes::new(), "inline_json")
        }
        Some("microsoft.graph.referenceattachment") => {
            only_known(a, "microsoft.graph.referenceAttachment", &[ATTACHMENT, REFERENCE_ATTACHMENT])?;
            AttachmentRecord::new(bytes::Bytes::new(), "inline_json")
        }
        Some(other) => {
            return Err(body_read(format!("A type named '{other}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.")));
        }
    };
    att.name = opt_str(ci(a, "name"), "name")?;
    att.content_type = opt_str(ci(a, "contentType"), "contentType")?;
    att.content_id = opt_str(ci(a, "contentId"), "contentId")?;
    att.is_inline = match ci(a, "isInline") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(body_read("Cannot convert the value of property 'isInline' to the expected type 'Edm.Boolean'.")),
    };
    Ok(att)
}

/// The message as sent, with attachment bytes replaced by their length, for inspection.
fn without_bytes(message: &Value) -> Value {
    let mut m = message.clone();
    if let Some(list) = m.get_mut("attachments").and_then(Value::as_array_mut) {
        for a in list {
            if let Some(len) = ci(a, "contentBytes").and_then(Value::as_str).map(str::len) {
                a["contentBytes"] = Value::String(format!("<{len} base64 characters>"));
            }
        }
    }
    m
}
