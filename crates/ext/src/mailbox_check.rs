//! The array `O365\Mailer::checkMailbox()` returns: the core's verdict on the sending
//! mailbox and, when Graph refused, its code, status, ids, message and fix.

use std::collections::HashMap;

use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;

/// `['mailbox', 'status', 'graph_code', 'status_code', 'request_id', 'message', 'hint']`.
pub fn check_array(c: o365_core::MailboxCheck) -> PhpResult<HashMap<String, Zval>> {
    let mut out = HashMap::new();
    let mut put = |k: &str, v: Result<Zval, ext_php_rs::error::Error>| -> PhpResult<()> {
        out.insert(k.to_string(), v.map_err(|e| PhpException::from(e.to_string()))?);
        Ok(())
    };
    let refusal = c.refusal;
    put("mailbox", c.mailbox.into_zval(false))?;
    put("status", c.status.name().into_zval(false))?;
    put("graph_code", refusal.as_ref().and_then(|e| e.code.clone()).into_zval(false))?;
    put("status_code", refusal.as_ref().and_then(|e| e.status).map(i64::from).into_zval(false))?;
    put("request_id", refusal.as_ref().and_then(|e| e.request_id.clone()).into_zval(false))?;
    put("message", refusal.as_ref().map(|e| e.message.clone()).into_zval(false))?;
    put("hint", refusal.and_then(|e| e.hint).into_zval(false))?;
    Ok(out)
}
