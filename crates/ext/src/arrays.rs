//! The arrays the extension returns to PHP, and the one way they are built. A PHP array
//! keeps its keys in insertion order, so each shape below lists its keys in the order
//! docs/contracts.md gives them (tests/php/Extension/ResultKeyOrderTest.php holds them to
//! it): a caller that prints, logs or serialises a receipt sees one stable shape, which a
//! Rust `HashMap` (randomly ordered per process) could not give.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

/// An associative PHP array built key by key, in order: `OrderedArray::new().with("a", 1)?.build()`.
pub struct OrderedArray(ZBox<ZendHashTable>);

impl OrderedArray {
    pub fn new() -> Self {
        OrderedArray(ZendHashTable::new())
    }

    /// Appends `key => value` (each key is put once, so its place is where it was put).
    pub fn with(mut self, key: &str, value: impl IntoZval) -> PhpResult<Self> {
        self.0.insert(key, value).map_err(|e| PhpException::from(e.to_string()))?;
        Ok(self)
    }

    pub fn build(self) -> ZBox<ZendHashTable> {
        self.0
    }
}

impl Default for OrderedArray {
    fn default() -> Self {
        Self::new()
    }
}

/// The receipt of `sendMime`, `sendMimeStream` and `o365_send_mime`: `mailbox`,
/// `request_id`, `client_request_id`, `route` (`mime`, `json` or `draft`), `already_sent`
/// (true: nothing was sent, the send ledger knows the Message-ID as accepted before and
/// this is that send's receipt), `warnings` (list of strings: headers the JSON form
/// dropped, a Sent Items copy that could not be avoided, a callable that threw too late).
pub fn receipt(sent: o365_core::Sent) -> PhpResult<ZBox<ZendHashTable>> {
    Ok(OrderedArray::new()
        .with("mailbox", sent.receipt.mailbox)?
        .with("request_id", sent.receipt.request_id)?
        .with("client_request_id", sent.receipt.client_request_id)?
        .with("route", sent.route.name())?
        .with("already_sent", sent.receipt.already_sent)?
        .with("warnings", sent.warnings)?
        .build())
}

/// What `diagnose()` reports: `roles`, `missing`, `expires_at`, `token_endpoint`,
/// `graph_endpoint`, `cloud`, `tenant`, `oid`, `app_id`, `credential`, `warnings`,
/// `limiter`, `credential_details` (public facts only: thumbprints, files, endpoints, in
/// the core's order).
pub fn diagnostics(d: o365_core::Diagnostics) -> PhpResult<ZBox<ZendHashTable>> {
    Ok(OrderedArray::new()
        .with("roles", d.roles)?
        .with("missing", d.missing)?
        .with("expires_at", d.expires_at as i64)?
        .with("token_endpoint", d.token_endpoint)?
        .with("graph_endpoint", d.graph_endpoint)?
        .with("cloud", d.cloud)?
        .with("tenant", d.tenant)?
        .with("oid", d.object_id)?
        .with("app_id", d.app_id)?
        .with("credential", d.credential)?
        .with("warnings", d.warnings)?
        .with("limiter", d.limiter)?
        .with("credential_details", d.credential_details)?
        .build())
}

/// What `checkMailbox()` reports: the core's verdict on the sending mailbox (`mailbox`,
/// `status`) and, when Graph refused, its `graph_code`, `status_code`, `request_id`,
/// `message` and `hint` (the fix); all null for a usable mailbox.
pub fn mailbox_check(c: o365_core::MailboxCheck) -> PhpResult<ZBox<ZendHashTable>> {
    let refusal = c.refusal;
    Ok(OrderedArray::new()
        .with("mailbox", c.mailbox)?
        .with("status", c.status.name())?
        .with("graph_code", refusal.as_ref().and_then(|e| e.code.clone()))?
        .with("status_code", refusal.as_ref().and_then(|e| e.status).map(i64::from))?
        .with("request_id", refusal.as_ref().and_then(|e| e.request_id.clone()))?
        .with("message", refusal.as_ref().map(|e| e.message.clone()))?
        .with("hint", refusal.and_then(|e| e.hint))?
        .build())
}

/// One progress report for the callable: `phase`, `bytes_sent`, `bytes_total`, `attachment`.
pub fn progress(p: &o365_core::Progress) -> PhpResult<ZBox<ZendHashTable>> {
    Ok(OrderedArray::new()
        .with("phase", p.phase.name())?
        .with("bytes_sent", p.bytes_sent as i64)?
        .with("bytes_total", p.bytes_total as i64)?
        .with("attachment", p.attachment.clone())?
        .build())
}
