//! Fault rules, declared as data through `POST /_emulator/faults` and cleared with
//! `DELETE`: match a request by path (substring, case-insensitive), mailbox and method,
//! then answer a status with a Graph code and Retry-After, delay, or drop the connection
//! before or after reading the body. `times` limits how often a rule fires (default:
//! until cleared). `deliver: true` processes the request normally first (the message is
//! kept) and then answers with the fault: the "it went through but the client saw an
//! error" case that makes retries duplicate mail.

use serde::{Deserialize, Serialize};

/// Which requests a rule applies to.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultMatch {
    /// Matches when the request path contains this (case-insensitive), e.g. `sendMail`
    /// or `/oauth2/v2.0/token`.
    pub path: Option<String>,
    /// Matches the mailbox in `/users/{mailbox}/...` (case-insensitive).
    pub mailbox: Option<String>,
    /// Matches the HTTP method.
    pub method: Option<String>,
}

/// When to drop the connection instead of answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropWhen {
    BeforeBody,
    AfterBody,
}

/// One rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRule {
    #[serde(rename = "match")]
    pub matcher: FaultMatch,
    /// HTTP status to answer with.
    pub status: Option<u16>,
    /// Graph error code in the body (default: one that fits the status). On the token
    /// endpoint the body is Entra-shaped; `AADSTSnnnn` sets `error_codes`.
    pub graph_code: Option<String>,
    /// Error message (default: a generic one for the status).
    pub message: Option<String>,
    /// `Retry-After` header: seconds, may be fractional.
    pub retry_after: Option<serde_json::Value>,
    /// Delay before answering (or before processing, when no status is given), ms.
    pub delay_ms: Option<u64>,
    /// How many requests the rule applies to; absent: every matching request.
    pub times: Option<u64>,
    /// Drop the connection instead of answering.
    pub drop: Option<DropWhen>,
    /// Process the request normally, then answer with the fault (or drop).
    pub deliver: bool,
    /// How many requests this rule has hit (reported by GET).
    pub hits: u64,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str, mailbox: Option<&str>) -> bool {
        let m = &self.matcher;
        m.path.as_ref().is_none_or(|p| path.to_ascii_lowercase().contains(&p.to_ascii_lowercase()))
            && m.mailbox.as_ref().is_none_or(|want| mailbox.is_some_and(|have| have.eq_ignore_ascii_case(want)))
            && m.method.as_ref().is_none_or(|want| want.eq_ignore_ascii_case(method))
    }

    /// `Retry-After` as header text.
    pub fn retry_after_header(&self) -> Option<String> {
        match &self.retry_after {
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    }
}

/// The first live rule matching the request; counts the hit.
pub fn take(rules: &mut [FaultRule], method: &str, path: &str, mailbox: Option<&str>) -> Option<FaultRule> {
    let rule = rules
        .iter_mut()
        .find(|r| r.times.is_none_or(|t| r.hits < t) && r.matches(method, path, mailbox))?;
    rule.hits += 1;
    Some(rule.clone())
}

/// Parses the body of `POST /_emulator/faults`: a list of rules or a single rule.
pub fn parse(body: &[u8]) -> Result<Vec<FaultRule>, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let list = match value {
        serde_json::Value::Array(a) => a,
        other => vec![other],
    };
    list.into_iter()
        .map(|v| serde_json::from_value::<FaultRule>(v).map_err(|e| e.to_string()))
        .map(|r| r.map(|mut r| { r.hits = 0; r }))
        .collect()
}

/// A Graph error code that fits a status, for rules that give none.
pub fn default_code(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "InvalidAuthenticationToken",
        403 => "ErrorAccessDenied",
        404 => "ErrorItemNotFound",
        409 => "ErrorIrresolvableConflict",
        413 => "RequestEntityTooLarge",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceNotAvailable",
        504 => "GatewayTimeout",
        _ => "UnknownError",
    }
}
