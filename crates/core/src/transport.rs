//! Turns low-level HTTP client failures into errors that say where the request was going
//! and which setting controls it. Never includes URLs' query strings or headers.

use crate::error::{Error, ErrorKind};

/// Describes a reqwest failure before any response was read.
pub(crate) fn describe(e: reqwest::Error, what: &str, base: &str, key: &str) -> Error {
    let reason = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut detail = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = src {
        detail = s.to_string();
        src = s.source();
    }
    let msg = if detail.is_empty() {
        format!("request to the {what} at {base} {reason}")
    } else {
        format!("request to the {what} at {base} {reason}: {detail}")
    };
    let hint = if detail.contains("certificate") || detail.contains("UnknownIssuer") {
        format!("the server's TLS certificate is not trusted; for a private CA set `ca_file` to its PEM file (check `{key}` too)")
    } else {
        format!("check `{key}`, network access and proxy settings (HTTPS_PROXY, NO_PROXY)")
    };
    let kind = if e.is_timeout() && !e.is_connect() { ErrorKind::OutcomeUnknown } else { ErrorKind::Transport };
    Error::new(kind, msg).with_hint(hint)
}
