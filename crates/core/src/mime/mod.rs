//! The message: the envelope read from the headers (`envelope`), the part structure
//! (`parts`) and the bytes of a part or attachment (`part_bytes`, `attachment_bytes`),
//! the JSON form of a message (`json_message`), the draft plan that decides how a large
//! message is cut (`draft_plan`), the unlinked spool file (`spool`) and the streamed
//! input (`stream/`). No network access.
//!
//! May import `error` and `config/` (address checks) only.

pub(crate) mod attachment_bytes;
pub(crate) mod draft_plan;
pub(crate) mod envelope;
pub(crate) mod json_message;
pub(crate) mod part_bytes;
pub(crate) mod parts;
pub(crate) mod spool;
pub mod stream;
