//! Fault rules: status + Graph code + Retry-After, counted `times`, delays, dropped
//! connections before/after the body, "delivered but answered with an error", and
//! clearing.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn add_faults(env: &Env, rules: serde_json::Value) {
    let resp = env.http.post(env.url("/_emulator/faults")).json(&rules).send().unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().unwrap_or_default());
}

fn send(env: &Env, token: &str) -> reqwest::blocking::Response {
    env.send_mime(token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "f"))
}

#[test]
fn status_code_and_retry_after_for_times_then_normal() {
    let env = start_default();
    let token = env.token();
    add_faults(&env, json!([{"match": {"path": "sendMail"}, "status": 429, "graph_code": "TooManyRequests", "retry_after": 2.128, "times": 2}]));
    for _ in 0..2 {
        let resp = send(&env, &token);
        assert_eq!(resp.headers()["retry-after"], "2.128");
        assert_graph_error(resp, 429, "TooManyRequests");
    }
    assert_eq!(send(&env, &token).status(), 202);
    assert_eq!(env.messages().len(), 1);
    let rules = env.get_json("/_emulator/faults");
    assert_eq!(rules[0]["hits"], 2);
    let reqs = env.get_json("/_emulator/requests");
    assert_eq!(reqs[1]["fault"], true);
}

#[test]
fn mailbox_match_and_delete_clears() {
    let env = start_default();
    let token = env.token();
    add_faults(&env, json!([{"match": {"mailbox": "other@contoso.com"}, "status": 503}]));
    assert_eq!(send(&env, &token).status(), 202);
    let resp = env.send_mime(&token, "other@contoso.com", &simple_mime("other@contoso.com", "a@example.com", "f"));
    assert_graph_error(resp, 503, "ServiceNotAvailable");
    assert_eq!(env.http.delete(env.url("/_emulator/faults")).send().unwrap().status(), 204);
    let resp = env.send_mime(&token, "other@contoso.com", &simple_mime("other@contoso.com", "a@example.com", "f"));
    assert_eq!(resp.status(), 202);
}

#[test]
fn delay_only_rule_slows_the_answer() {
    let env = start_default();
    let token = env.token();
    add_faults(&env, json!({"match": {"path": "sendMail"}, "delay_ms": 400, "times": 1}));
    let t = Instant::now();
    assert_eq!(send(&env, &token).status(), 202);
    assert!(t.elapsed() >= Duration::from_millis(400));
}

#[test]
fn dropped_connections_before_and_after_the_body() {
    let env = start_default();
    let token = env.token();
    add_faults(&env, json!([
        {"match": {"path": "sendMail"}, "drop": "before_body", "times": 1},
        {"match": {"path": "sendMail"}, "drop": "after_body", "times": 1},
    ]));
    let path = env.url(&format!("/v1.0/users/{MAILBOX}/sendMail"));
    let body = b64(simple_mime(MAILBOX, "a@example.com", "d").as_bytes());
    for _ in 0..2 {
        let r = env.http.post(&path).bearer_auth(&token).header("content-type", "text/plain").body(body.clone()).send();
        assert!(r.is_err(), "the connection must be dropped: {r:?}");
    }
    assert!(env.messages().is_empty());
    assert_eq!(send(&env, &token).status(), 202);
    let reqs = env.get_json("/_emulator/requests");
    assert_eq!(reqs[1]["status"], 0);
    assert_eq!(reqs[2]["status"], 0);
}

#[test]
fn deliver_then_fail_keeps_the_message() {
    let env = start_default();
    let token = env.token();
    add_faults(&env, json!([{"match": {"path": "sendMail"}, "status": 504, "deliver": true, "times": 1}]));
    assert_graph_error(send(&env, &token), 504, "GatewayTimeout");
    assert_eq!(env.messages().len(), 1, "the mail went through although the client saw 504");
}

#[test]
fn token_endpoint_faults_are_entra_shaped() {
    let env = start_default();
    add_faults(&env, json!([{"match": {"path": "/oauth2/v2.0/token"}, "status": 400, "graph_code": "AADSTS50196", "times": 1}]));
    let resp = env.token_request(TENANT, &[
        ("grant_type", "client_credentials"),
        ("client_id", o365_emulator::DEFAULT_CLIENT_ID),
        ("client_secret", o365_emulator::DEFAULT_CLIENT_SECRET),
        ("scope", SCOPE),
    ]);
    assert_entra_error(resp, 400, "invalid_request", 50_196);
    assert!(!env.token().is_empty());
}

#[test]
fn invalid_rules_are_refused() {
    let env = start_default();
    let resp = env.http.post(env.url("/_emulator/faults")).header("content-type", "application/json").body("{\"status\": \"nope\"}").send().unwrap();
    assert_eq!(resp.status(), 400);
    let resp = env.http.post(env.url("/_emulator/faults")).json(&json!({"drop": "sometimes"})).send().unwrap();
    assert_eq!(resp.status(), 400);
}
