//! The decoded bytes of an attachment the draft route adds: read on demand from the
//! caller's MIME in memory, or from the spool of a streamed message. The draft plan
//! holds them; the upload reads them in chunks, so neither copies a whole attachment.

use std::ops::Range;

use crate::mime::part_bytes::{InvalidBody, PartBytes};
use crate::mime::spool::SpoolRange;

/// The decoded bytes of an attachment to upload: read from the caller's MIME in memory,
/// or from the spool of a streamed message.
#[derive(Debug)]
pub enum AttachmentBytes<'a> {
    /// Decoded on demand from the MIME buffer.
    Mime(PartBytes<'a>),
    /// Already decoded, in the spool file.
    Spool(SpoolRange),
}

impl AttachmentBytes<'_> {
    /// The decoded size.
    pub fn len(&self) -> u64 {
        match self {
            AttachmentBytes::Mime(p) => p.len(),
            AttachmentBytes::Spool(s) => s.len(),
        }
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decoded bytes `range` (clamped to the size).
    pub fn read(&self, range: Range<u64>) -> std::result::Result<bytes::Bytes, InvalidBody> {
        match self {
            AttachmentBytes::Mime(p) => p.read(range),
            AttachmentBytes::Spool(s) => s.read(range),
        }
    }

    /// The whole content as standard base64 (for a JSON `contentBytes`).
    pub fn to_base64(&self) -> std::result::Result<String, InvalidBody> {
        match self {
            AttachmentBytes::Mime(p) => p.to_base64(),
            AttachmentBytes::Spool(s) => s.to_base64(),
        }
    }
}
