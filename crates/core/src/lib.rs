//! o365-core: the engine of o365-sendmail. Sends mail through Microsoft Graph with
//! app-only OAuth (client credentials): configuration, credentials, a process-wide token
//! cache, the Graph client with retries, MIME envelope handling and typed errors.
//! Knows nothing of PHP; the extension crate binds it.
//!
//! The modules, grouped by concern and listed bottom up: each may use the ones above it
//! in this list, never one below (crates/core/tests/module_graph.rs checks it).
//! - `error`, `process_warning`, `jitter`: the typed error; a warning said once per
//!   process; the random share of a wait that keeps workers out of step.
//! - `config/`: the settings and everything read from them, checked before any network
//!   access: values, URLs, clouds, secrets, the files they name and the credential.
//! - `runtime`: the per-process tokio runtime and HTTP client (fork-aware).
//! - `http/`: one HTTP exchange with Microsoft, Entra or Graph alike: the retry loop,
//!   what a transport failure means, capped bodies, the connection warm-up.
//! - `auth/`: tokens: the exchange with Entra and the process-wide token cache.
//! - `limiter/`: the per-mailbox concurrency limit (in process or through Redis).
//! - `mime/`: the message: headers, parts, bodies, the draft plan, the streamed input.
//! - `graph/`: the Graph client: requests, answers and errors, a mailbox's client.
//! - `ledger/`: the send ledger (exactly once).
//! - `send/`: the send orchestrator, its routes and the mailbox check.
//! - `diagnostics`, `mailer`: the public face.

mod error;
mod process_warning;
mod jitter;
mod config;
/// The per-process runtime (tests drive `GraphClient` futures on it: feature
/// `test-support`).
#[cfg(feature = "test-support")]
pub mod runtime;
#[cfg(not(feature = "test-support"))]
mod runtime;
mod http;
mod auth;
pub mod limiter;
mod mime;
mod graph;
/// The send ledger (`ledger::key` names a message's Redis key; tests read it).
pub mod ledger;
mod send;
mod diagnostics;
mod mailer;

/// Property tests that reach crate-private parsers and planners (test builds only; the
/// tests that need only the public API are in crates/core/tests/).
#[cfg(test)]
mod property_tests;

// The public modules are what the extension and the tests reach by path; everything
// else they use is re-exported below.
/// `stream::Ingest` (the extension's streamed sends).
pub use mime::stream;

/// `app_ids::problem`: the shapes of Entra's ids, for setup dialogs (`O365\Config`).
pub use config::app_ids;
pub use config::cloud::Cloud;
pub use config::credential::Credential;
pub use config::secret::Secret;
pub use config::{Config, ConfigValue, KEYS as CONFIG_KEYS};
pub use diagnostics::Diagnostics;
pub use error::{Error, ErrorKind, Result};
pub use graph::mailbox::Receipt;
/// The Graph client and its requests, for tests that send their own requests through the
/// shared executor (feature `test-support`: they expose reqwest's types).
#[cfg(feature = "test-support")]
pub use graph::{client::GraphClient, request::{GraphRequest, GraphResponse, Replay}};
pub use mailer::Mailer;
pub use send::mailbox_check::{MailboxCheck, MailboxStatus};
pub use send::path::{ProgressFn, Route, Sent};
pub use send::progress::{Phase, Progress};

/// The crate version, reported by `o365_version()`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
