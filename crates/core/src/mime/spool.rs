//! The spool: one temporary file per streamed send holding the decoded bytes of its
//! large parts, so that a 150 MB attachment never sits in memory. The file is created
//! already unlinked (`O_TMPFILE`, else created and unlinked at once): it has no name, so
//! the kernel frees it when the last descriptor closes, whatever ends the process or
//! the send (success, error, an exception or fatal error in a PHP callback, a forked
//! child exiting). Nothing has to clean it up. A streamed send of many small parts
//! has a second such file (same directory, same rules) for their bodies as they came.

use std::fs::File;
use std::io::Write as _;
use std::ops::Range;
use std::os::unix::fs::FileExt as _;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::mime::part_bytes::{InvalidBody, PartBytes, bad_base64};
use crate::mime::parts::TransferEncoding;

/// Bytes gathered before a write to the file.
const WRITE_BUFFER: usize = 1024 * 1024;

/// The spool being written.
pub(crate) struct Spool {
    file: Arc<File>,
    /// Bytes written to the file.
    flushed: u64,
    buf: Vec<u8>,
    /// Most bytes it may hold (the message limit: a larger message is refused, so the
    /// disk never holds more than one message can send), and the error past it.
    limit: u64,
    over: fn() -> Error,
}

impl Spool {
    /// A new unlinked file in `dir` (the system temp directory when `None`) that refuses
    /// to hold more than `limit` bytes with `over()`.
    pub(crate) fn create(dir: Option<&Path>, limit: u64, over: fn() -> Error) -> Result<Spool> {
        let tmp;
        let dir = match dir {
            Some(d) => d,
            None => {
                tmp = std::env::temp_dir();
                tmp.as_path()
            }
        };
        let file = tempfile::tempfile_in(dir).map_err(|e| {
            Error::config("spool_dir", format!("cannot create the spool file for a large message in `{}`: {e}", dir.display()))
                .with_hint("set `spool_dir` to a writable directory with room for the message's attachments (default: sys_get_temp_dir())")
        })?;
        Ok(Spool { file: Arc::new(file), flushed: 0, buf: Vec::with_capacity(WRITE_BUFFER), limit, over })
    }

    /// Bytes spooled so far (written or buffered).
    pub(crate) fn len(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }

    pub(crate) fn write(&mut self, data: &[u8]) -> Result<()> {
        if self.len() + data.len() as u64 > self.limit {
            return Err((self.over)());
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= WRITE_BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        (&*self.file).write_all(&self.buf).map_err(write_failed)?;
        self.flushed += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// The finished file, for reading (after [`Spool::flush`]).
    pub(crate) fn reader(&self) -> Arc<File> {
        Arc::clone(&self.file)
    }
}

fn write_failed(e: std::io::Error) -> Error {
    Error::config("spool_dir", format!("writing the spool file of a large message failed: {e}"))
        .with_hint("give `spool_dir` (default: sys_get_temp_dir()) room for the message's attachments: up to 150 MB per send")
}

/// Reading a spool file back failed.
pub(crate) fn read_failed(e: std::io::Error) -> Error {
    Error::config("spool_dir", format!("reading the spool file of a large message failed: {e}"))
        .with_hint("check the disk behind `spool_dir` (default: sys_get_temp_dir())")
}

/// One part's decoded bytes in the spool, or a small part's bytes as they came.
#[derive(Debug, Clone)]
pub struct SpoolRange {
    file: Arc<File>,
    start: u64,
    len: u64,
    /// The part's bytes as they came, in this encoding (`end - start` of them): read
    /// whole and decoded by `PartBytes` when asked (a small part: under 4 MiB).
    encoded: Option<(u64, TransferEncoding)>,
    /// Why the bytes cannot be read (the part's base64 did not decode): reported when
    /// the upload reads them, as for a part read from memory.
    broken: Option<InvalidBody>,
}

impl SpoolRange {
    pub(crate) fn new(file: Arc<File>, range: Range<u64>, len: u64, broken: Option<InvalidBody>) -> SpoolRange {
        // A decoder that wrote fewer bytes than the part's size is a broken part.
        let broken = broken.or_else(|| (range.end - range.start != len).then(bad_base64));
        SpoolRange { file, start: range.start, len, broken, encoded: None }
    }

    /// A small part's body as it came (`range` of `file`), `len` bytes once decoded.
    pub(crate) fn encoded(file: Arc<File>, range: Range<u64>, len: u64, encoding: TransferEncoding) -> SpoolRange {
        SpoolRange { file, start: range.start, len, broken: None, encoded: Some((range.end - range.start, encoding)) }
    }

    /// The encoded bytes of a small part, for `PartBytes`.
    fn raw(&self, raw_len: u64) -> std::result::Result<Vec<u8>, InvalidBody> {
        let mut raw = vec![0u8; raw_len as usize];
        self.file.read_exact_at(&mut raw, self.start).map_err(|e| InvalidBody(format!("reading the spool file failed: {e}")))?;
        Ok(raw)
    }

    /// The whole content as standard base64, as `PartBytes::to_base64` gives it.
    pub fn to_base64(&self) -> std::result::Result<String, InvalidBody> {
        use base64::Engine as _;
        match self.encoded {
            Some((raw_len, encoding)) => PartBytes::new(&self.raw(raw_len)?, encoding)?.to_base64(),
            None => Ok(base64::engine::general_purpose::STANDARD.encode(self.read(0..self.len)?)),
        }
    }

    /// The decoded size.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Decoded bytes `range` (clamped to the size).
    pub fn read(&self, range: Range<u64>) -> std::result::Result<bytes::Bytes, InvalidBody> {
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        if let Some((raw_len, encoding)) = self.encoded {
            return PartBytes::new(&self.raw(raw_len)?, encoding)?.read(range);
        }
        let end = range.end.min(self.len);
        let start = range.start.min(end);
        let mut out = vec![0u8; (end - start) as usize];
        self.file
            .read_exact_at(&mut out, self.start + start)
            .map_err(|e| InvalidBody(format!("reading the spool file failed: {e}")))?;
        Ok(bytes::Bytes::from(out))
    }
}
