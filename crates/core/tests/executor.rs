//! The shared Graph executor (`GraphClient::execute`) used by sendMail, drafts and
//! uploads: idempotent requests are retried where sendMail must not be, requests
//! without a bearer token carry no Authorization header, and the blocking API refuses
//! to run inside an async runtime instead of panicking.

mod common;

use base64::Engine as _;
use common::*;
use o365_core::{ErrorKind, GraphRequest, Replay};
use serde_json::json;

fn send_request(graph: &o365_core::GraphClient, replay: Replay) -> GraphRequest {
    let body = base64::engine::general_purpose::STANDARD.encode(mime(MAILBOX, "ann@example.com", "exec"));
    GraphRequest::new(reqwest::Method::POST, graph.url(&["users", MAILBOX, "sendMail"]), "sendMail")
        .with_body(body, "text/plain")
        .with_mailbox(MAILBOX)
        .with_replay(replay)
}

fn run<T>(f: impl std::future::Future<Output = o365_core::Result<T>>) -> o365_core::Result<T> {
    o365_core::runtime::process().unwrap().run(f)
}

#[test]
fn idempotent_requests_are_retried_after_504_and_dropped_connections() {
    let emu = start_default();
    let graph = emu.mailer().graph().unwrap();
    emu.faults(json!([
        { "match": { "path": "sendMail" }, "status": 504, "retry_after": "0.05", "times": 1 },
        { "match": { "path": "sendMail" }, "drop": "after_body", "times": 1 }
    ]));
    let resp = run(graph.execute(&send_request(&graph, Replay::Idempotent))).expect("retried to success");
    assert_eq!(resp.status, 202);
    assert_eq!(resp.attempts, 3);
    assert!(!resp.request_id.is_empty());
    let sends = emu.requests_to("sendMail");
    assert_eq!(sends.len(), 3);
    assert!(sends.iter().all(|r| r["client_request_id"] == json!(resp.client_request_id)));
}

#[test]
fn not_idempotent_is_the_default() {
    let emu = start_default();
    let graph = emu.mailer().graph().unwrap();
    // Built without `with_replay`: the executor must treat it as not idempotent.
    let body = base64::engine::general_purpose::STANDARD.encode(mime(MAILBOX, "ann@example.com", "default"));
    let req = GraphRequest::new(reqwest::Method::POST, graph.url(&["users", MAILBOX, "sendMail"]), "sendMail").with_body(body, "text/plain");
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 504, "times": 1 }]));
    let e = run(graph.execute(&req)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(emu.requests_to("sendMail").len(), 1);
}

#[test]
fn requests_without_bearer_carry_no_authorization() {
    let emu = start_default();
    let graph = emu.mailer().graph().unwrap();
    let req = send_request(&graph, Replay::NotIdempotent).without_bearer();
    let e = run(graph.execute(&req)).unwrap_err();
    assert_eq!(e.status, Some(401), "{e}");
    assert_eq!(emu.token_requests(), 0, "no token fetched, and no re-fetch for a request that carried none");
    let sends = emu.requests_to("sendMail");
    assert_eq!(sends.len(), 1);
    assert_eq!(sends[0]["authorization"], false);
}

#[test]
fn the_blocking_api_refuses_to_run_inside_an_async_runtime() {
    let emu = start_default();
    let mailer = emu.mailer();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let e = rt.block_on(async { emu.send(&mailer, "inside") }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Configuration);
    assert!(e.to_string().contains("spawn_blocking"), "{e}");
    assert_eq!(emu.stats()["graph_requests"], 0);
}
