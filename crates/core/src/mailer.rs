//! The sender: picks the mailbox, prepares the MIME envelope, and hands the request to
//! the Graph client. Blocking API (PHP is synchronous); the work runs on the
//! per-process runtime so that connections and tokens outlive the call.

use std::sync::Arc;

use crate::config::Config;
use crate::envelope;
use crate::error::{Error, Result};
use crate::graph_client::GraphClient;

/// What Graph said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The mailbox the message was sent from.
    pub mailbox: String,
    /// Graph's `request-id` of the accepting request.
    pub request_id: String,
    /// The `client-request-id` this client sent.
    pub client_request_id: String,
}

/// A configured sender. Cheap to create and clone; tokens and connections are
/// process-wide, shared by every `Mailer` with the same app and endpoints.
#[derive(Debug, Clone)]
pub struct Mailer {
    config: Arc<Config>,
}

impl Mailer {
    /// A sender for `config`. No network access.
    pub fn new(config: Config) -> Self {
        Mailer { config: Arc::new(config) }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A Graph client for this mailer's config on the process's shared pool; for
    /// operations beyond `send_mime` (drafts, uploads).
    pub fn graph(&self) -> Result<GraphClient> {
        GraphClient::for_config(Arc::clone(&self.config))
    }

    /// Sends a rendered MIME message. `mailbox` is the envelope sender (used unless the
    /// config fixes a mailbox); `recipients` are all envelope recipients (empty: the
    /// MIME headers' recipients). Every input is checked before anything is sent.
    /// Large messages and `save_to_sent_items = false` are routed (see `route`).
    pub fn send_mime(&self, mime: &[u8], mailbox: Option<&str>, recipients: &[String]) -> Result<Receipt> {
        self.send_mime_with(mime, mailbox, recipients, None).map(|s| s.receipt)
    }

    /// `send_mime` that also reports the route and warnings, and calls `progress` (on
    /// this thread) as the send advances.
    pub fn send_mime_with(
        &self,
        mime: &[u8],
        mailbox: Option<&str>,
        recipients: &[String],
        progress: Option<crate::route::ProgressFn<'_>>,
    ) -> Result<crate::route::Sent> {
        crate::route::send(self, mime, mailbox, recipients, progress)
    }

    /// The sending mailbox: the configured one, else the envelope sender, else the
    /// message's Sender or From header.
    pub fn pick_mailbox(&self, mime: &[u8], envelope_sender: Option<&str>) -> Result<String> {
        if let Some(m) = &self.config.mailbox {
            return Ok(m.clone());
        }
        let chosen = match envelope_sender.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.to_string(),
            None => {
                let headers = envelope::parse_headers(mime)?;
                headers
                    .addresses(&["sender"])
                    .into_iter()
                    .chain(headers.addresses(&["from"]))
                    .next()
                    .ok_or_else(|| {
                        Error::config("mailbox", "no sending mailbox: the message has no From address and `mailbox` is not set")
                            .with_hint("set `mailbox` (env O365_MAILBOX) or give the message a From address")
                    })?
            }
        };
        crate::url::check_mailbox("mailbox", &chosen).map_err(|_| {
            Error::config("mailbox", format!("the sender `{}` is not a usable mailbox address", chosen.escape_debug()))
                .with_hint("set `mailbox` (env O365_MAILBOX) or a valid From address: an address like sender@contoso.com, without line breaks, slashes, `?`, `#` or `%`")
        })?;
        Ok(chosen)
    }

    /// Acquires a token (from the cache when valid) and reports what it grants, its
    /// expiry and the endpoints used. Never returns the token.
    pub fn diagnose(&self) -> Result<crate::diagnostics::Diagnostics> {
        let graph = self.graph()?;
        let token = crate::runtime::process()?.run(graph.token())?;
        Ok(crate::diagnostics::Diagnostics::from_token(&self.config, &token))
    }
}
