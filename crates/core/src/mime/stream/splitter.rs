//! The streaming splitter: takes a MIME message chunk by chunk and keeps in memory only
//! its skeleton, the message with the bodies of large parts taken out; those bodies are
//! decoded into the spool as they stream past. Every other byte (headers, bodies, small
//! parts, boundaries, preamble, epilogue) stays in the skeleton as it came.
//!
//! It does not parse MIME itself: the structure comes from `parts::parse`, run on
//! the skeleton. A body is taken out only where that parse places it:
//! - a run of more than [`SPOOL_BYTES`] without a line starting with `--` (every
//!   boundary delimiter starts so) is where a large body may be; the skeleton up to the
//!   last complete line is parsed, and if its last leaf's body ends there (and its
//!   header block is complete), that body is spooled from its start;
//! - while spooling, a line starting with `--` ends the body exactly when the parse of
//!   skeleton + line break + that line gives the part an empty body (the line is then a
//!   delimiter of an enclosing multipart, by the very rules of `mime::parts`);
//! - the line break before that delimiter belongs to the boundary, not the body.
//!
//! Taking a body out leaves its part's header block, blank line and delimiter lines,
//! so parsing the finished skeleton gives the same parts, each spooled one with an
//! empty body at the place its body was (the hole). [`Split`] maps them back.
//!
//! Small bodies are held only up to [`HELD_BODIES_BYTES`]: past that, the bodies of
//! the parts complete so far are moved, as they came (still encoded: a small part may
//! stay in the draft byte for byte), into a second unlinked spool file in the same
//! `spool_dir`, and become holes too. So a message split into a thousand small parts
//! costs the memory of one large part's run, not of the whole message. Header blocks
//! stay; each spill check (every [`HELD_BODIES_BYTES`] of new skeleton) refuses the
//! message once what is not body passes `limits::MAX_HEADER_BYTES`.

use std::ops::Range;
use std::os::unix::fs::FileExt as _;

use crate::mime::draft_plan::MAX_MESSAGE_BYTES;
use crate::error::Result;
use crate::mime::part_bytes::PartBytes;
use crate::mime::parts::{self, Leaf, Structure, TransferEncoding};
use crate::mime::stream::limits::{self, HEADER_BLOCK_BYTES, MAX_HEADER_BYTES, MAX_STREAM_BYTES, PartCount};
use crate::mime::stream::decode::{Decoded, Decoder};
use crate::mime::spool::Spool;

/// A body that reaches this size is spooled. Larger than any draft that fits one
/// request (~3 MB), so a spooled part left in the draft always makes the plan fail (as
/// the whole message would), never a draft with a hole.
pub const SPOOL_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes of the skeleton added since small bodies were last spilled: past it, the
/// complete small bodies move to the spool. As much as the run a large body may fill
/// before it is spooled ([`SPOOL_BYTES`]), so the skeleton never costs more than about
/// twice that plus the header blocks, whichever way the message's size is split; and
/// each spill parses at most that much new skeleton, so the parses stay linear.
pub const HELD_BODIES_BYTES: usize = SPOOL_BYTES;

/// How much of a chunk enters the skeleton before the splitter looks for a large body
/// again (as often as `scan_from` checks: every quarter of [`SPOOL_BYTES`]).
const FEED_SLICE: usize = SPOOL_BYTES / 4;

/// Where a body was taken out.
pub(crate) struct Hole {
    /// Offset in the skeleton (the body's start).
    pub pos: usize,
    /// The body's length in the message.
    pub encoded_len: usize,
    /// Its bytes in the spool: decoded in the large parts' spool, or as they came
    /// (`encoded` names their transfer encoding) in the small parts' spool.
    pub spool: std::ops::Range<u64>,
    pub decoded: Decoded,
    pub encoded: Option<TransferEncoding>,
}

/// The body being spooled.
struct Active {
    pos: usize,
    encoded_len: usize,
    spool_start: u64,
    decoder: Decoder,
    /// The line break after the last line fed: body if another body line follows,
    /// boundary if a delimiter does.
    held: Vec<u8>,
    /// A CR at the end of the data so far (maybe the first half of a CRLF).
    cr: bool,
    /// The current line when it starts with `-` (a possible delimiter), kept whole.
    dash: Vec<u8>,
    line: LineState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineState {
    Start,
    Dash,
    Content,
}

/// The splitter.
pub(crate) struct Splitter {
    skel: Vec<u8>,
    /// Start of the current (incomplete) line in the skeleton.
    line_start: usize,
    /// Start of the current run of lines that do not start with `--`.
    run_start: usize,
    next_check: usize,
    active: Option<Active>,
    holes: Vec<Hole>,
    spool: Option<Spool>,
    /// Small bodies spilled as they came (see the module doc).
    spilled: Option<Spool>,
    /// Skeleton length at which small bodies are spilled next.
    spill_at: usize,
    spool_dir: Option<std::path::PathBuf>,
    total: usize,
    parts: PartCount,
}

impl Splitter {
    /// A splitter that starts with `buffered` (the message's first bytes).
    pub(crate) fn new(buffered: Vec<u8>, spool_dir: Option<std::path::PathBuf>) -> Result<Splitter> {
        let mut s = Splitter {
            total: buffered.len(),
            skel: buffered,
            line_start: 0,
            run_start: 0,
            next_check: 0,
            active: None,
            holes: Vec::new(),
            spool: None,
            spilled: None,
            spill_at: HELD_BODIES_BYTES,
            spool_dir,
            parts: PartCount::new(),
        };
        s.scan_from(0)?;
        Ok(s)
    }

    /// Bytes of the message so far.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// The next bytes of the message.
    pub(crate) fn push(&mut self, data: &[u8]) -> Result<()> {
        self.total += data.len();
        self.feed(data)
    }

    fn feed(&mut self, mut data: &[u8]) -> Result<()> {
        // A chunk can hold a whole large body (Symfony yields an attachData() string's
        // base64 as one chunk): it enters the skeleton a slice at a time, so spooling
        // starts within a slice or two of the body and the rest goes straight to the
        // spool, instead of copying the whole body into the skeleton and out again.
        while !data.is_empty() {
            if self.active.is_some() {
                return self.spool_bytes(data);
            }
            let (now, rest) = data.split_at(data.len().min(FEED_SLICE));
            let from = self.skel.len();
            self.skel.extend_from_slice(now);
            self.scan_from(from)?;
            data = rest;
        }
        Ok(())
    }

    /// Follows lines in the skeleton from `from` and starts spooling where a large body is.
    fn scan_from(&mut self, from: usize) -> Result<()> {
        let mut pos = from;
        while let Some(nl) = self.skel.get(pos..).and_then(|t| memchr::memchr(b'\n', t)) {
            if self.skel.get(self.line_start..).is_some_and(|l| l.starts_with(b"--")) {
                self.run_start = pos + nl + 1;
                self.parts.dash_line(self.skel.get(..self.run_start).unwrap_or_default())?;
            }
            pos += nl + 1;
            self.line_start = pos;
        }
        if self.skel.len() >= self.spill_at {
            self.spill_small_bodies()?;
        }
        if self.skel.len() - self.run_start > SPOOL_BYTES && self.skel.len() >= self.next_check {
            self.next_check = self.skel.len() + SPOOL_BYTES / 4;
            self.try_spool()?;
        }
        Ok(())
    }

    /// Moves the bodies of the complete parts held in the skeleton to the small parts'
    /// spool once they hold half of [`HELD_BODIES_BYTES`] (the last part parsed may still
    /// grow, so it stays).
    fn spill_small_bodies(&mut self) -> Result<()> {
        let complete = self.line_start;
        let bodies: Vec<(Range<usize>, TransferEncoding)> = match parts::parse(self.skel.get(..complete).unwrap_or_default()) {
            Some(s) => {
                // Header blocks are never spilled: what is not body is capped in all.
                let bodies: usize = s.leaves.iter().map(|l| l.body.len()).sum();
                if complete.saturating_sub(bodies) > MAX_HEADER_BYTES {
                    return Err(limits::headers_too_big(self.total as u64));
                }
                let last = s.leaves.len().saturating_sub(1);
                s.leaves.iter().take(last).filter(|l| !l.body.is_empty() && l.body.end < complete).map(|l| (l.body.clone(), l.encoding)).collect()
            }
            None => Vec::new(),
        };
        // Only when they are worth a file: the text bodies of a message with one large
        // attachment stay (one spool file, as before), many small parts go.
        if bodies.iter().map(|(b, _)| b.len()).sum::<usize>() >= HELD_BODIES_BYTES / 2 {
            self.spill(&bodies)?;
        }
        self.spill_at = self.skel.len() + HELD_BODIES_BYTES;
        Ok(())
    }

    /// Takes `bodies` (sorted, before `line_start`) out of the skeleton into holes.
    fn spill(&mut self, bodies: &[(Range<usize>, TransferEncoding)]) -> Result<()> {
        if self.spilled.is_none() {
            // The MIME read is capped at MAX_STREAM_BYTES already: this limit is never hit.
            self.spilled = Some(Spool::create(self.spool_dir.as_deref(), MAX_STREAM_BYTES, limits::spool_full)?);
        }
        let Some(spilled) = self.spilled.as_mut() else { return Ok(()) };
        let removed: usize = bodies.iter().map(|(b, _)| b.len()).sum();
        let mut kept = Vec::with_capacity(self.skel.len() - removed + HELD_BODIES_BYTES + 64 * 1024);
        let mut from = 0;
        let mut holes = Vec::with_capacity(bodies.len());
        for (body, encoding) in bodies {
            let bytes = self.skel.get(body.clone()).unwrap_or_default();
            // Size and validity now, while the bytes are at hand (as `PartBytes` reads them).
            let decoded = match PartBytes::new(bytes, *encoding) {
                Ok(p) => Decoded { len: p.len(), refused: None, broken: None },
                Err(e) => Decoded { len: 0, refused: Some(e), broken: None },
            };
            let start = spilled.len();
            spilled.write(bytes)?;
            kept.extend_from_slice(self.skel.get(from..body.start).unwrap_or_default());
            let hole = Hole { pos: kept.len(), encoded_len: body.len(), spool: start..spilled.len(), decoded, encoded: Some(*encoding) };
            holes.push(hole);
            from = body.end;
        }
        kept.extend_from_slice(self.skel.get(from..).unwrap_or_default());
        for h in &mut self.holes {
            h.pos -= bodies.iter().filter(|(b, _)| b.end <= h.pos).map(|(b, _)| b.len()).sum::<usize>();
        }
        self.holes.extend(holes);
        self.holes.sort_by_key(|h| h.pos);
        self.skel = kept;
        self.line_start -= removed;
        self.run_start = self.run_start.saturating_sub(removed);
        self.next_check = self.next_check.saturating_sub(removed);
        Ok(())
    }

    /// Spools the body that the skeleton ends in, if it is large.
    fn try_spool(&mut self) -> Result<()> {
        let complete = self.line_start;
        let Some(structure) = parts::parse(self.skel.get(..complete).unwrap_or_default()) else {
            // No header block yet (no complete line), or none at all (not MIME).
            let blank = self.skel.starts_with(b"\n") || self.skel.starts_with(b"\r\n");
            return self.unspoolable(0, !blank);
        };
        let Some(leaf) = structure.leaves.last() else { return self.unspoolable(self.run_start, false) };
        let header_done = leaf.body.start > leaf.header.end || (leaf.header.is_empty() && leaf.body.start > leaf.header.start);
        if !header_done {
            return self.unspoolable(leaf.header.start, true);
        }
        if leaf.body.end != complete {
            return self.unspoolable(self.run_start.max(leaf.body.end), false);
        }
        if self.skel.len() - leaf.body.start < SPOOL_BYTES {
            return Ok(());
        }
        if self.spool.is_none() {
            self.spool = Some(Spool::create(self.spool_dir.as_deref(), MAX_MESSAGE_BYTES, limits::spool_full)?);
        }
        let pos = leaf.body.start;
        let tail = self.skel.split_off(pos);
        self.skel.shrink_to(pos + 64 * 1024);
        let spool_start = self.spool.as_ref().map_or(0, Spool::len);
        let mut active =
            Active { pos, encoded_len: 0, spool_start, decoder: Decoder::new(leaf.encoding), held: Vec::new(), cr: false, dash: Vec::new(), line: LineState::Start };
        let body_lines = tail.get(..complete - pos).unwrap_or_default();
        if !body_lines.is_empty() {
            let eol = if body_lines.ends_with(b"\r\n") { 2 } else { 1 };
            let (lines, eol) = body_lines.split_at(body_lines.len() - eol);
            if let Some(spool) = self.spool.as_mut() {
                active.decoder.feed(lines, spool)?;
            }
            active.encoded_len = lines.len();
            active.held = eol.to_vec();
        }
        self.active = Some(active);
        self.spool_bytes(tail.get(complete - pos..).unwrap_or_default())
    }

    /// The skeleton from `from` on can never be spooled (a header block when `header`):
    /// it stays in memory, so past [`HEADER_BLOCK_BYTES`] the message is refused.
    fn unspoolable(&self, from: usize, header: bool) -> Result<()> {
        if self.skel.len().saturating_sub(from) <= HEADER_BLOCK_BYTES {
            return Ok(());
        }
        let read = self.total as u64;
        Err(if header { limits::header_block_too_big(read) } else { limits::outside_parts_too_big(read) })
    }

    /// Body bytes while spooling; hands over to the skeleton after the closing delimiter.
    fn spool_bytes(&mut self, mut data: &[u8]) -> Result<()> {
        while !data.is_empty() {
            let Some(active) = self.active.as_mut() else { return self.feed(data) };
            let Some(spool) = self.spool.as_mut() else { return Ok(()) };
            if active.line == LineState::Start {
                active.line = if data.first() == Some(&b'-') { LineState::Dash } else { LineState::Content };
            }
            let nl = memchr::memchr(b'\n', data);
            let (piece, rest) = data.split_at(nl.map_or(data.len(), |n| n + 1));
            data = rest;
            match active.line {
                LineState::Dash => {
                    active.dash.extend_from_slice(piece);
                    if nl.is_some() {
                        self.end_dash_line()?;
                    }
                }
                _ => {
                    active.content(piece, nl.is_some(), spool)?;
                }
            }
        }
        Ok(())
    }

    /// A complete line starting with `-` while spooling: a delimiter ends the body.
    fn end_dash_line(&mut self) -> Result<()> {
        let line = match self.active.as_mut() {
            Some(active) => {
                active.line = LineState::Start;
                std::mem::take(&mut active.dash)
            }
            None => return Ok(()),
        };
        if self.is_delimiter(&line) {
            return self.close_hole(&line);
        }
        match (self.active.as_mut(), self.spool.as_mut()) {
            (Some(active), Some(spool)) => active.content(&line, line.ends_with(b"\n"), spool),
            _ => Ok(()),
        }
    }

    /// Whether `line` ends the body being spooled (see the module doc).
    fn is_delimiter(&self, line: &[u8]) -> bool {
        let Some(active) = &self.active else { return false };
        let mut test = Vec::with_capacity(active.pos + active.held.len() + line.len());
        test.extend_from_slice(self.skel.get(..active.pos).unwrap_or_default());
        test.extend_from_slice(&active.held);
        test.extend_from_slice(line);
        parts::parse(&test).is_some_and(|s| s.leaves.iter().any(|l| l.body.start == active.pos && l.body.is_empty()))
    }

    fn close_hole(&mut self, delimiter: &[u8]) -> Result<()> {
        let Some(active) = self.active.take() else { return Ok(()) };
        let Some(spool) = self.spool.as_mut() else { return Ok(()) };
        let decoded = active.decoder.finish(spool)?;
        self.holes.push(Hole { pos: active.pos, encoded_len: active.encoded_len, spool: active.spool_start..spool.len(), decoded, encoded: None });
        let from = self.skel.len();
        self.skel.extend_from_slice(&active.held);
        self.line_start = self.skel.len();
        self.skel.extend_from_slice(delimiter);
        self.run_start = self.skel.len();
        self.next_check = 0;
        self.scan_from(from.max(self.line_start))
    }

    /// The end of the message.
    pub(crate) fn finish(mut self) -> Result<Split> {
        // An unfinished last line may be a close delimiter too.
        let last = match self.active.as_mut() {
            Some(a) if a.line == LineState::Dash => Some(std::mem::take(&mut a.dash)),
            _ => None,
        };
        if let Some(line) = last {
            if self.is_delimiter(&line) {
                self.close_hole(&line)?;
            } else if let (Some(active), Some(spool)) = (self.active.as_mut(), self.spool.as_mut()) {
                active.content(&line, false, spool)?;
            }
        }
        if let Some(mut active) = self.active.take() {
            // The body runs to the end of the message: its last line break is body.
            if let Some(spool) = self.spool.as_mut() {
                let mut tail = std::mem::take(&mut active.held);
                if active.cr {
                    tail.push(b'\r');
                }
                active.encoded_len += tail.len();
                active.decoder.feed(&tail, spool)?;
                let decoded = active.decoder.finish(spool)?;
                self.holes.push(Hole { pos: active.pos, encoded_len: active.encoded_len, spool: active.spool_start..spool.len(), decoded, encoded: None });
            }
        }
        let file = finished(self.spool.as_mut())?;
        let spilled = finished(self.spilled.as_mut())?;
        Ok(Split { skeleton: self.skel, holes: self.holes, file, spilled, total: self.total })
    }
}

/// A spool's file, flushed, for reading.
fn finished(spool: Option<&mut Spool>) -> Result<Option<std::sync::Arc<std::fs::File>>> {
    match spool {
        Some(s) => {
            s.flush()?;
            Ok(Some(s.reader()))
        }
        None => Ok(None),
    }
}

impl Active {
    /// Part of a body line (`ends` when it ends with the line feed).
    fn content(&mut self, piece: &[u8], ends: bool, spool: &mut Spool) -> Result<()> {
        // The previous line break is body: this line is not a delimiter.
        let held = std::mem::take(&mut self.held);
        self.encoded_len += held.len();
        self.decoder.feed(&held, spool)?;
        // A CR held back at the end of the previous piece (rare: a chunk ended between
        // CR and LF) goes in front of this one.
        let joined;
        let piece = if self.cr {
            self.cr = false;
            let mut v = Vec::with_capacity(piece.len() + 1);
            v.push(b'\r');
            v.extend_from_slice(piece);
            joined = v;
            joined.as_slice()
        } else {
            piece
        };
        let text = if ends {
            let t = piece.get(..piece.len().saturating_sub(1)).unwrap_or_default();
            match t.strip_suffix(b"\r") {
                Some(t) => {
                    self.held = b"\r\n".to_vec();
                    t
                }
                None => {
                    self.held = b"\n".to_vec();
                    t
                }
            }
        } else if let Some(t) = piece.strip_suffix(b"\r") {
            self.cr = true;
            t
        } else {
            piece
        };
        self.encoded_len += text.len();
        self.decoder.feed(text, spool)?;
        if ends {
            self.line = LineState::Start;
        }
        Ok(())
    }
}

/// A streamed message split into skeleton and spool.
pub struct Split {
    pub(crate) skeleton: Vec<u8>,
    pub(crate) holes: Vec<Hole>,
    pub(crate) file: Option<std::sync::Arc<std::fs::File>>,
    /// The small parts' spool (bodies as they came).
    pub(crate) spilled: Option<std::sync::Arc<std::fs::File>>,
    pub(crate) total: usize,
}

impl Split {
    /// The message's length.
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether the message is empty.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The skeleton: the message without the spooled bodies.
    pub fn skeleton(&self) -> &[u8] {
        &self.skeleton
    }

    /// Bytes taken out of the skeleton up to skeleton offset `pos`: holes before it, and
    /// one at `pos` itself unless `before` (a position shared by a hole and what follows
    /// it belongs after the hole, but for the hole's own body start).
    fn removed(&self, pos: usize, before: bool) -> usize {
        self.holes.iter().take_while(|h| h.pos < pos || (h.pos == pos && !before)).map(|h| h.encoded_len).sum()
    }

    /// The skeleton's structure with every range in the message's offsets, and for each
    /// leaf its hole (if its body was spooled). `None` when the skeleton does not parse
    /// with each hole in a leaf body of its own (then nothing is sent).
    pub(crate) fn structure(&self) -> Option<(Structure, Vec<Leaf>, Vec<Option<usize>>)> {
        let s = parts::parse(&self.skeleton)?;
        let mut leaves = Vec::with_capacity(s.leaves.len());
        let mut holes = Vec::with_capacity(s.leaves.len());
        let mut matched = 0;
        for l in &s.leaves {
            let hole = self.holes.iter().position(|h| h.pos == l.body.start && l.body.is_empty());
            let at = |p: usize| p + self.removed(p, false);
            let mut m = l.clone();
            m.header = at(l.header.start)..at(l.header.end);
            m.body = at(l.body.start)..at(l.body.end);
            m.cut = at(l.cut.start)..at(l.cut.end);
            if let Some(h) = hole.and_then(|i| self.holes.get(i)) {
                matched += 1;
                let start = l.body.start + self.removed(l.body.start, true);
                m.body = start..start + h.encoded_len;
                if !l.cut.is_empty() {
                    m.cut.end = m.body.end;
                }
            }
            leaves.push(m);
            holes.push(hole);
        }
        (matched == self.holes.len()).then_some((s, leaves, holes))
    }

    /// The message without `cuts` (message ranges, sorted) and with `prefix`: the
    /// skeleton with the spilled small bodies read back where they are kept. A large
    /// body is never kept (a draft with one could not be sent, and the plan refuses it
    /// by size before asking).
    pub(crate) fn draft(&self, prefix: &[u8], cuts: &[std::ops::Range<usize>]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(prefix.len() + parts::without_len(self.total, 0, cuts));
        out.extend_from_slice(prefix);
        let (mut skel, mut at) = (0usize, 0usize); // skeleton and message offsets
        for h in &self.holes {
            let len = h.pos - skel;
            for r in kept(at..at + len, cuts) {
                out.extend_from_slice(self.skeleton.get(r.start - at + skel..r.end - at + skel).unwrap_or_default());
            }
            (skel, at) = (h.pos, at + len);
            if let (Some(_), Some(file)) = (h.encoded, &self.spilled) {
                for r in kept(at..at + h.encoded_len, cuts) {
                    let mut bytes = vec![0u8; r.len()];
                    file.read_exact_at(&mut bytes, h.spool.start + (r.start - at) as u64).map_err(crate::mime::spool::read_failed)?;
                    out.extend_from_slice(&bytes);
                }
            }
            at += h.encoded_len;
        }
        for r in kept(at..at + self.skeleton.len() - skel, cuts) {
            out.extend_from_slice(self.skeleton.get(r.start - at + skel..r.end - at + skel).unwrap_or_default());
        }
        Ok(out)
    }
}

/// The parts of `range` outside `cuts` (sorted; one overlapping an earlier cut is
/// skipped, as `parts::without` does).
fn kept(range: std::ops::Range<usize>, cuts: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut pos, mut prev_end) = (range.start, 0usize);
    for c in cuts {
        if c.start < prev_end {
            continue;
        }
        prev_end = c.end;
        if c.end <= pos || c.start >= range.end {
            continue;
        }
        if c.start > pos {
            out.push(pos..c.start);
        }
        pos = pos.max(c.end);
    }
    if pos < range.end {
        out.push(pos..range.end);
    }
    out
}
