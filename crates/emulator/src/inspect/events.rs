//! Live updates for the web inbox: `GET /_emulator/events` is a server-sent event stream
//! (`text/event-stream`) that sends a `change` event with the [`Changes`] counters when
//! messages arrive, are deleted or read, and when requests are logged. Pages re-read what
//! moved; nothing reloads. It is served beside the request dispatcher (see `server.rs`)
//! because its body never ends, while every other answer is one complete buffer.

use crate::state::{Changes, Shared};
use bytes::Bytes;
use hyper::body::{Body, Frame};
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;

/// The path of the stream.
pub const PATH: &str = "/_emulator/events";

/// Bursts (a benchmark sending hundreds of mails a second) become one event per this.
const COALESCE: Duration = Duration::from_millis(100);

/// A comment line this often keeps proxies and the browser from timing the stream out.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The body of one open stream: events written by the task that watches the counters.
pub struct EventStream(mpsc::Receiver<Bytes>);

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|b| Ok(Frame::data(b))))
    }
}

/// Whether a request asks for the event stream.
pub fn wants<B>(req: &Request<B>) -> bool {
    req.method() == Method::GET && req.uri().path() == PATH
}

fn event(c: Changes) -> Bytes {
    let data = serde_json::to_string(&c).unwrap_or_default();
    Bytes::from(format!("event: change\ndata: {data}\n\n"))
}

/// Opens a stream: the current counters at once, then one event per change.
pub fn open(shared: &Arc<Shared>) -> Response<EventStream> {
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    let mut changes = shared.changes.subscribe();
    tokio::spawn(async move {
        let first = *changes.borrow_and_update();
        // `retry`: reconnect after a second when the emulator restarts.
        if tx.send(Bytes::from_static(b"retry: 1000\n\n")).await.is_err() || tx.send(event(first)).await.is_err() {
            return;
        }
        loop {
            let chunk = tokio::select! {
                // The client went away: the body, and with it the receiver, was dropped.
                _ = tx.closed() => return,
                r = changes.changed() => {
                    if r.is_err() {
                        return;
                    }
                    tokio::time::sleep(COALESCE).await;
                    event(*changes.borrow_and_update())
                }
                _ = tokio::time::sleep(KEEP_ALIVE) => Bytes::from_static(b": keep-alive\n\n"),
            };
            if tx.send(chunk).await.is_err() {
                return;
            }
        }
    });
    let mut resp = Response::new(EventStream(rx));
    *resp.status_mut() = StatusCode::OK;
    let h = resp.headers_mut();
    h.insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/event-stream"));
    h.insert(hyper::header::CACHE_CONTROL, hyper::header::HeaderValue::from_static("no-cache"));
    resp
}
