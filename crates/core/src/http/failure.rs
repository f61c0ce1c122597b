//! What a low-level HTTP failure means for a retry. The question that matters for a
//! non-idempotent request like `sendMail` is not "what broke" but "could the server
//! have received the request": a failed connect or TLS handshake means it certainly
//! did not (safe to send again); a timeout or a dropped connection after the
//! connection was up means it may have (sending again may duplicate the mail). Over
//! HTTP/2 the server can say it did not process a stream: RST_STREAM(REFUSED_STREAM), or
//! a GOAWAY whose last stream id is below ours (h2 reports that as a GOAWAY error on the
//! streams it covers); both are safe to send again. A request that could not even be
//! built never left the process.
//! Errors never include URLs' query strings, headers or bodies.

use crate::error::{Error, ErrorKind};

/// Where a request failed, as far as a retry is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached the server (DNS, refused or timed-out connect), or the server
    /// said it did not process the request (HTTP/2 refused stream, GOAWAY): retry is safe.
    NotSent,
    /// The request could not be built (an invalid URL): nothing was sent, and sending
    /// again cannot help.
    NotBuilt,
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
    let failure = if e.is_builder() {
        Failure::NotBuilt
    } else if untrusted {
        Failure::Untrusted
    } else if e.is_connect() || refused_by_server(e) {
        Failure::NotSent
    } else {
        Failure::MaybeSent
    };
    let reason = match (failure, e.is_timeout()) {
        (Failure::NotBuilt, _) => "could not be built (nothing was sent)",
        (Failure::Untrusted, _) => "refused the server's TLS certificate",
        (Failure::NotSent, true) => "timed out connecting",
        (Failure::NotSent, false) if e.is_connect() => "could not connect",
        (Failure::NotSent, false) => "was refused by the server before processing (HTTP/2)",
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

/// Whether the server said, over HTTP/2, that it did not process the request: a
/// RST_STREAM with REFUSED_STREAM, or a GOAWAY received from the server that did not
/// cover our stream (h2 hands that GOAWAY's error only to streams above its last stream
/// id and to streams opened after it; streams it covers fail as a broken pipe instead).
fn refused_by_server(e: &reqwest::Error) -> bool {
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(h2) = s.downcast_ref::<h2::Error>() {
            return h2.is_remote() && (h2.is_go_away() || h2.reason() == Some(h2::Reason::REFUSED_STREAM));
        }
        src = s.source();
    }
    false
}

/// A 3xx answer, which is never followed: the error names the Location refused (its
/// scheme, host and path; the query is left out) and the endpoint setting to check.
pub(crate) fn redirect_refused(status: u16, headers: &reqwest::header::HeaderMap, what: &str, key: &str) -> Error {
    let location = headers.get(reqwest::header::LOCATION).map(|v| String::from_utf8_lossy(v.as_bytes()).to_string()).unwrap_or_default();
    let shown: String = location.split(['?', '#']).next().unwrap_or("").chars().filter(|c| !c.is_control()).take(200).collect();
    let target = if shown.is_empty() { "no Location".to_string() } else { format!("Location `{shown}`") };
    Error::new(
        ErrorKind::GraphServer,
        format!("{what} answered HTTP {status}, a redirect to {target}; redirects are never followed (they would carry the credentials or the message to another server)"),
    )
    .with_status(status)
    .with_hint(format!("set `{key}` to the service's own base URL; a server or proxy that redirects it is misconfigured or hostile"))
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
