//! The `O365\…Exception` hierarchy and the one conversion from a core error to a PHP
//! exception. The class is chosen by the error's kind; the message carries the hint; the
//! Graph code, HTTP status and request ids are readable through getters. Objects are
//! created with their data and then given the message, file, line and trace the engine
//! would give a PHP-created exception (the trace without arguments: a config array with
//! the client secret must never land in a logged trace). PHP code may construct them too,
//! with `\Exception`'s arguments (e.g. to simulate a failure in an application's tests).

use std::ffi::{c_char, c_int};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::ffi::{zend_class_entry, zend_object, zend_string, zval};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendObject, Zval};
use ext_php_rs::zend::{ClassEntry, ce};
use o365_core::{Error, ErrorKind};

unsafe extern "C" {
    static mut zend_ce_exception: *mut zend_class_entry;
    static spl_ce_RuntimeException: *mut zend_class_entry;
    fn zend_update_property_string(scope: *mut zend_class_entry, obj: *mut zend_object, name: *const c_char, len: usize, value: *const c_char);
    fn zend_update_property_long(scope: *mut zend_class_entry, obj: *mut zend_object, name: *const c_char, len: usize, value: i64);
    fn zend_update_property_str(scope: *mut zend_class_entry, obj: *mut zend_object, name: *const c_char, len: usize, value: *mut zend_string);
    fn zend_update_property(scope: *mut zend_class_entry, obj: *mut zend_object, name: *const c_char, len: usize, value: *mut zval);
    fn zend_get_executed_filename_ex() -> *mut zend_string;
    fn zend_get_executed_lineno() -> u32;
    fn zend_fetch_debug_backtrace(return_value: *mut zval, skip_last: c_int, options: c_int, limit: c_int);
}

const DEBUG_BACKTRACE_IGNORE_ARGS: c_int = 2;

/// `\RuntimeException`, the parent of `O365\Exception`. Read from SPL's exported class
/// entry: SPL is built into every PHP and starts before any shared extension, while the
/// class table lookup is not usable yet during our module startup.
pub fn runtime_exception() -> &'static ClassEntry {
    // SAFETY: SPL's MINIT set this pointer before ours runs; it lives for the process.
    let ptr = unsafe { spl_ce_RuntimeException };
    unsafe { ptr.as_ref() }.unwrap_or_else(ce::exception)
}

/// Facts an exception carries besides its message.
#[derive(Default, Clone)]
pub struct Facts {
    graph_code: Option<String>,
    status: Option<i64>,
    request_id: Option<String>,
    client_request_id: Option<String>,
    hint: Option<String>,
    config_key: Option<String>,
    retry_after: Option<f64>,
}

macro_rules! exception_class {
    ($rust:ident, $php:literal, $($extends:tt)*) => {
        #[php_class]
        #[php(name = $php)]
        #[php(extends($($extends)*))]
        #[derive(Default)]
        pub struct $rust {
            facts: Facts,
        }

        #[php_impl]
        impl $rust {
            /// Same arguments as \Exception's constructor; the Graph facts stay null.
            #[php(defaults(message = String::new(), code = 0))]
            #[php(optional = "message")]
            pub fn __construct(message: String, code: i64, previous: Option<&Zval>) -> Self {
                init_from_php(&message, code, previous);
                Self::default()
            }

            /// Graph's error code (e.g. ErrorAccessDenied) or Entra's AADSTS code.
            #[php(name = "getGraphCode")]
            pub fn get_graph_code(&self) -> Option<String> {
                self.facts.graph_code.clone()
            }

            /// HTTP status of the failed response.
            #[php(name = "getStatusCode")]
            pub fn get_status_code(&self) -> Option<i64> {
                self.facts.status
            }

            /// Graph's request-id (quote it to Microsoft support).
            #[php(name = "getRequestId")]
            pub fn get_request_id(&self) -> Option<String> {
                self.facts.request_id.clone()
            }

            /// The client-request-id this client sent.
            #[php(name = "getClientRequestId")]
            pub fn get_client_request_id(&self) -> Option<String> {
                self.facts.client_request_id.clone()
            }

            /// The fix for this error, when known.
            #[php(name = "getHint")]
            pub fn get_hint(&self) -> Option<String> {
                self.facts.hint.clone()
            }

            /// The config key at fault (configuration errors).
            #[php(name = "getConfigKey")]
            pub fn get_config_key(&self) -> Option<String> {
                self.facts.config_key.clone()
            }

            /// Seconds to wait before sending again, when Graph said (Retry-After) or the
            /// shared limiter knows (a held mailbox, a full window): a queue releases the
            /// job for that long.
            #[php(name = "getRetryAfter")]
            pub fn get_retry_after(&self) -> Option<f64> {
                self.facts.retry_after
            }
        }
    };
}

exception_class!(BaseException, "O365\\Exception", ce = runtime_exception, stub = "\\RuntimeException");
exception_class!(ConfigurationException, "O365\\ConfigurationException", BaseException);
exception_class!(AuthenticationException, "O365\\AuthenticationException", BaseException);
exception_class!(TransportException, "O365\\TransportException", BaseException);
exception_class!(GraphException, "O365\\GraphException", BaseException);
exception_class!(ThrottledException, "O365\\ThrottledException", GraphException);
exception_class!(OutcomeUnknownException, "O365\\OutcomeUnknownException", BaseException);

/// Registers the hierarchy, parents first.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<BaseException>()
        .class::<ConfigurationException>()
        .class::<AuthenticationException>()
        .class::<TransportException>()
        .class::<GraphException>()
        .class::<ThrottledException>()
        .class::<OutcomeUnknownException>()
}

/// Converts a core error into the PHP exception of its kind.
pub fn to_php(e: Error) -> PhpException {
    to_php_after(e, None)
}

/// As `to_php`, with `previous` (what the progress callback threw) as `getPrevious()`.
pub fn to_php_after(e: Error, previous: Option<ZBox<ZendObject>>) -> PhpException {
    let message = e.to_string();
    let facts = Facts {
        graph_code: e.code.clone(),
        status: e.status.map(i64::from),
        request_id: e.request_id.clone(),
        client_request_id: e.client_request_id.clone(),
        hint: e.hint.clone(),
        config_key: e.config_key.clone(),
        retry_after: e.retry_after.map(|d| d.as_secs_f64()),
    };
    let code = e.status.map_or(0, i32::from);
    let built = match e.kind {
        ErrorKind::Configuration => build(ConfigurationException { facts }, &message, code),
        ErrorKind::Authentication => build(AuthenticationException { facts }, &message, code),
        ErrorKind::Throttled => build(ThrottledException { facts }, &message, code),
        ErrorKind::GraphClient | ErrorKind::GraphServer => build(GraphException { facts }, &message, code),
        ErrorKind::OutcomeUnknown => build(OutcomeUnknownException { facts }, &message, code),
        // Stopped by the caller's own progress callback: nothing to fix in the config, so
        // the base class (what a PHP caller catches for any o365 failure).
        ErrorKind::Cancelled => build(BaseException { facts }, &message, code),
        _ => build(TransportException { facts }, &message, code),
    };
    match built {
        Some(mut object) => {
            if let Some(previous) = previous {
                set_previous(&mut object, previous);
            }
            PhpException::from_class::<BaseException>(message).with_object(object)
        }
        None => PhpException::from_class::<BaseException>(message),
    }
}

/// A plain `O365\Exception` for a call the extension refuses before the core runs.
pub fn refused(message: &str) -> PhpException {
    match build(BaseException::default(), message, 0) {
        Some(object) => PhpException::from_class::<BaseException>(message.to_string()).with_object(object),
        None => PhpException::from_class::<BaseException>(message.to_string()),
    }
}

fn set_previous(object: &mut Zval, previous: ZBox<ZendObject>) {
    let Some(obj) = object.object_mut() else {
        return;
    };
    let std = obj as *mut ZendObject as *mut zend_object;
    let Ok(mut previous) = previous.into_zval(false) else {
        return;
    };
    // SAFETY: `std` is a live exception object we own; `previous` is a Throwable (it was
    // thrown), as \Exception's typed `previous` property requires. The engine copies it.
    unsafe { zend_update_property(zend_ce_exception, std, c"previous".as_ptr(), 8, &raw mut previous) };
}

fn build<T: ext_php_rs::class::RegisteredClass>(value: T, message: &str, code: i32) -> Option<Zval> {
    let mut obj = ZendClassObject::new(value);
    let std = obj.get_mut_zend_obj() as *mut zend_object;
    // SAFETY: `std` is a live object we own.
    unsafe { fill(std, message, i64::from(code), 0) };
    obj.into_zval(false).ok()
}

/// Sets message, code, file, line and trace (without arguments) the way
/// zend_default_exception_new and \Exception::__construct would; `skip` frames are left
/// out of the trace (1 inside our constructor, whose own frame PHP would not show).
///
/// # Safety
/// `std` must point to a live object whose class extends \Exception.
unsafe fn fill(std: *mut zend_object, message: &str, code: i64, skip: c_int) {
    let Ok(msg) = std::ffi::CString::new(message.replace('\0', " ")) else {
        return;
    };
    // SAFETY: the property names are declared on \Exception, written with its scope as
    // zend_default_exception_new does.
    unsafe {
        let scope = zend_ce_exception;
        zend_update_property_string(scope, std, c"message".as_ptr(), 7, msg.as_ptr());
        zend_update_property_long(scope, std, c"code".as_ptr(), 4, code);
        let file = zend_get_executed_filename_ex();
        if !file.is_null() {
            zend_update_property_str(scope, std, c"file".as_ptr(), 4, file);
            zend_update_property_long(scope, std, c"line".as_ptr(), 4, i64::from(zend_get_executed_lineno()));
        }
        let mut trace = Zval::new();
        zend_fetch_debug_backtrace(&raw mut trace, skip, DEBUG_BACKTRACE_IGNORE_ARGS, 0);
        if trace.is_array() {
            zend_update_property(scope, std, c"trace".as_ptr(), 5, &raw mut trace);
        }
    }
}

/// `new O365\…Exception($message, $code, $previous)` from PHP: the object being
/// constructed is `$this` of the running call frame.
fn init_from_php(message: &str, code: i64, previous: Option<&Zval>) {
    let ex = ext_php_rs::zend::ExecutorGlobals::get().current_execute_data;
    // SAFETY: inside a method call the engine's current frame is live; `This` is the
    // object under construction (its zend part is initialised before __construct runs).
    let Some(this) = (unsafe { ex.as_mut() }).and_then(|ex| ex.get_self()) else {
        return;
    };
    let std = this as *mut zend_object;
    // SAFETY: `std` is live (the engine holds it) and our classes extend \Exception.
    unsafe { fill(std, message, code, 1) };
    if let Some(prev) = previous.filter(|p| p.is_object()) {
        let mut prev = prev.shallow_clone();
        // SAFETY: as above; \Exception's typed `previous` property rejects non-Throwables
        // with a TypeError, as PHP's own constructor does.
        unsafe { zend_update_property(zend_ce_exception, std, c"previous".as_ptr(), 8, &raw mut prev) };
    }
}
