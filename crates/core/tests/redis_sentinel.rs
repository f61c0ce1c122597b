//! The shared per-mailbox limiter (`redis_url`) through Redis Sentinel: a real primary,
//! its replica and 3 Sentinels on loopback, and the emulator over HTTP. The limiter uses
//! the primary the Sentinels name; when that primary is killed mid-run, every send goes
//! out (one warning), and once the Sentinels have promoted the replica it is used.

mod common;
mod redis_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use o365_core::limiter::MailboxKey;
use o365_core::{ConfigValue, Mailer};
use redis_support::topology::Sentinels;

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
