//! Simulated distance: per-request latency, per-connection latency, and the counters of
//! accepted connections and token requests.

mod common;

use common::*;
use o365_emulator::EmulatorConfig;
use std::time::{Duration, Instant};

#[test]
fn latency_is_added_to_every_request() {
    let env = start(EmulatorConfig { latency_ms: 150, ..EmulatorConfig::default() });
    let t = Instant::now();
    let token = env.token();
    assert!(t.elapsed() >= Duration::from_millis(150));
    let t = Instant::now();
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "l")).status(), 202);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[test]
fn connect_latency_is_paid_once_per_connection() {
    let env = start(EmulatorConfig { connect_latency_ms: 300, ..EmulatorConfig::default() });
    let t = Instant::now();
    let token = env.token();
    let first = t.elapsed();
    let t = Instant::now();
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "c")).status(), 202);
    let second = t.elapsed();
    assert!(first >= Duration::from_millis(300), "first {first:?}");
    assert!(second < Duration::from_millis(300), "a reused connection pays nothing: {second:?}");
    let stats = env.get_json("/_emulator/stats");
    // The client reused one connection for both; the stats request is the same client.
    assert_eq!(stats["connections"], 1);
    assert_eq!(stats["token_requests"], 1);
    assert_eq!(env.emu.connections(), 1);
}

#[test]
fn each_new_client_is_a_new_connection() {
    let env = start_default();
    for _ in 0..3 {
        let client = reqwest::blocking::Client::new();
        assert_eq!(client.get(env.url("/_emulator/stats")).send().unwrap().status(), 200);
    }
    assert_eq!(env.get_json("/_emulator/stats")["connections"], 4);
}
