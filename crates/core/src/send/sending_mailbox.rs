//! Which mailbox sends: the configured `mailbox`, else the envelope sender, else the
//! message's Sender or From header. Checked before it goes into a URL.

use crate::config::Config;
use crate::mime::envelope;
use crate::error::{Error, Result};

/// The sending mailbox for `mime` (its header block suffices).
pub fn pick(config: &Config, mime: &[u8], envelope_sender: Option<&str>) -> Result<String> {
    if let Some(m) = &config.mailbox {
        return Ok(m.clone());
    }
    let chosen = match envelope_sender.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => {
            let headers = envelope::parse_headers(mime)?;
            headers.addresses(&["sender"]).into_iter().chain(headers.addresses(&["from"])).next().ok_or_else(|| {
                Error::config("mailbox", "no sending mailbox: the message has no From address and `mailbox` is not set")
                    .with_hint("set `mailbox` (env O365_MAILBOX) or give the message a From address")
            })?
        }
    };
    crate::config::url::check_mailbox("mailbox", &chosen).map_err(|_| {
        Error::config("mailbox", format!("the sender `{}` is not a usable mailbox address", chosen.escape_debug()))
            .with_hint("set `mailbox` (env O365_MAILBOX) or a valid From address: an address like sender@contoso.com, without line breaks, slashes, `?`, `#` or `%`")
    })?;
    Ok(chosen)
}
