//! The envelope of a MIME send. Symfony Mailer strips `Bcc:` from the rendered message
//! and passes Bcc recipients only in the envelope; Graph's MIME mode takes recipients from
//! the headers alone. So recipients of the envelope that are absent from To/Cc/Bcc are
//! added as a `Bcc:` header (Exchange removes it from delivered copies). Everything else
//! of the message is sent byte for byte as rendered.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// Graph's limit of recipients per message (To + Cc + Bcc).
pub const MAX_RECIPIENTS: usize = 500;

/// Header names and unfolded values of the top-level header block.
pub struct Headers<'a> {
    /// Where the header block ends (index of the blank line).
    pub end: usize,
    /// (name, unfolded value) pairs in order.
    pub fields: Vec<(&'a str, String)>,
}

/// Parses the top-level header block; errors when the input is not a MIME message.
pub fn parse_headers(mime: &[u8]) -> Result<Headers<'_>> {
    if mime.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::config("mime", "the message is empty"));
    }
    let end = find_blank_line(mime).unwrap_or(mime.len());
    let block = std::str::from_utf8(&mime[..end])
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
        fields.push((name, value.trim().to_string()));
    }
    if fields.is_empty() {
        return Err(not_mime());
    }
    Ok(Headers { end, fields })
}

fn not_mime() -> Error {
    Error::config("mime", "the body is not a MIME message (RFC 5322 headers, a blank line, then the body)")
}

fn find_blank_line(b: &[u8]) -> Option<usize> {
    let crlf = b.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 2);
    let lf = b.windows(2).position(|w| w == b"\n\n").map(|i| i + 1);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
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
        return Err(Error::config(what, format!("{what} contains a line break or control character")));
    }
    let ok = addr.split_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && !addr.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | '/' | '\\'));
    if !ok {
        return Err(Error::config(what, format!("{what} `{addr}` is not an email address")));
    }
    Ok(())
}

/// Prepares the MIME for sending: validates it and the envelope recipients, adds the
/// `Bcc:` header for envelope recipients missing from the headers. Returns the bytes to
/// send (borrowed when nothing changes) and every recipient.
pub fn prepare<'a>(mime: &'a [u8], envelope_recipients: &[String]) -> Result<(Cow<'a, [u8]>, Vec<String>)> {
    let headers = parse_headers(mime)?;
    let listed = headers.addresses(&["to", "cc", "bcc"]);
    for r in envelope_recipients {
        check_address("recipient", r)?;
    }
    let missing: Vec<&String> = envelope_recipients
        .iter()
        .filter(|r| !listed.iter().any(|l| l.eq_ignore_ascii_case(r)))
        .collect();
    let mut all: Vec<String> = listed.clone();
    all.extend(missing.iter().map(|s| s.to_string()));
    if all.is_empty() {
        return Err(Error::config("recipients", "the message has no recipients: add To, Cc or Bcc"));
    }
    if all.len() > MAX_RECIPIENTS {
        return Err(Error::config(
            "recipients",
            format!("the message has {} recipients; Graph allows at most {MAX_RECIPIENTS} per message (To + Cc + Bcc): split it", all.len()),
        ));
    }
    if missing.is_empty() {
        return Ok((Cow::Borrowed(mime), all));
    }
    let eol: &[u8] = if mime.windows(2).any(|w| w == b"\r\n") { b"\r\n" } else { b"\n" };
    let bcc = missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    let mut out = Vec::with_capacity(mime.len() + bcc.len() + 8);
    out.extend_from_slice(b"Bcc: ");
    out.extend_from_slice(bcc.as_bytes());
    out.extend_from_slice(eol);
    out.extend_from_slice(mime);
    Ok((Cow::Owned(out), all))
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
        let (out, all) = prepare(MSG, &["j@x.com".into(), "secret@y.com".into()]).unwrap();
        assert!(out.starts_with(b"Bcc: secret@y.com\r\nFrom:"));
        assert_eq!(all.len(), 4);
        let (same, _) = prepare(MSG, &["K@x.com".into()]).unwrap();
        assert!(matches!(same, Cow::Borrowed(_)));
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
