//! What happens to a draft once it is sent, as Exchange does it (docs/graph-facts.md): its id
//! is gone (GET, DELETE and /send answer 404 ErrorItemNotFound), the message is in Sent
//! Items under a new id; a MIME draft reports the MIME's Message-ID as
//! `internetMessageId`. And the "acted, then lost the answer" faults on `/send`: a 504 or
//! a dropped connection after the draft was sent, which the exactly-once sender settles
//! by deleting the draft.

mod common;

use common::*;
use serde_json::{Value, json};

const MID: &str = "<order-42.attempt@shop.example>";
/// Not MAILBOX (`sender@...`): a fault rule's `/send` path would match `/users/sender@...`.
const DESK: &str = "desk@contoso.com";

fn mime_with_id() -> String {
    format!(
        "From: {DESK}\r\nTo: to@example.com\r\nSubject: Once\r\nMessage-ID: {MID}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n"
    )
}

fn create_mime_draft(env: &Env, token: &str) -> Value {
    let resp = env.graph_post(token, &format!("/v1.0/users/{DESK}/messages"), "text/plain", b64(mime_with_id().as_bytes()));
    assert_eq!(resp.status(), 201);
    body(resp)
}

fn path(id: &str) -> String {
    format!("/v1.0/users/{DESK}/messages/{id}")
}

fn delete(env: &Env, token: &str, id: &str) -> reqwest::blocking::Response {
    env.http.delete(env.url(&path(id))).bearer_auth(token).send().unwrap()
}

fn get(env: &Env, token: &str, id: &str) -> reqwest::blocking::Response {
    env.http.get(env.url(&path(id))).bearer_auth(token).send().unwrap()
}

fn send_draft(env: &Env, token: &str, id: &str) -> reqwest::Result<reqwest::blocking::Response> {
    env.http.post(env.url(&format!("{}/send", path(id)))).bearer_auth(token).header("content-length", "0").send()
}

#[test]
fn a_mime_draft_reports_its_message_id() {
    let env = start_default();
    let token = env.token();
    let draft = create_mime_draft(&env, &token);
    assert_eq!(draft["internetMessageId"], MID);
    let id = draft["id"].as_str().unwrap();
    assert_eq!(body(get(&env, &token, id))["internetMessageId"], MID);
}

#[test]
fn a_sent_draft_id_is_gone_and_the_message_is_in_sent_items_under_a_new_id() {
    let env = start_default();
    let token = env.token();
    let draft = create_mime_draft(&env, &token);
    let id = draft["id"].as_str().unwrap().to_string();
    assert_eq!(send_draft(&env, &token, &id).unwrap().status(), 202);

    assert_graph_error(get(&env, &token, &id), 404, "ErrorItemNotFound");
    assert_graph_error(delete(&env, &token, &id), 404, "ErrorItemNotFound");
    assert_graph_error(send_draft(&env, &token, &id).unwrap(), 404, "ErrorItemNotFound");

    let msgs = env.messages();
    assert_eq!(msgs.len(), 1, "sent once");
    assert_eq!(msgs[0]["id"], id.as_str(), "the inspection API keeps the draft's id");
    let sent_id = msgs[0]["sent_items_id"].as_str().expect("the Sent Items id").to_string();
    assert_ne!(sent_id, id, "Sent Items holds the message under a new id");
    let sent = get(&env, &token, &sent_id);
    assert_eq!(sent.status(), 200);
    let sent = body(sent);
    assert_eq!(sent["internetMessageId"], MID);
    assert_eq!(sent["isDraft"], false);
    assert_eq!(sent["id"], sent_id.as_str());
    assert_eq!(sent["parentFolderId"], "sentitems");
}

#[test]
fn an_unsent_draft_deleted_answers_204_and_can_no_longer_be_sent() {
    let env = start_default();
    let token = env.token();
    let id = create_mime_draft(&env, &token)["id"].as_str().unwrap().to_string();
    assert_eq!(delete(&env, &token, &id).status(), 204);
    assert_graph_error(send_draft(&env, &token, &id).unwrap(), 404, "ErrorItemNotFound");
    assert!(env.messages().is_empty());
}

/// A draft whose `/send` meets `rule` (Graph acts, then the answer is lost): the
/// settling DELETE answers 404, and the message went once.
fn sent_then_lost(rule: Value, answered: impl Fn(reqwest::Result<reqwest::blocking::Response>)) {
    let env = start_default();
    let token = env.token();
    env.http.post(env.url("/_emulator/faults")).json(&json!([rule])).send().unwrap();
    let id = create_mime_draft(&env, &token)["id"].as_str().unwrap().to_string();
    answered(send_draft(&env, &token, &id));
    assert_graph_error(delete(&env, &token, &id), 404, "ErrorItemNotFound");
    assert_eq!(env.messages().len(), 1);
}

#[test]
fn send_answered_504_after_acting_leaves_the_draft_gone() {
    sent_then_lost(json!({"match": {"path": "/send"}, "status": 504, "deliver": true, "times": 1}), |r| assert_eq!(r.unwrap().status(), 504));
}

#[test]
fn send_dropped_after_acting_leaves_the_draft_gone() {
    sent_then_lost(json!({"match": {"path": "/send"}, "drop": "after_body", "deliver": true, "times": 1}), |r| {
        assert!(r.is_err(), "the connection is dropped without an answer")
    });
}

#[test]
fn send_answered_504_before_acting_leaves_the_draft_in_place() {
    let env = start_default();
    let token = env.token();
    env.http.post(env.url("/_emulator/faults")).json(&json!([{"match": {"path": "/send"}, "status": 504, "times": 1}])).send().unwrap();
    let id = create_mime_draft(&env, &token)["id"].as_str().unwrap().to_string();
    assert_eq!(send_draft(&env, &token, &id).unwrap().status(), 504);
    assert_eq!(delete(&env, &token, &id).status(), 204, "the draft was still there: not sent");
    assert!(env.messages().is_empty());
}
