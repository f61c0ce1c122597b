//! The decoded bytes of one MIME part, read in ranges straight from the caller's MIME
//! buffer. A base64 body is never decoded as a whole: one scan counts its characters
//! (the decoded size, needed before the upload starts) and records checkpoints, and each
//! upload chunk then decodes only its own range, from the nearest checkpoint. That keeps
//! memory at a few chunks however large the attachment, and lets an upload resume at any
//! offset Graph names in `nextExpectedRanges`.

use std::ops::Range;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::mime::parts::TransferEncoding;

/// Decoded bytes between checkpoints (a multiple of 3, so checkpoints sit on whole
/// base64 quads).
const CHECKPOINT_BYTES: u64 = 3 * 64 * 1024;

/// Lenient like mail clients: padding optional, stray trailing bits ignored.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A readable part body.
#[derive(Debug)]
pub enum PartBytes<'a> {
    /// Base64 text in the MIME, with checkpoints (position in the text, decoded offset).
    Base64 { text: &'a [u8], len: u64, checkpoints: Vec<(usize, u64)> },
    /// The bytes as they stand in the MIME.
    Raw(&'a [u8]),
    /// Decoded into a buffer (quoted-printable bodies, which are rare for attachments).
    Owned(bytes::Bytes),
}

/// Why a body cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidBody(pub String);

impl<'a> PartBytes<'a> {
    /// Prepares `body` (the encoded bytes of a part) for reading.
    pub fn new(body: &'a [u8], encoding: TransferEncoding) -> Result<PartBytes<'a>, InvalidBody> {
        match encoding {
            TransferEncoding::Identity => Ok(PartBytes::Raw(body)),
            TransferEncoding::QuotedPrintable => Ok(PartBytes::Owned(decode_qp(body).into())),
            TransferEncoding::Base64 => scan_base64(body),
        }
    }

    /// The decoded size.
    pub fn len(&self) -> u64 {
        match self {
            PartBytes::Base64 { len, .. } => *len,
            PartBytes::Raw(b) => b.len() as u64,
            PartBytes::Owned(b) => b.len() as u64,
        }
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decoded bytes `range` (clamped to the size).
    pub fn read(&self, range: Range<u64>) -> Result<bytes::Bytes, InvalidBody> {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        match self {
            PartBytes::Raw(b) => Ok(bytes::Bytes::copy_from_slice(b.get(start as usize..end as usize).unwrap_or_default())),
            PartBytes::Owned(b) => Ok(b.slice(start as usize..end as usize)),
            PartBytes::Base64 { text, checkpoints, .. } => read_base64(text, checkpoints, start, end),
        }
    }

    /// The whole content as standard base64 (for a JSON `contentBytes`). A base64 body
    /// is reused as it stands, without line breaks; no decoding and re-encoding.
    pub fn to_base64(&self) -> Result<String, InvalidBody> {
        match self {
            PartBytes::Base64 { text, len, .. } => {
                let mut out = String::with_capacity((len.div_ceil(3) * 4) as usize);
                for line in lines(text) {
                    out.push_str(std::str::from_utf8(line).map_err(|_| invalid())?);
                }
                // Re-encode when the text is not canonical (no padding, odd lengths).
                if out.len() % 4 != 0 {
                    let raw = LENIENT.decode(&out).map_err(|_| invalid())?;
                    return Ok(base64::engine::general_purpose::STANDARD.encode(raw));
                }
                Ok(out)
            }
            PartBytes::Raw(b) => Ok(base64::engine::general_purpose::STANDARD.encode(b)),
            PartBytes::Owned(b) => Ok(base64::engine::general_purpose::STANDARD.encode(b)),
        }
    }
}

fn invalid() -> InvalidBody {
    InvalidBody("the attachment's base64 body is not valid base64".into())
}

/// Non-empty lines of base64 text with surrounding whitespace trimmed.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    // memchr, not a per-byte split: this runs over every byte of a 150 MB attachment.
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len()));
    ends.filter_map(move |end| {
        let line = text.get(start..end).unwrap_or_default().trim_ascii();
        start = end + 1;
        (!line.is_empty()).then_some(line)
    })
}

fn scan_base64(text: &[u8]) -> Result<PartBytes<'_>, InvalidBody> {
    let mut chars: u64 = 0;
    let mut padding: u64 = 0;
    let mut checkpoints = vec![(0usize, 0u64)];
    let mut next_cp = CHECKPOINT_BYTES / 3 * 4;
    let mut pos = 0usize;
    while pos < text.len() {
        let rest = text.get(pos..).unwrap_or_default();
        let line_len = memchr::memchr(b'\n', rest).map_or(rest.len(), |n| n + 1);
        let line = rest.get(..line_len).unwrap_or_default().trim_ascii();
        if !line.is_empty() {
            if chars >= next_cp && chars % 4 == 0 {
                checkpoints.push((pos, chars / 4 * 3));
                next_cp = chars + CHECKPOINT_BYTES / 3 * 4;
            }
            if memchr::memchr3(b' ', b'\t', b'\r', line).is_some() {
                return Err(InvalidBody("the attachment's base64 body has spaces inside a line".into()));
            }
            // Padding may be split over lines when they are not a multiple of 4 long
            // ("...x=" then "="): a line of `=` only adds to the padding before it.
            let trailing = line.iter().rev().take_while(|b| **b == b'=').count() as u64;
            padding = if trailing == line.len() as u64 { padding + trailing } else { trailing };
            chars += line.len() as u64;
        }
        pos += line_len;
    }
    let data_chars = chars - padding.min(chars);
    let len = data_chars / 4 * 3 + match data_chars % 4 {
        0 => 0,
        1 => return Err(invalid()),
        2 => 1,
        _ => 2,
    };
    Ok(PartBytes::Base64 { text, len, checkpoints })
}

fn read_base64(text: &[u8], checkpoints: &[(usize, u64)], start: u64, end: u64) -> Result<bytes::Bytes, InvalidBody> {
    if start >= end {
        return Ok(bytes::Bytes::new());
    }
    let aligned = start - start % 3;
    let idx = checkpoints.partition_point(|cp| cp.1 <= aligned).saturating_sub(1);
    let (cp_pos, cp_off) = checkpoints.get(idx).copied().unwrap_or((0, 0));
    let mut skip_chars = (aligned - cp_off) / 3 * 4;
    let need_chars = (end - aligned).div_ceil(3) * 4;
    // Zeroed by the allocator (calloc), not by a loop; filled by the decoder in place.
    let mut out = vec![0u8; (need_chars / 4 * 3) as usize + 3];
    let mut filled = 0usize;
    let mut stage: Vec<u8> = Vec::with_capacity(64 * 1024 + 128);
    let mut taken: u64 = 0;
    for line in lines(text.get(cp_pos..).unwrap_or_default()) {
        let mut line = line;
        if skip_chars > 0 {
            let s = (skip_chars as usize).min(line.len());
            skip_chars -= s as u64;
            line = line.get(s..).unwrap_or_default();
        }
        let want = ((need_chars - taken) as usize).min(line.len());
        stage.extend_from_slice(line.get(..want).unwrap_or_default());
        taken += want as u64;
        if stage.len() >= 64 * 1024 {
            let whole = stage.len() - stage.len() % 4;
            filled += decode_into(stage.get(..whole).unwrap_or_default(), out.get_mut(filled..).unwrap_or_default())?;
            stage.drain(..whole);
        }
        if taken >= need_chars {
            break;
        }
    }
    filled += decode_into(&stage, out.get_mut(filled..).unwrap_or_default())?;
    out.truncate(filled);
    let from = (start - aligned) as usize;
    let to = (from + (end - start) as usize).min(out.len());
    out.truncate(to);
    out.drain(..from.min(to));
    Ok(bytes::Bytes::from(out))
}

fn decode_into(chars: &[u8], out: &mut [u8]) -> Result<usize, InvalidBody> {
    if chars.is_empty() {
        return Ok(0);
    }
    LENIENT.decode_slice(chars, out).map_err(|_| invalid())
}

/// Quoted-printable decoding (RFC 2045): `=XX` escapes, soft line breaks, lenient with
/// malformed escapes (kept as they stand).
pub fn decode_qp(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        match (body.get(i + 1).copied(), body.get(i + 2).copied()) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(h) << 4 | hex(l));
                i += 3;
            }
            _ => {
                out.push(b'=');
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mime_b64(data: &[u8], line: usize) -> Vec<u8> {
        let enc = base64::engine::general_purpose::STANDARD.encode(data);
        let mut out = Vec::new();
        for c in enc.as_bytes().chunks(line) {
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    #[test]
    fn ranges_decode_from_any_offset() {
        let data: Vec<u8> = (0..1_000_003u32).map(|i| (i * 7 % 251) as u8).collect();
        for line in [76, 64, 75] {
            let text = mime_b64(&data, line);
            let p = PartBytes::new(&text, TransferEncoding::Base64).unwrap();
            assert_eq!(p.len(), data.len() as u64);
            for (a, b) in [(0, 10), (1, 2), (196_607, 400_000), (999_999, 1_000_003), (5, 1_000_003)] {
                assert_eq!(&p.read(a..b).unwrap()[..], &data[a as usize..b as usize], "{line} {a}..{b}");
            }
            let b64 = p.to_base64().unwrap();
            assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), data);
        }
    }

    #[test]
    fn padding_split_over_two_lines_counts_whole() {
        // 4 bytes encode to "AAECAw==": lines of 7 put one `=` on each line.
        for (data, line) in [(&[0u8, 1, 2, 3][..], 7), (&[9u8, 8, 7, 6, 5][..], 7), (&[1u8, 2, 3, 4][..], 6)] {
            let text = mime_b64(data, line);
            let p = PartBytes::new(&text, TransferEncoding::Base64).unwrap();
            assert_eq!(p.len(), data.len() as u64, "{:?}", String::from_utf8_lossy(&text));
            assert_eq!(&p.read(0..p.len()).unwrap()[..], data);
        }
    }

    #[test]
    fn qp_and_bad_base64() {
        assert_eq!(decode_qp(b"a=3Db=\r\nc=ZZ="), b"a=bc=ZZ=");
        assert!(PartBytes::new(b"QUJDR", TransferEncoding::Base64).is_err());
        let p = PartBytes::new(b"QUI=\r\n", TransferEncoding::Base64).unwrap();
        assert_eq!(&p.read(0..10).unwrap()[..], b"AB");
    }
}
