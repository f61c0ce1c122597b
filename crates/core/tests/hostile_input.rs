//! Input that must be refused before any request (a configuration error naming the key
//! or value, and nothing reaches the server), and answers no real service sends that
//! must neither panic nor loop: absurd token lifetimes, upload sessions that keep
//! sending the client back, Retry-After beyond the send's deadline.

mod common;

use base64::Engine as _;
use common::hostile::{Hostile, Reply, pairs};
use common::mime;
use o365_core::{Config, ConfigValue, ErrorKind, Mailer};
use serde_json::json;

const MAILBOX: &str = "sender@contoso.com";

fn s(v: &str) -> ConfigValue {
    ConfigValue::Str(v.to_string())
}

/// A server that answers every request correctly (token, 202), and counts them.
fn graph() -> Hostile {
    Hostile::start(|req, _| if req.path.contains("/token") { Reply::token(json!(3599)) } else { Reply::status(202) })
}

fn config(server: &Hostile, overrides: &[(&str, ConfigValue)]) -> Result<Config, o365_core::Error> {
    let mut p = pairs(&server.base, &server.base, "secret-123");
    for (k, v) in overrides {
        p.retain(|(key, _)| key != k);
        p.push((k.to_string(), v.clone()));
    }
    Config::from_pairs(p)
}

fn assert_config_error(e: &o365_core::Error, key: &str, says: &str) {
    assert_eq!(e.kind, ErrorKind::Configuration, "{e}");
    assert_eq!(e.config_key.as_deref(), Some(key), "{e}");
    assert!(e.to_string().contains(says), "{says:?} missing: {e}");
}

#[test]
fn endpoints_that_are_not_a_plain_base_url_are_refused_at_construction() {
    let server = graph();
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let cases = [
        ("http://127.0.0.1:99999".to_string(), "not a valid URL"),
        ("http://[::1".to_string(), "not a valid URL"),
        (format!("http://127.0.0.1:{port}\0"), "control character"),
        (format!("http://user@127.0.0.1:{port}"), "user info"),
        (format!("http://user:pw@127.0.0.1:{port}"), "user info"),
        (format!("http://127.0.0.1:{port}\\@evil.example"), "backslash"),
    ];
    for key in ["login_endpoint", "graph_endpoint"] {
        for (value, says) in &cases {
            let e = config(&server, &[(key, s(value))]).expect_err(value);
            assert_config_error(&e, key, says);
            assert!(!e.to_string().contains("pw@"), "{e}");
        }
    }
    assert!(server.seen().is_empty());
}

#[test]
fn numbers_must_be_finite_and_not_negative() {
    let server = graph();
    for key in ["timeout", "max_retries", "deadline"] {
        for bad in [s("NaN"), s("INF"), s("-1"), ConfigValue::Float(f64::NAN), ConfigValue::Float(f64::INFINITY), ConfigValue::Int(-5)] {
            let e = config(&server, &[(key, bad.clone())]).expect_err(&format!("{key} = {bad:?}"));
            assert_eq!(e.config_key.as_deref(), Some(key), "{e}");
            assert_eq!(e.kind, ErrorKind::Configuration);
        }
    }
    let e = config(&server, &[("max_retries", s("NaN"))]).unwrap_err();
    assert!(e.to_string().contains("'NaN'"), "the value is named: {e}");
    let e = config(&server, &[("max_retries", ConfigValue::Float(2.5))]).unwrap_err();
    assert!(e.to_string().contains("whole number"), "{e}");
    let c = config(&server, &[("deadline", s("12.5")), ("max_retries", s("0"))]).unwrap();
    assert_eq!(c.deadline, std::time::Duration::from_millis(12_500));
    assert_eq!(c.max_retries, 0);
    assert_eq!(config(&server, &[]).unwrap().deadline, std::time::Duration::from_secs(60), "the default deadline");
}

#[test]
fn ca_file_must_be_a_small_regular_file() {
    let server = graph();
    let e = config(&server, &[("ca_file", s("/dev/zero"))]).expect_err("/dev/zero");
    assert_config_error(&e, "ca_file", "not a regular file");
    let dir = std::env::temp_dir();
    let e = config(&server, &[("ca_file", s(dir.to_str().unwrap()))]).expect_err("a directory");
    assert_config_error(&e, "ca_file", "not a regular file");
    let big = dir.join(format!("o365-big-ca-{}.pem", uuid::Uuid::new_v4()));
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(5 * 1024 * 1024).unwrap();
    let e = config(&server, &[("ca_file", s(big.to_str().unwrap()))]).expect_err("5 MiB");
    assert_config_error(&e, "ca_file", "at most");
    let _ = std::fs::remove_file(big);
}

#[test]
fn over_long_addresses_and_nul_in_headers_are_refused_before_any_request() {
    let server = graph();
    let mailer = Mailer::new(config(&server, &[]).unwrap());
    let long = format!("{}@contoso.com", "a".repeat(250));
    let e = mailer.send_mime(&mime(MAILBOX, "ann@example.com", "x"), Some(MAILBOX), &[long.clone()]).unwrap_err();
    assert_config_error(&e, "recipient", "254");
    let e = config(&server, &[("mailbox", s(&long))]).unwrap_err();
    assert_config_error(&e, "mailbox", "254");
    let e = mailer.send_mime(&mime(&long, "ann@example.com", "x"), None, &[]).unwrap_err();
    assert_eq!(e.config_key.as_deref(), Some("mailbox"), "{e}");
    let nul = b"From: a@contoso.com\r\nTo: b@example.com\r\nSubject: a\0b\r\n\r\nbody\r\n";
    let e = mailer.send_mime(nul, None, &[]).unwrap_err();
    assert_config_error(&e, "mime", "`Subject` contains a NUL");
    assert!(server.seen().is_empty(), "{:?}", server.seen());
}

#[test]
fn sixty_thousand_recipients_are_refused_by_graphs_limit() {
    let server = graph();
    let mailer = Mailer::new(config(&server, &[]).unwrap());
    // 60,000 distinct recipients, the last one malformed: the limit is what is reported.
    let mut many: Vec<String> = (0..60_000).map(|i| format!("user{i}@example.com")).collect();
    many.push("not an address".into());
    let e = mailer.send_mime(&mime(MAILBOX, "ann@example.com", "x"), Some(MAILBOX), &many).unwrap_err();
    assert_config_error(&e, "recipients", "at most 500");
    // Duplicates (in any case) count once.
    let dup: Vec<String> = (0..60_000).map(|i| if i % 2 == 0 { "Bob@Example.com".into() } else { "bob@example.com".into() }).collect();
    mailer.send_mime(&mime(MAILBOX, "ann@example.com", "dups"), Some(MAILBOX), &dup).expect("one distinct Bcc recipient");
    let sent = server.seen_to("sendMail");
    assert_eq!(sent.len(), 1);
    let decoded = base64::engine::general_purpose::STANDARD.decode(&sent[0].body).unwrap();
    assert!(String::from_utf8_lossy(&decoded).starts_with("Bcc: Bob@Example.com\r\n"), "{}", String::from_utf8_lossy(&decoded[..80]));
}

#[test]
fn absurd_token_lifetimes_do_not_panic() {
    for expires_in in [json!(u64::MAX), json!(1u64 << 63), json!(0), json!(1e300), json!(-1), json!("3599"), json!(null)] {
        let server = Hostile::start(move |req, _| {
            if req.path.contains("/token") {
                let mut r = Reply::token(expires_in.clone());
                if let Reply::Full { body, .. } = &mut r {
                    // refresh_in of the same size.
                    let mut v: serde_json::Value = serde_json::from_slice(body).unwrap();
                    v["refresh_in"] = expires_in.clone();
                    *body = v.to_string().into_bytes();
                }
                r
            } else {
                Reply::status(202)
            }
        });
        let mailer = Mailer::new(config(&server, &[]).unwrap());
        match mailer.send_mime(&mime(MAILBOX, "ann@example.com", "x"), Some(MAILBOX), &[]) {
            Ok(r) => assert_eq!(r.mailbox, MAILBOX),
            Err(e) => assert_eq!(e.kind, ErrorKind::Authentication, "{e}"),
        }
        let d = mailer.diagnose();
        assert!(d.is_ok() || d.unwrap_err().kind == ErrorKind::Authentication);
    }
}

#[test]
fn retry_after_beyond_the_deadline_gives_up_at_once_saying_how_long_graph_asked() {
    let server = Hostile::start(|req, _| {
        if req.path.contains("/token") {
            Reply::token(json!(3599))
        } else {
            Reply::json(429, json!({"error": {"code": "TooManyRequests", "message": "slow down"}})).with_header("retry-after", "30")
        }
    });
    let mailer = Mailer::new(config(&server, &[("deadline", ConfigValue::Int(5)), ("max_retries", ConfigValue::Int(10))]).unwrap());
    let e = mailer.send_mime(&mime(MAILBOX, "ann@example.com", "x"), Some(MAILBOX), &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");
    assert!(e.to_string().contains("asked to wait 30.0 s") && e.to_string().contains("`deadline`"), "{e}");
    assert_eq!(server.seen_to("sendMail").len(), 1, "no wait started, no second attempt");
}

#[test]
fn retries_stop_at_the_deadline_however_many_are_allowed() {
    let server = Hostile::start(|req, _| {
        if req.path.contains("/token") {
            Reply::token(json!(3599))
        } else {
            Reply::json(429, json!({"error": {"code": "TooManyRequests"}})).with_header("retry-after", "0.7")
        }
    });
    let mailer = Mailer::new(config(&server, &[("deadline", s("1.5")), ("max_retries", ConfigValue::Int(10))]).unwrap());
    let e = mailer.send_mime(&mime(MAILBOX, "ann@example.com", "x"), Some(MAILBOX), &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");
    assert!(e.to_string().contains("`deadline`"), "{e}");
    let attempts = server.seen_to("sendMail").len();
    assert!((1..=3).contains(&attempts), "max_retries 10, but the 1.5 s deadline allows at most 3 attempts 0.7 s apart: {attempts}");
}

#[test]
fn a_send_cut_off_by_the_deadline_is_outcome_unknown() {
    // Graph takes the message and answers after 5 s; the deadline is 1 s, the timeout 10 s.
    let server = Hostile::start(|req, _| {
        if req.path.contains("/token") { Reply::token(json!(3599)) } else { Reply::After(std::time::Duration::from_secs(5), Box::new(Reply::status(202))) }
    });
    let mailer = Mailer::new(config(&server, &[("deadline", ConfigValue::Int(1))]).unwrap());
    let e = mailer.send_mime(&mime(MAILBOX, "ann@example.com", "x"), Some(MAILBOX), &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(server.seen_to("sendMail").len(), 1);
}
