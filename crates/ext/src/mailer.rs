//! `O365\Mailer`: a thin newtype around the core mailer. Construction validates the
//! config (unknown keys, wrong types, missing credentials become ConfigurationException).

use std::collections::HashMap;

use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

/// Sends mail through Microsoft Graph.
#[php_class]
#[php(name = "O365\\Mailer")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct Mailer {
    inner: o365_core::Mailer,
}

#[php_impl]
impl Mailer {
    /// Validates `$config` and creates the mailer (no network access).
    pub fn __construct(config: &ZendHashTable) -> PhpResult<Self> {
        let config = crate::config::from_array(config).map_err(crate::exceptions::to_php)?;
        Ok(Mailer { inner: o365_core::Mailer::new(config) })
    }

    /// The config keys the constructor takes (core's one list): the Symfony DSN factory
    /// takes exactly these, so a key added to core is settable from a DSN too.
    #[php(name = "configKeys")]
    pub fn config_keys() -> Vec<&'static str> {
        o365_core::CONFIG_KEYS.to_vec()
    }

    /// Sends rendered MIME; `$recipients` are all envelope recipients (To, Cc, Bcc);
    /// `$on_progress` gets upload progress of large messages (see progress.rs); returning
    /// false or throwing stops the send before its next request (a draft is deleted). If
    /// Graph accepted the message all the same, the receipt is returned and the exception
    /// is described in its `warnings` instead of thrown (see docs/sender.md, Security).
    /// A message whose Message-ID the send ledger knows as accepted is not sent again: the
    /// receipt is that send's, with `already_sent` true (false on every other receipt).
    #[php(name = "sendMime")]
    #[php(defaults(recipients = vec![]))]
    #[php(optional = "mailbox")]
    pub fn send_mime(
        &self,
        mime: ext_php_rs::binary_slice::BinarySlice<u8>,
        mailbox: Option<String>,
        recipients: Vec<String>,
        on_progress: Option<ext_php_rs::types::ZendCallable>,
    ) -> PhpResult<HashMap<String, ext_php_rs::types::Zval>> {
        send(&self.inner, &mime, mailbox.as_deref(), &recipients, on_progress)
    }

    /// Sends MIME handed over in chunks: an iterable of strings (e.g. Symfony's
    /// `Message::toIterable()`) or a readable stream resource; never held whole (see
    /// stream.rs). Same arguments and receipt as `sendMime`.
    #[php(name = "sendMimeStream")]
    #[php(defaults(recipients = vec![]))]
    #[php(optional = "mailbox")]
    pub fn send_mime_stream(
        &self,
        mime: &ext_php_rs::types::Zval,
        mailbox: Option<String>,
        recipients: Vec<String>,
        on_progress: Option<&ext_php_rs::types::Zval>,
    ) -> PhpResult<HashMap<String, ext_php_rs::types::Zval>> {
        crate::stream::send_stream(&self.inner, mime, mailbox.as_deref(), &recipients, on_progress)
    }

    /// Acquires a token and reports granted roles, expiry, endpoints and the credential
    /// (kind, public details such as certificate thumbprints, warnings); never a secret.
    pub fn diagnose(&self) -> PhpResult<HashMap<String, ext_php_rs::types::Zval>> {
        refuse_inside_callback("call diagnose()")?;
        let d = self.inner.diagnose().map_err(crate::exceptions::to_php)?;
        crate::exceptions::diagnostics_array(d)
    }

    /// Checks, with Mail.Send alone and sending nothing, that the mailbox a send from
    /// `$sender` would use exists and may be used by this app (see mailbox_check.rs).
    #[php(name = "checkMailbox")]
    #[php(optional = "sender")]
    pub fn check_mailbox(&self, sender: Option<String>) -> PhpResult<HashMap<String, ext_php_rs::types::Zval>> {
        refuse_inside_callback("call checkMailbox()")?;
        let c = self.inner.check_mailbox(sender.as_deref()).map_err(crate::exceptions::to_php)?;
        crate::mailbox_check::check_array(c)
    }

    /// Debug output without secrets: var_dump() shows only public facts, in this order.
    #[php(name = "__debugInfo")]
    pub fn debug_info(&self) -> PhpResult<ext_php_rs::boxed::ZBox<ext_php_rs::types::ZendHashTable>> {
        let c = self.inner.config();
        let mut out = ext_php_rs::types::ZendHashTable::new();
        for (k, v) in [
            ("tenant_id", c.tenant_id.as_str()),
            ("client_id", c.client_id.as_str()),
            ("credential", c.credential.describe()),
            ("cloud", c.cloud.name()),
            ("login_endpoint", c.login_endpoint.as_str()),
            ("graph_endpoint", c.graph_endpoint.as_str()),
            ("mailbox", c.mailbox.as_deref().unwrap_or("")),
        ] {
            out.insert(k, v).map_err(|e| PhpException::from(e.to_string()))?;
        }
        Ok(out)
    }
}

/// Shared by `sendMime` and `o365_send_mime`. The MIME is read in place (no copy).
///
/// What the caller gets when the progress callable threw (see callback.rs for the rest):
/// - the message was sent all the same (Graph had accepted it, or the one request of a
///   small message was already under way): the receipt, with the exception described
///   in `warnings` and cleared, so that nobody retries a message that went out;
/// - the outcome is unknown: the `O365\OutcomeUnknownException`, whose `getPrevious()`
///   is the callable's exception;
/// - otherwise (not sent; a draft was deleted): the callable's own exception.
pub fn send(
    mailer: &o365_core::Mailer,
    mime: &[u8],
    mailbox: Option<&str>,
    recipients: &[String],
    on_progress: Option<ext_php_rs::types::ZendCallable>,
) -> PhpResult<HashMap<String, ext_php_rs::types::Zval>> {
    refuse_inside_callback("send a message")?;
    run_send(on_progress, |report| mailer.send_mime_with(mime, mailbox, recipients, Some(report)))
}

/// The send itself (`work`, given the progress reporter) and what the caller gets; shared
/// with `sendMimeStream` (stream.rs).
pub fn run_send(
    on_progress: Option<ext_php_rs::types::ZendCallable>,
    work: impl FnOnce(&mut dyn FnMut(&o365_core::Progress) -> bool) -> o365_core::Result<o365_core::Sent>,
) -> PhpResult<HashMap<String, ext_php_rs::types::Zval>> {
    let mut progress = on_progress.map(crate::progress::PhpProgress::new);
    let result = {
        let mut report = |p: &o365_core::Progress| progress.as_mut().is_none_or(|cb| cb.report(p));
        work(&mut report)
    };
    let outcome = progress.map(crate::progress::PhpProgress::finish).unwrap_or_default();
    if outcome.bailed_out {
        drop(result);
        // SAFETY: the send has returned and every value it owned is dropped; only the
        // caller's argument copies (a few bytes) are skipped. The engine was unwinding a
        // fatal error when callback.rs caught it; this resumes that unwinding.
        unsafe { ext_php_rs::zend::bailout() }
    }
    let thrown = |wanted: bool| {
        if outcome.threw && wanted { crate::callback::take_thrown() } else { None }
    };
    match result {
        Ok(mut sent) => {
            if let Some(ex) = thrown(true) {
                sent.warnings.push(format!(
                    "the progress callback threw {} but the message was sent (Graph accepted it); the exception is reported here instead of thrown, so that the message is not sent twice",
                    crate::callback::describe(&ex)
                ));
            }
            crate::progress::receipt_array(sent)
        }
        Err(e) => {
            let previous = thrown(e.kind == o365_core::ErrorKind::OutcomeUnknown);
            // Not sent: a pending exception of the callable wins over ours (PhpException::throw
            // does not replace a pending exception), which is what the caller should see.
            Err(crate::exceptions::to_php_after(e, previous))
        }
    }
}

/// Refuses a blocking call from inside a progress callable (see callback.rs).
pub fn refuse_inside_callback(what: &str) -> PhpResult<()> {
    if crate::callback::inside() {
        return Err(crate::exceptions::refused(&format!(
            "cannot {what} from inside a progress callback: the send in progress holds the connection; send the next message after sendMime() returns"
        )));
    }
    Ok(())
}
