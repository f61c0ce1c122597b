//! The socket under the limiter's Redis connection, with a bound on what the peer may
//! send. redis-rs parses replies into a buffer that grows with whatever arrives, and its
//! driver task reads even when no command is pending: an endless error line, a
//! `$2000000000` bulk header (which it allocates at once) or a peer flooding an idle
//! connection cost hundreds of MiB and abort the process. This stream sits between the
//! socket and redis-rs and hands redis-rs only bytes that are
//! - part of a reply to a command it wrote (it counts the commands it writes and the
//!   replies it reads, with `resp_frame.rs` on both directions), and
//! - within [`MAX_REPLY`] per reply, in well-formed RESP.
//!
//! The first byte that is not fails the read with a "connection aborted" error, which
//! redis-rs treats as a lost connection: its driver ends, every command on it fails, and
//! the limiter falls back to per-process limits as for a Redis that is down. The reason is
//! kept in a [`Tripwire`], so the warning can say what the peer did.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::resp_frame::{Framer, MAX_REPLY, Violation};

/// Set once, when the peer sent what the bound refuses.
pub(crate) type Tripwire = Arc<OnceLock<Violation>>;

/// A stream whose reads are bounded as the module doc says.
pub(crate) struct BoundedStream<S> {
    inner: S,
    /// Our commands (trusted: only counted, never refused for size).
    commands: Framer,
    replies: Framer,
    /// Commands written whose reply has not been read in full.
    pending: u64,
    tripwire: Tripwire,
}

impl<S> BoundedStream<S> {
    pub(crate) fn new(inner: S) -> (BoundedStream<S>, Tripwire) {
        let tripwire = Tripwire::default();
        let stream =
            BoundedStream { inner, commands: Framer::new(usize::MAX), replies: Framer::new(MAX_REPLY), pending: 0, tripwire: tripwire.clone() };
        (stream, tripwire)
    }

    /// Checks the bytes just read; an error ends the connection.
    fn check(&mut self, bytes: &[u8]) -> io::Result<()> {
        for &b in bytes {
            let step = if self.pending == 0 { Err(Violation::Unsolicited) } else { self.replies.push(b) };
            match step {
                Ok(true) => self.pending -= 1,
                Ok(false) => {}
                Err(v) => return Err(self.trip(v)),
            }
        }
        Ok(())
    }

    fn trip(&self, v: Violation) -> io::Error {
        let _ = self.tripwire.set(v);
        aborted(v)
    }
}

/// ConnectionAborted: redis-rs counts it as a dropped connection and ends its driver
/// (an "invalid data" error would be retried on the same connection).
fn aborted(v: Violation) -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, v.to_string())
}

impl<S: AsyncRead + Unpin> AsyncRead for BoundedStream<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(v) = this.tripwire.get() {
            return Poll::Ready(Err(aborted(*v)));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let fresh = buf.filled().get(before..).unwrap_or_default();
        Poll::Ready(this.check(fresh))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for BoundedStream<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(v) = this.tripwire.get() {
            return Poll::Ready(Err(aborted(*v)));
        }
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        for &b in buf.get(..n).unwrap_or_default() {
            // redis-rs writes only RESP arrays; a framing error here would be ours.
            match this.commands.push(b) {
                Ok(ended) => this.pending += u64::from(ended),
                Err(v) => return Poll::Ready(Err(aborted(v))),
            }
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    /// Runs `check` on a bounded stream that wrote `commands`, whose peer answered `replies`.
    fn exchange<F: Future<Output = ()>>(commands: &[u8], replies: &[u8], check: impl FnOnce(BoundedStream<DuplexStream>, DuplexStream, Tripwire) -> F) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let (client, mut server) = tokio::io::duplex(1 << 16);
            let (mut bounded, tripwire) = BoundedStream::new(client);
            bounded.write_all(commands).await.expect("write");
            server.write_all(replies).await.expect("write");
            check(bounded, server, tripwire).await;
        });
    }

    #[test]
    fn replies_pass_only_while_a_command_waits_for_them() {
        exchange(b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", b"+PONG\r\n+PONG\r\n", |mut bounded, mut server, tripwire| async move {
            let mut got = [0u8; 14];
            bounded.read_exact(&mut got).await.expect("two replies for two commands");
            server.write_all(b"+PONG\r\n").await.expect("write");
            let e = bounded.read(&mut [0u8; 16]).await.expect_err("a third reply nobody asked for");
            assert_eq!(e.kind(), io::ErrorKind::ConnectionAborted);
            assert_eq!(tripwire.get(), Some(&Violation::Unsolicited));
            assert!(bounded.write_all(b"*1\r\n$4\r\nPING\r\n").await.is_err(), "the connection stays dead");
        });
    }

    #[test]
    fn an_oversized_reply_trips_the_wire() {
        exchange(b"*2\r\n$7\r\nEVALSHA\r\n$1\r\nx\r\n", b"$2000000000\r\n", |mut bounded, _server, tripwire| async move {
            let e = bounded.read(&mut [0u8; 64]).await.expect_err("refused at the header");
            assert!(e.to_string().contains("larger than 16 KiB"), "{e}");
            assert_eq!(tripwire.get(), Some(&Violation::TooLarge));
        });
    }
}
