//! HTTP/2: a server that says it did not process a stream (RST_STREAM with
//! REFUSED_STREAM, or a GOAWAY whose last stream id is below ours) has not acted on the
//! request, so even sendMail is sent again, and the send succeeds instead of ending as
//! "outcome unknown". The server here speaks raw HTTP/2 frames over TLS (ALPN h2), so it
//! can send exactly those frames after the whole request arrived.
//!
//! reqwest itself resends a refused stream twice and a graceful GOAWAY (NO_ERROR); these
//! tests go past that: three refusals in a row, and a GOAWAY carrying an error code.

mod common;

use std::sync::{Arc, Mutex};

use common::hostile::{Hostile, Reply, pairs, tls_acceptor};
use common::mime;
use o365_core::{Config, ConfigValue, Mailer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MAILBOX: &str = "sender@contoso.com";

#[derive(Clone, Copy, PartialEq)]
enum Refusal {
    /// RST_STREAM(REFUSED_STREAM) on the first three requests' streams, connection kept.
    RefusedStream,
    /// GOAWAY(last_stream_id 0, ENHANCE_YOUR_CALM), then the connection is closed.
    GoAway,
}

impl Refusal {
    fn count(self) -> usize {
        match self {
            Refusal::RefusedStream => 3,
            Refusal::GoAway => 1,
        }
    }
}

/// A raw HTTP/2 server: refuses the first complete request with a body as `refusal`
/// says, answers 202 to the others. Returns its base URL, its CA and the log of requests (stream id,
/// refused or not).
fn h2_server(refusal: Refusal) -> (String, String, Arc<Mutex<Vec<(u32, bool)>>>, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (acceptor, ca) = tls_acceptor(&[b"h2"]);
    let log: Arc<Mutex<Vec<(u32, bool)>>> = Arc::default();
    let server_log = Arc::clone(&log);
    rt.spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let _ = sock.set_nodelay(true);
            let (acceptor, log) = (acceptor.clone(), Arc::clone(&server_log));
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(sock).await {
                    let _ = connection(tls, refusal, log).await;
                }
            });
        }
    });
    (base, ca, log, rt)
}

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

async fn connection<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut s: S,
    refusal: Refusal,
    log: Arc<Mutex<Vec<(u32, bool)>>>,
) -> std::io::Result<()> {
    let mut preface = [0u8; 24];
    s.read_exact(&mut preface).await?;
    s.write_all(&frame(0x4, 0, 0, &[])).await?; // SETTINGS
    loop {
        let mut head = [0u8; 9];
        s.read_exact(&mut head).await?;
        let len = (usize::from(head[0]) << 16) | (usize::from(head[1]) << 8) | usize::from(head[2]);
        let (kind, flags) = (head[3], head[4]);
        let stream = u32::from_be_bytes([head[5] & 0x7f, head[6], head[7], head[8]]);
        let mut payload = vec![0u8; len];
        s.read_exact(&mut payload).await?;
        match kind {
            0x4 if flags & 0x1 == 0 => s.write_all(&frame(0x4, 0x1, 0, &[])).await?, // SETTINGS ACK
            0x6 if flags & 0x1 == 0 => s.write_all(&frame(0x6, 0x1, 0, &payload)).await?, // PING ACK
            // HEADERS that end a request without a body: the sender's pre-connect (a HEAD
            // while the token is fetched, see preconnect.rs), answered and not counted.
            0x1 if flags & 0x1 != 0 && stream != 0 => s.write_all(&frame(0x1, 0x5, stream, &[0x08, 0x03, b'2', b'0', b'2'])).await?,
            // DATA that ends the request.
            0x0 if flags & 0x1 != 0 && stream != 0 => {
                let first = log.lock().unwrap().len() < refusal.count();
                log.lock().unwrap().push((stream, first));
                if !first {
                    // :status 202 (literal without indexing, name index 8), END_HEADERS | END_STREAM.
                    s.write_all(&frame(0x1, 0x5, stream, &[0x08, 0x03, b'2', b'0', b'2'])).await?;
                } else if refusal == Refusal::RefusedStream {
                    s.write_all(&frame(0x3, 0, stream, &7u32.to_be_bytes())).await?; // RST_STREAM REFUSED_STREAM
                } else {
                    let mut goaway = 0u32.to_be_bytes().to_vec(); // last stream id 0: ours was not processed
                    goaway.extend_from_slice(&0xbu32.to_be_bytes()); // ENHANCE_YOUR_CALM
                    s.write_all(&frame(0x7, 0, 0, &goaway)).await?;
                    s.flush().await?;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    return Ok(());
                }
            }
            _ => {}
        }
        s.flush().await?;
    }
}

fn send_over_h2(refusal: Refusal) -> (Result<o365_core::Receipt, o365_core::Error>, Vec<(u32, bool)>) {
    let (base, ca, log, rt) = h2_server(refusal);
    let login = Hostile::start(|_, _| Reply::token(serde_json::json!(3599)));
    let ca_path = std::env::temp_dir().join(format!("o365-h2-ca-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&ca_path, ca).unwrap();
    let mut p = pairs(&login.base, &base, "secret-123");
    p.push(("ca_file".into(), ConfigValue::Str(ca_path.to_string_lossy().into())));
    let mailer = Mailer::new(Config::from_pairs(p).unwrap());
    let result = mailer.send_mime(&mime(MAILBOX, "ann@example.com", "h2"), Some(MAILBOX), &[]);
    let _ = std::fs::remove_file(ca_path);
    let seen = log.lock().unwrap().clone();
    rt.shutdown_background();
    (result, seen)
}

#[test]
fn a_refused_stream_is_sent_again() {
    let (result, seen) = send_over_h2(Refusal::RefusedStream);
    let receipt = result.expect("sent again after three refused streams");
    assert_eq!(receipt.mailbox, MAILBOX);
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(seen[2].1 && !seen[3].1, "three refused, the fourth answered: {seen:?}");
}

#[test]
fn a_goaway_below_our_stream_is_sent_again() {
    let (result, seen) = send_over_h2(Refusal::GoAway);
    let receipt = result.expect("sent on a new connection");
    assert_eq!(receipt.mailbox, MAILBOX);
    assert_eq!(seen.len(), 2, "{seen:?}");
}
