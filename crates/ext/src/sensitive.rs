//! `#[\SensitiveParameter]` on the parameters that carry the config array (and so the
//! client secret): `O365\Mailer::__construct($config)` and `o365_send_mime($config, …)`.
//! With it, PHP replaces the argument by a `SensitiveParameterValue` in every stack trace
//! (exceptions' `getTrace()`, `debug_backtrace()`, fatal error backtraces), whatever
//! `zend.exception_ignore_args` says. That matters for traces we do not build: a
//! TypeError for a bad argument, an exception thrown by the user's progress callback
//! (its trace includes the frame of `o365_send_mime` with its arguments).
//!
//! PHP's own extensions add the attribute in MINIT right after registering a class
//! (stub-generated `zend_add_parameter_attribute`, an inline wrapper of the exported
//! `zend_add_attribute`). ext-php-rs 0.16.4 has no API for it and runs our module startup
//! hook before it registers our classes, so this runs at request startup instead, before
//! any PHP code can call the functions: idempotent (an attribute already there is kept),
//! under a lock (ZTS threads share internal functions), a few hash lookups per request.
//! It creates nothing else (no runtime: see o365-core's runtime.rs on forks).

use std::ffi::{c_char, c_void};
use std::sync::Mutex;

use ext_php_rs::ffi::{HashTable, ext_php_rs_compiler_globals, zend_class_entry, zend_function, zend_hash_str_find_ptr_lc, zend_string};
use ext_php_rs::types::ZendStr;

unsafe extern "C" {
    fn zend_add_attribute(
        attributes: *mut *mut HashTable,
        name: *mut zend_string,
        argc: u32,
        flags: u32,
        offset: u32,
        lineno: u32,
    ) -> *mut c_void;
    fn zend_get_parameter_attribute_str(attributes: *mut HashTable, name: *const c_char, len: usize, offset: u32) -> *mut c_void;
}

/// `ZEND_ATTRIBUTE_PERSISTENT` (zend_attributes.h, PHP 8.1+): internal functions live for
/// the process, so their attributes are allocated with malloc, not the request allocator.
const ZEND_ATTRIBUTE_PERSISTENT: u32 = 1;

/// (class, function, 0-based parameter) of each config parameter; class "" = a function.
const SENSITIVE: [(&str, &str, u32); 2] = [("o365\\mailer", "__construct", 0), ("", "o365_send_mime", 0)];

static LOCK: Mutex<()> = Mutex::new(());

/// RINIT hook: marks the config parameters (see the module doc). Never fails the request.
pub extern "C" fn on_request_start(_type: i32, _module_number: i32) -> i32 {
    // A panic must not cross into the engine; there is none to expect here.
    let _ = std::panic::catch_unwind(mark_all);
    0
}

fn mark_all() {
    let _guard = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (class, function, arg) in SENSITIVE {
        if let Some(func) = find(class, function) {
            // SAFETY: `func` points into the engine's function table, which lives for the
            // process; the lock keeps two threads from adding at once.
            unsafe { mark(func, arg) };
        }
    }
}

/// The engine's own `zend_function` (not a copy) of a function or method.
fn find(class: &str, function: &str) -> Option<*mut zend_function> {
    // SAFETY: the engine's compiler globals (this thread's, in ZTS) live for the process.
    let cg = unsafe { ext_php_rs_compiler_globals().as_ref() }?;
    let table: *const HashTable = if class.is_empty() {
        cg.function_table
    } else {
        // SAFETY: the class table maps lowercase names to `zend_class_entry *`.
        let ce = unsafe { zend_hash_str_find_ptr_lc(cg.class_table, class.as_ptr().cast(), class.len()) }.cast::<zend_class_entry>();
        // SAFETY: a class entry found in the table is live; we only take its field's address.
        unsafe { ce.as_mut() }.map(|ce| &raw const ce.function_table)?
    };
    if table.is_null() {
        return None;
    }
    // SAFETY: function tables map lowercase names to `zend_function *`.
    let f = unsafe { zend_hash_str_find_ptr_lc(table, function.as_ptr().cast(), function.len()) }.cast::<zend_function>();
    (!f.is_null()).then_some(f)
}

/// Adds `#[\SensitiveParameter]` to parameter `arg` of `func` unless it is there already.
///
/// # Safety
/// `func` must be a live internal function of the engine's tables.
unsafe fn mark(func: *mut zend_function, arg: u32) {
    // SAFETY: every zend_function starts with the `common` part.
    let attributes = unsafe { &raw mut (*func).common.attributes };
    let lc = c"sensitiveparameter";
    // SAFETY: `*attributes` is null or the function's attribute table.
    if !unsafe { *attributes }.is_null()
        && !unsafe { zend_get_parameter_attribute_str(*attributes, lc.as_ptr(), lc.count_bytes(), arg) }.is_null()
    {
        return;
    }
    // A persistent, non-interned name: after startup, interned strings are per request,
    // and the engine would keep a pointer to one that dies with the request.
    let name = ZendStr::new("SensitiveParameter", true);
    let name_ptr = (&raw const *name).cast_mut();
    // SAFETY: as zend_add_parameter_attribute does (offset is 1-based for parameters);
    // the engine copies the name (refcount), ours is released when `name` drops.
    unsafe { zend_add_attribute(attributes, name_ptr, 0, ZEND_ATTRIBUTE_PERSISTENT, arg + 1, 0) };
}
