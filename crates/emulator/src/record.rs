//! What the emulator keeps of a received message, in the shape the inspection API
//! returns (field names are a public contract, see docs/contracts.md). Drafts use the same
//! record until they are sent.

use serde::Serialize;
use std::collections::BTreeMap;

/// One received (sent) message or draft.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MessageRecord {
    /// Emulator-assigned id (for drafts: the Graph message id; a sent draft keeps it here,
    /// as the inspection API's id, though Graph no longer knows it).
    pub id: String,
    /// A sent draft: the id Graph gives its Sent Items copy (Exchange gives the moved
    /// item a new id; the draft's id answers 404).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_items_id: Option<String>,
    /// The mailbox from the URL, as the client wrote it.
    pub mailbox: String,
    /// `mime` or `json`: how the client described the message.
    pub format: String,
    /// How it arrived: `sendMail` or `draft` (created as a draft, sent with /send).
    pub via: String,
    pub subject: Option<String>,
    pub from: Option<String>,
    pub sender: Option<String>,
    pub reply_to: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub save_to_sent_items: bool,
    pub importance: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    /// Message headers: all MIME headers for MIME messages, internetMessageHeaders for JSON.
    pub headers: Vec<Header>,
    pub attachments: Vec<AttachmentRecord>,
    /// The decoded MIME for MIME messages (lossy UTF-8), else null.
    pub mime: Option<String>,
    /// Total size in bytes (MIME length, or the sum of bodies and attachments for JSON).
    pub size: u64,
    /// The app (client id) and tenant whose token sent it.
    pub app: String,
    pub tenant: String,
    /// Graph's `request-id` of the request that sent it, and the client's id.
    pub request_id: String,
    pub client_request_id: Option<String>,
    /// When it was received (ISO 8601).
    pub received_at: String,
    /// Display names seen for addresses in From/Sender/Reply-To/To/Cc/Bcc, keyed by the
    /// lowercased address (the address lists above stay plain strings, a public contract).
    pub display_names: BTreeMap<String, String>,
    /// The Graph requests that built it (`request-id`s): the sendMail, or the draft's
    /// creation and its send. Attachment and upload requests name the draft id in their path.
    pub request_ids: Vec<String>,
    /// Opened in the web inbox (or marked read through the API).
    pub read: bool,
    /// JSON messages: the `message` object as the client sent it, minus attachment bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
}

/// One header line.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// One attachment: metadata for the API, bytes kept for `/attachments/{n}`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AttachmentRecord {
    pub name: Option<String>,
    pub size: u64,
    pub content_type: Option<String>,
    pub is_inline: bool,
    pub content_id: Option<String>,
    /// Lowercase hex SHA-256 of the bytes, so clients can check 150 MB uploads
    /// byte for byte without downloading them again.
    pub sha256: String,
    /// `upload_session` for chunked uploads, else `inline_json`/`mime`/`attachments_api`.
    pub source: String,
    #[serde(skip)]
    pub bytes: bytes::Bytes,
}

impl AttachmentRecord {
    /// Builds a record from bytes, hashing them.
    pub fn new(bytes: bytes::Bytes, source: &str) -> AttachmentRecord {
        AttachmentRecord {
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            source: source.to_string(),
            bytes,
            ..Default::default()
        }
    }
}

impl MessageRecord {
    /// The display name given for an address, if any.
    pub fn name_of(&self, address: &str) -> Option<&str> {
        self.display_names.get(&address.to_ascii_lowercase()).map(String::as_str)
    }

    /// Remembers a display name (the first one seen for an address wins).
    pub fn add_name(&mut self, address: &str, name: Option<&str>) {
        let name = name.map(str::trim).filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(address));
        if let Some(name) = name {
            self.display_names.entry(address.trim().to_ascii_lowercase()).or_insert_with(|| name.to_string());
        }
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
