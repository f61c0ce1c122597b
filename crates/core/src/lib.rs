//! o365-core: the engine of o365-sendmail. Sends mail through Microsoft Graph with
//! app-only OAuth (client credentials): configuration, credentials, a process-wide token
//! cache, the Graph client with retries, MIME envelope handling and typed errors.
//! Knows nothing of PHP; the extension crate binds it.

mod ca_file;
mod capped_body;
pub mod cloud;
pub mod config;
pub mod credential;
pub mod diagnostics;
mod entra;
pub mod envelope;
pub mod error;
pub mod graph_client;
mod graph_call;
mod graph_error;
mod key_suggestion;
pub mod graph_request;
pub mod json_message;
pub mod mailbox_check;
pub mod mailer;
pub mod mime_parts;
pub mod part_bytes;
#[cfg(test)]
mod parse_fuzz;
pub mod progress;
pub mod retry;
pub mod runtime;
pub mod secret;
mod mailbox;
mod route_draft;
mod route_json;
mod route_mime;
mod send_path;
pub mod size_routing;
pub mod token_cache;
mod transport;
mod upload_session;
pub mod url;

pub use cloud::Cloud;
pub use config::{Config, ConfigValue};
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
