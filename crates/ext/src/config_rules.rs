//! `O365\Config`: what the core knows about config values, for setup code that must not
//! keep a second copy (the Laravel `o365:install` dialog, a Symfony or plain-PHP form):
//! the clouds and the shape checks of Entra's ids. Static methods only; the validation
//! of a whole config stays `O365\Mailer::__construct`.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::arrays::OrderedArray;

/// Facts about config values (no instance: every method is static).
#[php_class]
#[php(name = "O365\\Config")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
#[derive(Default)]
pub struct ConfigRules;

#[php_impl]
impl ConfigRules {
    /// The values of `cloud`, each with Microsoft's name of it, in the order to offer them:
    /// `['global' => 'Global (incl. GCC)', 'usgov' => ..., 'usgov-dod' => ..., 'china' => ...]`.
    pub fn clouds() -> PhpResult<ZBox<ZendHashTable>> {
        let mut out = OrderedArray::new();
        for cloud in o365_core::Cloud::ALL {
            out = out.with(cloud.name(), cloud.label())?;
        }
        Ok(out.build())
    }

    /// Why `$value` cannot be right for `$key` (`tenant_id`, `client_id`, `client_secret`,
    /// `cloud`), as a sentence with the fix; null when it can, or the key has no shape
    /// to check. Never quotes a secret.
    pub fn problem(key: String, value: String) -> Option<String> {
        o365_core::app_ids::problem(&key, &value)
    }
}
