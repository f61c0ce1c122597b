//! The request log's entry, as `GET /_emulator/requests` lists it: one per Entra or
//! Graph request, the evidence tests read. `dispatch::pending_log` fills and writes it.

use serde::Serialize;

/// One request as `/_emulator/requests` lists it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RequestLog {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The mailbox in `/users/{mailbox}/...` or an upload URL, if any.
    pub mailbox: Option<String>,
    /// HTTP status answered; 0 when no answer was sent (a fault dropped the connection,
    /// or the client abandoned the request).
    pub status: u16,
    pub request_id: String,
    pub client_request_id: Option<String>,
    pub content_type: Option<String>,
    pub body_bytes: u64,
    /// Whether an Authorization header was present (never its value).
    pub authorization: bool,
    /// The Graph or Entra error code answered, if any.
    pub error: Option<String>,
    /// The Graph or Entra error message answered (`error.message`, or Entra's
    /// `error_description` up to its trace lines), so a developer sees why a send failed.
    pub error_message: Option<String>,
    /// A fault rule decided this answer.
    pub fault: bool,
    /// That rule, as `GET /_emulator/faults` lists it (with its hit count at the time).
    pub fault_rule: Option<serde_json::Value>,
    /// When the request arrived (ISO 8601, whole seconds).
    pub time: String,
    /// When the request arrived, in milliseconds since the Unix epoch: before any
    /// latency or fault delay, so gaps between attempts are the client's own.
    pub time_ms: u64,
    /// From arrival to the answer (or to the client going away).
    pub duration_ms: u64,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    /// Token requests: the `scope` asked for (never the secret or the assertion).
    pub scope: Option<String>,
    /// The client went away before the answer: it timed out, closed the connection,
    /// reset the stream or broke off the body. `status` is 0.
    pub abandoned: bool,
    /// The request is a mailbox check's probe (`o365:check`, `Mailer::checkMailbox()`):
    /// a sendMail of an empty message (`{"message": {}}`), which Graph answers 400
    /// ErrorInvalidRecipients when the mailbox is usable.
    pub check_probe: bool,
    /// The request failed: no answer (status 0) or an error status, except a check
    /// probe's 400 ErrorInvalidRecipients, the answer the check hopes for.
    pub failed: bool,
}

impl RequestLog {
    /// Whether the answer is a failure (see `failed`).
    pub fn is_failure(&self) -> bool {
        let usable = self.check_probe && self.status == 400 && self.error.as_deref() == Some("ErrorInvalidRecipients");
        self.status == 0 || (self.status >= 400 && !usable)
    }
}
