//! Reading a response body with a size cap. Entra and Graph answer with small JSON (a
//! token, an error, an upload session); a server that answers with a gigabyte or an
//! endless chunked stream must cost a few MiB at most, not the process. The body is
//! read chunk by chunk and the read stops as soon as the cap is passed (or at once when
//! Content-Length announces more); the connection is then dropped, not reused.

use bytes::{Bytes, BytesMut};

/// Largest successful answer read (upload-session and draft answers are under 4 KiB).
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// Largest error answer read; a longer one is reported by its status alone.
pub const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is longer than the cap.
    TooLarge,
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

/// The body of `resp`, at most `cap` bytes.
pub(crate) async fn read(mut resp: reqwest::Response, cap: usize) -> Result<Bytes, BodyError> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if buf.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// An error body, or an empty one when it is over [`MAX_ERROR_BYTES`] or cut off: the
/// status alone then describes the failure.
pub(crate) async fn read_error(resp: reqwest::Response) -> Bytes {
    read(resp, MAX_ERROR_BYTES).await.unwrap_or_default()
}
