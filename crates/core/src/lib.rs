//! o365-core: the engine of o365-sendmail. Sends mail through Microsoft Graph with
//! app-only OAuth (client credentials): configuration, credentials, a process-wide token
//! cache, the Graph client with retries, MIME envelope handling and typed errors.
//! Knows nothing of PHP; the extension crate binds it.

mod attachment_bytes;
mod bounded_file;
mod ca_file;
mod capped_body;
mod cloud;
mod config;
mod config_value;
mod credential;
mod diagnostics;
mod entra;
mod envelope;
mod error;
mod graph_client;
mod mailbox_graph;
mod preconnect;
mod graph_error;
mod key_suggestion;
/// The send ledger (`ledger::key` names a message's Redis key; tests read it).
pub mod ledger;
pub mod limiter;
mod graph_request;
mod jitter;
mod json_message;
// The public modules are what the extension and the tests reach by path; everything
// else they use is re-exported below.
/// `mailbox_check::check` (the extension's `checkMailbox()`).
pub mod mailbox_check;
mod mailer;
mod mime_parts;
mod part_bytes;
#[cfg(test)]
mod mime_cut_props;
#[cfg(test)]
mod parse_fuzz;
mod progress;
mod process_warning;
mod retry;
/// The per-process runtime (tests drive `GraphClient` futures on it).
pub mod runtime;
mod secret;
mod spool;
mod mailbox;
mod redis_url;
mod route_draft;
mod route_json;
mod route_mime;
mod send_path;
mod draft_plan;
/// `stream::Ingest` (the extension's streamed sends).
pub mod stream;
mod token_cache;
mod http_failure;
mod upload_session;
mod url;

pub use cloud::Cloud;
pub use config::{Config, ConfigValue, KEYS as CONFIG_KEYS};
pub use credential::Credential;
pub use diagnostics::Diagnostics;
pub use graph_client::GraphClient;
pub use graph_request::{GraphRequest, GraphResponse, Replay};
pub use error::{Error, ErrorKind, Result};
pub use mailbox_check::{MailboxCheck, MailboxStatus};
pub use mailer::{Mailer, Receipt};
pub use progress::{Phase, Progress};
pub use send_path::{ProgressFn, Route, Sent};
pub use secret::Secret;

/// The crate version, reported by `o365_version()`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
