//! The Graph client: one request and its answer (`request`), the shared executor with
//! tokens, ids, retries and the deadline (`client`), Graph's error answers (`error`), and
//! a client bound to one mailbox and its limiter, whose accepted send is a receipt
//! (`mailbox`).
//!
//! May import `error`, `config/`, `runtime`, `http/`, `auth/` (tokens) and `limiter/`.

pub(crate) mod client;
pub(crate) mod error;
pub(crate) mod mailbox;
pub(crate) mod request;
