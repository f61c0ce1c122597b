//! Running one send for PHP: the core's send with the caller's progress callable, and what
//! the caller gets back (the receipt, or the exception). Used by `sendMime`,
//! `o365_send_mime` and, once the message is read, `sendMimeStream` (stream.rs).

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable};

use crate::progress::PhpProgress;

/// Sends rendered MIME, read in place (no copy): `sendMime` and `o365_send_mime`.
pub fn send_mime(
    mailer: &o365_core::Mailer,
    mime: &[u8],
    mailbox: Option<&str>,
    recipients: &[String],
    on_progress: Option<ZendCallable>,
) -> PhpResult<ZBox<ZendHashTable>> {
    crate::callback::refuse_inside("send a message")?;
    run(on_progress, |report| mailer.send_mime_with(mime, mailbox, recipients, Some(report)))
}

/// The send itself (`work`, given the progress reporter) and what the caller gets.
///
/// What the caller gets when the progress callable threw (see callback.rs for the rest):
/// - the message was sent all the same (Graph had accepted it, or the one request of a
///   small message was already under way): the receipt, with the exception described
///   in `warnings` and cleared, so that nobody retries a message that went out;
/// - the outcome is unknown: the `O365\OutcomeUnknownException`, whose `getPrevious()`
///   is the callable's exception;
/// - otherwise (not sent; a draft was deleted): the callable's own exception.
pub fn run(
    on_progress: Option<ZendCallable>,
    work: impl FnOnce(&mut dyn FnMut(&o365_core::Progress) -> bool) -> o365_core::Result<o365_core::Sent>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let mut progress = on_progress.map(PhpProgress::new);
    let result = {
        let mut report = |p: &o365_core::Progress| progress.as_mut().is_none_or(|cb| cb.report(p));
        work(&mut report)
    };
    let outcome = progress.map(PhpProgress::finish).unwrap_or_default();
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
            crate::arrays::receipt(sent)
        }
        Err(e) => {
            let previous = thrown(e.kind == o365_core::ErrorKind::OutcomeUnknown);
            // Not sent: a pending exception of the callable wins over ours (PhpException::throw
            // does not replace a pending exception), which is what the caller should see.
            Err(crate::exceptions::to_php_after(e, previous))
        }
    }
}
