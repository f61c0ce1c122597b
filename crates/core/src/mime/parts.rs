//! The structure of a MIME message as byte ranges of the original, without copying or
//! decoding anything: which leaves are the bodies, which are attachments, where each one
//! starts and ends. Large messages need this to cut attachments out of the MIME (the
//! draft keeps everything else byte for byte) and to stream their bytes straight from
//! the caller's buffer. A full parser would decode every attachment into a new buffer;
//! here only the small header blocks of parts go through `mail-parser` (Content-Type
//! parameters, RFC 2231 / RFC 2047 file names), and boundaries are found with `memchr`.
//!
//! Lenient like mail clients: a missing close delimiter ends the part at the end of its
//! parent, LF line endings work, nesting deeper than [`MAX_DEPTH`] is left as one leaf.
//! Never panics on any input (property-tested in `tests`).

use std::ops::Range;

use mail_parser::{MessagePart, MessageParser, MimeHeaders};

/// Multipart nesting followed at most; deeper parts stay whole.
pub const MAX_DEPTH: usize = 24;

/// How a part's body is transfer-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferEncoding {
    /// `base64`.
    Base64,
    /// `quoted-printable`.
    QuotedPrintable,
    /// `7bit`, `8bit`, `binary` or none: the bytes are the content.
    Identity,
}

/// One leaf part (not multipart) of the message.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// What to remove to cut this part out: from the line break before its boundary
    /// delimiter to the end of its body. Empty for the message's own (single) body.
    pub cut: Range<usize>,
    /// The part's header block.
    pub header: Range<usize>,
    /// The part's (encoded) body.
    pub body: Range<usize>,
    /// `type/subtype`, lowercase (`text/plain` when absent).
    pub content_type: String,
    /// The body's transfer encoding.
    pub encoding: TransferEncoding,
    /// File name (Content-Disposition filename, else Content-Type name), decoded.
    pub file_name: Option<String>,
    /// Content-ID without angle brackets.
    pub content_id: Option<String>,
    /// Content-Disposition type, lowercase.
    pub disposition: Option<String>,
    /// Whether the part is one of the message bodies (text/plain or text/html, not an
    /// attachment) rather than an attachment or inline part.
    pub is_body: bool,
}

impl Leaf {
    /// Whether the part shows inline (inline disposition, or a Content-ID without one).
    pub fn is_inline(&self) -> bool {
        !self.is_body && shows_inline(self.disposition.as_deref(), self.content_id.is_some())
    }
}

/// The one inline rule (draft path and JSON form alike): an `inline` disposition, or no
/// disposition and a Content-ID (an image referenced as `cid:` from the HTML body).
pub fn shows_inline(disposition: Option<&str>, has_content_id: bool) -> bool {
    match disposition {
        Some(d) => d.eq_ignore_ascii_case("inline"),
        None => has_content_id,
    }
}

/// A part's Content-ID without angle brackets; `None` when absent or empty. Read here
/// for the draft path and the JSON form alike.
pub(crate) fn content_id(part: &MessagePart<'_>) -> Option<String> {
    part.content_id().map(|c| c.trim().trim_matches(['<', '>']).to_string()).filter(|c| !c.is_empty())
}

/// A part's Content-Disposition type, lowercase.
pub(crate) fn disposition(part: &MessagePart<'_>) -> Option<String> {
    part.content_disposition().map(|d| d.ctype().to_ascii_lowercase())
}

/// The one naming rule for an attachment Graph gets (draft path and JSON form alike): its
/// file name, else its Content-ID, else `attachmentN` with an extension for its type
/// (`n` counts from 1).
pub(crate) fn attachment_name(file_name: Option<&str>, content_id: Option<&str>, content_type: &str, n: usize) -> String {
    if let Some(f) = file_name.map(str::trim).filter(|f| !f.is_empty()) {
        return f.to_string();
    }
    if let Some(c) = content_id {
        return c.to_string();
    }
    let ext = match content_type {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "text/plain" => ".txt",
        "message/rfc822" => ".eml",
        _ => ".bin",
    };
    format!("attachment{n}{ext}")
}

/// The parsed structure.
#[derive(Debug, Clone)]
pub struct Structure {
    /// Every leaf part in document order.
    pub leaves: Vec<Leaf>,
}

/// Parses the structure of `mime`. Returns `None` when there is no header block.
pub fn parse(mime: &[u8]) -> Option<Structure> {
    let (header, body_start) = split_header(mime, 0)?;
    if header.is_empty() {
        return None;
    }
    let mut leaves = Vec::new();
    walk(mime, header.clone(), body_start..mime.len(), 0..0, 0, &mut leaves);
    Some(Structure { leaves })
}

/// The top-level header block, up to (not including) the blank line; the whole message
/// when it has no body; empty when the message starts with a blank line.
pub fn header_block(mime: &[u8]) -> &[u8] {
    split_header(mime, 0).and_then(|(header, _)| mime.get(header)).unwrap_or(mime)
}

/// The one header-block finder of the crate (messages and parts alike): the header
/// block starting at `start` and where the body after its blank line starts, as
/// (header range, body start). Found with memchr, so that a 150 MB message is not
/// walked byte by byte. LF line endings work as CRLF does.
fn split_header(mime: &[u8], start: usize) -> Option<(Range<usize>, usize)> {
    let rest = mime.get(start..)?;
    // A part that starts with a blank line has no headers.
    if rest.starts_with(b"\r\n") {
        return Some((start..start, start + 2));
    }
    if rest.starts_with(b"\n") {
        return Some((start..start, start + 1));
    }
    let mut pos = 0;
    while let Some(nl) = memchr::memchr(b'\n', rest.get(pos..)?) {
        let after = pos + nl + 1;
        let next = rest.get(after..).unwrap_or_default();
        if next.starts_with(b"\r\n") {
            return Some((start..start + after, start + after + 2));
        }
        if next.starts_with(b"\n") {
            return Some((start..start + after, start + after + 1));
        }
        pos = after;
    }
    // Headers only, no body.
    Some((start..mime.len(), mime.len()))
}

struct PartHeaders {
    content_type: String,
    boundary: Option<String>,
    encoding: TransferEncoding,
    file_name: Option<String>,
    content_id: Option<String>,
    disposition: Option<String>,
}

fn part_headers(block: &[u8]) -> PartHeaders {
    let mut out = PartHeaders {
        content_type: "text/plain".into(),
        boundary: None,
        encoding: TransferEncoding::Identity,
        file_name: None,
        content_id: None,
        disposition: None,
    };
    if block.is_empty() {
        return out;
    }
    let Some(msg) = MessageParser::default().parse_headers(block) else { return out };
    let part = msg.root_part();
    if let Some(ct) = part.content_type() {
        let sub = ct.subtype().unwrap_or(if ct.ctype().eq_ignore_ascii_case("text") { "plain" } else { "octet-stream" });
        out.content_type = format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase();
        out.boundary = ct.attribute("boundary").map(str::to_string).filter(|b| !b.is_empty());
    }
    out.encoding = match part.content_transfer_encoding().map(|e| e.trim().to_ascii_lowercase()) {
        Some(e) if e == "base64" => TransferEncoding::Base64,
        Some(e) if e == "quoted-printable" => TransferEncoding::QuotedPrintable,
        _ => TransferEncoding::Identity,
    };
    out.disposition = disposition(part);
    out.file_name = part.attachment_name().map(str::to_string);
    out.content_id = content_id(part);
    out
}

fn walk(mime: &[u8], header: Range<usize>, body: Range<usize>, cut: Range<usize>, depth: usize, out: &mut Vec<Leaf>) {
    let h = part_headers(mime.get(header.clone()).unwrap_or_default());
    if h.content_type.starts_with("multipart/") && depth < MAX_DEPTH {
        if let Some(boundary) = &h.boundary {
            for (part_cut, part_start, part_end) in split_multipart(mime, body.clone(), boundary.as_bytes()) {
                let Some((ph, pbody_start)) = split_header(mime, part_start) else { continue };
                let ph = ph.start.min(part_end)..ph.end.min(part_end);
                let pbody = pbody_start.min(part_end)..part_end;
                walk(mime, ph, pbody, part_cut, depth + 1, out);
            }
            return;
        }
    }
    let is_text_body = h.content_type == "text/plain" || h.content_type == "text/html";
    let attachment_like = h.disposition.as_deref() == Some("attachment") || h.file_name.is_some();
    let is_body = is_text_body && !attachment_like;
    out.push(Leaf {
        cut,
        header,
        body,
        content_type: h.content_type,
        encoding: h.encoding,
        file_name: h.file_name,
        content_id: h.content_id,
        disposition: h.disposition,
        is_body,
    });
}

/// The parts of a multipart body: (cut range, part start, part end) each.
fn split_multipart(mime: &[u8], body: Range<usize>, boundary: &[u8]) -> Vec<(Range<usize>, usize, usize)> {
    let Some(text) = mime.get(body.clone()) else { return Vec::new() };
    let mut delim = Vec::with_capacity(boundary.len() + 2);
    delim.extend_from_slice(b"--");
    delim.extend_from_slice(boundary);
    let finder = memchr::memmem::Finder::new(&delim);
    // (line-break start, delimiter line end, is close) for each delimiter line.
    let mut delims: Vec<(usize, usize, bool)> = Vec::new();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| finder.find(t)).map(|i| i + from) {
        from = i + delim.len();
        let at_line_start = i == 0 || text.get(i - 1) == Some(&b'\n');
        if !at_line_start {
            continue;
        }
        let after = text.get(i + delim.len()..).unwrap_or_default();
        let close = after.starts_with(b"--");
        let rest = if close { after.get(2..).unwrap_or_default() } else { after };
        let line_len = memchr::memchr(b'\n', rest).map_or(rest.len(), |n| n + 1);
        let padding = rest.get(..line_len).unwrap_or_default();
        if !close && !padding.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        let brk = if i >= 2 && text.get(i - 2..i) == Some(b"\r\n") {
            i - 2
        } else if i >= 1 {
            i - 1
        } else {
            i
        };
        let line_end = i + delim.len() + if close { 2 } else { 0 } + line_len;
        delims.push((brk, line_end, close));
        from = line_end.max(from);
        if close {
            break;
        }
    }
    let mut parts = Vec::new();
    for (n, &(brk, line_end, close)) in delims.iter().enumerate() {
        if close {
            break;
        }
        let end = delims.get(n + 1).map_or(text.len(), |d| d.0);
        let (start, end) = (line_end.min(text.len()), end.max(line_end.min(text.len())));
        parts.push((body.start + brk..body.start + end, body.start + start, body.start + end));
    }
    parts
}

/// The message with the given cut ranges removed (they must be sorted and disjoint, as
/// leaves' cut ranges are), with `prefix` (e.g. a `Bcc:` header line) in front.
pub fn without(mime: &[u8], prefix: &[u8], cuts: &[Range<usize>]) -> Vec<u8> {
    let removed: usize = cuts.iter().map(|r| r.len()).sum();
    let mut out = Vec::with_capacity(prefix.len() + mime.len().saturating_sub(removed));
    out.extend_from_slice(prefix);
    let mut pos = 0;
    for r in cuts {
        if r.start < pos || r.end > mime.len() {
            continue;
        }
        out.extend_from_slice(mime.get(pos..r.start).unwrap_or_default());
        pos = r.end;
    }
    out.extend_from_slice(mime.get(pos..).unwrap_or_default());
    out
}

/// Length of the draft that [`without`] would build.
pub fn without_len(mime_len: usize, prefix_len: usize, cuts: &[Range<usize>]) -> usize {
    prefix_len + mime_len - cuts.iter().map(|r| r.len()).sum::<usize>().min(mime_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_block_ends_at_the_first_blank_line() {
        assert_eq!(header_block(b"A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore"), b"A: 1\r\nB: 2\r\n");
        assert_eq!(header_block(b"A: 1\nB: 2\n\nbody"), b"A: 1\nB: 2\n");
        assert_eq!(header_block(b"A: 1\r\nB: 2"), b"A: 1\r\nB: 2", "headers only");
        assert_eq!(header_block(b"\r\nbody"), b"", "a blank first line: no headers");
        assert_eq!(split_header(b"X: 1\r\n\r\nbody", 0), Some((0..6, 8)));
        assert_eq!(split_header(b"--b\r\n\r\nbody", 5), Some((5..5, 7)), "a part without headers");
    }

    #[test]
    fn one_attachment_name_rule() {
        assert_eq!(attachment_name(Some(" report.pdf "), Some("cid"), "application/pdf", 1), "report.pdf");
        assert_eq!(attachment_name(Some("  "), Some("logo@x"), "image/png", 2), "logo@x");
        assert_eq!(attachment_name(None, None, "image/png", 3), "attachment3.png");
        assert_eq!(attachment_name(None, None, "application/x-unknown", 4), "attachment4.bin");
    }

    const MSG: &str = "From: a@x.com\r\nTo: b@x.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\npreamble\r\n--OUT\r\n\
Content-Type: multipart/alternative; boundary=IN\r\n\r\n--IN\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain body\r\n\
--IN\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html</p>\r\n--IN--\r\n\r\n--OUT\r\n\
Content-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n\r\n\
QUJD\r\nREVG\r\n--OUT\r\nContent-Type: image/png\r\nContent-ID: <img1@x>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\niVBO\r\n--OUT--\r\nepilogue\r\n";

    #[test]
    fn finds_bodies_and_attachments() {
        let s = parse(MSG.as_bytes()).unwrap();
        let kinds: Vec<(&str, bool)> = s.leaves.iter().map(|l| (l.content_type.as_str(), l.is_body)).collect();
        assert_eq!(kinds, vec![("text/plain", true), ("text/html", true), ("application/pdf", false), ("image/png", false)]);
        let pdf = &s.leaves[2];
        assert_eq!(pdf.file_name.as_deref(), Some("r.pdf"));
        assert_eq!(&MSG.as_bytes()[pdf.body.clone()], b"QUJD\r\nREVG");
        assert_eq!(pdf.encoding, TransferEncoding::Base64);
        let img = &s.leaves[3];
        assert!(img.is_inline());
        assert_eq!(img.content_id.as_deref(), Some("img1@x"));
        assert_eq!(&MSG.as_bytes()[s.leaves[0].body.clone()], b"plain body");
    }

    #[test]
    fn cutting_keeps_everything_else() {
        let m = MSG.as_bytes();
        let s = parse(m).unwrap();
        let out = without(m, b"Bcc: z@x.com\r\n", &[s.leaves[2].cut.clone()]);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(!text.contains("r.pdf") && !text.contains("QUJD"));
        assert!(text.starts_with("Bcc: z@x.com\r\nFrom: a@x.com"));
        assert!(text.contains("<p>html</p>") && text.contains("iVBO") && text.ends_with("--OUT--\r\nepilogue\r\n"));
        assert_eq!(out.len(), without_len(m.len(), 14, &[s.leaves[2].cut.clone()]));
        let again = parse(&out).unwrap();
        assert_eq!(again.leaves.len(), 3);
        assert_eq!(&out[again.leaves[2].body.clone()], b"iVBO");
    }

    #[test]
    fn single_part_and_lf_messages() {
        let s = parse(b"Subject: x\n\nhello\n").unwrap();
        assert_eq!(s.leaves.len(), 1);
        assert!(s.leaves[0].is_body && s.leaves[0].cut.is_empty());
        let lf = MSG.replace("\r\n", "\n");
        let s = parse(lf.as_bytes()).unwrap();
        assert_eq!(s.leaves.len(), 4);
        assert_eq!(&lf.as_bytes()[s.leaves[2].body.clone()], b"QUJD\nREVG");
        assert!(parse(b"").is_none());
    }
}
