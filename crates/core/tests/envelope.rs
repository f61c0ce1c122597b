//! The MIME path's envelope: the envelope sender picks the mailbox (unless configured),
//! envelope-only recipients travel as Bcc and stay out of To/Cc, the message is
//! otherwise sent byte for byte, and bad input is refused before anything is sent.

mod common;

use common::*;
use o365_core::{ConfigValue, ErrorKind};

#[test]
fn bcc_recipients_are_delivered_and_not_visible() {
    let emu = start_default();
    let m = format!(
        "From: Sender <{MAILBOX}>\r\nTo: Ann <ann@example.com>\r\nCc: cc@example.com\r\nSubject: Bcc test\r\n\
         X-Custom: kept as is\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nBody.\r\n"
    );
    let recipients: Vec<String> =
        ["ann@example.com", "cc@example.com", "hidden1@example.com", "hidden2@example.net"].map(String::from).to_vec();
    emu.mailer().send_mime(m.as_bytes(), Some(MAILBOX), &recipients).expect("sent");
    let msgs = emu.messages();
    assert_eq!(msgs.len(), 1);
    let msg = &msgs[0];
    assert_eq!(msg["to"], serde_json::json!(["ann@example.com"]));
    assert_eq!(msg["cc"], serde_json::json!(["cc@example.com"]));
    assert_eq!(msg["bcc"], serde_json::json!(["hidden1@example.com", "hidden2@example.net"]));
    // Byte for byte apart from the added header.
    let received = msg["mime"].as_str().unwrap();
    assert!(received.ends_with(&m), "the rendered message is unchanged after the Bcc header");
    assert!(received.starts_with("Bcc: hidden1@example.com,\r\n hidden2@example.net\r\n"), "{received}");
}

#[test]
fn envelope_sender_picks_the_mailbox_unless_configured() {
    let from = "from-header@contoso.com";
    let send_as = [("envelope@contoso.com", from), ("fixed@contoso.com", from)]
        .map(|(m, f)| (m.to_string(), vec![f.to_string()]))
        .into_iter()
        .collect();
    let emu = start(o365_emulator::EmulatorConfig { send_as, ..Default::default() });
    let m = mime(from, "ann@example.com", "pick");
    assert_eq!(emu.mailer().send_mime(&m, Some("envelope@contoso.com"), &[]).unwrap().mailbox, "envelope@contoso.com");
    assert_eq!(emu.mailer().send_mime(&m, None, &[]).unwrap().mailbox, from);
    let fixed = emu.mailer_with(&[("mailbox", s("fixed@contoso.com"))]);
    assert_eq!(fixed.send_mime(&m, Some("envelope@contoso.com"), &[]).unwrap().mailbox, "fixed@contoso.com");
    let mailboxes: Vec<_> = emu.messages().iter().map(|m| m["mailbox"].as_str().unwrap().to_string()).collect();
    assert_eq!(mailboxes, ["envelope@contoso.com", from, "fixed@contoso.com"]);
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let emu = start_default();
    let mailer = emu.mailer();
    let ok = mime(MAILBOX, "ann@example.com", "ok");
    let no_rcpt = format!("From: {MAILBOX}\r\nSubject: nobody\r\n\r\nBody\r\n").into_bytes();
    let many: Vec<String> = (0..501).map(|i| format!("user{i}@example.com")).collect();
    let cases: Vec<(&str, Vec<u8>, Option<&str>, Vec<String>, &str)> = vec![
        ("no recipients", no_rcpt, Some(MAILBOX), vec![], "no recipients"),
        ("501 recipients", ok.clone(), Some(MAILBOX), many, "500"),
        ("CR/LF in the mailbox", ok.clone(), Some("a@contoso.com\r\nBcc: evil@x.com"), vec![], "mailbox"),
        ("path in the mailbox", ok.clone(), Some("a@contoso.com/../../me"), vec![], "mailbox"),
        ("query in the mailbox", ok.clone(), Some("a@contoso.com?x=1"), vec![], "mailbox"),
        ("CR/LF in a recipient", ok.clone(), Some(MAILBOX), vec!["b@example.com\r\nBcc: evil@x.com".into()], "line break"),
        ("name in a recipient", ok.clone(), Some(MAILBOX), vec!["Ann <ann@example.com>".into()], "not an email address"),
        ("empty body", Vec::new(), Some(MAILBOX), vec!["ann@example.com".into()], "empty"),
        ("whitespace body", b" \r\n ".to_vec(), Some(MAILBOX), vec!["ann@example.com".into()], "empty"),
        ("not MIME", b"just some words\nand more\n\nbody".to_vec(), Some(MAILBOX), vec!["ann@example.com".into()], "not a MIME message"),
    ];
    for (what, body, mailbox, rcpts, needle) in cases {
        let e = mailer.send_mime(&body, mailbox, &rcpts).expect_err(what);
        assert_eq!(e.kind, ErrorKind::Configuration, "{what}: {e}");
        assert!(e.to_string().contains(needle), "{what}: {e}");
        assert!(!e.to_string().contains(['\r', '\n']), "{what}: injected line breaks are not echoed raw: {e}");
    }
    // A configured mailbox is checked at construction.
    let e = emu.config_with(&[("mailbox", s("a@b.com/x"))]).unwrap_err();
    assert_eq!(e.config_key.as_deref(), Some("mailbox"));
    let e = emu.config_with(&[("timeout", ConfigValue::Other("array".into()))]).unwrap_err();
    assert_eq!(e.config_key.as_deref(), Some("timeout"));
    let stats = emu.stats();
    assert_eq!(stats["graph_requests"], 0, "nothing was sent");
    assert_eq!(emu.token_requests(), 0, "not even a token was requested");
}
