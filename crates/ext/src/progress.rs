//! Progress reports to a PHP callable, and the receipt array. The core never sees the
//! callable: it reports through a channel that the blocking send drains on the PHP
//! thread between polls (tokio's worker threads must never enter the engine). The
//! callable gets one array `['phase' => 'upload', 'bytes_sent' => int, 'bytes_total' =>
//! int, 'attachment' => ?string]`; returning `false` (or throwing, or any fatal error:
//! see callback.rs) stops the send at the next request boundary, and a draft already
//! created is deleted. After the first stop the callable is not called again.

use std::collections::HashMap;

use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, Zval};

use crate::callback::{self, Called};

/// A PHP callable as a core progress callback.
pub struct PhpProgress<'a> {
    callable: ZendCallable<'a>,
    stopped: bool,
    outcome: Outcome,
}

/// What the callable did during the send, for `mailer::send`.
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
    let mut ht = ZendHashTable::new();
    ht.insert("phase", p.phase.name()).ok()?;
    ht.insert("bytes_sent", p.bytes_sent as i64).ok()?;
    ht.insert("bytes_total", p.bytes_total as i64).ok()?;
    ht.insert("attachment", p.attachment.clone()).ok()?;
    let mut z = Zval::new();
    z.set_hashtable(ht);
    Some(z)
}

/// The receipt array: `mailbox`, `request_id`, `client_request_id`, `route` (`mime`,
/// `json` or `draft`), `already_sent` (true: nothing was sent, the send ledger knows the
/// Message-ID as accepted before and this is that send's receipt) and `warnings` (list of
/// strings: headers the JSON form dropped, a Sent Items copy that could not be avoided).
pub fn receipt_array(sent: o365_core::Sent) -> PhpResult<HashMap<String, Zval>> {
    let mut out = HashMap::new();
    let mut put = |k: &str, v: Result<Zval, ext_php_rs::error::Error>| -> PhpResult<()> {
        out.insert(k.to_string(), v.map_err(|e| PhpException::from(e.to_string()))?);
        Ok(())
    };
    put("mailbox", sent.receipt.mailbox.into_zval(false))?;
    put("request_id", sent.receipt.request_id.into_zval(false))?;
    put("client_request_id", sent.receipt.client_request_id.into_zval(false))?;
    put("route", sent.route.name().into_zval(false))?;
    put("already_sent", sent.receipt.already_sent.into_zval(false))?;
    put("warnings", sent.warnings.into_zval(false))?;
    Ok(out)
}
