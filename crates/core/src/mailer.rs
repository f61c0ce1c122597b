//! The sender: picks the mailbox, gets a token, posts the MIME to `sendMail`, and turns
//! the answer into a receipt or a typed error. Blocking API (PHP is synchronous); the
//! work runs on the per-process runtime so connections and tokens outlive the call.

use base64::Engine as _;

use crate::config::Config;
use crate::envelope;
use crate::error::{Error, Result};
use crate::token_cache;

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

/// A configured sender. Cheap to create; tokens and connections are process-wide.
#[derive(Debug, Clone)]
pub struct Mailer {
    config: Config,
}

impl Mailer {
    /// A sender for `config`.
    pub fn new(config: Config) -> Self {
        Mailer { config }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends a rendered MIME message. `mailbox` is the envelope sender (used unless the
    /// config fixes a mailbox); `recipients` are all envelope recipients (empty: the
    /// MIME headers' recipients).
    pub fn send_mime(&self, mime: &[u8], mailbox: Option<&str>, recipients: &[String]) -> Result<Receipt> {
        let (mime, _all) = envelope::prepare(mime, recipients)?;
        let mailbox = self.pick_mailbox(&mime, mailbox)?;
        let process = crate::runtime::process()?;
        let client = process.client(self.config.ca_file.as_ref())?;
        let body = base64::engine::general_purpose::STANDARD.encode(&mime);
        process.block_on(crate::send::send_mail_mime(&client, &self.config, &mailbox, body))
    }

    fn pick_mailbox(&self, mime: &[u8], envelope_sender: Option<&str>) -> Result<String> {
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
                .with_hint("set `mailbox` (env O365_MAILBOX) or a valid From address")
        })?;
        Ok(chosen)
    }

    /// Acquires a token (from the cache when valid) and reports what it grants.
    pub fn diagnose(&self) -> Result<crate::diagnostics::Diagnostics> {
        let process = crate::runtime::process()?;
        let client = process.client(self.config.ca_file.as_ref())?;
        let token = process.block_on(token_cache::get(&client, &self.config))?;
        Ok(crate::diagnostics::Diagnostics::from_token(&self.config, &token))
    }
}

