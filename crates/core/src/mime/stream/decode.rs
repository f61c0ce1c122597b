//! Decoding one part's body into the spool as it streams past, with the same rules as
//! `part_bytes` (which decodes from a buffer in place): base64 lines are trimmed, a
//! space, tab or CR inside a line refuses the part, the size comes from the character
//! count and the padding of the last line; quoted-printable goes through the same
//! `decode_qp`; other bodies are their bytes. Only a few KB are held at a time.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::error::Result;
use crate::mime::parts::TransferEncoding;
use crate::mime::part_bytes::{InvalidBody, decode_qp};
use crate::mime::spool::{Spool, bad_base64};

/// Base64 characters decoded at once.
const STAGE: usize = 64 * 1024;

/// Lenient like `part_bytes`: padding optional, stray trailing bits ignored.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What a finished decoder reports.
pub(crate) struct Decoded {
    /// The part's decoded size (as `PartBytes::len` computes it).
    pub len: u64,
    /// The part cannot be read at all (as `PartBytes::new` refuses it).
    pub refused: Option<InvalidBody>,
    /// The part's bytes did not decode (reported when read, as `PartBytes::read` does).
    pub broken: Option<InvalidBody>,
}

pub(crate) enum Decoder {
    Identity { len: u64 },
    QuotedPrintable { pending: Vec<u8>, len: u64 },
    Base64(Base64),
}

#[derive(Default)]
pub(crate) struct Base64 {
    /// A content character was seen on the current line.
    in_line: bool,
    /// Whitespace after the last content character of the current line: trailing
    /// (dropped) if the line ends, inside the line otherwise. Counted, not kept (an
    /// endless run of it must not grow memory): how many bytes, and whether any is a
    /// space, tab or CR (which refuse the part; form feeds alone only break it).
    ws: u64,
    ws_blank: bool,
    /// `=` at the end of the current line's content / of the last non-empty lines (a
    /// line of `=` only adds to the line before: "...x=" then "=").
    pad: u64,
    last_pad: u64,
    /// Content characters of the current line.
    line_chars: u64,
    chars: u64,
    stage: Vec<u8>,
    out: Vec<u8>,
    refused: Option<InvalidBody>,
    broken: Option<InvalidBody>,
}

impl Decoder {
    pub(crate) fn new(encoding: TransferEncoding) -> Decoder {
        match encoding {
            TransferEncoding::Identity => Decoder::Identity { len: 0 },
            TransferEncoding::QuotedPrintable => Decoder::QuotedPrintable { pending: Vec::new(), len: 0 },
            TransferEncoding::Base64 => Decoder::Base64(Base64::default()),
        }
    }

    /// Feeds the next body bytes.
    pub(crate) fn feed(&mut self, data: &[u8], spool: &mut Spool) -> Result<()> {
        match self {
            Decoder::Identity { len } => {
                *len += data.len() as u64;
                spool.write(data)
            }
            Decoder::QuotedPrintable { pending, len } => {
                pending.extend_from_slice(data);
                // `decode_qp` looks at most two bytes past a `=`: any prefix that ends
                // with a line break, or whose last two bytes are no `=`, decodes alone
                // exactly as it would within the whole body.
                let cut = match memchr::memrchr(b'\n', pending) {
                    Some(nl) => nl + 1,
                    None if pending.len() > STAGE => {
                        let mut k = pending.len() - 2;
                        while k > 0 && (pending.get(k - 1) == Some(&b'=') || pending.get(k.wrapping_sub(2)) == Some(&b'=')) {
                            k -= 1;
                        }
                        k
                    }
                    None => 0,
                };
                if cut > 0 {
                    let out = decode_qp(pending.get(..cut).unwrap_or_default());
                    *len += out.len() as u64;
                    spool.write(&out)?;
                    pending.drain(..cut);
                }
                Ok(())
            }
            Decoder::Base64(b) => {
                let mut rest = data;
                while !rest.is_empty() {
                    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                    let (text, after) = rest.split_at(end);
                    b.text(text);
                    if let Some((_, after)) = after.split_first() {
                        b.end_line();
                        rest = after;
                    } else {
                        rest = after;
                    }
                    if b.stage.len() >= STAGE {
                        b.decode_stage(false, spool)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Ends the body.
    pub(crate) fn finish(self, spool: &mut Spool) -> Result<Decoded> {
        match self {
            Decoder::Identity { len } => Ok(Decoded { len, refused: None, broken: None }),
            Decoder::QuotedPrintable { pending, len } => {
                let out = decode_qp(&pending);
                spool.write(&out)?;
                Ok(Decoded { len: len + out.len() as u64, refused: None, broken: None })
            }
            Decoder::Base64(mut b) => {
                b.end_line();
                b.decode_stage(true, spool)?;
                let data_chars = b.chars - b.last_pad.min(b.chars);
                let len = data_chars / 4 * 3
                    + match data_chars % 4 {
                        0 => 0,
                        1 => {
                            b.refused.get_or_insert_with(bad_base64);
                            0
                        }
                        2 => 1,
                        _ => 2,
                    };
                Ok(Decoded { len, refused: b.refused, broken: b.broken })
            }
        }
    }
}

impl Base64 {
    /// Line text without line feeds: whole runs without whitespace at once (a base64
    /// line), others byte by byte.
    fn text(&mut self, text: &[u8]) {
        let clean = memchr::memchr3(b' ', b'\t', b'\r', text).is_none() && memchr::memchr(0x0c, text).is_none();
        match text.split_first() {
            Some((&first, rest)) if clean && !rest.is_empty() => {
                self.byte(first);
                self.chars += rest.len() as u64;
                self.line_chars += rest.len() as u64;
                let trailing = rest.iter().rev().take_while(|c| **c == b'=').count() as u64;
                self.pad = if trailing == rest.len() as u64 { self.pad + trailing } else { trailing };
                self.stage.extend_from_slice(rest);
            }
            _ => text.iter().for_each(|&c| self.byte(c)),
        }
    }

    fn byte(&mut self, c: u8) {
        match c {
            b'\n' => self.end_line(),
            // `trim_ascii` whitespace other than the line feed.
            b' ' | b'\t' | b'\r' | 0x0c => {
                if self.in_line {
                    self.ws += 1;
                    self.ws_blank |= c != 0x0c;
                }
            }
            _ => {
                if self.ws > 0 {
                    // Whitespace inside the line: the part is refused (space, tab, CR) or
                    // cannot decode (form feeds), so its bytes need not reach the stage.
                    if self.ws_blank {
                        self.refused.get_or_insert_with(|| InvalidBody("the attachment's base64 body has spaces inside a line".into()));
                    }
                    self.broken.get_or_insert_with(bad_base64);
                    self.chars += self.ws;
                    self.line_chars += self.ws;
                    self.pad = 0;
                    (self.ws, self.ws_blank) = (0, false);
                }
                self.in_line = true;
                self.chars += 1;
                self.line_chars += 1;
                self.pad = if c == b'=' { self.pad + 1 } else { 0 };
                self.stage.push(c);
            }
        }
    }

    fn end_line(&mut self) {
        if self.in_line {
            self.last_pad = if self.pad == self.line_chars { self.last_pad + self.pad } else { self.pad };
        }
        self.in_line = false;
        self.pad = 0;
        self.line_chars = 0;
        (self.ws, self.ws_blank) = (0, false);
    }

    fn decode_stage(&mut self, last: bool, spool: &mut Spool) -> Result<()> {
        let whole = if last { self.stage.len() } else { self.stage.len() - self.stage.len() % 4 };
        if self.broken.is_none() && whole > 0 {
            self.out.resize(whole / 4 * 3 + 3, 0);
            match LENIENT.decode_slice(self.stage.get(..whole).unwrap_or_default(), &mut self.out) {
                Ok(n) => spool.write(self.out.get(..n).unwrap_or_default())?,
                Err(_) => self.broken = Some(bad_base64()),
            }
        }
        self.stage.drain(..whole);
        Ok(())
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::part_bytes::PartBytes;

    /// The streamed decoder against `PartBytes` for `text` fed in `chunk`-byte pieces:
    /// the same size and bytes.
    fn same_as_part_bytes(text: &[u8], chunk: usize) {
        let whole = PartBytes::new(text, TransferEncoding::Base64).expect("valid base64");
        let mut spool = Spool::create(None, u64::MAX, || unreachable!()).expect("spool");
        let mut d = Decoder::new(TransferEncoding::Base64);
        for c in text.chunks(chunk) {
            d.feed(c, &mut spool).expect("feed");
        }
        let done = d.finish(&mut spool).expect("finish");
        spool.flush().expect("flush");
        assert!(done.refused.is_none() && done.broken.is_none(), "chunk {chunk}");
        assert_eq!(done.len, whole.len(), "chunk {chunk}: {:?}", String::from_utf8_lossy(text));
        assert_eq!(spool.len(), whole.len(), "chunk {chunk}: bytes spooled");
    }

    #[test]
    fn padding_split_over_lines_is_counted_whole() {
        // Lines not a multiple of 4 long can end "...x=" with the last "=" on a line of
        // its own (found by the plan property test: 5,607,298 bytes, lines of 21).
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 253) as u8).collect();
        for len in [4998usize, 4999, 5000] {
            let enc = base64::engine::general_purpose::STANDARD.encode(&data[..len]);
            for line in [5usize, 7, 21, 75, 76] {
                let wrapped: Vec<u8> = enc.as_bytes().chunks(line).collect::<Vec<_>>().join(&b"\n"[..]);
                for chunk in [1usize, 3, 64, 100_000] {
                    same_as_part_bytes(&wrapped, chunk);
                }
            }
        }
    }

    #[test]
    fn whitespace_inside_a_line_is_counted_not_kept() {
        let cases: [(&[u8], bool, bool); 3] = [(b"QUJD   \r\nRA==\r\n", false, false), (b"QU  JD\r\n", true, true), (b"QU\x0c\x0cJD\r\n", false, true)];
        for (text, refused, broken) in cases {
            let mut spool = Spool::create(None, u64::MAX, || unreachable!()).expect("spool");
            let mut d = Decoder::new(TransferEncoding::Base64);
            d.feed(text, &mut spool).expect("feed");
            let done = d.finish(&mut spool).expect("finish");
            assert_eq!((done.refused.is_some(), done.broken.is_some()), (refused, broken), "{:?}", String::from_utf8_lossy(text));
            assert_eq!(PartBytes::new(text, TransferEncoding::Base64).is_err(), refused, "{:?}", String::from_utf8_lossy(text));
        }
        // A hostile run of whitespace inside one line holds nothing.
        let mut spool = Spool::create(None, u64::MAX, || unreachable!()).expect("spool");
        let mut d = Decoder::new(TransferEncoding::Base64);
        d.feed(b"QUJD", &mut spool).expect("feed");
        let spaces = vec![b' '; 1024 * 1024];
        for _ in 0..8 {
            d.feed(&spaces, &mut spool).expect("feed");
        }
        let Decoder::Base64(b) = &d else { unreachable!() };
        assert_eq!(b.ws, 8 * 1024 * 1024);
        assert!(b.stage.len() < STAGE, "{} bytes staged", b.stage.len());
    }
}
