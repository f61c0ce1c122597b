//! The envelope of a MIME send. Symfony Mailer strips `Bcc:` from the rendered message
//! and passes Bcc recipients only in the envelope; Graph's MIME mode takes recipients from
//! the headers alone. So recipients of the envelope that are absent from To/Cc/Bcc are
//! added as a `Bcc:` header (Exchange removes it from delivered copies). Everything else
//! of the message is sent byte for byte as rendered.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::error::{Error, Result};

/// Graph's limit of recipients per message (To + Cc + Bcc).
pub const MAX_RECIPIENTS: usize = 500;

/// Header names and unfolded values of the top-level header block.
pub struct Headers<'a> {
    /// (name, unfolded value) pairs in order.
    pub fields: Vec<(&'a str, String)>,
}

/// Parses the top-level header block; errors when the input is not a MIME message.
pub fn parse_headers(mime: &[u8]) -> Result<Headers<'_>> {
    if mime.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::config("mime", "the message is empty"));
    }
    let block = std::str::from_utf8(crate::mime::parts::header_block(mime))
        .map_err(|_| Error::config("mime", "the message headers are not 7-bit/UTF-8 text: not a MIME message"))?;
    let mut fields: Vec<(&str, String)> = Vec::new();
    for line in block.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match fields.last_mut() {
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                None => return Err(not_mime()),
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else { return Err(not_mime()) };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            return Err(not_mime());
        }
        if value.contains('\0') {
            // Named, not echoed: a NUL cuts the header short in some parsers and not others.
            return Err(Error::config("mime", format!("the message header `{name}` contains a NUL byte"))
                .with_hint("remove NUL bytes from header values; they are not allowed in RFC 5322 headers"));
        }
        fields.push((name, value.trim().to_string()));
    }
    if fields.is_empty() {
        return Err(not_mime());
    }
    Ok(Headers { fields })
}

/// The one "not a MIME message" error.
pub(crate) fn not_mime() -> Error {
    Error::config("mime", "the body is not a MIME message (RFC 5322 headers, a blank line, then the body)")
}

impl Headers<'_> {
    /// All values of header `name` (case-insensitive).
    pub fn get_all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.fields.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Addresses listed in the given headers.
    pub fn addresses(&self, names: &[&str]) -> Vec<String> {
        names.iter().flat_map(|n| self.get_all(n).flat_map(parse_address_list).collect::<Vec<_>>()).collect()
    }
}

/// Extracts the bare addresses of an RFC 5322 address list (names, quotes, comments,
/// groups allowed).
pub fn parse_address_list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, mut angle, mut in_quote, mut depth) = (String::new(), None::<String>, false, 0u32);
    let mut chars = value.chars().peekable();
    let flush = |cur: &mut String, angle: &mut Option<String>, out: &mut Vec<String>| {
        let addr = angle.take().unwrap_or_else(|| cur.trim().rsplit(':').next().unwrap_or("").trim().to_string());
        let addr = addr.trim().trim_end_matches(';').trim().to_string();
        if addr.contains('@') {
            out.push(addr);
        }
        cur.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quote => {
                chars.next();
            }
            '"' if depth == 0 => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote && depth > 0 => depth -= 1,
            '<' if !in_quote && depth == 0 => {
                let mut a = String::new();
                for c2 in chars.by_ref() {
                    if c2 == '>' {
                        break;
                    }
                    a.push(c2);
                }
                angle = Some(a);
            }
            ',' | ';' if !in_quote && depth == 0 => flush(&mut cur, &mut angle, &mut out),
            _ if in_quote || depth > 0 => {}
            _ => cur.push(c),
        }
    }
    flush(&mut cur, &mut angle, &mut out);
    out
}

/// Checks one recipient or sender address from the envelope.
pub fn check_address(what: &str, addr: &str) -> Result<()> {
    if addr.chars().any(|c| c.is_control()) {
        // The value is not echoed: it may be an attempt to inject headers.
        return Err(Error::config(what, format!("a {what} address contains a line break or control character"))
            .with_hint("pass bare addresses like ann@example.com, one per array element"));
    }
    if addr.len() > crate::config::url::MAX_ADDRESS_OCTETS {
        return Err(Error::config(what, format!("a {what} address is {} octets long; RFC 5321 allows at most {}", addr.len(), crate::config::url::MAX_ADDRESS_OCTETS))
            .with_hint("check the address: no real mailbox address is that long"));
    }
    // Characters that would break out of the address in a `Bcc:` header or a URL path.
    let ok = addr.split_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && !addr.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | ':' | '"' | '(' | ')' | '/' | '\\' | '?' | '#' | '%'));
    if !ok {
        return Err(Error::config(what, format!("{what} `{addr}` is not an email address"))
            .with_hint("pass bare addresses like ann@example.com, without display names or angle brackets"));
    }
    Ok(())
}

/// A message ready for `sendMail`: the bytes to send and the Bcc recipients added.
#[derive(Debug)]
pub struct Prepared<'a> {
    /// The message, borrowed when nothing had to change, else with a `Bcc:` header added.
    pub mime: Cow<'a, [u8]>,
    /// Envelope recipients that were added as `Bcc:`.
    pub added_bcc: Vec<String>,
}

/// Prepares the MIME for sending: validates it and the envelope recipients, and adds a
/// `Bcc:` header for envelope recipients missing from To/Cc/Bcc. Everything else is
/// left byte for byte as rendered.
pub fn prepare<'a>(mime: &'a [u8], envelope_recipients: &[String]) -> Result<Prepared<'a>> {
    let headers = parse_headers(mime)?;
    // Linear: one set of lowercased addresses, and Graph's limit checked before each
    // address is (a list of 60,000 is refused as soon as it passes 500 distinct ones).
    let mut seen: HashSet<String> = HashSet::new();
    let mut all: Vec<String> = Vec::new();
    let mut added_bcc = Vec::new();
    let from_headers = headers.addresses(&["to", "cc", "bcc"]).into_iter().map(|a| (a, false));
    let from_envelope = envelope_recipients.iter().map(|r| (r.trim().to_string(), true));
    for (a, envelope_only) in from_headers.chain(from_envelope) {
        if !seen.insert(a.to_ascii_lowercase()) {
            continue;
        }
        if seen.len() > MAX_RECIPIENTS {
            return Err(too_many(headers.addresses(&["to", "cc", "bcc"]).len() + envelope_recipients.len()));
        }
        if envelope_only {
            added_bcc.push(a.clone());
        }
        all.push(a);
    }
    for r in envelope_recipients {
        check_address("recipient", r)?;
    }
    if all.is_empty() {
        return Err(Error::config("recipients", "the message has no recipients: add a To, Cc or Bcc address")
            .with_hint("pass the envelope recipients or give the message a To, Cc or Bcc header"));
    }
    if added_bcc.is_empty() {
        return Ok(Prepared { mime: Cow::Borrowed(mime), added_bcc });
    }
    let eol: &[u8] = if mime.windows(2).any(|w| w == b"\r\n") { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(mime.len() + added_bcc.iter().map(|s| s.len() + 4).sum::<usize>() + 8);
    out.extend_from_slice(b"Bcc: ");
    // One address per folded line: 500 addresses would break RFC 5322's 998-byte line limit.
    for (i, a) in added_bcc.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",");
            out.extend_from_slice(eol);
            out.extend_from_slice(b" ");
        }
        out.extend_from_slice(a.as_bytes());
    }
    out.extend_from_slice(eol);
    out.extend_from_slice(mime);
    Ok(Prepared { mime: Cow::Owned(out), added_bcc })
}

fn too_many(listed: usize) -> Error {
    Error::config(
        "recipients",
        format!("the message has more than {MAX_RECIPIENTS} distinct recipients ({listed} listed); Graph allows at most {MAX_RECIPIENTS} per message (To + Cc + Bcc)"),
    )
    .with_hint("split the recipients over several messages")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"From: A <a@x.com>\r\nTo: \"Doe, J\" <j@x.com>, k@x.com\r\nCc: (c) c@x.com\r\nSubject: Hi\r\n\r\nbody\r\n";

    #[test]
    fn address_lists_with_names_quotes_and_groups() {
        assert_eq!(parse_address_list("\"Doe, J\" <j@x.com>, k@x.com"), vec!["j@x.com", "k@x.com"]);
        assert_eq!(parse_address_list("team: a@x.com, b@x.com;"), vec!["a@x.com", "b@x.com"]);
    }

    #[test]
    fn envelope_only_recipients_become_bcc() {
        let p = prepare(MSG, &["j@x.com".into(), "secret@y.com".into(), "other@y.com".into()]).unwrap();
        assert!(p.mime.starts_with(b"Bcc: secret@y.com,\r\n other@y.com\r\nFrom:"), "{}", String::from_utf8_lossy(&p.mime));
        assert_eq!(p.added_bcc, vec!["secret@y.com", "other@y.com"]);
        let same = prepare(MSG, &["K@x.com".into()]).unwrap();
        assert!(matches!(same.mime, Cow::Borrowed(_)));
        let added = parse_headers(&p.mime).unwrap().addresses(&["bcc"]);
        assert_eq!(added, vec!["secret@y.com", "other@y.com"]);
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(prepare(b"", &[]).is_err());
        assert!(prepare(b"just some text\n\nbody", &["a@b.c".into()]).is_err());
        assert!(prepare(b"Subject: x\r\n\r\nbody", &[]).unwrap_err().to_string().contains("no recipients"));
        assert!(prepare(MSG, &["a@b.c\r\nBcc: evil@x.com".into()]).is_err());
        let many: Vec<String> = (0..501).map(|i| format!("u{i}@x.com")).collect();
        assert!(prepare(MSG, &many).unwrap_err().to_string().contains("500"));
    }
}
