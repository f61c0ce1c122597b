//! One message's endpoints for the web page and for tools: the HTML body with its
//! `cid:` images pointed at the message's own parts (served under a Content Security
//! Policy that keeps mail HTML from running scripts or reaching the inbox), parts by
//! Content-ID, attachment and raw-message downloads with their file names, read/unread,
//! delete, and the requests that made the message.

use super::reply;
use crate::http::{self, Resp};
use crate::record::{AttachmentRecord, MessageRecord};
use crate::request_log::RequestLog;
use hyper::StatusCode;

/// What the HTML body may do: show inline parts of this emulator, data: and remote
/// images, inline styles; never run scripts, submit forms, or be framed by another site.
/// `sandbox` also holds when the URL is opened directly, outside the inbox's iframe.
pub const BODY_CSP: &str = "default-src 'none'; img-src 'self' data: http: https:; style-src 'unsafe-inline' http: https:; \
font-src data: http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; \
sandbox allow-popups allow-popups-to-escape-sandbox";

/// `GET /_emulator/messages/{id}/html`.
pub fn html(m: &MessageRecord) -> Resp {
    let Some(body) = &m.body_html else {
        return reply::error(StatusCode::NOT_FOUND, "this message has no HTML body");
    };
    // Links open in a new tab instead of replacing the message inside the frame.
    let page = format!("<base target=\"_blank\">{}", resolve_cids(body, &m.id));
    let mut resp = http::with_body(StatusCode::OK, "text/html; charset=utf-8", page);
    http::set_header(&mut resp, "content-security-policy", BODY_CSP);
    http::set_header(&mut resp, "x-content-type-options", "nosniff");
    resp
}

/// Rewrites `cid:ID` references (RFC 2392, in `src`, `background`, CSS `url()`) to this
/// message's `/cid/ID` endpoint.
pub fn resolve_cids(html: &str, id: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while let Some(off) = lower[i..].find("cid:") {
        let start = i + off;
        // Only where a URL starts: after a quote, `(`, `=` or whitespace.
        let boundary = start == 0 || matches!(html.as_bytes()[start - 1], b'"' | b'\'' | b'(' | b'=' | b' ' | b'\t' | b'\n' | b'\r');
        let rest = &html[start + 4..];
        let len = rest.find(|c: char| matches!(c, '"' | '\'' | ')' | '>' | '<') || c.is_whitespace()).unwrap_or(rest.len());
        out.push_str(&html[i..start]);
        if boundary && len > 0 {
            out.push_str(&format!("/_emulator/messages/{}/cid/{}", pct_encode(id), pct_encode(&http::pct_decode(&rest[..len]))));
        } else {
            out.push_str(&html[start..start + 4 + len]);
        }
        i = start + 4 + len;
    }
    out.push_str(&html[i..]);
    out
}

/// Percent-encodes everything but unreserved characters, for a path segment.
pub fn pct_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /_emulator/messages/{id}/cid/{content-id}`: the inline part, shown inline.
pub fn by_content_id(m: &MessageRecord, cid: &str) -> Resp {
    let cid = http::pct_decode(cid);
    let cid = cid.trim_matches(['<', '>']);
    let found = m.attachments.iter().find(|a| a.content_id.as_deref() == Some(cid)).or_else(|| {
        m.attachments.iter().find(|a| a.content_id.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(cid)))
    });
    match found {
        Some(a) => part(a, "inline"),
        None => reply::error(StatusCode::NOT_FOUND, "no part of this message has that Content-ID"),
    }
}

/// `GET|HEAD /_emulator/messages/{id}/attachments/{n}`: a download with its file name.
pub fn attachment(m: &MessageRecord, n: &str) -> Resp {
    match n.parse::<usize>().ok().and_then(|n| m.attachments.get(n)) {
        Some(a) => part(a, "attachment"),
        None => reply::error(StatusCode::NOT_FOUND, "no such attachment (attachments are numbered from 0)"),
    }
}

fn part(a: &AttachmentRecord, disposition: &str) -> Resp {
    let mut resp = http::with_body(
        StatusCode::OK,
        a.content_type.as_deref().unwrap_or("application/octet-stream"),
        a.bytes.clone(),
    );
    let name = a.name.clone().unwrap_or_else(|| format!("attachment{}", extension(a.content_type.as_deref())));
    http::set_header(&mut resp, "content-disposition", &content_disposition(disposition, &name));
    // An attachment is data, never a page of the inbox's origin (an HTML attachment
    // opened in a tab must not run with the inbox's rights).
    http::set_header(&mut resp, "content-security-policy", "sandbox");
    http::set_header(&mut resp, "x-content-type-options", "nosniff");
    resp
}

/// A file extension for a nameless part, from its type.
fn extension(content_type: Option<&str>) -> &'static str {
    match content_type.map(|c| c.to_ascii_lowercase()).as_deref() {
        Some("application/pdf") => ".pdf",
        Some("image/png") => ".png",
        Some("image/jpeg") => ".jpg",
        Some("image/gif") => ".gif",
        Some("text/plain") => ".txt",
        Some("text/html") => ".html",
        Some("text/csv") => ".csv",
        Some("message/rfc822") => ".eml",
        _ => ".bin",
    }
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266): the
/// quoted form for old clients, the encoded one for names with non-ASCII characters.
pub fn content_disposition(kind: &str, name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    if ascii == name {
        format!("{kind}; filename=\"{ascii}\"")
    } else {
        format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}", pct_encode(name))
    }
}

/// A file name for the raw message: the subject, made safe, and the extension.
pub fn download_name(m: &MessageRecord, ext: &str) -> String {
    let subject = m.subject.as_deref().unwrap_or("").trim();
    let base: String = subject
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.') { c } else { '_' })
        .take(80)
        .collect();
    let base = base.trim();
    if base.is_empty() { format!("message-{}{ext}", m.id) } else { format!("{base}{ext}") }
}

/// `GET /_emulator/messages/{id}/mime`: the raw MIME; `?download` adds a `.eml` name.
pub fn mime(m: &MessageRecord, download: bool) -> Resp {
    let Some(mime) = &m.mime else {
        return reply::error(StatusCode::NOT_FOUND, "this message was not sent as MIME (see /json)");
    };
    let mut resp = http::with_body(StatusCode::OK, "message/rfc822", mime.clone());
    if download {
        http::set_header(&mut resp, "content-disposition", &content_disposition("attachment", &download_name(m, ".eml")));
    }
    resp
}

/// `GET /_emulator/messages/{id}/json`: the JSON message as the client sent it
/// (attachment bytes elided); `?download` adds a `.json` name.
pub fn json(m: &MessageRecord, download: bool) -> Resp {
    let Some(v) = &m.json else {
        return reply::error(StatusCode::NOT_FOUND, "this message was not sent as JSON (see /mime)");
    };
    let mut resp = http::with_body(StatusCode::OK, "application/json", serde_json::to_vec_pretty(v).unwrap_or_default());
    if download {
        http::set_header(&mut resp, "content-disposition", &content_disposition("attachment", &download_name(m, ".json")));
    }
    resp
}

/// The logged requests that made a message, in arrival order: those whose request-id it
/// recorded, those naming it in their path (a draft's attachments and upload chunks), and
/// earlier attempts with the same `client-request-id` (a retried send).
pub fn requests<'a>(m: &MessageRecord, log: &'a [RequestLog]) -> Vec<&'a RequestLog> {
    let in_path = |r: &RequestLog| m.via == "draft" && !m.id.is_empty() && http::pct_decode(&r.path).contains(&m.id);
    let mut out: Vec<&RequestLog> = log
        .iter()
        .filter(|r| {
            m.request_ids.contains(&r.request_id)
                || in_path(r)
                || m.client_request_id.as_ref().is_some_and(|c| r.client_request_id.as_ref() == Some(c))
        })
        .collect();
    out.sort_by_key(|r| r.time_ms);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cid_references_point_at_the_parts() {
        let html = r#"<img src="cid:logo@x"><div style="background:url(cid:bg%40x)"></div> <p>cid: plain text</p><a href='CID:a'>"#;
        let out = resolve_cids(html, "m1");
        assert!(out.contains(r#"src="/_emulator/messages/m1/cid/logo%40x""#), "{out}");
        assert!(out.contains("url(/_emulator/messages/m1/cid/bg%40x)"), "{out}");
        assert!(out.contains("href='/_emulator/messages/m1/cid/a'"), "{out}");
        assert!(out.contains("cid: plain text"), "{out}");
    }

    #[test]
    fn dispositions_keep_names_safe() {
        assert_eq!(content_disposition("attachment", "report.pdf"), "attachment; filename=\"report.pdf\"");
        assert_eq!(
            content_disposition("attachment", "../Bericht \"Ü\".pdf"),
            "attachment; filename=\"Bericht ___.pdf\"; filename*=UTF-8''Bericht%20%22%C3%9C%22.pdf"
        );
    }
}
