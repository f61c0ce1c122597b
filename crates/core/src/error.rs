//! The one error type of the sender. Every failure a PHP caller can meet is an `Error`
//! with a kind (which PHP exception class it becomes), the HTTP status, Graph's or
//! Entra's error code, the request ids to quote to Microsoft support, and a hint that
//! names the fix. Messages never contain secrets: they are built from codes and config
//! key names, never from credential values or tokens.

use std::fmt;
use std::time::Duration;

/// What went wrong, coarsely: decides the PHP exception class and whether to retry.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The configuration or the message is wrong; nothing was sent.
    Configuration,
    /// Entra refused to issue a token.
    Authentication,
    /// Graph throttled the request and retries were exhausted.
    Throttled,
    /// Graph answered 4xx.
    GraphClient,
    /// Graph answered 5xx.
    GraphServer,
    /// The request may or may not have been accepted (timeout or dropped connection
    /// after the body was sent, 504): retrying could send the mail twice.
    OutcomeUnknown,
    /// No usable answer: the request never reached the server (DNS, connect, TLS, a
    /// refused HTTP/2 stream), or an idempotent request (an upload chunk, a delete, a
    /// token request) was lost and its retries ran out. Never used for a request that
    /// may have sent a message: that is `OutcomeUnknown`.
    Transport,
    /// The caller's progress callback asked the send to stop (nothing was sent; a draft
    /// already created was deleted). Not a configuration problem.
    Cancelled,
}

/// An error of the sender.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Error {
    /// The kind of failure.
    pub kind: ErrorKind,
    /// What happened, in one sentence.
    pub message: String,
    /// The config key at fault (configuration errors).
    pub config_key: Option<String>,
    /// HTTP status of the failed response, if one came.
    pub status: Option<u16>,
    /// Graph's `error.code` or Entra's `AADSTS…` code.
    pub code: Option<String>,
    /// The `request-id` response header (Graph) or `correlation_id` (Entra).
    pub request_id: Option<String>,
    /// The `client-request-id` this client sent.
    pub client_request_id: Option<String>,
    /// The fix, when the code is a known one.
    pub hint: Option<String>,
    /// Graph's Retry-After, when it gave one.
    pub retry_after: Option<Duration>,
}

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            config_key: None,
            status: None,
            code: None,
            request_id: None,
            client_request_id: None,
            hint: None,
            retry_after: None,
        }
    }

    /// A configuration error naming the key to fix.
    pub fn config(key: &str, message: impl Into<String>) -> Self {
        let mut e = Error::new(ErrorKind::Configuration, message);
        e.config_key = Some(key.to_string());
        e
    }

    /// Adds the fix.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds the service's error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Adds the request ids.
    pub fn with_request_ids(mut self, request_id: Option<String>, client_request_id: Option<String>) -> Self {
        if request_id.is_some() {
            self.request_id = request_id;
        }
        if client_request_id.is_some() {
            self.client_request_id = client_request_id;
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            // The message is one sentence; end it before the fix starts.
            let stop = if self.message.ends_with(['.', '!', '?', ':']) { "" } else { "." };
            write!(f, "{stop} Fix: {hint}")?;
        }
        let mut ids = Vec::new();
        if let Some(s) = self.status {
            ids.push(format!("HTTP {s}"));
        }
        if let Some(c) = &self.code {
            ids.push(format!("code {c}"));
        }
        if let Some(r) = &self.request_id {
            ids.push(format!("request-id {r}"));
        }
        if let Some(c) = &self.client_request_id {
            ids.push(format!("client-request-id {c}"));
        }
        if !ids.is_empty() {
            write!(f, " ({})", ids.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The sender's result type.
pub type Result<T> = std::result::Result<T, Error>;
