//! The web inbox, like Mailpit's: one page (`/`, `/ui/{id}`, `/ui/requests`) with its
//! script and styles compiled into the binary (`assets/`), so it works offline and needs
//! no framework or CDN. The script reads the JSON endpoints (`/_emulator/inbox`,
//! `/_emulator/messages/{id}`, `/_emulator/requests`) and follows `/_emulator/events`.
//! Everything the sender controls is put into the page as text, never as markup; the
//! HTML body is shown from `/_emulator/messages/{id}/html` in a sandboxed frame.

use super::reply;
use crate::http::{self, Resp};
use hyper::StatusCode;

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");
const ICON: &str = include_str!("assets/icon.svg");

/// The page's own policy: only its own script, styles, frames and API.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page (the script renders the view the URL names).
pub fn shell(status: StatusCode) -> Resp {
    let mut resp = http::with_body(status, "text/html; charset=utf-8", INDEX);
    http::set_header(&mut resp, "content-security-policy", PAGE_CSP);
    http::set_header(&mut resp, "cache-control", "no-cache");
    resp
}

/// `GET /_emulator/ui/{file}`.
pub fn asset(file: &str) -> Resp {
    let (kind, body) = match file {
        "app.js" => ("text/javascript; charset=utf-8", SCRIPT),
        "app.css" => ("text/css; charset=utf-8", STYLE),
        "icon.svg" => ("image/svg+xml", ICON),
        _ => return reply::error(StatusCode::NOT_FOUND, "no such asset"),
    };
    let mut resp = http::with_body(StatusCode::OK, kind, body);
    // Revalidated each load: a rebuilt emulator on the same port serves its own script.
    http::set_header(&mut resp, "cache-control", "no-cache");
    http::set_header(&mut resp, "x-content-type-options", "nosniff");
    resp
}
