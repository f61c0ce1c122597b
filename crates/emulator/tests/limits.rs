//! Graph's size and count limits: ~4 MB per request (413), 500 recipients, the
//! mailbox's message size limit, 150 MB attachments (see drafts_uploads.rs).

mod common;

use common::*;
use o365_emulator::{EmulatorConfig, Limits};
use serde_json::json;

#[test]
fn request_over_4_mb_gets_413() {
    let env = start_default();
    let token = env.token();
    // 3.2 MB of attachment is 4.3 MB of base64 MIME.
    let big = "A".repeat(3_200_000);
    let mime = format!("From: {MAILBOX}\r\nTo: a@example.com\r\nSubject: big\r\n\r\n{big}\r\n");
    let resp = env.send_mime(&token, MAILBOX, &mime);
    assert_graph_error(resp, 413, "RequestEntityTooLarge");
    // Just under the limit passes.
    let ok = format!("From: {MAILBOX}\r\nTo: a@example.com\r\nSubject: ok\r\n\r\n{}\r\n", "A".repeat(3_000_000));
    assert_eq!(env.send_mime(&token, MAILBOX, &ok).status(), 202);
    let reqs = env.get_json("/_emulator/requests");
    assert_eq!(reqs[1]["status"], 413);
    assert_eq!(reqs[1]["error"], "RequestEntityTooLarge");
}

#[test]
fn at_most_500_recipients() {
    let env = start_default();
    let token = env.token();
    let rcpts = |n: usize| -> Vec<serde_json::Value> {
        (0..n).map(|i| json!({"emailAddress": {"address": format!("r{i}@example.com")}})).collect()
    };
    let mut body = json_message("first@example.com", "many");
    body["message"]["toRecipients"] = json!(rcpts(300));
    body["message"]["bccRecipients"] = json!(rcpts(200));
    let path = format!("/v1.0/users/{MAILBOX}/sendMail");
    assert_eq!(env.send_json(&token, &path, &body).status(), 202);
    body["message"]["ccRecipients"] = json!(rcpts(1));
    assert_graph_error(env.send_json(&token, &path, &body), 400, "ErrorTooManyRecipients");
    // MIME counts the same way, Bcc included.
    let to: Vec<String> = (0..501).map(|i| format!("m{i}@example.com")).collect();
    let mime = format!("From: {MAILBOX}\r\nTo: x@example.com\r\nBcc: {}\r\nSubject: s\r\n\r\nb\r\n", to.join(", "));
    assert_graph_error(env.send_mime(&token, MAILBOX, &mime), 400, "ErrorTooManyRecipients");
}

#[test]
fn message_size_limit_of_the_mailbox() {
    let env = start(EmulatorConfig {
        limits: Limits { max_message_bytes: 1000, ..Limits::default() },
        ..EmulatorConfig::default()
    });
    let mime = format!("From: {MAILBOX}\r\nTo: a@example.com\r\nSubject: s\r\n\r\n{}\r\n", "x".repeat(2000));
    assert_graph_error(env.send_mime(&env.token(), MAILBOX, &mime), 400, "ErrorMessageSizeExceeded");
}

#[test]
fn limits_are_configurable() {
    let env = start(EmulatorConfig {
        limits: Limits { max_request_bytes: 1000, ..Limits::default() },
        ..EmulatorConfig::default()
    });
    let mime = format!("From: {MAILBOX}\r\nTo: a@example.com\r\nSubject: s\r\n\r\n{}\r\n", "x".repeat(1000));
    assert_graph_error(env.send_mime(&env.token(), MAILBOX, &mime), 413, "RequestEntityTooLarge");
}
