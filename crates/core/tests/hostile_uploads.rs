//! An upload session that never ends: every chunk refused with 416 and the session
//! sending the client back and forth (`nextExpectedRanges` alternating between the start
//! and the end). The loop ends with a typed error after a few chunks, having sent at most
//! twice the attachment plus one chunk, and the draft is deleted.

mod common;

use base64::Engine as _;
use common::hostile::{Hostile, Reply, pairs};
use o365_core::{Config, ErrorKind, Mailer};
use serde_json::json;

const MAILBOX: &str = "sender@contoso.com";
const SIZE: usize = 4 * 1024 * 1024 + 4321;
/// The hostile server gives up itself after this many PUTs, so that an unbounded client
/// fails this test instead of running forever.
const SERVER_PATIENCE: usize = 60;

fn message() -> Vec<u8> {
    let data: Vec<u8> = (0..SIZE).map(|i| (i * 7 % 251) as u8).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!(
        "From: {MAILBOX}\r\nTo: ann@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B\r\nContent-Type: application/octet-stream; name=big.bin\r\n\
Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=big.bin\r\n\r\n{}\r\n--B--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

#[test]
fn an_upload_session_that_keeps_sending_the_client_back_ends_with_an_error() {
    let puts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let gets = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (p, g) = (puts.clone(), gets.clone());
    let server = Hostile::start(move |req, _| {
        use std::sync::atomic::Ordering::SeqCst;
        let path = req.path.as_str();
        match req.method.as_str() {
            _ if path.contains("/token") => Reply::token(json!(3599)),
            "POST" if path.ends_with("/messages") => Reply::json(201, json!({"id": "draft-1"})),
            "POST" if path.ends_with("/createUploadSession") => {
                let url = format!("http://{}/upload/1", req.header("host").unwrap_or_default());
                Reply::json(201, json!({"uploadUrl": url, "nextExpectedRanges": ["0-"]}))
            }
            "PUT" if p.fetch_add(1, SeqCst) >= SERVER_PATIENCE => Reply::json(400, json!({"error": {"code": "GaveUp"}})),
            "PUT" => Reply::json(416, json!({"error": {"code": "InvalidRange"}})),
            "GET" => {
                let n = g.fetch_add(1, SeqCst);
                let at = if n % 2 == 0 { format!("{}-", SIZE - 100) } else { "0-".to_string() };
                Reply::json(200, json!({"nextExpectedRanges": [at]}))
            }
            "DELETE" => Reply::status(204),
            _ => Reply::status(404),
        }
    });
    let mailer = Mailer::new(Config::from_pairs(pairs(&server.base, &server.base, "secret-123")).unwrap());
    let e = mailer.send_mime(&message(), Some(MAILBOX), &[]).expect_err("a typed error");
    let put_bytes: usize = server.seen().iter().filter(|r| r.method == "PUT").map(|r| r.body.len()).sum();
    let put_count = puts.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("{put_count} PUTs, {put_bytes} bytes for an attachment of {SIZE} bytes: {e}");
    assert_eq!(e.kind, ErrorKind::GraphServer, "{e}");
    assert!(e.to_string().contains("kept asking for bytes already sent"), "{e}");
    assert!(e.to_string().contains("the draft was deleted"), "{e}");
    assert!(put_count < SERVER_PATIENCE, "{put_count} PUTs");
    assert!(put_bytes <= 2 * SIZE + 4 * 1024 * 1024, "{put_bytes} bytes sent for {SIZE}");
}
