//! `O365\Mailer`: a thin newtype around the core mailer. Construction validates the
//! config (unknown keys, wrong types, missing credentials become ConfigurationException).

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::arrays::OrderedArray;
use crate::callback::refuse_inside;

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
    ) -> PhpResult<ZBox<ZendHashTable>> {
        crate::send::send_mime(&self.inner, &mime, mailbox.as_deref(), &recipients, on_progress)
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
    ) -> PhpResult<ZBox<ZendHashTable>> {
        crate::stream::send_stream(&self.inner, mime, mailbox.as_deref(), &recipients, on_progress)
    }

    /// Acquires a token and reports granted roles, expiry, endpoints and the credential
    /// (kind, public details such as certificate thumbprints, warnings); never a secret.
    pub fn diagnose(&self) -> PhpResult<ZBox<ZendHashTable>> {
        refuse_inside("call diagnose()")?;
        let d = self.inner.diagnose().map_err(crate::exceptions::to_php)?;
        crate::arrays::diagnostics(d)
    }

    /// Checks, with Mail.Send alone and sending nothing, that the mailbox a send from
    /// `$sender` would use exists and may be used by this app (its keys and verdicts: docs/contracts.md).
    #[php(name = "checkMailbox")]
    #[php(optional = "sender")]
    pub fn check_mailbox(&self, sender: Option<String>) -> PhpResult<ZBox<ZendHashTable>> {
        refuse_inside("call checkMailbox()")?;
        let c = self.inner.check_mailbox(sender.as_deref()).map_err(crate::exceptions::to_php)?;
        crate::arrays::mailbox_check(c)
    }

    /// Debug output without secrets: var_dump() shows only public facts, in this order.
    #[php(name = "__debugInfo")]
    pub fn debug_info(&self) -> PhpResult<ZBox<ZendHashTable>> {
        let c = self.inner.config();
        Ok(OrderedArray::new()
            .with("tenant_id", c.tenant_id.as_str())?
            .with("client_id", c.client_id.as_str())?
            .with("credential", c.credential.describe())?
            .with("cloud", c.cloud.name())?
            .with("login_endpoint", c.login_endpoint.as_str())?
            .with("graph_endpoint", c.graph_endpoint.as_str())?
            .with("mailbox", c.mailbox.as_deref().unwrap_or(""))?
            .build())
    }
}
