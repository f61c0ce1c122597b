//! Is a sending mailbox usable by this app, asked with nothing beyond Mail.Send: a
//! sendMail of a message without recipients sends nothing and Graph checks the caller
//! and the mailbox before the message, so its answer tells whether a real send would
//! pass (400 ErrorInvalidRecipients), or why not: 404 unknown or unlicensed mailbox,
//! 403 no permission or outside an access restriction. Reading the user (GET /users)
//! would need User.Read.All, which a mail-only app lacks.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::graph::mailbox::MailboxClient;
use crate::graph::request::{GraphRequest, Replay};
use crate::config::Config;
use crate::graph::client::GraphClient;

/// What Graph said about the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxStatus {
    /// The mailbox exists and the app may send as it.
    Usable,
    /// 404 ErrorInvalidUser: no such mailbox in the tenant.
    NotFound,
    /// 404 MailboxNotEnabledForRESTAPI: unlicensed, on-premises or soft-deleted.
    NotEnabled,
    /// 403 "Access to OData is disabled" / RAOP: an application access policy or an
    /// Exchange RBAC for Applications scope excludes the mailbox.
    OutsideScope,
    /// 403 "Access is denied": the app has no Mail.Send (or no admin consent).
    AccessDenied,
}

impl MailboxStatus {
    /// Lowercase name, as PHP sees it.
    pub fn name(self) -> &'static str {
        match self {
            MailboxStatus::Usable => "usable",
            MailboxStatus::NotFound => "not_found",
            MailboxStatus::NotEnabled => "not_enabled",
            MailboxStatus::OutsideScope => "outside_scope",
            MailboxStatus::AccessDenied => "access_denied",
        }
    }
}

/// The verdict, with Graph's answer behind it (its request-id, message and hint).
#[derive(Debug, Clone)]
pub struct MailboxCheck {
    /// The mailbox checked, picked as a send picks it.
    pub mailbox: String,
    /// The verdict.
    pub status: MailboxStatus,
    /// Graph's refusal, for every verdict but `Usable`.
    pub refusal: Option<Error>,
}

/// Checks the mailbox a send with envelope sender `sender` would use. Graph's answers
/// outside the verdicts (throttling, outages, token errors) are returned as errors.
pub(crate) fn check(config: &Arc<Config>, sender: Option<&str>) -> Result<MailboxCheck> {
    let mailbox = match (config.mailbox.as_deref(), sender.map(str::trim).filter(|s| !s.is_empty())) {
        (None, None) => {
            return Err(Error::config("mailbox", "no sending mailbox: `mailbox` is not set and no sender was given")
                .with_hint("set `mailbox` (env O365_MAILBOX) or the From address to a mailbox of the tenant"));
        }
        _ => crate::send::sending_mailbox::pick(config, b"", sender)?,
    };
    let client = GraphClient::for_config(Arc::clone(config))?;
    let graph = MailboxClient::new(&client, &mailbox);
    // Sending nothing twice is harmless, so transient failures may be retried.
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["sendMail"]), "the mailbox check (sendMail without recipients)")
        .with_json(&serde_json::json!({"message": {}, "saveToSentItems": false}))?
        .with_replay(Replay::Idempotent);
    let refusal = match crate::runtime::process()?.run(graph.call(req)) {
        Ok(_) => return Ok(MailboxCheck { mailbox, status: MailboxStatus::Usable, refusal: None }),
        Err(e) => e,
    };
    match verdict(&refusal) {
        Some(MailboxStatus::Usable) => Ok(MailboxCheck { mailbox, status: MailboxStatus::Usable, refusal: None }),
        Some(status) => Ok(MailboxCheck { mailbox, status, refusal: Some(refusal) }),
        None => Err(refusal),
    }
}

fn verdict(e: &Error) -> Option<MailboxStatus> {
    match (e.status?, e.code.as_deref()?) {
        (400, "ErrorInvalidRecipients") => Some(MailboxStatus::Usable),
        (404, "ErrorInvalidUser" | "ResourceNotFound") => Some(MailboxStatus::NotFound),
        (404, "MailboxNotEnabledForRESTAPI") => Some(MailboxStatus::NotEnabled),
        (403, "ErrorAccessDenied") if crate::graph::error::is_access_restriction(&e.message) => Some(MailboxStatus::OutsideScope),
        (403, "ErrorAccessDenied") => Some(MailboxStatus::AccessDenied),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{verdict, MailboxStatus};
    use crate::error::{Error, ErrorKind};

    fn refusal(status: u16, code: &str, graph_message: &str) -> Error {
        Error::new(ErrorKind::GraphClient, format!("Graph refused the mailbox check for mailbox `m@contoso.com`: {graph_message}"))
            .with_status(status)
            .with_code(code)
    }

    #[test]
    fn a_restriction_is_told_apart_from_missing_consent_in_every_wording() {
        for message in ["Access to OData is disabled.", "Access to OData is disabled.: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."] {
            assert_eq!(verdict(&refusal(403, "ErrorAccessDenied", message)), Some(MailboxStatus::OutsideScope), "{message}");
        }
        assert_eq!(verdict(&refusal(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")), Some(MailboxStatus::AccessDenied));
    }

    #[test]
    fn no_recipients_means_usable_and_other_answers_are_errors() {
        assert_eq!(verdict(&refusal(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")), Some(MailboxStatus::Usable));
        assert_eq!(verdict(&refusal(404, "ErrorInvalidUser", "The requested user 'm@contoso.com' is invalid.")), Some(MailboxStatus::NotFound));
        assert_eq!(verdict(&refusal(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive")), Some(MailboxStatus::NotEnabled));
        assert_eq!(verdict(&refusal(429, "ApplicationThrottled", "Too many requests")), None);
        assert_eq!(verdict(&refusal(400, "ErrorInvalidRequest", "bad body")), None);
    }
}
