//! An open upload session (see `graph::upload`): the bytes received so far and what
//! the finished attachment will be, kept in the shared state between the client's PUTs.

use bytes::BytesMut;

/// One open session.
pub struct UploadSession {
    pub draft_id: String,
    /// The app that created the session: its PUTs count against that app's budgets.
    pub app: String,
    pub mailbox: String,
    pub authtoken: String,
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub is_inline: bool,
    pub content_id: Option<String>,
    pub size: u64,
    pub received: BytesMut,
    pub expires: u64,
}
