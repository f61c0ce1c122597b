//! Writes to the control API (`POST`/`DELETE` under `/_emulator/`: reset, faults,
//! clearing or deleting messages) come from tests, scripts and the emulator's own page,
//! never from another site. Any web page the developer opens can send a "simple"
//! cross-site request (a form or a `text/plain` fetch, no preflight) to 127.0.0.1, so:
//! - a write whose `Origin` is not the emulator's own (the host it was reached under,
//!   or its base URL), or whose `Sec-Fetch-Site` says another site, is refused (403);
//! - a write with a body must say it is JSON (`Content-Type: application/json` or
//!   `*/*+json`), which no form and no simple request can (415).
//!
//! Non-browser clients send no `Origin`; the page's own `fetch` calls send its origin.

use super::reply;
use crate::http::Resp;
use crate::state::Shared;
use hyper::StatusCode;
use hyper::body::{Body as _, Incoming};
use hyper::http::request::Parts;

/// The refusal of a write that a foreign web page could have sent.
pub fn refuse(shared: &Shared, parts: &Parts, body: &Incoming) -> Option<Resp> {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_ascii_lowercase());
    let cross_site = header("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site");
    let origin = header("origin");
    if cross_site || origin.as_deref().is_some_and(|o| !own_origin(shared, parts, o)) {
        let shown: String = origin.unwrap_or_else(|| "another site".into()).chars().filter(|c| !c.is_control()).take(200).collect();
        let message = format!(
            "the control API refuses writes from other web pages (origin `{shown}`): only the emulator's own page ({}/) and clients that send no \
             Origin (tests, scripts, curl) may reset it, install faults or delete mail",
            shared.base_url
        );
        return Some(reply::error(StatusCode::FORBIDDEN, &message));
    }
    let has_body = match header("content-length") {
        Some(n) => n != "0",
        None => !body.is_end_stream(),
    };
    let kind = header("content-type").unwrap_or_default();
    let media = kind.split(';').next().unwrap_or_default().trim();
    if has_body && media != "application/json" && !media.ends_with("+json") {
        let message = format!(
            "control API writes take a JSON body sent with `Content-Type: application/json` (got `{}`), so that no web page can send one with a form; \
             e.g. curl -H 'Content-Type: application/json' -d '[...]'",
            if media.is_empty() { "no content type" } else { media }
        );
        return Some(reply::error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &message));
    }
    None
}

/// Whether `origin` is the emulator itself: the scheme and host the request came in
/// by (already one the emulator serves, see `host_guard`), or its base URL.
fn own_origin(shared: &Shared, parts: &Parts, origin: &str) -> bool {
    let scheme = shared.base_url.split("://").next().unwrap_or("http");
    let by_host = crate::host_guard::request_host(parts).is_some_and(|h| origin == format!("{scheme}://{}", h.trim().to_ascii_lowercase()));
    by_host || origin == shared.base_url.to_ascii_lowercase()
}
