//! The shared per-mailbox limiter (`redis_url`) through Redis Sentinel: a real primary,
//! its replica and 3 Sentinels on loopback, and the emulator over HTTP. The limiter uses
//! the primary the Sentinels name; when that primary is killed mid-run, every send goes
//! out (one warning), and once the Sentinels have promoted the replica it is used.
//! The send ledger's "accepted" entry waits for the replica (WAIT 1) when there is one,
//! never when there is none, and never longer than its cap when the replica is frozen;
//! those run in child processes of their own, since warnings are said once per process.

mod common;
mod redis_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use o365_core::limiter::MailboxKey;
use o365_core::{ConfigValue, Mailer};
use redis_support::topology::Sentinels;
use redis_support::{CHILD, RedisServer, run_scenario};

use common::{MAILBOX, mime, s};

fn send(mailer: &Mailer, subject: &str) -> o365_core::Result<o365_core::Sent> {
    mailer.send_mime_with(&mime(MAILBOX, "ann@example.com", subject), Some(MAILBOX), &[], None)
}

fn window_count(node: &redis_support::RedisServer, key: &str) -> u64 {
    node.command(&["HVALS", key]).unwrap_or_default().lines().filter_map(|v| v.parse::<u64>().ok()).sum()
}

#[test]
fn a_sentinel_failover_is_followed_without_an_abort() {
    let Some(mut bed) = Sentinels::start() else { return };
    let emu = common::start_default();
    let mailer = Arc::new(emu.mailer_with(&[("redis_url", s(&bed.url())), ("timeout", ConfigValue::Int(10))]));
    let key = MailboxKey::new(mailer.config(), MAILBOX).redis_key("window");
    for i in 0..2 {
        assert!(send(&mailer, &format!("before-{i}")).expect("sent").warnings.is_empty());
    }
    assert_eq!(window_count(&bed.primary, &key), 2, "the limiter writes to the primary the Sentinels name");
    let killed = Instant::now();
    bed.primary.stop();
    let mut warnings = Vec::new();
    let until = killed + Duration::from_secs(30);
    let mut sent_after = 0;
    // Sends go on (per-process limits) until the replica is promoted and used.
    while Instant::now() < until {
        let before = window_count(&bed.replica, &key);
        warnings.extend(send(&mailer, &format!("during-{sent_after}")).expect("a failover never stops a send").warnings);
        sent_after += 1;
        if bed.replica.command(&["ROLE"]).is_some_and(|r| r.starts_with("master")) && window_count(&bed.replica, &key) > before {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(bed.named_primary().is_some_and(|p| p.contains(&bed.replica.port.to_string())), "the Sentinels promoted the replica");
    assert_eq!(emu.messages().len(), 2 + sent_after, "nothing lost");
    assert!(window_count(&bed.replica, &key) > 2, "the promoted replica is used");
    // One warning for the Redis failure: the limiter's and the send ledger's (its keys on
    // the same nodes) in one.
    let limiter: Vec<_> = warnings.iter().filter(|w| w.contains("shared mailbox limiter")).collect();
    assert_eq!(limiter.len(), 1, "one limiter warning per process: {warnings:?}");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(limiter[0].contains("send ledger"), "{}", limiter[0]);
    assert!(limiter[0].contains("redis+sentinel://") && limiter[0].contains("mymaster"), "{}", limiter[0]);
    eprintln!("Sentinel failover followed {:?} after the kill ({sent_after} sends meanwhile)", killed.elapsed());
}

/// A primary and its replica (plain `redis://` to the primary), the replica in sync.
fn primary_with_replica() -> (RedisServer, RedisServer) {
    let primary = RedisServer::start().expect("redis-server");
    let replica = RedisServer::start_args(&["--replicaof".into(), "127.0.0.1".into(), primary.port.to_string()]).expect("replica");
    let until = Instant::now() + Duration::from_secs(10);
    while !replica.command(&["INFO", "replication"]).is_some_and(|i| i.contains("master_link_status:up")) {
        assert!(Instant::now() < until, "the replica did not sync");
        std::thread::sleep(Duration::from_millis(50));
    }
    (primary, replica)
}

/// The median of `n` sends' latencies (each a new Message-ID), after 3 warm-up sends.
fn median_send(mailer: &Mailer, tag: &str, n: usize) -> Duration {
    for i in 0..3 {
        send(mailer, &format!("{tag}-warm-{i}")).expect("sent");
    }
    let mut took: Vec<Duration> = (0..n)
        .map(|i| {
            let started = Instant::now();
            assert!(send(mailer, &format!("{tag}-{i}")).expect("sent").warnings.is_empty());
            started.elapsed()
        })
        .collect();
    took.sort();
    took[n / 2]
}

#[test]
fn the_accepted_entry_waits_for_a_replica_only_when_there_is_one() {
    run_scenario("wait_cost", &[]);
}

#[test]
fn a_frozen_replica_delays_a_send_by_at_most_the_cap() {
    run_scenario("frozen_replica", &[]);
}

#[test]
fn sentinels_with_a_password_of_their_own_are_asked_with_it() {
    run_scenario("sentinel_password", &[]);
}

#[test]
fn a_redis_url_naming_a_replica_or_a_sentinel_is_said_with_its_fix() {
    run_scenario("replica_url", &[]);
}

#[test]
fn a_primary_demoted_under_the_limiter_is_said_once_with_its_fix() {
    run_scenario("demoted_primary", &[]);
}

#[test]
fn child_process() {
    let Ok(scenario) = std::env::var(CHILD) else { return };
    match scenario.as_str() {
        "wait_cost" => wait_cost(),
        "frozen_replica" => frozen_replica(),
        "sentinel_password" => sentinel_password(),
        "replica_url" => replica_url(),
        "demoted_primary" => demoted_primary(),
        other => panic!("unknown scenario {other}"),
    }
}

/// WAIT follows the ledger's "accepted" write on a primary with a replica (which then
/// has the entry as the send returns), and is never sent to a node without one. Prints
/// the median send latency of both (the cost of the durability step).
fn wait_cost() {
    let emu = common::start_default();
    let (primary, replica) = primary_with_replica();
    let single = RedisServer::start().expect("redis-server");
    let with_replica = emu.mailer_with(&[("redis_url", s(&primary.url()))]);
    let without = emu.mailer_with(&[("redis_url", s(&single.url()))]);
    send(&with_replica, "warm").expect("sent");
    send(&without, "warm").expect("sent");

    let mut monitor = primary.monitor();
    send(&with_replica, "replicated").expect("sent");
    let commands = monitor.client_commands();
    let set = commands.iter().rposition(|c| c == "set").expect("the accepted entry is written with SET");
    assert_eq!(commands.get(set + 1).map(String::as_str), Some("wait"), "WAIT right after the accepted write: {commands:?}");
    let key = o365_core::ledger::key(&emu.config(), MAILBOX, "<replicated@test>", &["ann@example.com".to_string()]);
    let on_replica = replica.command(&["GET", &key]).unwrap_or_default();
    assert!(on_replica.contains("accepted"), "the replica has the accepted entry as the send returns: {on_replica:?}");

    let mut monitor = single.monitor();
    send(&without, "alone").expect("sent");
    let commands = monitor.client_commands();
    assert!(commands.iter().any(|c| c == "set") && !commands.iter().any(|c| c == "wait"), "no WAIT without a replica: {commands:?}");

    let (replicated, alone) = (median_send(&with_replica, "r", 41), median_send(&without, "a", 41));
    eprintln!(
        "median send with a replica (WAIT 1) {replicated:?}, without one {alone:?}: ratio {:.2}",
        replicated.as_secs_f64() / alone.as_secs_f64()
    );
}

/// A replica that is alive but silent (SIGSTOP): the send returns within the cap (200 ms)
/// of WAIT, is not failed, and says so once per process.
fn frozen_replica() {
    let emu = common::start_default();
    let (primary, replica) = primary_with_replica();
    let mailer = emu.mailer_with(&[("redis_url", s(&primary.url()))]);
    let baseline = median_send(&mailer, "before", 5);
    replica.freeze(true);
    let started = Instant::now();
    let first = send(&mailer, "frozen-1").expect("a replica that does not answer never fails a send");
    let took = started.elapsed();
    let second = send(&mailer, "frozen-2").expect("sent");
    replica.freeze(false);
    assert!(took >= Duration::from_millis(190), "WAIT was issued and waited for the replica: {took:?}");
    assert!(took < baseline + Duration::from_millis(200 + 300), "bounded by the cap of 200 ms: {took:?} (baseline {baseline:?})");
    assert_eq!(first.warnings.len(), 1, "{:?}", first.warnings);
    let w = &first.warnings[0];
    assert!(w.contains("replica") && w.contains("200 ms") && w.contains("INFO replication") && w.contains("send it again"), "{w}");
    assert!(second.warnings.is_empty(), "said once per process: {:?}", second.warnings);
    assert_eq!(emu.messages().len(), 5 + 3 + 2, "every message sent once");
    eprintln!("a frozen replica: send took {took:?} (baseline {baseline:?})");
}

const SENTINEL_PW: &str = "sentinel-canary-7f3";
const DATA_PW: &str = "data-canary-9c2";

/// Password-protected Sentinels (`requirepass`) before a password-protected primary:
/// without `sentinel_password` the sends go on with one warning naming it; with it the
/// primary they name is used; a wrong one is named too. Neither password shows anywhere.
fn sentinel_password() {
    let bed = Sentinels::start_with(Some(SENTINEL_PW), Some(DATA_PW)).expect("redis-server");
    let emu = common::start_default();
    let without = emu.mailer_with(&[("redis_url", s(&bed.url()))]);
    let sent = send(&without, "no-sentinel-password").expect("Sentinels refusing never stop a send");
    assert_eq!(sent.warnings.len(), 1, "{:?}", sent.warnings);
    let w = &sent.warnings[0];
    assert!(w.contains("NOAUTH") && w.contains("Fix: add `?sentinel_password=") && w.contains("keeps sending"), "{w}");
    assert!(!w.contains("reachable from every worker"), "one fix, the cause's own: {w}");
    let refused = without.diagnose().expect("diagnose").limiter;
    assert!(refused.starts_with("per process") && refused.contains("?sentinel_password="), "{refused}");

    let url = format!("{}?sentinel_password={SENTINEL_PW}", bed.url());
    let with = emu.mailer_with(&[("redis_url", s(&url))]);
    let key = MailboxKey::new(with.config(), MAILBOX).redis_key("window");
    assert!(send(&with, "with-sentinel-password").expect("sent").warnings.is_empty());
    assert_eq!(window_count(&bed.primary, &key), 1, "the primary the Sentinels named is used, with its own password");
    let report = with.diagnose().expect("diagnose");
    assert!(report.limiter.starts_with("shared by every process") && report.limiter.contains("redis+sentinel://"), "{}", report.limiter);

    let wrong = emu.mailer_with(&[("redis_url", s(&format!("{}?sentinel_password=not-it", bed.url())))]);
    let wrong_report = wrong.diagnose().expect("diagnose");
    assert!(wrong_report.limiter.contains("refused its `sentinel_password`"), "{}", wrong_report.limiter);

    // A redis:// URL naming a Sentinel (its password right) is told to use redis+sentinel://.
    let sentinel_as_node = emu.mailer_with(&[("redis_url", s(&format!("redis://:{SENTINEL_PW}@{}/0", bed.first())))]);
    let said = sentinel_as_node.diagnose().expect("diagnose").limiter;
    assert!(said.contains("points at a Redis Sentinel") && said.contains("redis+sentinel://"), "{said}");

    let shown = format!("{sent:?} {refused} {report:?} {wrong_report:?} {said} {:?} {:?}", with.config(), without.config());
    assert!(!shown.contains("canary"), "a password leaked: {shown}");
    println!("ok");
}

/// `redis_url` naming a replica: diagnose() says so with the fix; the sends go on with
/// per-process limits and one warning that names the fix (not a silent fallback).
fn replica_url() {
    let emu = common::start_default();
    let (_primary, replica) = primary_with_replica();
    let mailer = emu.mailer_with(&[("redis_url", s(&replica.url()))]);
    let report = mailer.diagnose().expect("diagnose");
    let fix = |t: &str| t.contains("replica") && t.contains("point `redis_url` at the primary") && t.contains("redis+sentinel://");
    // The warnings say that fix alone, not also the generic one of an unreachable Redis.
    let one_fix = |t: &str| fix(t) && t.contains("Fix: point `redis_url` at the primary") && !t.contains("reachable from every worker");
    assert!(report.limiter.starts_with("per process") && fix(&report.limiter), "{}", report.limiter);
    assert!(report.warnings.iter().any(|w| one_fix(w)), "{:?}", report.warnings);
    let warnings: Vec<String> = (0..3).flat_map(|i| send(&mailer, &format!("to-replica-{i}")).expect("sent").warnings).collect();
    assert_eq!(emu.messages().len(), 3, "every send delivered");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(one_fix(&warnings[0]) && warnings[0].contains("READONLY"), "{}", warnings[0]);
    println!("ok");
}

/// The primary of a one-node `redis_url` becomes a replica under a running worker:
/// its next write is refused with READONLY, said once with the fix.
fn demoted_primary() {
    let emu = common::start_default();
    let (primary, replica) = primary_with_replica();
    let mailer = emu.mailer_with(&[("redis_url", s(&primary.url()))]);
    assert!(send(&mailer, "before").expect("sent").warnings.is_empty());
    assert_eq!(replica.command(&["REPLICAOF", "NO", "ONE"]).as_deref(), Some("OK"));
    assert_eq!(primary.command(&["REPLICAOF", "127.0.0.1", &replica.port.to_string()]).as_deref(), Some("OK"));
    let warnings: Vec<String> = (0..3).flat_map(|i| send(&mailer, &format!("after-{i}")).expect("sent").warnings).collect();
    assert_eq!(emu.messages().len(), 4, "every send delivered");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0];
    assert!(w.contains("READONLY") && w.contains("Fix: point `redis_url` at the primary") && w.contains("redis+sentinel://"), "{w}");
    assert!(!w.contains("reachable from every worker"), "one fix, the cause's own: {w}");
    println!("ok");
}
