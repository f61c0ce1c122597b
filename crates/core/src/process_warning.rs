//! A warning said once per process: kept until the next receipt takes it, then never
//! again in that process. Fork-aware: a child of a fork (PHP-FPM workers) says its own,
//! since the parent's was handed out in the parent.

use std::sync::{Mutex, PoisonError};

/// One warning slot: the process (pid) that set it, the warning, whether it was taken.
pub(crate) struct ProcessWarning(Mutex<Option<(u32, Option<String>, bool)>>);

impl ProcessWarning {
    pub const fn new() -> Self {
        ProcessWarning(Mutex::new(None))
    }

    /// Keeps `message` unless this process already has a warning here.
    pub fn set(&self, message: impl FnOnce() -> String) {
        let pid = std::process::id();
        let mut w = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if w.as_ref().is_none_or(|(p, _, _)| *p != pid) {
            *w = Some((pid, Some(message()), false));
        }
    }

    /// The warning, the first time it is asked for in this process.
    pub fn take(&self) -> Option<String> {
        let pid = std::process::id();
        let mut w = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *w {
            Some((p, pending, given)) if *p == pid && !*given => {
                *given = true;
                pending.take()
            }
            _ => None,
        }
    }
}
