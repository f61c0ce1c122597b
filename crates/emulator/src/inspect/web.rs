//! A small web page, like Mailpit's: `/` lists received messages (newest first) and
//! `/ui/{id}` shows one with its headers, recipients, text and HTML bodies (the HTML in
//! a sandboxed iframe) and attachments (downloadable).

use crate::http::{self, Resp};
use crate::record::MessageRecord;
use crate::state::Shared;
use hyper::StatusCode;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(title: &str, body: &str, refresh: bool) -> Resp {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">{}<title>{}</title><style>\
body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;width:100%}}\
td,th{{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}}\
pre{{background:#f6f6f6;padding:1em;white-space:pre-wrap}}iframe{{width:100%;height:30em;border:1px solid #ccc}}\
.muted{{color:#777}}</style></head><body>{}</body></html>",
        // The list refreshes itself, like Mailpit's inbox; a message page does not.
        if refresh { "<meta http-equiv=\"refresh\" content=\"5\">" } else { "" },
        esc(title),
        body
    );
    http::with_body(StatusCode::OK, "text/html; charset=utf-8", html)
}

/// `GET /`.
pub fn index(shared: &Shared) -> Resp {
    let state = shared.lock();
    let mut rows = String::new();
    for m in state.messages.iter().rev() {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><a href=\"/ui/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&m.received_at),
            esc(&m.mailbox),
            esc(&m.id),
            esc(m.subject.as_deref().unwrap_or("(no subject)")),
            esc(&m.to.join(", ")),
            m.attachments.len(),
            esc(&m.format),
        ));
    }
    if rows.is_empty() {
        rows = "<tr><td colspan=6 class=muted>No messages yet.</td></tr>".into();
    }
    page(
        "o365-emulator",
        &format!(
            "<h1>o365-emulator</h1><p class=muted>{} messages, {} drafts. JSON: <a href=\"/_emulator/messages\">/_emulator/messages</a>, \
<a href=\"/_emulator/requests\">/_emulator/requests</a>, <a href=\"/_emulator/stats\">/_emulator/stats</a></p>\
<table><tr><th>Received</th><th>Mailbox</th><th>Subject</th><th>To</th><th>Attachments</th><th>Format</th></tr>{rows}</table>",
            state.messages.len(),
            state.drafts.len()
        ),
        true,
    )
}

/// `GET /ui/{id}`.
pub fn message(shared: &Shared, id: &str) -> Resp {
    let state = shared.lock();
    match state.messages.iter().chain(state.drafts.iter()).find(|m| m.id == id) {
        Some(m) => page(m.subject.as_deref().unwrap_or("(no subject)"), &render(m), false),
        None => {
            let mut r = page("not found", "<p>No such message. <a href=\"/\">Back</a></p>", false);
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }
    }
}

fn render(m: &MessageRecord) -> String {
    let field = |k: &str, v: &str| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    let mut out = format!("<p><a href=\"/\">&larr; all messages</a></p><h1>{}</h1><table>", esc(m.subject.as_deref().unwrap_or("(no subject)")));
    out += &field("Mailbox", &m.mailbox);
    out += &field("From", m.from.as_deref().unwrap_or(""));
    out += &field("To", &m.to.join(", "));
    out += &field("Cc", &m.cc.join(", "));
    out += &field("Bcc", &m.bcc.join(", "));
    out += &field("Reply-To", &m.reply_to.join(", "));
    out += &field("Format", &format!("{} via {}", m.format, m.via));
    out += &field("Save to Sent Items", &m.save_to_sent_items.to_string());
    out += &field("Received", &m.received_at);
    out += "</table>";
    if !m.attachments.is_empty() {
        out += "<h2>Attachments</h2><table><tr><th>Name</th><th>Type</th><th>Size</th><th>Inline</th><th>SHA-256</th></tr>";
        for (i, a) in m.attachments.iter().enumerate() {
            out += &format!(
                "<tr><td><a href=\"/_emulator/messages/{}/attachments/{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=muted>{}</td></tr>",
                esc(&m.id),
                esc(a.name.as_deref().unwrap_or("(unnamed)")),
                esc(a.content_type.as_deref().unwrap_or("")),
                a.size,
                if a.is_inline { format!("yes, cid:{}", esc(a.content_id.as_deref().unwrap_or(""))) } else { "no".into() },
                esc(&a.sha256),
            );
        }
        out += "</table>";
    }
    if let Some(html) = &m.body_html {
        out += &format!("<h2>HTML body</h2><iframe sandbox srcdoc=\"{}\"></iframe>", esc(html));
    }
    if let Some(text) = &m.body_text {
        out += &format!("<h2>Text body</h2><pre>{}</pre>", esc(text));
    }
    out += "<h2>Headers</h2><table>";
    for h in &m.headers {
        out += &field(&h.name, &h.value);
    }
    out += "</table>";
    if m.mime.is_some() {
        out += &format!("<p><a href=\"/_emulator/messages/{}/mime\">Raw MIME</a></p>", esc(&m.id));
    }
    out
}
