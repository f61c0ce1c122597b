//! Small HTTP plumbing shared by every endpoint: the response type, JSON and empty
//! responses, and reading a request body with a size cap. The cap matters: Graph refuses
//! bodies over ~4 MB, and a client that streams 200 MB at us must not exhaust memory.

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Response, StatusCode};

/// Every response body is a complete buffer.
pub type Resp = Response<Full<Bytes>>;

/// Returned to hyper when a fault asks to drop the connection: hyper closes it without
/// writing a response.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an emulator fault rule")
    }
}

impl std::error::Error for DropConnection {}

/// A response with a body and a content type.
pub fn with_body(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}

/// A JSON response.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Resp {
    with_body(status, "application/json", serde_json::to_vec(value).unwrap_or_default())
}

/// A response without a body.
pub fn empty(status: StatusCode) -> Resp {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = status;
    resp
}

/// Sets a header, ignoring values that are not valid header text.
pub fn set_header(resp: &mut Resp, name: &'static str, value: &str) {
    if let Ok(v) = hyper::header::HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

/// What reading a body produced.
pub enum Body {
    /// The whole body, within the cap.
    Complete(Bytes),
    /// The body was larger than the cap (the rest was drained so the client sees our
    /// answer instead of a reset connection). Holds the total size seen.
    TooLarge(u64),
    /// The client went away or sent garbage framing.
    Broken,
}

/// Beyond this we stop draining an oversized body and let the connection close.
const DRAIN_CAP: u64 = 256 * 1024 * 1024;

/// Reads a body, keeping at most `limit` bytes.
pub async fn read_body(mut body: Incoming, limit: usize) -> Body {
    let mut buf = BytesMut::new();
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return Body::Broken };
        if let Ok(data) = frame.into_data() {
            total += data.len() as u64;
            if total <= limit as u64 {
                buf.extend_from_slice(&data);
            } else {
                buf.clear();
                if total > DRAIN_CAP {
                    return Body::TooLarge(total);
                }
            }
        }
    }
    if total > limit as u64 { Body::TooLarge(total) } else { Body::Complete(buf.freeze()) }
}

/// Percent-decodes a URL path segment (mailboxes arrive as `user%40contoso.com`).
pub fn pct_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of one query parameter.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let q = query?;
    form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_percent_escapes_and_tolerates_broken_ones() {
        assert_eq!(super::pct_decode("a%40b.com"), "a@b.com");
        assert_eq!(super::pct_decode("%"), "%");
        assert_eq!(super::pct_decode("%4"), "%4");
        assert_eq!(super::pct_decode("%zz%41"), "%zzA");
    }
}
