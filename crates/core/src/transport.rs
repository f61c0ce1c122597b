//! What a low-level HTTP failure means for a retry. The question that matters for a
//! non-idempotent request like `sendMail` is not "what broke" but "could the server
//! have received the request": a failed connect or TLS handshake means it certainly
//! did not (safe to send again); a timeout or a dropped connection after the
//! connection was up means it may have (sending again may duplicate the mail).
//! Errors never include URLs' query strings, headers or bodies.

use crate::error::{Error, ErrorKind};

/// Where a request failed, as far as a retry is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached the server (DNS, refused or timed-out connect): retry is safe.
    NotSent,
    /// The server's certificate was refused: retrying cannot help.
    Untrusted,
    /// The connection was up, so the request may have arrived (timeout, reset, EOF).
    MaybeSent,
}

/// Classifies a reqwest failure and describes it: where the request was going and
/// which setting controls it. `key` is the endpoint's config key.
pub(crate) fn describe(e: &reqwest::Error, what: &str, base: &str, key: &str) -> (Failure, Error) {
    let detail = root_cause(e);
    let untrusted = is_certificate_problem(&detail);
    let failure = if untrusted {
        Failure::Untrusted
    } else if e.is_connect() {
        Failure::NotSent
    } else {
        Failure::MaybeSent
    };
    let reason = match (failure, e.is_timeout()) {
        (Failure::Untrusted, _) => "refused the server's TLS certificate",
        (Failure::NotSent, true) => "timed out connecting",
        (Failure::NotSent, false) => "could not connect",
        (Failure::MaybeSent, true) => "timed out waiting for the answer",
        (Failure::MaybeSent, false) => "lost the connection",
    };
    let msg = if detail.is_empty() {
        format!("request to the {what} at {base} {reason}")
    } else {
        format!("request to the {what} at {base} {reason}: {detail}")
    };
    let hint = if untrusted {
        format!(
            "the server's TLS certificate is not trusted by the system trust store; for a private CA or a TLS-inspecting proxy \
             set `ca_file` to its PEM file (verification cannot be switched off); check `{key}` too"
        )
    } else if failure == Failure::MaybeSent && e.is_timeout() {
        "raise `timeout` (seconds per request) if the network or Graph is slow".to_string()
    } else {
        format!("check `{key}`, network access and proxy settings (HTTPS_PROXY, NO_PROXY)")
    };
    (failure, Error::new(ErrorKind::Transport, msg).with_hint(hint))
}

/// The innermost cause's text: reqwest's own Display says only "error sending request".
fn root_cause(e: &reqwest::Error) -> String {
    let mut detail = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        detail = s.to_string();
        src = s.source();
    }
    detail
}

fn is_certificate_problem(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("certificate") || d.contains("unknownissuer") || d.contains("invalid peer certificate")
}
