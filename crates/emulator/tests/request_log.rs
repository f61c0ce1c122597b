//! The request log (`GET /_emulator/requests`) as evidence: arrival times in
//! milliseconds stamped before any delay, requests the client abandoned (timeout, reset
//! HTTP/2 stream, body broken off) still listed with their client-request-id, the HTTP
//! version, and the scope of token requests without their credentials.

mod common;

use common::*;
use o365_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig};
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

fn add_faults(env: &Env, rules: Value) {
    let resp = env.http.post(env.url("/_emulator/faults")).json(&rules).send().unwrap();
    assert_eq!(resp.status(), 200);
}

fn sendmail_url(env: &Env) -> String {
    env.url(&format!("/v1.0/users/{MAILBOX}/sendMail"))
}

/// The log entry with this client-request-id, waiting for it: an abandoned request is
/// written when the emulator notices the client left, an instant after the client did.
fn entry_for(env: &Env, client_request_id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = env.get_json("/_emulator/requests");
        let found = log.as_array().unwrap().iter().find(|r| r["client_request_id"] == client_request_id).cloned();
        match found {
            Some(entry) => return entry,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            None => panic!("no entry for {client_request_id} in {log}"),
        }
    }
}

#[test]
fn entries_carry_the_arrival_time_in_milliseconds() {
    let env = start_default();
    let token = env.token();
    add_faults(&env, json!({"match": {"path": "sendMail"}, "delay_ms": 300, "times": 1}));
    let before = now_ms();
    for subject in ["slow", "fast"] {
        assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", subject)).status(), 202);
    }
    let after = now_ms();
    let log = env.get_json("/_emulator/requests");
    let (slow, fast) = (&log[1], &log[2]);
    for e in [slow, fast] {
        let ms = e["time_ms"].as_u64().expect("time_ms is an integer");
        assert!((before..=after).contains(&ms), "{ms} not within {before}..={after}");
        // `time` is the same instant in whole seconds.
        let t = e["time"].as_str().unwrap();
        let secs = (ms / 1000) % 86_400;
        assert!(t.ends_with(&format!("{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)), "{t} vs {ms}");
        for k in ["method", "path", "query", "status", "request_id", "client_request_id", "content_type", "body_bytes", "authorization", "error", "fault", "duration_ms"] {
            assert!(e.get(k).is_some(), "{k} missing from {e}");
        }
        assert_eq!(e["abandoned"], false);
    }
    // Stamped on arrival, before the fault's delay: the second request arrived after the
    // first one's 300 ms, and the first one's duration holds them.
    assert!(slow["duration_ms"].as_u64().unwrap() >= 300, "{slow}");
    let gap = fast["time_ms"].as_u64().unwrap() - slow["time_ms"].as_u64().unwrap();
    assert!(gap >= 300, "arrivals {gap} ms apart");
}

#[test]
fn a_request_the_client_times_out_on_is_logged_as_abandoned() {
    let env = start_default();
    let token = env.token();
    add_faults(&env, json!({"match": {"path": "sendMail"}, "delay_ms": 2000, "times": 1}));
    let impatient = Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let r = impatient
        .post(sendmail_url(&env))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .header("client-request-id", "gave-up-1")
        .body(b64(simple_mime(MAILBOX, "a@example.com", "t").as_bytes()))
        .send();
    assert!(r.is_err(), "the client times out: {r:?}");
    let e = entry_for(&env, "gave-up-1");
    assert_eq!(e["status"], 0);
    assert_eq!(e["abandoned"], true);
    assert_eq!(e["fault"], true);
    assert_eq!(e["method"], "POST");
    assert_eq!(e["http_version"], "HTTP/1.1");
    assert!(e["body_bytes"].as_u64().unwrap() > 0, "the body had arrived: {e}");
    assert!(e["duration_ms"].as_u64().unwrap() < 2000, "written when the client left, not after the delay: {e}");
    assert!(env.messages().is_empty());
    // Answered requests are not marked.
    let token_entry = &env.get_json("/_emulator/requests")[0];
    assert_eq!(token_entry["abandoned"], false);
}

#[test]
fn a_reset_http2_stream_is_logged_as_abandoned() {
    let env = start(EmulatorConfig { tls: true, latency_ms: 1500, ..EmulatorConfig::default() });
    let ca = reqwest::Certificate::from_pem(env.emu.ca_pem().unwrap().as_bytes()).unwrap();
    let client = Client::builder().tls_certs_only([ca]).timeout(Duration::from_millis(300)).build().unwrap();
    let r = client
        .post(env.url(&format!("/{TENANT}/oauth2/v2.0/token")))
        .header("client-request-id", "gave-up-2")
        .form(&[("grant_type", "client_credentials"), ("client_id", DEFAULT_CLIENT_ID), ("client_secret", DEFAULT_CLIENT_SECRET), ("scope", SCOPE)])
        .send();
    assert!(r.is_err(), "the client times out during the latency: {r:?}");
    let ca = reqwest::Certificate::from_pem(env.emu.ca_pem().unwrap().as_bytes()).unwrap();
    let reader = Client::builder().tls_certs_only([ca]).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let e = loop {
        let log: Value = reader.get(env.url("/_emulator/requests")).send().unwrap().json().unwrap();
        if let Some(e) = log.as_array().unwrap().iter().find(|r| r["client_request_id"] == "gave-up-2") {
            break e.clone();
        }
        assert!(Instant::now() < deadline, "no abandoned entry in {log}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(e["status"], 0);
    assert_eq!(e["abandoned"], true);
    assert_eq!(e["http_version"], "HTTP/2.0");
    assert_eq!(e["scope"], SCOPE);
}

#[test]
fn a_body_broken_off_is_logged_as_abandoned() {
    let env = start_default();
    let mut tcp = std::net::TcpStream::connect(env.emu.local_addr()).unwrap();
    let head = format!(
        "POST /v1.0/users/{MAILBOX}/sendMail HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n\
         Content-Length: 1000\r\nclient-request-id: gave-up-3\r\n\r\nonly part of it"
    );
    tcp.write_all(head.as_bytes()).unwrap();
    tcp.flush().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    drop(tcp);
    let e = entry_for(&env, "gave-up-3");
    assert_eq!(e["status"], 0);
    assert_eq!(e["abandoned"], true);
    assert_eq!(e["fault"], false);
}

#[test]
fn the_http_version_is_logged() {
    let env = start_default();
    env.http.get(env.url(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"))).send().unwrap();
    let h2c = Client::builder().http2_prior_knowledge().build().unwrap();
    let resp = h2c.get(env.url(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"))).send().unwrap();
    assert_eq!(resp.version(), reqwest::Version::HTTP_2);
    let log = env.get_json("/_emulator/requests");
    assert_eq!(log[0]["http_version"], "HTTP/1.1");
    assert_eq!(log[1]["http_version"], "HTTP/2.0");
}

#[test]
fn token_requests_log_their_scope_and_never_the_credentials() {
    let env = start_default();
    let token = env.token();
    let resp = env.token_request(TENANT, &[
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", "wrong-secret-value"),
        ("scope", "https://graph.microsoft.us/.default"),
    ]);
    assert_eq!(resp.status(), 401);
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "s")).status(), 202);
    let log = env.get_json("/_emulator/requests");
    assert_eq!(log[0]["scope"], SCOPE);
    assert_eq!(log[1]["scope"], "https://graph.microsoft.us/.default");
    assert_eq!(log[1]["status"], 401);
    assert_eq!(log[2]["scope"], Value::Null, "Graph requests have no scope");
    let text = log.to_string();
    for secret in [DEFAULT_CLIENT_SECRET, "wrong-secret-value", token.as_str()] {
        assert!(!text.contains(secret), "{secret} leaked into the request log");
    }
}

/// `o365:check` asks whether a mailbox is usable with a sendMail of an empty message
/// (the body crates/core/src/send/mailbox_check.rs sends); Graph's 400 ErrorInvalidRecipients
/// is the answer that means "usable". The log labels the probe and does not count that
/// answer as failed; a probe of an unknown mailbox and a real send refused with the same
/// code stay failures.
#[test]
fn the_mailbox_checks_probe_is_labelled_and_its_usable_answer_is_no_failure() {
    let env = start(EmulatorConfig { mailboxes: Some(vec![MAILBOX.into()]), ..Default::default() });
    let token = env.token();
    let probe = json!({"message": {}, "saveToSentItems": false});
    assert_graph_error(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/sendMail"), &probe), 400, "ErrorInvalidRecipients");
    assert_graph_error(env.send_json(&token, "/v1.0/users/nobody@contoso.com/sendMail", &probe), 404, "ErrorInvalidUser");
    let no_recipients = json!({"message": {"subject": "hello", "body": {"contentType": "Text", "content": "hi"}}});
    assert_graph_error(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/sendMail"), &no_recipients), 400, "ErrorInvalidRecipients");
    let log = env.get_json("/_emulator/requests");
    let labels: Vec<(u64, bool, bool)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].as_u64().unwrap(), r["check_probe"].as_bool().unwrap(), r["failed"].as_bool().unwrap()))
        .collect();
    // The token request, the usable probe, the probe of an unknown mailbox, the real send.
    assert_eq!(labels, vec![(200, false, false), (400, true, false), (404, true, true), (400, false, true)], "{log}");
    assert_eq!(env.get_json("/_emulator/inbox")["failed_requests"], 2);
}
