//! The sender's public face: a config, and the blocking calls PHP makes (PHP is
//! synchronous). A send goes to the one orchestrator (`send::path`), which picks the
//! mailbox, checks and plans the message and runs its route on the per-process runtime,
//! so that connections and tokens outlive the call.

use std::sync::Arc;

use crate::config::Config;
use crate::error::Result;
use crate::graph::client::GraphClient;

use crate::graph::mailbox::Receipt;
use crate::send::mailbox_check::MailboxCheck;

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
    /// Large messages and `save_to_sent_items = false` are routed (see `send_path`).
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
        progress: Option<crate::send::path::ProgressFn<'_>>,
    ) -> Result<crate::send::path::Sent> {
        crate::send::path::send(&self.config, mime, mailbox, recipients, progress)
    }

    /// Sends a message received in chunks (`stream::Ingest`): a whole one exactly as
    /// [`Mailer::send_mime_with`], a split one as a draft with its attachments read from
    /// the spool.
    pub fn send_streamed(
        &self,
        message: &crate::mime::stream::Streamed,
        mailbox: Option<&str>,
        recipients: &[String],
        progress: Option<crate::send::path::ProgressFn<'_>>,
    ) -> Result<crate::send::path::Sent> {
        match message {
            crate::mime::stream::Streamed::Whole(mime) => self.send_mime_with(mime, mailbox, recipients, progress),
            crate::mime::stream::Streamed::Split(split) => {
                crate::send::path::send_input(&self.config, crate::send::path::Input::Split(split), mailbox, recipients, progress)
            }
        }
    }

    /// The sending mailbox: the configured one, else the envelope sender, else the
    /// message's Sender or From header.
    pub fn pick_mailbox(&self, mime: &[u8], envelope_sender: Option<&str>) -> Result<String> {
        crate::send::sending_mailbox::pick(&self.config, mime, envelope_sender)
    }

    /// Checks the mailbox a send with envelope sender `sender` would use (see
    /// `send::mailbox_check`). Graph's answers outside the verdicts (throttling, outages,
    /// token errors) are returned as errors.
    pub fn check_mailbox(&self, sender: Option<&str>) -> Result<MailboxCheck> {
        crate::send::mailbox_check::check(&self.config, sender)
    }

    /// Acquires a token (from the cache when valid) and reports what it grants, its
    /// expiry, the endpoints used and how the mailbox limits are shared (a Redis of
    /// `redis_url` is pinged). Never returns the token.
    pub fn diagnose(&self) -> Result<crate::diagnostics::Diagnostics> {
        let graph = self.graph()?;
        let process = crate::runtime::process()?;
        let token = process.run(graph.token())?;
        let mut report = crate::diagnostics::Diagnostics::from_token(&self.config, &token);
        let (limiter, warning) = process.run(async { Ok(crate::limiter::describe(&self.config).await) })?;
        report.limiter = limiter;
        report.warnings.extend(warning);
        Ok(report)
    }
}
