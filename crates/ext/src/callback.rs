//! Calling the user's progress callable in the middle of a send, so that whatever it does
//! the send ends cleanly and the process can send again (a php-fpm worker serves
//! thousands of requests after this one).
//!
//! The callable runs on the PHP thread inside the core's blocking wait (inside tokio's
//! `block_on`), between polls of the send. What it may do, and what happens:
//! - throw, or call `exit()` (an exception in PHP 8): the exception stays pending, the
//!   send stops before its next request (a draft is deleted) and returns; see
//!   `send::run` for what the caller then gets.
//! - a fatal error (E_ERROR, E_USER_ERROR, max_execution_time, memory_limit): the engine
//!   "bails out", a longjmp to the innermost `zend_try`. Unchecked it would jump over the
//!   send's frames: tokio's "inside a runtime" marker, the mailbox limiter's request slots
//!   and the draft cleanup would never be undone, and every later send in the process
//!   failed ("called from inside an async runtime"). So the call runs in ext-php-rs's
//!   `try_catch`: the bailout stops at our frame, no PHP code runs any more, the send
//!   stops and cleans up, and `send::run` re-raises the bailout once every frame of
//!   the send has returned (the engine then ends the request as it would have).
//! - send again (any o365 call that blocks): refused with an `O365\Exception`, because
//!   the send in progress holds the runtime and may hold all the mailbox's request slots.
//! - `Fiber::suspend()`: refused by the engine (fiber switches are blocked meanwhile), as
//!   suspending would leave the send's frames on a stack that may never resume.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::zend_object;
use ext_php_rs::types::{ZendCallable, ZendObject, Zval};
use ext_php_rs::zend::{CatchError, ExecutorGlobals, try_catch};

unsafe extern "C" {
    fn zend_fiber_switch_block();
    fn zend_fiber_switch_unblock();
    fn zend_is_unwind_exit(ex: *const zend_object) -> bool;
    fn zend_is_graceful_exit(ex: *const zend_object) -> bool;
}

thread_local! {
    /// Set while a progress callable runs on this thread.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

/// Whether a progress callable of a send in progress is running on this thread.
pub fn inside() -> bool {
    INSIDE.with(Cell::get)
}

/// What a call of the callable came to.
pub enum Called {
    /// It returned this value.
    Returned(Zval),
    /// It threw (the exception is pending in the engine), or could not be called.
    Threw,
    /// A fatal error: the engine is unwinding; no PHP code may run until it is re-raised.
    BailedOut,
}

/// Calls `callable(arg)` under the guards described in the module doc.
pub fn call(callable: &ZendCallable<'_>, arg: &Zval) -> Called {
    INSIDE.with(|f| f.set(true));
    // SAFETY: a counter in the engine; unblocked below on every path (a bailout is caught
    // by `try_catch`, which then returns here).
    unsafe { zend_fiber_switch_block() };
    let result = try_catch(AssertUnwindSafe(|| callable.try_call(vec![arg])));
    // SAFETY: paired with the block above.
    unsafe { zend_fiber_switch_unblock() };
    INSIDE.with(|f| f.set(false));
    match result {
        Ok(Ok(value)) => Called::Returned(value),
        Ok(Err(_)) => Called::Threw,
        Err(CatchError::Bailout) => Called::BailedOut,
        // A panic cannot come from PHP code; stop the send as if it had thrown.
        Err(_) => Called::Threw,
    }
}

/// Refuses a blocking call (`what`) from inside a progress callable (see the module doc).
pub fn refuse_inside(what: &str) -> ext_php_rs::prelude::PhpResult<()> {
    if inside() {
        return Err(crate::exceptions::refused(&format!(
            "cannot {what} from inside a progress callback: the send in progress holds the connection; send the next message after sendMime() returns"
        )));
    }
    Ok(())
}

/// Takes the exception the callable left pending, unless it is `exit()`/`die` (or a
/// fiber's graceful exit), which must keep unwinding the script.
pub fn take_thrown() -> Option<ZBox<ZendObject>> {
    let pending = ExecutorGlobals::get().exception;
    if pending.is_null() {
        return None;
    }
    // SAFETY: a pending exception is a live object owned by the engine.
    if unsafe { zend_is_unwind_exit(pending) || zend_is_graceful_exit(pending) } {
        return None;
    }
    ExecutorGlobals::take_exception()
}

/// "RuntimeException: the message" of a thrown object, for a receipt's warning.
pub fn describe(ex: &ZendObject) -> String {
    let class = ex.get_class_name().unwrap_or_else(|_| "an exception".into());
    let message = ex.try_call_method("getMessage", vec![]).ok().and_then(|m| m.string()).unwrap_or_default();
    let message: String = message.chars().take(300).collect();
    format!("{class}: {message}")
}
