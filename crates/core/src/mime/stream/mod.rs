//! Sending a message that arrives in chunks (a PHP stream or generator) without ever
//! holding it whole. The first [`BUFFER_BYTES`] are buffered: a message that ends
//! within them is sent exactly as `send_mime` sends a string (same route, same
//! requests). A longer one can only go the draft route; from there on the splitter keeps
//! the skeleton (everything but the large bodies) in memory and decodes large bodies
//! into an unlinked spool file (and moves small bodies, as they came, to a second one
//! once they pass [`HELD_BODIES_BYTES`]), and the draft plan is made from the skeleton by the
//! same `draft_plan` rules, its attachments read from the spool. The same bytes give
//! the same plan either way (property test `property_tests/stream_plan.rs`).

mod decode;
mod limits;
mod splitter;

use std::path::PathBuf;

pub use limits::{HEADER_BLOCK_BYTES, MAX_HEADER_BYTES, MAX_PARTS, MAX_STREAM_BYTES};
pub use splitter::{HELD_BODIES_BYTES, SPOOL_BYTES, Split};

use crate::error::{Error, Result};
use crate::mime::attachment_bytes::AttachmentBytes;
use crate::mime::draft_plan::{self, DraftPlan};
use crate::mime::part_bytes::PartBytes;
use crate::mime::spool::SpoolRange;

/// Buffered before splitting: every message that could go as one request (MIME or
/// JSON) fits, so that those are decided on the whole message, as today.
pub const BUFFER_BYTES: usize = draft_plan::JSON_CANDIDATE_BYTES;

/// A message being received in chunks.
pub struct Ingest {
    buffer: Vec<u8>,
    splitter: Option<splitter::Splitter>,
    spool_dir: Option<PathBuf>,
}

/// A received message: whole (small) or split (large).
pub enum Streamed {
    /// The whole message (at most [`BUFFER_BYTES`]).
    Whole(Vec<u8>),
    /// Skeleton + spool.
    Split(Split),
}

impl Ingest {
    /// Spools into `spool_dir` (the system temp directory when `None`).
    pub fn new(spool_dir: Option<PathBuf>) -> Ingest {
        Ingest { buffer: Vec::new(), splitter: None, spool_dir }
    }

    /// Bytes received so far.
    pub fn len(&self) -> usize {
        self.splitter.as_ref().map_or(self.buffer.len(), splitter::Splitter::total)
    }

    /// Whether nothing was received.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next chunk of the message. Refused (with nothing kept of it) once the
    /// message passes a limit (see `limits`): Graph's message limit, the header-block
    /// limit, the part-count limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        let read = (self.len() + chunk.len()) as u64;
        if read > MAX_STREAM_BYTES {
            return Err(limits::too_much_mime(read));
        }
        if let Some(s) = self.splitter.as_mut() {
            return s.push(chunk);
        }
        if self.buffer.len() + chunk.len() <= BUFFER_BYTES {
            self.buffer.extend_from_slice(chunk);
            return Ok(());
        }
        let mut s = splitter::Splitter::new(std::mem::take(&mut self.buffer), self.spool_dir.take())?;
        s.push(chunk)?;
        self.splitter = Some(s);
        Ok(())
    }

    /// The end of the message.
    pub fn finish(self) -> Result<Streamed> {
        match self.splitter {
            Some(s) => Ok(Streamed::Split(s.finish()?)),
            None => {
                limits::PartCount::new().lines(&self.buffer)?;
                Ok(Streamed::Whole(self.buffer))
            }
        }
    }
}

impl Split {
    /// The draft plan, as `draft_plan::plan_draft` makes it for the whole message.
    pub fn plan(&self, prefix: &[u8]) -> Result<DraftPlan<'_>> {
        let Some((_, leaves, holes)) = self.structure() else {
            return Err(match crate::mime::parts::parse(&self.skeleton) {
                None => crate::mime::envelope::not_mime(),
                // A bug, never the caller's: refuse rather than send a draft with a hole.
                Some(_) => Error::config("mime", "the streamed message could not be split consistently; nothing was sent")
                    .with_hint("send this message as a string with sendMime() and report the case"),
            });
        };
        let skel_leaves = crate::mime::parts::parse(&self.skeleton).map(|s| s.leaves).unwrap_or_default();
        draft_plan::plan_leaves(
            self.total,
            prefix,
            &leaves,
            |i, leaf| match holes.get(i).copied().flatten().and_then(|h| self.holes.get(h)) {
                Some(hole) => {
                    if let Some(e) = &hole.decoded.refused {
                        return Err(e.clone());
                    }
                    let missing = crate::mime::part_bytes::bad_base64;
                    Ok(AttachmentBytes::Spool(match hole.encoded {
                        Some(encoding) => SpoolRange::encoded(self.spilled.clone().ok_or_else(missing)?, hole.spool.clone(), hole.decoded.len, encoding),
                        None => SpoolRange::new(self.file.clone().ok_or_else(missing)?, hole.spool.clone(), hole.decoded.len, hole.decoded.broken.clone()),
                    }))
                }
                None => {
                    let body = skel_leaves.get(i).and_then(|l| self.skeleton.get(l.body.clone())).unwrap_or_default();
                    PartBytes::new(body, leaf.encoding).map(AttachmentBytes::Mime)
                }
            },
            |cuts| self.draft(prefix, cuts),
        )
    }
}
