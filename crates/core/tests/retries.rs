//! Retries: throttling and unavailability are retried honouring Retry-After (or backing
//! off), within max_retries and the time cap; a request that may have reached Graph
//! (504, timeout or dropped connection after the body) is never sent again; a connect
//! failure before anything was sent is.

mod common;

use common::*;
use o365_core::{ConfigValue, ErrorKind};
use o365_emulator::EmulatorConfig;
use serde_json::json;

#[test]
fn retry_after_is_honoured_on_429() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 429, "graph_code": "TooManyRequests", "retry_after": "2.5", "times": 1 }]));
    let receipt = emu.send(&emu.mailer(), "throttled").expect("sent after waiting");
    let sends = emu.requests_to("sendMail");
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0]["status"], 429);
    assert_eq!(sends[1]["status"], 202);
    // One logical request: both attempts carry the same client-request-id.
    assert_eq!(sends[0]["client_request_id"], json!(receipt.client_request_id));
    assert_eq!(sends[1]["client_request_id"], json!(receipt.client_request_id));
    // The gap between the attempts' arrivals, on the emulator's clock (`time_ms` is
    // stamped on arrival): Retry-After 2.5 s, less a little for timer granularity.
    // An ignored Retry-After would show as the backoff, at most 0.5 s.
    let arrived = |r: &serde_json::Value| r["time_ms"].as_u64().expect("time_ms in the request log");
    let gap = arrived(&sends[1]) - arrived(&sends[0]);
    assert!(gap >= 2500 - 50, "second attempt came {gap} ms after the first");
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn fractional_retry_after_on_503_then_success() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 503, "retry_after": 0.2, "times": 2 }]));
    emu.send(&emu.mailer(), "unavailable").expect("sent on the third attempt");
    let sends = emu.requests_to("sendMail");
    let statuses: Vec<_> = sends.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, vec![json!(503), json!(503), json!(202)]);
    // Each retry waited the 0.2 s asked for (arrivals on the emulator's clock).
    let arrived: Vec<u64> = sends.iter().map(|r| r["time_ms"].as_u64().expect("time_ms")).collect();
    for pair in arrived.windows(2) {
        assert!(pair[1] - pair[0] >= 200 - 20, "attempts {} ms apart", pair[1] - pair[0]);
    }
}

#[test]
fn backoff_without_retry_after() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 503, "times": 1 }]));
    emu.send(&emu.mailer(), "backoff").expect("sent");
    let sends = emu.requests_to("sendMail");
    assert_eq!(sends.len(), 2);
    // The first backoff is 0.5 s with jitter over [0.25 s, 0.5 s]: an immediate retry
    // (or a missing backoff) would show as a gap of a few ms.
    let gap = sends[1]["time_ms"].as_u64().expect("time_ms") - sends[0]["time_ms"].as_u64().expect("time_ms");
    assert!(gap >= 250 - 20, "the retry came {gap} ms after the first attempt");
}

#[test]
fn retries_are_bounded_by_max_retries() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 429, "retry_after": "0.1" }]));
    let e = emu.send(&emu.mailer_with(&[("max_retries", ConfigValue::Int(2))]), "always-throttled").expect_err("throttled");
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_eq!(e.status, Some(429));
    assert!(e.retry_after.is_some());
    assert!(e.to_string().contains("3 attempts"), "{e}");
    assert!(e.hint.is_some());
    assert_eq!(emu.requests_to("sendMail").len(), 3);
    assert!(emu.messages().is_empty());
}

#[test]
fn retry_after_beyond_the_time_cap_fails_at_once() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 429, "retry_after": "600" }]));
    let e = emu.send(&emu.mailer(), "long-wait").expect_err("throttled");
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(600)));
    assert_eq!(emu.requests_to("sendMail").len(), 1);
}

#[test]
fn a_504_on_sendmail_is_outcome_unknown_and_not_retried() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 504, "deliver": true, "times": 1 }]));
    let e = emu.send(&emu.mailer(), "gateway-timeout").expect_err("outcome unknown");
    assert_outcome_unknown(&emu, &e);
    assert_eq!(e.status, Some(504));
    assert_eq!(emu.messages().len(), 1, "Graph had accepted it: a retry would have sent it twice");
}

#[test]
fn a_connection_dropped_after_the_body_is_outcome_unknown_and_not_retried() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "drop": "after_body", "times": 1 }]));
    let e = emu.send(&emu.mailer(), "dropped").expect_err("outcome unknown");
    assert_outcome_unknown(&emu, &e);
}

#[test]
fn a_timeout_after_the_body_is_outcome_unknown_and_not_retried() {
    let emu = start_default();
    // Graph is slow: the message is processed after 1.5 s, the client gave up at 0.5 s.
    emu.faults(json!([{ "match": { "path": "sendMail" }, "delay_ms": 1500, "times": 1 }]));
    let mailer = emu.mailer_with(&[("timeout", ConfigValue::Float(0.5))]);
    let e = emu.send(&mailer, "slow").expect_err("outcome unknown");
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e}");
    assert!(e.to_string().contains(e.client_request_id.as_deref().expect("client-request-id")), "{e}");
    // The emulator logs the request the client abandoned once it notices the client left,
    // an instant after the error came back: wait for that entry, found by its id.
    let id = e.client_request_id.clone().expect("client-request-id");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let sends = loop {
        let sends = emu.requests_to("sendMail");
        if sends.iter().any(|r| r["client_request_id"] == json!(id)) || std::time::Instant::now() > deadline {
            break sends;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(sends.len(), 1, "exactly one sendMail reached the emulator: {sends:?}");
    assert_eq!(sends[0]["client_request_id"], json!(id));
    assert_eq!(sends[0]["abandoned"], true, "{:?}", sends[0]);
    assert_eq!(sends[0]["status"], 0);
    assert!(sends[0]["body_bytes"].as_u64().unwrap_or(0) > 0, "the body had been sent: {:?}", sends[0]);
    assert!(e.hint.as_deref().unwrap_or("").contains("Sent Items"), "{e}");
}

fn assert_outcome_unknown(emu: &Emu, e: &o365_core::Error) {
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e}");
    let sends = emu.requests_to("sendMail");
    assert_eq!(sends.len(), 1, "exactly one sendMail reached the emulator: {sends:?}");
    let id = e.client_request_id.as_deref().expect("client-request-id");
    assert_eq!(sends[0]["client_request_id"], json!(id));
    assert!(e.to_string().contains(id), "{e}");
}

#[test]
fn a_connect_failure_before_sending_is_retried() {
    // Reserve a port, free it, and start the emulator on it only after the first
    // attempt has failed to connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let starter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        start(EmulatorConfig { listen: ([127, 0, 0, 1], port).into(), ..Default::default() })
    });
    let config = o365_core::Config::from_pairs(vec![
        ("tenant_id", s(TENANT)),
        ("client_id", s(o365_emulator::DEFAULT_CLIENT_ID)),
        ("client_secret", s(o365_emulator::DEFAULT_CLIENT_SECRET)),
        ("login_endpoint", s(&base)),
        ("graph_endpoint", s(&base)),
        ("max_retries", ConfigValue::Int(5)),
    ])
    .unwrap();
    let receipt = o365_core::Mailer::new(config).send_mime(&mime(MAILBOX, "ann@example.com", "late"), None, &[]);
    let emu = starter.join().unwrap();
    receipt.expect("sent once the server was up");
    assert_eq!(emu.requests_to("sendMail").len(), 1);
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn a_connection_refused_everywhere_is_a_transport_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let config = o365_core::Config::from_pairs(vec![
        ("tenant_id", s(TENANT)),
        ("client_id", s("app")),
        ("client_secret", s("secret-value-123")),
        ("login_endpoint", s(&base)),
        ("graph_endpoint", s(&base)),
        ("max_retries", ConfigValue::Int(1)),
    ])
    .unwrap();
    let e = o365_core::Mailer::new(config).send_mime(&mime(MAILBOX, "ann@example.com", "x"), None, &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transport, "{e}");
    assert!(e.to_string().contains("login_endpoint"), "{e}");
    assert_secret_free(&e, "secret-value-123");
}

#[test]
fn token_endpoint_unavailable_once_is_retried() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "/token" }, "status": 503, "retry_after": "0.1", "times": 1 }]));
    emu.send(&emu.mailer(), "entra-hiccup").expect("sent");
    assert_eq!(emu.token_requests(), 2);
}
