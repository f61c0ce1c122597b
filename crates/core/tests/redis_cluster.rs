//! The shared per-mailbox limiter (`redis_url`) through a real Redis Cluster (3
//! primaries, 3 replicas, `redis-cli --cluster create`) and the emulator over HTTP:
//! several processes never have more than 4 requests in flight for one mailbox; a slot
//! moved to another primary is followed (MOVED) without a warning, and a send during the
//! migration waits for it (ASK, TRYAGAIN); the primary of the
//! mailbox's slot killed mid-run: every send goes out, one warning, at most the
//! documented overrun (docs/sender.md), and the promoted replica is used after.

mod common;
mod redis_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use o365_core::limiter::MailboxKey;
use o365_core::{Config, ConfigValue, Mailer};
use o365_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig};
use redis_support::topology::Cluster;
use redis_support::{CHILD, finish, spawn_child};
use serde_json::Value;

use common::{MAILBOX, TENANT, mime, s};

fn config(base: &str, redis: &str) -> Config {
    let pairs = [
        ("tenant_id", s(TENANT)),
        ("client_id", s(DEFAULT_CLIENT_ID)),
        ("client_secret", s(DEFAULT_CLIENT_SECRET)),
        ("login_endpoint", s(base)),
        ("graph_endpoint", s(base)),
        ("timeout", ConfigValue::Int(10)),
        ("redis_url", s(redis)),
    ];
    Config::from_pairs(pairs).expect("valid config")
}

fn send(mailer: &Mailer, subject: &str) -> o365_core::Result<o365_core::Sent> {
    mailer.send_mime_with(&mime(MAILBOX, "ann@example.com", subject), Some(MAILBOX), &[], None)
}

/// `threads` threads each send `mails`; the warnings of all the receipts.
fn send_from_threads(mailer: &Arc<Mailer>, tag: &str, threads: usize, mails: usize) -> Vec<String> {
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (mailer, tag) = (mailer.clone(), tag.to_string());
            std::thread::spawn(move || {
                let mut warnings = Vec::new();
                for m in 0..mails {
                    let sent = send(&mailer, &format!("{tag}-{t}-{m}")).unwrap_or_else(|e| panic!("send {tag}-{t}-{m}: {e}"));
                    warnings.extend(sent.warnings);
                }
                warnings
            })
        })
        .collect();
    handles.into_iter().flat_map(|h| h.join().expect("sender thread")).collect()
}

/// The child side: does nothing in a normal test run.
#[test]
fn child_process() {
    let Ok(scenario) = std::env::var(CHILD) else { return };
    assert_eq!(scenario, "send");
    let var = |n: &str| std::env::var(n).expect(n);
    let mailer = Arc::new(Mailer::new(config(&var("EMU"), &var("REDIS"))));
    let warnings = send_from_threads(&mailer, &var("TAG"), 6, 4);
    assert!(warnings.is_empty(), "{warnings:?}");
}

/// The most sendMail requests the emulator worked on at once.
fn max_in_flight(emu: &common::Emu) -> usize {
    let mut edges: Vec<(u64, i32)> = Vec::new();
    for r in emu.requests_to("/sendMail") {
        let t = r["time_ms"].as_u64().expect("time_ms");
        edges.extend([(t, 1), (t + r["duration_ms"].as_u64().expect("duration_ms"), -1)]);
    }
    edges.sort();
    let mut now = 0;
    edges.iter().map(|(_, d)| { now += d; now }).max().unwrap_or(0) as usize
}

/// The requests counted in the mailbox's window on node `i` (0 when it has none).
fn window_count(cluster: &Cluster, i: usize, key: &str) -> u64 {
    let values = cluster.nodes[i].command(&["HVALS", key]).unwrap_or_default();
    values.lines().filter_map(|v| v.parse::<u64>().ok()).sum()
}

fn window_key(mailer: &Mailer) -> String {
    MailboxKey::new(mailer.config(), MAILBOX).redis_key("window")
}

#[test]
fn three_processes_share_four_slots_through_the_cluster() {
    let Some(cluster) = Cluster::start() else { return };
    let emu = common::start(EmulatorConfig { latency_ms: 100, ..Default::default() });
    let children: Vec<_> = (0..3)
        .map(|i| spawn_child("send", &[("EMU", emu.base.clone()), ("REDIS", cluster.url()), ("TAG", format!("p{i}"))]))
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        finish(c, &format!("sender process {i}"));
    }
    let requests: Vec<Value> = emu.requests_to("/sendMail");
    assert_eq!(requests.len(), 72);
    assert!(requests.iter().all(|r| r["status"] != 429), "concurrency 429s at the emulator");
    let max = max_in_flight(&emu);
    assert!((3..=4).contains(&max), "{max} requests in flight at once");
    // The state lives on the primary of the mailbox's slot, nowhere else.
    let key = window_key(&Mailer::new(config(&emu.base, &cluster.url())));
    let owner = cluster.primary_of(cluster.slot(&key));
    assert_eq!(window_count(&cluster, owner, &key), 72);
}

/// After two sends (the process knows the route): the window key, its slot, the primary
/// serving it and another primary to move it to.
fn slot_to_move(cluster: &Cluster, mailer: &Mailer) -> (String, u16, usize, usize) {
    let key = window_key(mailer);
    for i in 0..2 {
        assert!(send(mailer, &format!("before-{i}")).expect("sent").warnings.is_empty());
    }
    let slot = cluster.slot(&key);
    let from = cluster.primary_of(slot);
    let is_primary = |i: &usize| cluster.nodes[*i].command(&["ROLE"]).is_some_and(|r| r.starts_with("master"));
    let to = (0..cluster.nodes.len()).filter(|i| *i != from).find(is_primary).expect("another primary");
    (key, slot, from, to)
}

#[test]
fn a_slot_moved_to_another_primary_is_followed_without_a_warning() {
    let Some(cluster) = Cluster::start() else { return };
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &cluster.url()));
    let (key, slot, from, to) = slot_to_move(&cluster, &mailer);
    cluster.migrate(slot, from, to);
    assert_eq!(cluster.primary_of(slot), to);
    // The process still routes the slot to `from`, which answers MOVED.
    for i in 0..2 {
        let sent = send(&mailer, &format!("after-{i}")).expect("sent");
        assert!(sent.warnings.is_empty(), "a MOVED is no failure: {:?}", sent.warnings);
    }
    assert_eq!(window_count(&cluster, to, &key), 4, "the window moved with its slot and counts on");
    assert_eq!(window_count(&cluster, from, &key), 0);
}

/// The send ledger's own commands (GET, SET, DEL outside its script) follow a moved slot
/// like the scripts: the GET of a message this process already sent meets MOVED first.
/// Before, that MOVED was taken for a Redis failure: a warning, and every send of the
/// process fell back to memory for the backoff, so another process retrying one of its
/// messages would not have recognised it (a possible double send).
#[test]
fn the_send_ledger_follows_a_moved_slot_without_a_warning() {
    let Some(cluster) = Cluster::start() else { return };
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &cluster.url()));
    let (_, slot, from, to) = slot_to_move(&cluster, &mailer);
    cluster.migrate(slot, from, to);
    let again = send(&mailer, "before-0").expect("the first receipt");
    assert!(again.receipt.already_sent);
    assert!(!again.warnings.iter().any(|w| w.contains("redis_url")), "a MOVED is no failure: {:?}", again.warnings);
    let fresh = send(&mailer, "after-move").expect("sent");
    assert!(fresh.warnings.is_empty(), "Redis still used: {:?}", fresh.warnings);
    let key = o365_core::ledger::key(&config(&emu.base, &cluster.url()), MAILBOX, "<after-move@test>", &["ann@example.com".to_string()]);
    assert_eq!(cluster.slot(&key), slot, "the ledger key shares the mailbox's slot");
    assert_eq!(cluster.nodes[to].command(&["EXISTS", &key]).as_deref().map(str::trim), Some("1"), "{key} on the slot's new primary");
}

#[test]
fn a_send_during_a_slot_migration_waits_for_it_and_follows_the_slot() {
    let Some(cluster) = Cluster::start() else { return };
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &cluster.url()));
    let (key, slot, from, to) = slot_to_move(&cluster, &mailer);
    // Half-way: the window already on `to`, the slot still `from`'s (ASK / TRYAGAIN).
    cluster.begin_migration(slot, from, to, 1);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(100));
            cluster.finish_migration(slot, from, to);
        });
        let started = Instant::now();
        let sent = send(&mailer, "during").expect("sent");
        assert!(sent.warnings.is_empty(), "a migration is no failure: {:?}", sent.warnings);
        assert!(started.elapsed() >= Duration::from_millis(90), "the send waited for the migration ({:?})", started.elapsed());
    });
    assert_eq!(window_count(&cluster, to, &key), 3, "counted on the slot's new node");
}

#[test]
fn the_killed_primary_of_the_mailbox_slot_is_replaced_without_an_abort() {
    let Some(mut cluster) = Cluster::start() else { return };
    let emu = common::start(EmulatorConfig { latency_ms: 50, ..Default::default() });
    let mailer = Arc::new(Mailer::new(config(&emu.base, &cluster.url())));
    let key = window_key(&mailer);
    let owner = cluster.primary_of(cluster.slot(&key));
    let senders = {
        let mailer = mailer.clone();
        std::thread::spawn(move || send_from_threads(&mailer, "run", 6, 10))
    };
    std::thread::sleep(Duration::from_millis(300));
    let killed = Instant::now();
    cluster.nodes[owner].stop();
    let warnings = senders.join().expect("senders");
    assert_eq!(emu.messages().len(), 60, "every send went out");
    // One warning for the Redis failure: the limiter's and the send ledger's (its keys on
    // the same nodes) in one.
    let limiter: Vec<_> = warnings.iter().filter(|w| w.contains("shared mailbox limiter")).collect();
    assert_eq!(limiter.len(), 1, "one limiter warning per process: {warnings:?}");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(limiter[0].contains("send ledger"), "{}", limiter[0]);
    assert!(limiter[0].contains("redis_url") && limiter[0].contains("redis+cluster://"), "{}", limiter[0]);
    // The documented overrun: this process's own 4 on top of the shared 4, while it
    // falls back (docs/sender.md, "Redis Cluster and Sentinel").
    let max = max_in_flight(&emu);
    assert!(max <= 8, "{max} in flight");
    // The replica took over; after the backoff the process uses it.
    let promoted = cluster.wait_for_primary(cluster.slot(&key), Duration::from_secs(15));
    assert_ne!(promoted, owner);
    let before = window_count(&cluster, promoted, &key);
    eprintln!("replica promoted {:?} after the kill", killed.elapsed());
    let until = killed + Duration::from_secs(40);
    for n in 0.. {
        if window_count(&cluster, promoted, &key) != before || Instant::now() >= until {
            break;
        }
        let late = send(&mailer, &format!("after-{n}")).expect("sent").warnings;
        assert!(late.is_empty(), "said once only: {late:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(window_count(&cluster, promoted, &key) > before, "the promoted replica is used");
    eprintln!("failover followed {:?} after the kill; at most {max} in flight", killed.elapsed());
}
