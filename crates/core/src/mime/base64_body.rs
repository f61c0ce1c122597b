//! The one base64 decoder of message bodies, for both readers of a part: `part_bytes`
//! (ranges of a body in the caller's buffer) and `stream::decode` (a body streaming into
//! the spool). Lenient like mail clients: padding optional, stray trailing bits ignored.
//! The decoded size comes from the character count and the padding, counted line by
//! line before anything is decoded (an upload announces its size first), so both
//! readers must count alike: the rules live here once.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Not base64 (a character outside the alphabet, or a length no encoder makes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotBase64;

/// Decodes `chars` (base64 without line breaks) into `out`, which must have room for
/// `chars.len() / 4 * 3 + 3` bytes; returns the number of bytes written.
pub(crate) fn decode_into(chars: &[u8], out: &mut [u8]) -> Result<usize, NotBase64> {
    if chars.is_empty() {
        return Ok(0);
    }
    LENIENT.decode_slice(chars, out).map_err(|_| NotBase64)
}

/// Decodes `chars` (base64 without line breaks) into a new buffer.
pub(crate) fn decode(chars: &[u8]) -> Result<Vec<u8>, NotBase64> {
    LENIENT.decode(chars).map_err(|_| NotBase64)
}

/// The decoded size of a base64 body, counted line by line: each line trimmed, empty
/// lines skipped.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DecodedSize {
    chars: u64,
    /// `=` at the end of the lines seen so far.
    pad: u64,
}

impl DecodedSize {
    /// Counts a non-empty line of `chars` characters, the last `trailing_pad` of them `=`.
    pub(crate) fn line(&mut self, chars: u64, trailing_pad: u64) {
        // Padding may be split over lines when they are not a multiple of 4 long
        // ("...x=" then "="): a line of `=` only adds to the padding before it.
        self.pad = if trailing_pad == chars { self.pad + trailing_pad } else { trailing_pad };
        self.chars += chars;
    }

    /// Characters counted so far.
    pub(crate) fn chars(&self) -> u64 {
        self.chars
    }

    /// The decoded size; `NotBase64` for one character past a whole quad, which no
    /// encoder writes.
    pub(crate) fn bytes(&self) -> Result<u64, NotBase64> {
        let data = self.chars - self.pad.min(self.chars);
        let tail = match data % 4 {
            0 => 0,
            1 => return Err(NotBase64),
            2 => 1,
            _ => 2,
        };
        Ok(data / 4 * 3 + tail)
    }
}

/// `=` at the end of `line`.
pub(crate) fn trailing_pad(line: &[u8]) -> u64 {
    line.iter().rev().take_while(|b| **b == b'=').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size_of(lines: &[&str]) -> Result<u64, NotBase64> {
        let mut size = DecodedSize::default();
        for l in lines {
            size.line(l.len() as u64, trailing_pad(l.as_bytes()));
        }
        size.bytes()
    }

    #[test]
    fn the_size_counts_padding_split_over_lines_whole() {
        // [0, 1, 2, 3] is "AAECAw==": lines of 7 leave one `=` on a line of its own.
        assert_eq!(size_of(&["AAECAw=", "="]), Ok(4));
        assert_eq!(size_of(&["AAECAw==", "AAEC"]), Ok(9), "only the last lines' padding counts");
        assert_eq!(size_of(&["AA", "EC", "Aw"]), Ok(4), "no padding at all");
        assert_eq!(size_of(&["QUJDR"]), Err(NotBase64), "one character past a quad");
        assert_eq!(size_of(&[]), Ok(0));
    }

    #[test]
    fn decoding_is_lenient_about_padding_and_trailing_bits() {
        assert_eq!(decode(b"QUI=").unwrap(), b"AB");
        assert_eq!(decode(b"QUI").unwrap(), b"AB", "padding optional");
        assert_eq!(decode(b"QUJ").unwrap(), b"AB", "stray trailing bits ignored");
        assert_eq!(decode(b"QU I="), Err(NotBase64));
        let mut out = [0u8; 6];
        assert_eq!(decode_into(b"QUJDRA", &mut out), Ok(4));
        assert_eq!(&out[..4], b"ABCD");
        assert_eq!(decode_into(b"", &mut out), Ok(0));
    }
}
