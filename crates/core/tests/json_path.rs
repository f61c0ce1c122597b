//! `save_to_sent_items = false`: the JSON form of sendMail reproduces recipients (with
//! names), both kinds of body (HTML kept), attachments and inline images with their
//! content ids, importance and up to 5 x- headers; what it cannot carry is dropped with
//! a warning. Large messages with the setting go as a draft and say that Graph keeps a
//! Sent Items copy.

mod large_support;

use large_support::*;
use o365_core::{ConfigValue, Route};

#[test]
fn json_form_reproduces_the_message() {
    let emu = start();
    let mailer = mailer(&emu, &[("save_to_sent_items", ConfigValue::Bool(false))]);
    let atts = vec![Attachment::inline("logo.png", "logo@test", 3000, 1), Attachment::file("report.pdf", 50_000, 2)];
    let mut mime = message("json@contoso.com", "JSON path", &atts);
    // Six more x- headers: one too many for Graph's JSON form.
    let extra = b"X-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\nX-E: 5\r\n";
    mime.splice(0..0, extra.iter().copied());
    let sent = mailer
        .send_mime_with(&mime, Some("json@contoso.com"), &["ann@example.com".into(), "hidden@example.com".into()], None)
        .expect("send");
    assert_eq!(sent.route, Route::Json);
    let w = sent.warnings.join(" | ");
    // The first five x- headers in message order are kept (X-A..X-E, prepended above);
    // the sixth, the message's own X-Campaign, is dropped and named.
    assert!(w.contains("X-Campaign") && !w.contains("X-E"), "the sixth x- header is named: {w}");
    assert!(w.contains("Message-ID") && w.contains("List-Unsubscribe"), "{w}");
    assert!(!w.contains("unsub@example.com"), "warnings name headers, never values: {w}");

    let msg = &emu.messages()[0];
    assert_eq!(msg["format"], "json");
    assert_eq!(msg["save_to_sent_items"], false);
    assert_eq!(msg["bcc"], serde_json::json!(["hidden@example.com"]));
    assert_eq!(msg["reply_to"], serde_json::json!(["replies@example.com"]));
    assert_eq!(msg["importance"], "high");
    assert!(msg["body_html"].as_str().unwrap_or("").contains("cid:logo@test"));
    assert_eq!(msg["headers"].as_array().map(Vec::len), Some(5));
    let names: Vec<&str> = msg["headers"].as_array().unwrap().iter().filter_map(|h| h["name"].as_str()).collect();
    assert_eq!(names, ["X-A", "X-B", "X-C", "X-D", "X-E"]);
    let sent_json = &msg["json"];
    assert_eq!(sent_json["toRecipients"][0]["emailAddress"]["name"], "Ann Example");
    assert_eq!(sent_json["from"]["emailAddress"]["name"], "Sender");
    assert_delivered(msg, "JSON path", &atts);
}

#[test]
fn text_only_messages_keep_their_text_body() {
    let emu = start();
    let mailer = mailer(&emu, &[("save_to_sent_items", ConfigValue::Bool(false))]);
    let mime = b"From: a@contoso.com\r\nTo: b@example.com\r\nSubject: plain\r\nContent-Type: text/plain; charset=utf-8\r\n\r\njust text\r\n";
    let sent = mailer.send_mime_with(mime, None, &[], None).expect("send");
    assert_eq!(sent.route, Route::Json);
    assert!(sent.warnings.is_empty(), "{:?}", sent.warnings);
    let msg = &emu.messages()[0];
    assert_eq!(msg["body_text"], "just text\r\n");
    assert!(msg["body_html"].is_null());
}

#[test]
fn large_messages_without_sent_items_copy_warn_and_go_as_a_draft() {
    let emu = start();
    let mailer = mailer(&emu, &[("save_to_sent_items", ConfigValue::Bool(false))]);
    let atts = vec![Attachment::inline("logo.png", "logo@test", 1000, 3), Attachment::file("big.bin", 6 * MIB, 4)];
    let sent = mailer.send_mime_with(&message("jl@contoso.com", "large", &atts), Some("jl@contoso.com"), &[], None).expect("send");
    assert_eq!(sent.route, Route::Draft);
    assert!(sent.warnings.iter().any(|w| w.contains("Sent Items")), "{:?}", sent.warnings);
    let msg = &emu.messages()[0];
    assert_eq!(msg["save_to_sent_items"], true, "Graph keeps the copy on the draft path");
    assert_delivered(msg, "large", &atts);
}
