//! The inbox list behind the web page: `GET /_emulator/inbox?q=&limit=` answers one
//! small summary per message (newest first) instead of the full records, with search.
//!
//! Search: words must all match (case-insensitive) somewhere in the subject, the
//! addresses and display names, the mailbox, the bodies or the attachment names.
//! Prefixed words look in one place: `from:`, `to:` (To, Cc and Bcc), `subject:`,
//! `mailbox:`, `is:read`, `is:unread`, `has:attachment`, `has:inline`.

use crate::record::MessageRecord;
use serde::Serialize;
use serde_json::{Value, json};

/// An address with its display name.
#[derive(Serialize)]
pub struct Person {
    pub name: Option<String>,
    pub address: String,
}

/// One row of the inbox.
#[derive(Serialize)]
pub struct Summary {
    pub id: String,
    pub mailbox: String,
    pub format: String,
    pub via: String,
    pub from: Person,
    pub to: Vec<Person>,
    pub cc: Vec<Person>,
    pub bcc: Vec<Person>,
    pub subject: Option<String>,
    pub snippet: String,
    pub size: u64,
    /// Attachments proper (not inline).
    pub attachments: usize,
    /// Inline parts (images referenced by `cid:`), counted apart.
    pub inline: usize,
    pub received_at: String,
    pub read: bool,
}

/// How long a preview snippet is, in characters.
const SNIPPET_CHARS: usize = 160;

/// The sender shown for a message: From, else Sender, else the mailbox.
fn sender(m: &MessageRecord) -> Person {
    let address = m.from.clone().or_else(|| m.sender.clone()).unwrap_or_else(|| m.mailbox.clone());
    person(m, &address)
}

fn person(m: &MessageRecord, address: &str) -> Person {
    Person { name: m.name_of(address).map(str::to_string), address: address.to_string() }
}

fn people(m: &MessageRecord, list: &[String]) -> Vec<Person> {
    list.iter().map(|a| person(m, a)).collect()
}

/// Builds the summary of a message.
pub fn summary(m: &MessageRecord) -> Summary {
    Summary {
        id: m.id.clone(),
        mailbox: m.mailbox.clone(),
        format: m.format.clone(),
        via: m.via.clone(),
        from: sender(m),
        to: people(m, &m.to),
        cc: people(m, &m.cc),
        bcc: people(m, &m.bcc),
        subject: m.subject.clone(),
        snippet: snippet(m),
        size: m.size,
        attachments: m.attachments.iter().filter(|a| !a.is_inline).count(),
        inline: m.attachments.iter().filter(|a| a.is_inline).count(),
        received_at: m.received_at.clone(),
        read: m.read,
    }
}

/// The start of the text body, or of the HTML body's text, on one line.
pub fn snippet(m: &MessageRecord) -> String {
    let text = match (&m.body_text, &m.body_html) {
        (Some(t), _) if !t.trim().is_empty() => t.clone(),
        (_, Some(h)) => html_text(h),
        _ => String::new(),
    };
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() > SNIPPET_CHARS {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The visible text of HTML: tags dropped, `<style>`/`<script>`/`<head>` contents
/// skipped, the common entities decoded. Good enough for previews and search.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while let Some(off) = lower[i..].find('<') {
        out.push_str(&html[i..i + off]);
        let tag_start = i + off;
        let Some(end) = lower[tag_start..].find('>').map(|e| tag_start + e + 1) else { break };
        let name: String = lower[tag_start + 1..end].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        i = end;
        if matches!(name.as_str(), "style" | "script" | "head" | "title") {
            i = lower[end..].find(&format!("</{name}")).map_or(html.len(), |e| end + e);
        }
        out.push(' ');
    }
    if i < html.len() {
        out.push_str(&html[i..]);
    }
    for (entity, ch) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
        out = out.replace(entity, ch);
    }
    out
}

/// Whether a message matches a search query (see the module doc).
pub fn matches(m: &MessageRecord, query: &str) -> bool {
    query.split_whitespace().all(|word| {
        let (field, needle) = match word.split_once(':') {
            Some((f, n)) if ["from", "to", "subject", "mailbox", "is", "has"].contains(&f.to_ascii_lowercase().as_str()) => {
                (f.to_ascii_lowercase(), n.to_lowercase())
            }
            _ => (String::new(), word.to_lowercase()),
        };
        let has = |s: &str| s.to_lowercase().contains(&needle);
        let addrs = |list: &[String]| list.iter().any(|a| has(a) || m.name_of(a).is_some_and(has));
        let from = || {
            let s = sender(m);
            has(&s.address) || s.name.as_deref().is_some_and(has)
        };
        let to = || addrs(&m.to) || addrs(&m.cc) || addrs(&m.bcc);
        let subject = || m.subject.as_deref().is_some_and(has);
        match field.as_str() {
            "from" => from(),
            "to" => to(),
            "subject" => subject(),
            "mailbox" => has(&m.mailbox),
            "is" => match needle.as_str() {
                "read" => m.read,
                "unread" => !m.read,
                _ => false,
            },
            "has" => match needle.as_str() {
                "attachment" | "attachments" => m.attachments.iter().any(|a| !a.is_inline),
                "inline" => m.attachments.iter().any(|a| a.is_inline),
                _ => false,
            },
            _ => {
                from()
                    || to()
                    || subject()
                    || has(&m.mailbox)
                    || m.body_text.as_deref().is_some_and(has)
                    || m.body_html.as_deref().is_some_and(|h| has(&html_text(h)))
                    || m.attachments.iter().any(|a| a.name.as_deref().is_some_and(has))
            }
        }
    })
}

/// `GET /_emulator/inbox`: `{total, unread, matched, messages: [summary, ...]}`, newest
/// first, at most `limit` (default 500) summaries.
pub fn list(messages: &[MessageRecord], query: Option<&str>, limit: Option<usize>) -> Value {
    let query = query.unwrap_or("").trim();
    let hits: Vec<&MessageRecord> = messages.iter().rev().filter(|m| query.is_empty() || matches(m, query)).collect();
    let shown: Vec<Summary> = hits.iter().take(limit.unwrap_or(500)).map(|m| summary(m)).collect();
    json!({
        "total": messages.len(),
        "unread": messages.iter().filter(|m| !m.read).count(),
        "matched": hits.len(),
        "messages": shown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_skips_markup_and_styles() {
        let t = html_text("<html><head><style>p{color:red}</style></head><body><p>Hi&nbsp;<b>there</b> &amp; you</p></body></html>");
        assert_eq!(t.split_whitespace().collect::<Vec<_>>(), ["Hi", "there", "&", "you"]);
    }

    #[test]
    fn search_words_and_prefixes() {
        let mut m = MessageRecord {
            subject: Some("Invoice 42".into()),
            from: Some("billing@shop.test".into()),
            to: vec!["ann@example.com".into()],
            body_text: Some("Please pay".into()),
            ..Default::default()
        };
        m.add_name("billing@shop.test", Some("Shop Billing"));
        assert!(matches(&m, "invoice pay"));
        assert!(matches(&m, "from:billing to:ann"));
        assert!(matches(&m, "from:\"Shop") || matches(&m, "from:shop"));
        assert!(!matches(&m, "to:billing"));
        assert!(matches(&m, "is:unread"));
        assert!(!matches(&m, "has:attachment"));
        assert!(!matches(&m, "invoice refund"));
    }
}
