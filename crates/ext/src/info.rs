//! The `phpinfo()` section: version and build facts only; configuration lives in PHP
//! arrays, so no secret can ever appear here.

use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

/// Prints the extension's `phpinfo()` table.
pub extern "C" fn php_module_info(_module: *mut ModuleEntry) {
    // phpinfo() runs outside a PHP call: a panic here would abort, so catch it.
    let _ = std::panic::catch_unwind(|| {
        info_table_start!();
        info_table_row!("o365 support", "enabled");
        info_table_row!("version", o365_core::VERSION);
        info_table_row!("engine", "o365-core (Rust), Microsoft Graph sendMail");
        info_table_row!("TLS", "rustls, system trust store (+ ca_file)");
        info_table_row!("build profile", if cfg!(debug_assertions) { "debug" } else { "release" });
        info_table_row!("built for", format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS));
        info_table_row!("bindings", "ext-php-rs 0.16.4");
        info_table_row!("PHP API", php_api());
        info_table_end!();
    });
}

/// The PHP API this build targets (its headers' ZEND_MODULE_API_NO). A build loads only
/// into a PHP of that API, so this says which PHP version a `.so` is for.
fn php_api() -> String {
    let api = ext_php_rs::ffi::ZEND_MODULE_API_NO;
    let version = match api {
        20220829 => "PHP 8.2",
        20230831 => "PHP 8.3",
        20240924 => "PHP 8.4",
        20250925 => "PHP 8.5",
        _ => "PHP version not known to this build",
    };
    format!("{api} ({version})")
}
