//! Never twice: the send ledger and `exactly_once`, against the emulator over HTTP (and a
//! real redis-server for the ledger shared between processes).
//! - the ledger, in every mode: the same message (mailbox + Message-ID) sent again after
//!   Graph accepted it is not sent (the first receipt, `already_sent`); after an unknown
//!   outcome it is refused without any request; after a definite refusal it may go again;
//!   a message without a Message-ID is sent as before;
//! - `exactly_once`: every message goes as a draft, and an ambiguous `/send` is settled
//!   by deleting the draft: accepted-then-504 and accepted-then-reset are sent once and
//!   reported sent; 504-before-acting is sent again from a new draft; a settle that fails
//!   too is settled by the next send of the message;
//! - Redis: another process sharing `redis_url` recognises the message (a single node, and
//!   a Redis Cluster where the entry lives on the primary of the mailbox's slot); Redis lost
//!   mid-way falls back to process memory with one warning, and sends nothing twice.

mod common;
mod redis_support;

use common::{Emu, MAILBOX, mime, s, start, start_default};
use o365_core::{ConfigValue, ErrorKind, Mailer, Route};
use o365_emulator::{AppConfig, EmulatorConfig};
use redis_support::{CHILD, RedisServer, finish, spawn_child};
use serde_json::json;

fn send(mailer: &Mailer, subject: &str) -> o365_core::Result<o365_core::Sent> {
    mailer.send_mime_with(&mime(MAILBOX, "ann@example.com", subject), Some(MAILBOX), &[], None)
}

/// A mailbox whose address does not contain `send` (MAILBOX does: `/users/sender@...`
/// would match a fault rule's `/send` path on every request).
const DESK: &str = "desk@contoso.com";

fn send_desk(mailer: &Mailer, subject: &str) -> o365_core::Result<o365_core::Sent> {
    mailer.send_mime_with(&mime(DESK, "ann@example.com", subject), Some(DESK), &[], None)
}

fn once(emu: &Emu) -> Mailer {
    emu.mailer_with(&[("exactly_once", ConfigValue::Bool(true))])
}

/// Requests that reached Graph (not the token endpoint, not the control API).
fn graph_requests(emu: &Emu) -> Vec<serde_json::Value> {
    emu.requests_to("/v1.0/")
}

fn statuses(emu: &Emu, method: &str, part: &str) -> Vec<u64> {
    emu.requests_to(part).iter().filter(|r| r["method"] == method).map(|r| r["status"].as_u64().unwrap_or(0)).collect()
}

#[test]
fn the_same_message_sent_again_is_not_sent_twice() {
    let emu = start_default();
    let mailer = emu.mailer();
    let first = send(&mailer, "again").expect("sent");
    assert!(!first.receipt.already_sent);
    let before = graph_requests(&emu).len();
    let second = send(&mailer, "again").expect("the first receipt");
    assert!(second.receipt.already_sent);
    assert_eq!(second.receipt.request_id, first.receipt.request_id);
    assert!(second.warnings.iter().any(|w| w.contains("not sent again")), "{:?}", second.warnings);
    assert_eq!(graph_requests(&emu).len(), before, "no request for a message already accepted");
    assert_eq!(emu.messages().len(), 1);
    // Another mailer object of the same app in this process knows it too.
    assert!(send(&emu.mailer(), "again").expect("receipt").receipt.already_sent);
}

#[test]
fn one_message_id_to_other_recipients_is_another_message() {
    let emu = start_default();
    let mailer = emu.mailer();
    send(&mailer, "newsletter").expect("sent");
    // The same rendered message to another envelope recipient (an application that reuses
    // its Message-ID per recipient): not a retry, so not held back.
    let other = mailer.send_mime_with(&mime(MAILBOX, "ann@example.com", "newsletter"), Some(MAILBOX), &["bob@example.com".into()], None).expect("sent");
    assert!(!other.receipt.already_sent);
    assert_eq!(emu.messages().len(), 2);
}

#[test]
fn a_message_without_message_id_is_sent_as_before() {
    let emu = start_default();
    let mailer = emu.mailer();
    let raw = String::from_utf8(mime(MAILBOX, "ann@example.com", "no-id")).unwrap().replace("Message-ID: <no-id@test>\r\n", "");
    for _ in 0..2 {
        let sent = mailer.send_mime_with(raw.as_bytes(), Some(MAILBOX), &[], None).expect("sent");
        assert!(!sent.receipt.already_sent);
    }
    assert_eq!(emu.messages().len(), 2);
}

#[test]
fn after_an_unknown_outcome_the_same_message_is_refused_without_a_request() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 504, "deliver": true, "times": 1 }]));
    let mailer = emu.mailer();
    let e = send(&mailer, "lost-answer").expect_err("outcome unknown");
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e}");
    let before = graph_requests(&emu).len();
    let again = send(&mailer, "lost-answer").expect_err("refused again");
    assert_eq!(again.kind, ErrorKind::OutcomeUnknown, "{again}");
    assert!(again.message.contains("not sent again") && again.message.contains("<lost-answer@test>"), "{again}");
    assert!(again.to_string().contains("exactly_once") && again.to_string().contains("Sent Items"), "the fix is named: {again}");
    assert_eq!(graph_requests(&emu).len(), before, "no request to Graph");
    assert_eq!(emu.messages().len(), 1, "delivered once");
}

#[test]
fn after_a_definite_refusal_the_same_message_may_go_again() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 400, "graph_code": "ErrorInvalidRecipients", "times": 1 }]));
    let mailer = emu.mailer();
    assert_eq!(send(&mailer, "refused").expect_err("refused").kind, ErrorKind::GraphClient);
    let sent = send(&mailer, "refused").expect("sent the second time");
    assert!(!sent.receipt.already_sent);
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn exactly_once_sends_a_draft() {
    let emu = start_default();
    let sent = send_desk(&once(&emu), "as-draft").expect("sent");
    assert_eq!(sent.route, Route::Draft);
    assert!(!sent.receipt.already_sent);
    assert_eq!(statuses(&emu, "POST", "/messages"), vec![201, 202], "create, then /send");
    assert!(emu.requests_to("sendMail").is_empty());
    let msgs = emu.messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["via"], "draft");
    assert!(msgs[0]["mime"].as_str().unwrap().contains("Message-ID: <as-draft@test>"));
}

#[test]
fn exactly_once_accepted_then_504_is_settled_as_sent() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "/send", "method": "POST" }, "status": 504, "deliver": true, "times": 1 }]));
    let sent = send_desk(&once(&emu), "then-504").expect("settled: sent");
    assert!(!sent.receipt.already_sent, "this call sent it");
    assert_eq!(statuses(&emu, "DELETE", "/messages/"), vec![404], "the settling DELETE found it sent");
    assert_eq!(emu.messages().len(), 1);
    // The ledger knows it now.
    assert!(send_desk(&once(&emu), "then-504").expect("receipt").receipt.already_sent);
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn exactly_once_accepted_then_reset_is_settled_as_sent() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "/send", "method": "POST" }, "drop": "after_body", "deliver": true, "times": 1 }]));
    send_desk(&once(&emu), "then-reset").expect("settled: sent");
    assert_eq!(statuses(&emu, "DELETE", "/messages/"), vec![404]);
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn exactly_once_504_before_acting_is_sent_again_from_a_new_draft() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "/send", "method": "POST" }, "status": 504, "times": 1 }]));
    let sent = send_desk(&once(&emu), "not-yet").expect("sent from a new draft");
    assert!(!sent.receipt.already_sent);
    assert_eq!(statuses(&emu, "DELETE", "/messages/"), vec![204], "the draft was unsent");
    let creates = emu.requests_to("/messages").iter().filter(|r| r["method"] == "POST" && !r["path"].as_str().unwrap().ends_with("/send")).count();
    assert_eq!(creates, 2, "a second draft");
    assert_eq!(emu.messages().len(), 1);
    assert!(emu.call("GET", "/_emulator/drafts", None).as_array().unwrap().is_empty(), "no draft left behind");
}

#[test]
fn exactly_once_a_failed_settle_is_settled_by_the_next_send() {
    let emu = start_default();
    emu.faults(json!([
        { "match": { "path": "/send", "method": "POST" }, "status": 504, "deliver": true, "times": 1 },
        { "match": { "path": "/messages/", "method": "DELETE" }, "status": 403, "graph_code": "ErrorAccessDenied", "times": 1 }
    ]));
    let e = send_desk(&once(&emu), "settle-later").expect_err("still unknown");
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e}");
    assert!(e.message.contains("settles it again"), "{e}");
    let sent = send_desk(&once(&emu), "settle-later").expect("settled by the retry");
    assert!(sent.receipt.already_sent, "an earlier call sent it");
    assert_eq!(statuses(&emu, "DELETE", "/messages/"), vec![403, 404]);
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn exactly_once_settles_a_message_without_message_id_too() {
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "/send", "method": "POST" }, "status": 504, "deliver": true, "times": 1 }]));
    let raw = String::from_utf8(mime(DESK, "ann@example.com", "no-id")).unwrap().replace("Message-ID: <no-id@test>\r\n", "");
    once(&emu).send_mime_with(raw.as_bytes(), Some(DESK), &[], None).expect("settled: sent");
    assert_eq!(statuses(&emu, "DELETE", "/messages/"), vec![404]);
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn exactly_once_needs_mail_readwrite_and_says_so() {
    let emu = start(EmulatorConfig {
        apps: vec![AppConfig { roles: vec!["Mail.Send".into()], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let e = send_desk(&once(&emu), "no-rw").expect_err("403");
    assert_eq!(e.kind, ErrorKind::GraphClient);
    assert_eq!(e.status, Some(403));
    let text = e.to_string();
    assert!(text.contains("Mail.ReadWrite") && text.contains("exactly_once") && text.contains("admin consent"), "{text}");
    assert!(emu.messages().is_empty());
    // Nothing was sent: the ledger does not hold it against a later send.
    let sent = send_desk(&emu.mailer(), "no-rw").expect("sendMail works with Mail.Send");
    assert!(!sent.receipt.already_sent);
}

// ---- Redis: the ledger shared between processes ----

fn redis_mailer(emu: &Emu, redis: &str, exactly_once: bool) -> Mailer {
    emu.mailer_with(&[("redis_url", s(redis)), ("exactly_once", ConfigValue::Bool(exactly_once))])
}

/// The child side: sends one message (BASE, REDIS, SUBJECT) and prints its receipt.
#[test]
fn child_process() {
    let Ok(scenario) = std::env::var(CHILD) else { return };
    assert_eq!(scenario, "send_one");
    let base = std::env::var("BASE").expect("BASE");
    let redis = std::env::var("REDIS").expect("REDIS");
    let pairs = vec![
        ("tenant_id", s(common::TENANT)),
        ("client_id", s(o365_emulator::DEFAULT_CLIENT_ID)),
        ("client_secret", s(o365_emulator::DEFAULT_CLIENT_SECRET)),
        ("login_endpoint", s(&base)),
        ("graph_endpoint", s(&base)),
        ("redis_url", s(&redis)),
    ];
    let mailer = Mailer::new(o365_core::Config::from_pairs(pairs).expect("config"));
    match send(&mailer, &std::env::var("SUBJECT").expect("SUBJECT")) {
        Ok(sent) => println!("ALREADY_SENT={}", sent.receipt.already_sent),
        Err(e) => println!("ERROR={:?}", e.kind),
    }
}

#[test]
fn another_process_sharing_redis_does_not_send_it_again() {
    let Some(redis) = RedisServer::start() else { return };
    let emu = start_default();
    let env = [("BASE", emu.base.clone()), ("REDIS", redis.url()), ("SUBJECT", "shared".to_string())];
    let out = finish(spawn_child("send_one", &env), "first process");
    assert!(out.contains("ALREADY_SENT=false"), "{out}");
    let out = finish(spawn_child("send_one", &env), "second process");
    assert!(out.contains("ALREADY_SENT=true"), "{out}");
    // And this process too.
    assert!(send(&redis_mailer(&emu, &redis.url(), false), "shared").expect("receipt").receipt.already_sent);
    assert_eq!(emu.messages().len(), 1);
    // One key, under the mailbox's hash tag, for at least 24 h.
    let key = o365_core::ledger::key(&emu.config(), MAILBOX, "<shared@test>", &["ann@example.com".to_string()]);
    assert!(key.starts_with("o365:sent:{global/contoso.onmicrosoft.com/"), "{key}");
    let ttl: u64 = redis.command(&["PTTL", &key]).expect("PTTL").parse().expect("ms");
    assert!(ttl > 86_000_000, "{ttl}");
}

#[test]
fn an_unknown_outcome_in_one_process_is_refused_in_another() {
    let Some(redis) = RedisServer::start() else { return };
    let emu = start_default();
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 504, "deliver": true, "times": 1 }]));
    let env = [("BASE", emu.base.clone()), ("REDIS", redis.url()), ("SUBJECT", "unknown-shared".to_string())];
    let out = finish(spawn_child("send_one", &env), "first process");
    assert!(out.contains("ERROR=OutcomeUnknown"), "{out}");
    let before = graph_requests(&emu).len();
    let e = send(&redis_mailer(&emu, &redis.url(), false), "unknown-shared").expect_err("refused");
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(graph_requests(&emu).len(), before);
    assert_eq!(emu.messages().len(), 1);
}

/// The same cases through a real Redis Cluster (3 primaries, 3 replicas): an accepted
/// message and an unknown outcome are recognised by another process, with no request to
/// Graph, and the entry is on the primary that serves the mailbox's slot.
#[test]
fn another_process_sharing_a_redis_cluster_does_not_send_it_again() {
    let Some(cluster) = redis_support::topology::Cluster::start() else { return };
    let emu = start_default();
    let env = |subject: &str| [("BASE", emu.base.clone()), ("REDIS", cluster.url()), ("SUBJECT", subject.to_string())];
    let out = finish(spawn_child("send_one", &env("clustered")), "first process");
    assert!(out.contains("ALREADY_SENT=false"), "{out}");
    let out = finish(spawn_child("send_one", &env("clustered")), "second process");
    assert!(out.contains("ALREADY_SENT=true"), "{out}");
    let key = o365_core::ledger::key(&emu.config(), MAILBOX, "<clustered@test>", &["ann@example.com".to_string()]);
    let owner = cluster.primary_of(cluster.slot(&key));
    assert_eq!(cluster.nodes[owner].command(&["EXISTS", &key]).as_deref().map(str::trim), Some("1"), "{key} on its slot's primary");

    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 504, "deliver": true, "times": 1 }]));
    let out = finish(spawn_child("send_one", &env("clustered-unknown")), "third process");
    assert!(out.contains("ERROR=OutcomeUnknown"), "{out}");
    let before = graph_requests(&emu).len();
    let out = finish(spawn_child("send_one", &env("clustered-unknown")), "fourth process");
    assert!(out.contains("ERROR=OutcomeUnknown"), "refused, not sent blindly: {out}");
    assert_eq!(graph_requests(&emu).len(), before, "no request to Graph");
    assert_eq!(emu.messages().len(), 2, "each message delivered once");
}

#[test]
fn redis_lost_mid_way_falls_back_to_process_memory() {
    let Some(mut redis) = RedisServer::start_with(Some("pw-never-shown")) else { return };
    let emu = start_default();
    let mailer = redis_mailer(&emu, &redis.url(), false);
    send(&mailer, "before-loss").expect("sent");
    redis.stop();
    let again = send(&mailer, "before-loss").expect("receipt from memory");
    assert!(again.receipt.already_sent, "this process remembers it");
    let fresh = send(&mailer, "after-loss").expect("new mail still goes");
    assert!(!fresh.receipt.already_sent);
    let warned: Vec<&String> = again.warnings.iter().chain(&fresh.warnings).filter(|w| w.contains("send ledger")).collect();
    assert_eq!(warned.len(), 1, "warned once: {:?} {:?}", again.warnings, fresh.warnings);
    assert!(!warned[0].contains("pw-never-shown"), "no password: {}", warned[0]);
    assert!(warned[0].contains("Fix: make that Redis reachable from every worker"), "a Redis gone: the reach fix: {}", warned[0]);
    assert!(send(&mailer, "after-loss").expect("receipt").receipt.already_sent, "never twice in this process");
    assert_eq!(emu.messages().len(), 2);
}
