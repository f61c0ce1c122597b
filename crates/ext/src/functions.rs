//! The procedural API: `o365_version()` and the one-call `o365_send_mime()`.

use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

/// The extension's version.
#[php_function]
#[php(name = "o365_version")]
pub fn o365_version() -> &'static str {
    o365_core::VERSION
}

/// Sends a rendered MIME message with a one-off config; returns the receipt array.
/// `$on_progress` as for `O365\Mailer::sendMime`.
#[php_function]
#[php(name = "o365_send_mime")]
#[php(defaults(recipients = vec![]))]
#[php(optional = "mailbox")]
pub fn o365_send_mime(
    config: &ZendHashTable,
    mime: ext_php_rs::binary_slice::BinarySlice<u8>,
    mailbox: Option<String>,
    recipients: Vec<String>,
    on_progress: Option<ext_php_rs::types::ZendCallable>,
) -> PhpResult<ext_php_rs::boxed::ZBox<ZendHashTable>> {
    let config = crate::config::from_array(config).map_err(crate::exceptions::to_php)?;
    let mailer = o365_core::Mailer::new(config);
    crate::send::send_mime(&mailer, &mime, mailbox.as_deref(), &recipients, on_progress)
}

/// Registers the functions of this module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(o365_version)).function(wrap_function!(o365_send_mime))
}
