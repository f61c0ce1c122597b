//! Progress reports to a PHP callable. The core never sees the callable: it reports
//! through a channel that the blocking send drains on the PHP thread between polls
//! (tokio's worker threads must never enter the engine). The callable gets one array
//! `['phase' => 'upload', 'bytes_sent' => int, 'bytes_total' => int, 'attachment' =>
//! ?string]` (built by arrays.rs); returning `false` (or throwing, or any fatal error: see
//! callback.rs) stops the send at the next request boundary, and a draft already created
//! is deleted. After the first stop the callable is not called again.

use ext_php_rs::types::{ZendCallable, Zval};

use crate::callback::{self, Called};

/// A PHP callable as a core progress callback.
pub struct PhpProgress<'a> {
    callable: ZendCallable<'a>,
    stopped: bool,
    outcome: Outcome,
}

/// What the callable did during the send, for `send::run`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    /// It threw (the exception may still be pending).
    pub threw: bool,
    /// A fatal error happened in it; the bailout must be re-raised.
    pub bailed_out: bool,
}

impl<'a> PhpProgress<'a> {
    pub fn new(callable: ZendCallable<'a>) -> Self {
        PhpProgress { callable, stopped: false, outcome: Outcome::default() }
    }

    /// Calls the callable; `false` asks the send to stop.
    pub fn report(&mut self, p: &o365_core::Progress) -> bool {
        if self.stopped {
            return false;
        }
        let Some(arg) = progress_array(p) else {
            return true;
        };
        match callback::call(&self.callable, &arg) {
            Called::Returned(ret) => self.stopped = ret.is_false(),
            Called::Threw => {
                self.stopped = true;
                self.outcome.threw = true;
            }
            Called::BailedOut => {
                self.stopped = true;
                self.outcome.bailed_out = true;
            }
        }
        !self.stopped
    }

    /// Ends the reports (drops the callable) and says what the callable did.
    pub fn finish(self) -> Outcome {
        self.outcome
    }
}

fn progress_array(p: &o365_core::Progress) -> Option<Zval> {
    let mut z = Zval::new();
    z.set_hashtable(crate::arrays::progress(p).ok()?);
    Some(z)
}
