//! The PHP extension `o365`: bindings of o365-core for PHP, nothing else. Registers the
//! `O365\Mailer` class, the `o365_*` functions, the `O365\…Exception` hierarchy and the
//! `phpinfo()` section. All sending logic lives in o365-core.
#![cfg_attr(windows, feature(abi_vectorcall))]

mod arrays;
mod callback;
mod config;
mod config_rules;
mod exceptions;
mod functions;
mod info;
mod mailer;
mod progress;
mod send;
mod sensitive;
mod stream;

use ext_php_rs::prelude::*;

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = exceptions::register(module).class::<mailer::Mailer>().class::<config_rules::ConfigRules>();
    functions::register(module).info_function(info::php_module_info).request_startup_function(sensitive::on_request_start)
}
