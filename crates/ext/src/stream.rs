//! `O365\Mailer::sendMimeStream()`: a message handed over in chunks (an iterable of
//! strings such as Symfony's `Message::toIterable()`, or a readable stream resource),
//! never as one PHP string. The chunks go into the core's `Ingest` as they arrive: a
//! small message is buffered and sent as `sendMime` sends it; a large one keeps its
//! skeleton in memory and its large parts in an unlinked spool file (in `spool_dir`,
//! else `sys_get_temp_dir()`), which the kernel frees on every path.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::FromZvalMut;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{Iterable, ZendCallable, ZendHashTable, Zval};
use ext_php_rs::zend::{CatchError, ExecutorGlobals, try_catch};
use o365_core::stream::Ingest;

use crate::progress::PhpProgress;

/// Bytes read from a stream resource per `fread`.
const READ_BYTES: i64 = 1024 * 1024;
/// A `prepare` progress report (and a chance to stop) per this many bytes read.
const REPORT_EVERY: usize = 8 * 1024 * 1024;

pub fn send_stream(
    mailer: &o365_core::Mailer,
    mime: &Zval,
    mailbox: Option<&str>,
    recipients: &[String],
    on_progress: Option<&Zval>,
) -> PhpResult<ZBox<ZendHashTable>> {
    crate::callback::refuse_inside("send a message")?;
    let spool_dir = mailer.config().spool_dir.clone().or_else(php_temp_dir);
    let mut ingest = Ingest::new(spool_dir);
    // Reading runs PHP code (the iterable, fread, the callable's `prepare` reports). A
    // fatal error there must not jump over this frame: the buffer and the spool's
    // descriptor are dropped first, then the engine's unwinding resumes.
    let mut progress = callable(on_progress)?.map(PhpProgress::new);
    let read = try_catch(AssertUnwindSafe(|| read(mime, &mut ingest, &mut progress)));
    let outcome = progress.map(PhpProgress::finish).unwrap_or_default();
    let read = match read {
        Ok(r) => r,
        Err(CatchError::Bailout) => {
            drop(ingest);
            // SAFETY: every value this frame's callees owned is dropped; the engine was
            // unwinding a fatal error, which this resumes.
            unsafe { ext_php_rs::zend::bailout() }
        }
        Err(_) => Err(PhpException::from("sendMimeStream(): reading the message failed".to_string())),
    };
    if outcome.bailed_out {
        drop(ingest);
        // SAFETY: as above: a fatal error in the progress callable, caught by callback.rs.
        unsafe { ext_php_rs::zend::bailout() }
    }
    // An exception of the callable or the iterable stays pending and wins over ours.
    read?;
    let message = ingest.finish().map_err(crate::exceptions::to_php)?;
    crate::send::run(callable(on_progress)?, |report| mailer.send_streamed(&message, mailbox, recipients, Some(report)))
}

/// The progress argument as a callable (a second one for the send, after reading).
fn callable(z: Option<&Zval>) -> PhpResult<Option<ZendCallable<'_>>> {
    match z.filter(|z| !z.is_null()) {
        None => Ok(None),
        Some(z) => ZendCallable::new(z)
            .map(Some)
            .map_err(|_| type_error("sendMimeStream(): argument #4 ($on_progress) must be a valid callback or null")),
    }
}

/// PHP's temp directory (honours the `sys_temp_dir` ini setting and TMPDIR).
fn php_temp_dir() -> Option<PathBuf> {
    let f = ZendCallable::try_from_name("sys_get_temp_dir").ok()?;
    f.try_call(vec![]).ok()?.string().filter(|s| !s.is_empty()).map(PathBuf::from)
}

struct Reader<'a, 'p> {
    ingest: &'a mut Ingest,
    progress: &'a mut Option<PhpProgress<'p>>,
    next_report: usize,
}

impl Reader<'_, '_> {
    fn push(&mut self, chunk: &[u8]) -> PhpResult<()> {
        self.ingest.push(chunk).map_err(crate::exceptions::to_php)?;
        if self.ingest.len() >= self.next_report {
            self.next_report = self.ingest.len() + REPORT_EVERY;
            if let Some(cb) = self.progress.as_mut() {
                let p = o365_core::Progress { phase: o365_core::Phase::Prepare, bytes_sent: 0, bytes_total: 0, attachment: None };
                if !cb.report(&p) {
                    return Err(stopped("the progress callback asked to stop while the message was read; nothing was sent"));
                }
            }
        }
        Ok(())
    }
}

/// The caller's callable stopped the send: cancelled, as `sendMime` reports it.
fn stopped(msg: &str) -> PhpException {
    crate::exceptions::to_php(o365_core::Error::new(o365_core::ErrorKind::Cancelled, msg))
}

fn read(mime: &Zval, ingest: &mut Ingest, progress: &mut Option<PhpProgress<'_>>) -> PhpResult<()> {
    let mut r = Reader { ingest, progress, next_report: REPORT_EVERY };
    if mime.is_resource() {
        return read_resource(mime, &mut r);
    }
    if mime.is_string() {
        return r.push(mime.binary_slice::<u8>().unwrap_or_default());
    }
    let type_name = format!("{:?}", mime.get_type()).to_lowercase();
    // A second reference to the same array or object: getting a Traversable's iterator
    // needs a mutable zval, and the caller's argument is passed by value.
    let mut value = mime.shallow_clone();
    let Some(mut iterable) = Iterable::from_zval_mut(&mut value) else {
        return Err(type_error(&format!("sendMimeStream() takes an iterable of strings or a readable stream resource, got {type_name}")));
    };
    let Some(iter) = iterable.iter() else { return Err(read_failed("the iterable could not be rewound")) };
    for (_, chunk) in iter {
        match chunk.binary_slice::<u8>() {
            Some(bytes) if chunk.is_string() => r.push(bytes)?,
            _ => {
                let t = format!("{:?}", chunk.get_type()).to_lowercase();
                return Err(type_error(&format!("sendMimeStream(): the iterable yielded a {t}; it must yield strings (chunks of the MIME message)")));
            }
        }
    }
    if ExecutorGlobals::has_exception() {
        // The iterable threw (e.g. an attachment file vanished): that exception reaches
        // the caller as the previous one of this.
        return Err(read_failed("the iterable threw an exception"));
    }
    Ok(())
}

fn read_resource(mime: &Zval, r: &mut Reader<'_, '_>) -> PhpResult<()> {
    let fread = ZendCallable::try_from_name("fread").map_err(|e| PhpException::from(e.to_string()))?;
    let feof = ZendCallable::try_from_name("feof").map_err(|e| PhpException::from(e.to_string()))?;
    loop {
        let chunk = fread.try_call(vec![mime, &READ_BYTES]).map_err(|_| read_failed("fread() failed on the stream"))?;
        if chunk.is_false() || !chunk.is_string() {
            return Err(read_failed("fread() failed on the stream (is it open for reading?)"));
        }
        let bytes = chunk.binary_slice::<u8>().unwrap_or_default();
        if bytes.is_empty() {
            let eof = feof.try_call(vec![mime]).map_err(|_| read_failed("feof() failed on the stream"))?;
            if eof.is_true() {
                return Ok(());
            }
            // A non-blocking stream with nothing yet: PHP streams for mail are files or
            // memory, which never do this; refuse rather than spin.
            return Err(read_failed("the stream returned no data before its end (non-blocking streams are not supported)"));
        }
        r.push(bytes)?;
    }
}

/// The message argument could not be read: the message is at fault (a ConfigurationException,
/// as for a malformed message), with no config key, since `$mime` is none. An exception the
/// iterable threw stays pending and reaches the caller instead of this.
fn read_failed(what: &str) -> PhpException {
    crate::exceptions::to_php(
        o365_core::Error::new(o365_core::ErrorKind::Configuration, format!("reading the message failed: {what}; nothing was sent"))
            .with_hint("pass Symfony's Message::toIterable(), a generator of strings, or a stream opened for reading (fopen($path, 'rb'))"),
    )
}

fn type_error(msg: &str) -> PhpException {
    PhpException::new(msg.to_string(), 0, ext_php_rs::zend::ce::type_error())
}
