//! The process-wide token cache: one token request for many sends and many mailers,
//! single flight on a cold cache, refresh before expiry, and the 401 re-fetch.

mod common;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::*;
use o365_emulator::EmulatorConfig;
use serde_json::json;

#[test]
fn one_token_request_for_many_sends_and_mailers() {
    let emu = start_default();
    let mailer = emu.mailer();
    for i in 0..5 {
        emu.send(&mailer, &format!("m{i}")).expect("sent");
    }
    // A second Mailer with the same app and endpoints shares the token.
    emu.send(&emu.mailer(), "other-mailer").expect("sent");
    assert_eq!(emu.token_requests(), 1);
    assert_eq!(emu.messages().len(), 6);
    // Another tenant is another token.
    emu.send(&emu.mailer_with(&[("tenant_id", s("fabrikam.onmicrosoft.com"))]), "fabrikam").expect("sent");
    assert_eq!(emu.token_requests(), 2);
}

#[test]
fn eight_threads_on_a_cold_cache_make_one_token_request() {
    let emu = start_default();
    let mailer = emu.mailer();
    let barrier = Arc::new(Barrier::new(8));
    std::thread::scope(|scope| {
        for i in 0..8 {
            let (mailer, barrier, emu) = (mailer.clone(), Arc::clone(&barrier), &emu);
            scope.spawn(move || {
                barrier.wait();
                // Distinct mailboxes: Exchange allows 4 concurrent requests per mailbox.
                let from = format!("sender{i}@contoso.com");
                mailer.send_mime(&mime(&from, "ann@example.com", &format!("t{i}")), Some(&from), &[]).expect("sent");
                let _ = emu;
            });
        }
    });
    assert_eq!(emu.token_requests(), 1, "single flight: concurrent callers wait for one fetch");
    assert_eq!(emu.messages().len(), 8);
}

#[test]
fn token_is_refreshed_before_it_expires() {
    // A 4 s token is used for half its life (the 5-minute margin scaled down).
    let emu = start(EmulatorConfig { token_lifetime_secs: 4, ..Default::default() });
    let mailer = emu.mailer();
    emu.send(&mailer, "a").expect("sent");
    emu.send(&mailer, "b").expect("sent");
    assert_eq!(emu.token_requests(), 1);
    let d = mailer.diagnose().expect("diagnose");
    assert!(d.expires_at <= common::unix_now() + 4, "the emulator's 4 s lifetime");
    std::thread::sleep(Duration::from_millis(2300));
    // Still valid for ~1.7 s, but past its refresh time: a new token before expiry.
    emu.send(&mailer, "c").expect("sent");
    assert_eq!(emu.token_requests(), 2);
    let sends = emu.requests_to("sendMail");
    assert!(sends.iter().all(|r| r["status"] == 202), "no send met an expired token: {sends:?}");
}

#[test]
fn a_401_drops_the_token_fetches_a_new_one_and_retries_once() {
    let emu = start_default();
    let mailer = emu.mailer();
    emu.send(&mailer, "warm").expect("sent");
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 401, "graph_code": "InvalidAuthenticationToken", "times": 1 }]));
    let receipt = emu.send(&mailer, "after-revocation").expect("sent after re-fetch");
    assert_eq!(emu.token_requests(), 2);
    let sends = emu.requests_to("sendMail");
    assert_eq!(sends.len(), 3);
    assert_eq!(sends[1]["status"], 401);
    assert_eq!(sends[2]["status"], 202);
    assert_eq!(sends[2]["client_request_id"], json!(receipt.client_request_id));
    assert_eq!(emu.messages().len(), 2);
}

#[test]
fn a_second_401_is_reported_not_retried_again() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 401, "graph_code": "InvalidAuthenticationToken" }]));
    let e = emu.send(&emu.mailer(), "refused").expect_err("401 twice");
    assert_eq!(e.status, Some(401));
    assert_eq!(e.code.as_deref(), Some("InvalidAuthenticationToken"));
    assert!(e.hint.as_deref().unwrap_or("").contains("cloud"), "{e}");
    assert_eq!(emu.requests_to("sendMail").len(), 2, "the request is retried exactly once");
    assert_eq!(emu.token_requests(), 2);
}

#[test]
fn a_failed_early_refresh_keeps_serving_the_valid_token() {
    let emu = start(EmulatorConfig { token_lifetime_secs: 4, ..Default::default() });
    let mailer = emu.mailer_with(&[("max_retries", o365_core::ConfigValue::Int(0))]);
    emu.send(&mailer, "a").expect("sent");
    std::thread::sleep(Duration::from_millis(2300));
    // Past the refresh time, Entra fails; the token still has ~1.7 s of life.
    emu.faults(json!([{ "match": { "path": "/token" }, "status": 503 }]));
    emu.send(&mailer, "b").expect("the still-valid token is used");
    assert_eq!(emu.token_requests(), 2, "one failed refresh attempt");
    assert_eq!(emu.messages().len(), 2);
    // Once it has expired, the refresh failure is the error.
    std::thread::sleep(Duration::from_millis(1800));
    let e = emu.send(&mailer, "c").expect_err("no valid token left");
    assert_eq!(e.kind, o365_core::ErrorKind::Authentication, "{e}");
    assert_eq!(e.status, Some(503));
}
