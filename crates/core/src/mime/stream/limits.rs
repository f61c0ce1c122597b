//! What a streamed message may cost, checked while it is read: a message that passes a
//! limit is refused at the chunk that passes it, before the rest is read, spooled or
//! held. A string handed to `sendMime` is already in memory; a stream is not, and a
//! generator that never ends (or a 400 MB attachment, or one endless header line) must
//! cost a bounded amount of memory and disk, not the process.
//!
//! - Graph's message limit (150 MB, `draft_plan::MAX_MESSAGE_BYTES`): the spool (the
//!   decoded large attachments) never holds more; the MIME read is at most what a
//!   message within that limit can take once base64-encoded ([`MAX_STREAM_BYTES`]).
//! - A header block (the message's or a part's) or text outside any part body
//!   (preamble, epilogue) of more than [`HEADER_BLOCK_BYTES`]: not a mail. Such bytes
//!   can never be cut out of the draft, which must stay under ~3 MB anyway.
//! - More than [`MAX_HEADER_BYTES`] outside the part bodies in all (header blocks,
//!   boundary lines, preamble, epilogue): never spilled (the splitter moves only bodies
//!   out of memory), so without this cap a thousand parts of near-4 MiB header blocks
//!   would hold up to the whole MIME read in memory.
//! - More than [`MAX_PARTS`] MIME parts: each one left out of the draft costs a request
//!   of its own, and every part costs memory when the message is parsed.

use crate::mime::draft_plan::{self, MAX_MESSAGE_BYTES};
use crate::error::{Error, Result};

const MIB: u64 = 1024 * 1024;

/// MIME read at most: a message of [`MAX_MESSAGE_BYTES`] whose bytes are all base64 in
/// 76-character lines with CRLF, plus 4 MiB of headers and bodies. Every message Graph
/// can take fits (its attachments count decoded there); more is refused unread.
pub const MAX_STREAM_BYTES: u64 = base64_mime_len(MAX_MESSAGE_BYTES) + 4 * MIB;

/// Largest header block, and largest run of text outside any part's body.
pub const HEADER_BLOCK_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes of a streamed message outside its part bodies: header blocks (the
/// message's and every part's), boundary lines, preamble and epilogue. A real mail's
/// total a few hundred KiB even with many parts; this leaves a wide margin, and bounds
/// what the skeleton holds however the headers are split over parts.
pub const MAX_HEADER_BYTES: usize = 16 * 1024 * 1024;

/// Most MIME parts (leaves: bodies and attachments) in a streamed message.
pub const MAX_PARTS: usize = 1000;

/// Length of `n` bytes as base64 in lines of 76 characters ending in CRLF.
const fn base64_mime_len(n: u64) -> u64 {
    let chars = n.div_ceil(3) * 4;
    chars + chars.div_ceil(76) * 2
}

fn mb(n: u64) -> u64 {
    n / MIB
}

/// The MIME read so far passed [`MAX_STREAM_BYTES`].
pub(crate) fn too_much_mime(read: u64) -> Error {
    draft_plan::too_big(format!(
        "the streamed message passed {} MB of MIME after {} MB were read: more than any message within Graph's {} MB message limit can be \
         once base64-encoded; nothing was sent, and the rest was not read",
        mb(MAX_STREAM_BYTES),
        mb(read),
        mb(MAX_MESSAGE_BYTES)
    ))
}

/// The spool (the decoded large attachments) would pass Graph's message limit.
pub(crate) fn spool_full() -> Error {
    draft_plan::too_big(format!(
        "the streamed message's attachments passed Graph's {} MB message limit while it was read; nothing was sent, and the rest was not read",
        mb(MAX_MESSAGE_BYTES)
    ))
}

/// A header block (of the message, or of a part) passed [`HEADER_BLOCK_BYTES`].
pub(crate) fn header_block_too_big(read: u64) -> Error {
    Error::config(
        "mime",
        format!(
            "a header block of the streamed message passed the {} MB header-block limit ({} MB read): a header block that big is not a mail; nothing was sent",
            HEADER_BLOCK_BYTES as u64 / MIB,
            mb(read)
        ),
    )
    .with_hint(NOT_A_MAIL)
}

/// The message's bytes outside part bodies passed [`MAX_HEADER_BYTES`].
pub(crate) fn headers_too_big(read: u64) -> Error {
    Error::config(
        "mime",
        format!(
            "the header blocks of the streamed message (with its boundary lines, preamble and epilogue) passed the {} MB header limit ({} MB read): \
             a real mail's headers total a few hundred KB even with many parts; nothing was sent, and the rest was not read",
            MAX_HEADER_BYTES as u64 / MIB,
            mb(read)
        ),
    )
    .with_hint(NOT_A_MAIL)
}

/// More than [`HEADER_BLOCK_BYTES`] before the first part, after the last, or where no
/// part's body can be.
pub(crate) fn outside_parts_too_big(read: u64) -> Error {
    Error::config(
        "mime",
        format!(
            "the streamed message has more than {} MB of text outside any part's body (preamble or epilogue) or is not MIME ({} MB read); nothing was sent",
            HEADER_BLOCK_BYTES as u64 / MIB,
            mb(read)
        ),
    )
    .with_hint(NOT_A_MAIL)
}

const NOT_A_MAIL: &str = "hand sendMimeStream() a rendered MIME message (Symfony's Message::toIterable()), header lines under 998 bytes (RFC 5322); \
     send large content as an attachment";

/// Counts the parts of a message as its lines arrive, without parsing it each time:
/// every part starts after a line beginning with `--` (a boundary delimiter), so the
/// message is parsed only when those lines could hold more than [`MAX_PARTS`] parts.
/// Each parse so sees at most `MAX_PARTS` + 1 new parts: the count never costs the
/// memory it guards against.
pub(crate) struct PartCount {
    dash_lines: usize,
    next_check: usize,
}

impl PartCount {
    pub(crate) fn new() -> PartCount {
        PartCount { dash_lines: 0, next_check: MAX_PARTS }
    }

    /// A line beginning with `--` ended `so_far` (the message up to and with that line).
    pub(crate) fn dash_line(&mut self, so_far: &[u8]) -> Result<()> {
        self.dash_lines += 1;
        if self.dash_lines < self.next_check {
            return Ok(());
        }
        let parts = crate::mime::parts::parse(so_far).map_or(0, |s| s.leaves.len());
        if parts > MAX_PARTS {
            return Err(Error::config(
                "mime",
                format!("the streamed message has more than {MAX_PARTS} MIME parts (the part-count limit); nothing was sent"),
            )
            .with_hint("send fewer attachments per message (e.g. one archive of the files, or links to them)"));
        }
        self.next_check = self.dash_lines + (MAX_PARTS - parts) + 1;
        Ok(())
    }

    /// Counts the lines of a complete `text`.
    pub(crate) fn lines(&mut self, text: &[u8]) -> Result<()> {
        let mut start = 0;
        while start < text.len() {
            let end = memchr::memchr(b'\n', text.get(start..).unwrap_or_default()).map_or(text.len(), |n| start + n + 1);
            if text.get(start..end).is_some_and(|l| l.starts_with(b"--")) {
                self.dash_line(text.get(..end).unwrap_or_default())?;
            }
            start = end;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_parts(n: usize) -> Vec<u8> {
        let mut m = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        for i in 0..n {
            m.extend_from_slice(format!("--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n").as_bytes());
        }
        m.extend_from_slice(b"--b--\r\n");
        m
    }

    #[test]
    fn the_limit_of_parts_is_exact_and_lines_like_delimiters_are_not_parts() {
        assert!(PartCount::new().lines(&tiny_parts(MAX_PARTS)).is_ok());
        let e = PartCount::new().lines(&tiny_parts(MAX_PARTS + 1)).expect_err("one part too many");
        assert_eq!(e.kind, crate::ErrorKind::Configuration);
        assert!(e.to_string().contains("more than 1000 MIME parts") && e.to_string().contains("Fix: send fewer attachments"), "{e}");
        // A text body of 5,000 lines starting with `--` is one part.
        let mut m = b"Content-Type: text/plain\r\n\r\n".to_vec();
        m.extend(std::iter::repeat_n(&b"-- not a boundary\r\n"[..], 5000).flatten());
        assert!(PartCount::new().lines(&m).is_ok());
    }

    #[test]
    fn a_message_within_graphs_limit_fits_the_mime_limit() {
        // 150 MiB of attachments in base64 (76-character lines) + the largest draft.
        assert!(base64_mime_len(MAX_MESSAGE_BYTES) + 3 * MIB < MAX_STREAM_BYTES);
        assert_eq!(base64_mime_len(57), 78);
        assert_eq!(mb(MAX_STREAM_BYTES), 209);
    }
}
