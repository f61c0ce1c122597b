//! A send: the orchestrator (`path`: pick the mailbox, check and plan the message, run
//! its route, record it in the ledger), the routes it runs (`route_mime`, `route_json`,
//! `route_draft` with its `upload_session`s), the sending mailbox (`sending_mailbox`),
//! the progress events (`progress`), and the mailbox check (`mailbox_check`, a sendMail
//! without recipients). Routes never call back into the orchestrator.
//!
//! May import every group below it: `error`, `config/`, `runtime`, `http/`, `limiter/`,
//! `mime/`, `graph/`, `ledger/`.

pub(crate) mod mailbox_check;
pub(crate) mod path;
pub(crate) mod progress;
pub(crate) mod route_draft;
pub(crate) mod route_json;
pub(crate) mod route_mime;
pub(crate) mod sending_mailbox;
pub(crate) mod upload_session;
