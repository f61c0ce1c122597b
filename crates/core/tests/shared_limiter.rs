//! The shared per-mailbox limiter (`redis_url`) against a real redis-server and the
//! emulator over HTTP: several real processes (this test binary re-run as children, see
//! `child_process`) never have more than 4 requests in flight for one mailbox; a 429's
//! Retry-After holds every process; a SIGKILLed worker's slots come back when their
//! leases expire; sending goes on when Redis dies (one warning per process); the request
//! window and the upload budget refuse with a throttling error that names the fix; an
//! uncontended slot costs one script call to take and one to give back; a waiter is woken
//! by the release that frees its slot, not by polling (and polls where Redis refuses BLPOP).

mod common;
#[allow(dead_code)]
mod large_support;
mod redis_support;

use std::time::{Duration, Instant};

use o365_core::limiter::{Limits, MailboxKey, set_limits};
use o365_core::{Config, ConfigValue, ErrorKind, Mailer};
use o365_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig};
use redis_support::{CHILD, RedisServer, finish, run_scenario, spawn_child};
use serde_json::{Value, json};

use common::{MAILBOX, TENANT, mime, s};

/// A config for the emulator at `base` sharing limits through `redis`.
fn config(base: &str, redis: &str, extra: &[(&str, ConfigValue)]) -> Config {
    let mut pairs = vec![
        ("tenant_id".to_string(), s(TENANT)),
        ("client_id".to_string(), s(DEFAULT_CLIENT_ID)),
        ("client_secret".to_string(), s(DEFAULT_CLIENT_SECRET)),
        ("login_endpoint".to_string(), s(base)),
        ("graph_endpoint".to_string(), s(base)),
        ("timeout".to_string(), ConfigValue::Int(10)),
        ("max_retries".to_string(), ConfigValue::Int(3)),
        ("redis_url".to_string(), s(redis)),
    ];
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        pairs.push((k.to_string(), v.clone()));
    }
    Config::from_pairs(pairs).expect("valid config")
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("child needs {name}"))
}

fn send(mailer: &Mailer, subject: &str) -> o365_core::Result<o365_core::Sent> {
    mailer.send_mime_with(&mime(MAILBOX, "ann@example.com", subject), Some(MAILBOX), &[], None)
}

/// The child side: does nothing in a normal test run.
#[test]
fn child_process() {
    let Ok(scenario) = std::env::var(CHILD) else { return };
    if let Ok(ms) = std::env::var("LEASE_MS") {
        set_limits(Limits { lease: Some(Duration::from_millis(ms.parse().expect("ms"))), ..Limits::default() });
    }
    match scenario.as_str() {
        "send" => child_send(),
        "redis-down" => child_redis_down(),
        "window" => child_window(),
        "upload" => child_upload(),
        "tls" => child_tls(),
        "fork" => child_fork(),
        other => panic!("unknown child scenario {other}"),
    }
}

/// THREADS threads each send MAILS messages.
fn child_send() {
    let mailer = std::sync::Arc::new(Mailer::new(config(&env("EMU"), &env("REDIS"), &[])));
    let (threads, mails): (usize, usize) = (env("THREADS").parse().expect("n"), env("MAILS").parse().expect("n"));
    let tag = env("TAG");
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (mailer, tag) = (mailer.clone(), tag.clone());
            std::thread::spawn(move || {
                let mut took = Vec::new();
                for m in 0..mails {
                    let started = Instant::now();
                    send(&mailer, &format!("{tag}-{t}-{m}")).unwrap_or_else(|e| panic!("send {tag}-{t}-{m}: {e}"));
                    took.push(started.elapsed().as_millis() as u64);
                }
                took
            })
        })
        .collect();
    let mut took = Vec::new();
    for h in handles {
        took.extend(h.join().expect("sender thread"));
    }
    // How long each send took (waits for a slot included), for the parent's report.
    println!("took-ms {}", took.iter().map(u64::to_string).collect::<Vec<_>>().join(" "));
}

fn sendmail_requests(emu: &common::Emu) -> Vec<Value> {
    emu.requests_to("/sendMail")
}

/// The most sendMail requests the emulator was working on at once (from its log:
/// arrival and duration in ms, so [t, t + d) never overlaps a request sent after it).
fn max_in_flight(requests: &[Value]) -> usize {
    let mut edges: Vec<(u64, i32)> = Vec::new();
    for r in requests {
        let t = r["time_ms"].as_u64().expect("time_ms");
        edges.push((t, 1));
        edges.push((t + r["duration_ms"].as_u64().expect("duration_ms"), -1));
    }
    // Ends before starts at the same millisecond.
    edges.sort();
    let (mut now, mut max) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        max = max.max(now);
    }
    max as usize
}

#[test]
fn three_processes_never_have_more_than_four_requests_in_flight() {
    let Some(redis) = RedisServer::start() else { return };
    let emu = common::start(EmulatorConfig { latency_ms: 100, ..Default::default() });
    let started = Instant::now();
    // 3 processes x 6 threads: each process alone would fill the mailbox's 4 slots.
    let children: Vec<_> = (0..3)
        .map(|i| {
            let env = [
                ("EMU", emu.base.clone()),
                ("REDIS", redis.url()),
                ("THREADS", "6".to_string()),
                ("MAILS", "4".to_string()),
                ("TAG", format!("p{i}")),
            ];
            spawn_child("send", &env)
        })
        .collect();
    let mut took: Vec<u64> = Vec::new();
    for (i, c) in children.into_iter().enumerate() {
        let out = finish(c, &format!("sender process {i}"));
        // The harness may print "test child_process ... " on the same line first.
        let line = out.lines().find_map(|l| l.split_once("took-ms ").map(|(_, rest)| rest)).expect("durations");
        took.extend(line.split(' ').map(|n| n.parse::<u64>().expect("ms")));
    }
    took.sort_unstable();
    let elapsed = started.elapsed();
    let requests = sendmail_requests(&emu);
    let throttled: Vec<_> = requests.iter().filter(|r| r["status"] == 429).collect();
    assert!(throttled.is_empty(), "{} concurrency 429s at the emulator: {throttled:?}", throttled.len());
    assert_eq!(requests.len(), 72, "one request per mail");
    assert_eq!(emu.messages().len(), 72);
    let max = max_in_flight(&requests);
    assert!(max <= 4, "{max} requests in flight at once");
    assert!(max >= 3, "the processes did overlap ({max} at most at once)");
    // Reported, not asserted (timings are noisy here): the busy span at the emulator
    // against the bound of 4 slots x 10 requests/s.
    let first = requests.iter().map(|r| r["time_ms"].as_u64().unwrap()).min().unwrap();
    let last = requests.iter().map(|r| r["time_ms"].as_u64().unwrap() + r["duration_ms"].as_u64().unwrap()).max().unwrap();
    let goodput = 72.0 / ((last - first) as f64 / 1000.0);
    eprintln!(
        "72 mails from 3 processes x 6 threads at 100 ms latency: {elapsed:?} in all, {goodput:.1} mails/s at the emulator \
         ({:.0}% of 40/s), at most {max} in flight; per send p50 {} ms, p95 {} ms, max {} ms",
        goodput / 40.0 * 100.0,
        took[took.len() / 2],
        took[took.len() * 95 / 100],
        took[took.len() - 1]
    );
}

#[test]
fn a_retry_after_from_graph_holds_every_process() {
    let Some(redis) = RedisServer::start() else { return };
    let emu = common::start_default();
    emu.faults(json!({"match": {"path": "sendMail", "mailbox": MAILBOX}, "status": 429, "retry_after": 2, "times": 1}));
    let mailer = Mailer::new(config(&emu.base, &redis.url(), &[]));
    let first = std::thread::spawn(move || send(&mailer, "first").map(|s| s.receipt));
    // Once the 429 was answered, another process sends to the same mailbox.
    let until = Instant::now() + Duration::from_secs(10);
    let answered_429 = loop {
        if let Some(r) = sendmail_requests(&emu).iter().find(|r| r["status"] == 429) {
            break r["time_ms"].as_u64().unwrap() + r["duration_ms"].as_u64().unwrap();
        }
        assert!(Instant::now() < until, "no 429 seen");
        std::thread::sleep(Duration::from_millis(10));
    };
    let env = [("EMU", emu.base.clone()), ("REDIS", redis.url()), ("THREADS", "1".into()), ("MAILS", "1".into()), ("TAG", "second".into())];
    finish(spawn_child("send", &env), "second process");
    first.join().expect("thread").expect("the throttled send is retried after Retry-After");
    let requests = sendmail_requests(&emu);
    assert_eq!(requests.iter().filter(|r| r["status"] == 429).count(), 1, "the second process never got a 429: {requests:?}");
    let accepted: Vec<u64> = requests.iter().filter(|r| r["status"] == 202).map(|r| r["time_ms"].as_u64().unwrap()).collect();
    assert_eq!(accepted.len(), 2);
    for t in accepted {
        // Retry-After was 2 s; the second process started ~at once but waited for the hold.
        assert!(t + 50 >= answered_429 + 2000, "a request reached Graph {} ms after the 429 asked for 2000", t as i64 - answered_429 as i64);
    }
}

#[test]
fn a_killed_workers_slots_come_back_when_their_leases_expire() {
    let Some(redis) = RedisServer::start() else { return };
    let emu = common::start_default();
    // The child's first 4 sends hang at the emulator (answered after a minute) while it
    // holds all 4 slots, and 4 more wait in the mailbox's queue (as many as there are
    // slots: were they not dropped as silent, nobody could ever pass them); then it is killed with
    // SIGKILL and never gives the slots back nor leaves the queue.
    emu.faults(json!({"match": {"path": "sendMail", "mailbox": MAILBOX}, "delay_ms": 60000, "times": 4}));
    let env = [
        ("EMU", emu.base.clone()),
        ("REDIS", redis.url()),
        ("THREADS", "8".into()),
        ("MAILS", "1".into()),
        ("TAG", "stuck".into()),
        ("LEASE_MS", "1500".into()),
    ];
    let mut child = spawn_child("send", &env);
    let cfg = config(&emu.base, &redis.url(), &[]);
    let leases = MailboxKey::new(&cfg, MAILBOX).redis_key("leases");
    let queue = MailboxKey::new(&cfg, MAILBOX).redis_key("queue");
    let until = Instant::now() + Duration::from_secs(20);
    // All 4 slots held, all 4 requests at the emulator (the rule hit 4 times), 4 waiting.
    let hits = || emu.call("GET", "/_emulator/faults", None)[0]["hits"].as_u64();
    let zcard = |k: &str| redis.command(&["ZCARD", k]);
    while zcard(&leases).as_deref() != Some("4") || hits() != Some(4) || zcard(&queue).as_deref() != Some("4") {
        assert!(Instant::now() < until, "the child never held 4 slots");
        std::thread::sleep(Duration::from_millis(10));
    }
    let first_expiry: u64 = redis.command(&["ZRANGE", &leases, "0", "0", "WITHSCORES"]).unwrap().lines().nth(1).unwrap().parse().unwrap();
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let sent = send(&Mailer::new(cfg), "after-the-kill").expect("sent once a lease expired");
    assert!(sent.warnings.is_empty(), "{:?}", sent.warnings);
    let mine = sendmail_requests(&emu).into_iter().find(|r| r["status"] == 202).expect("accepted request");
    let t = mine["time_ms"].as_u64().unwrap();
    assert!(t + 5 >= first_expiry, "sent {} ms before the dead worker's lease expired", first_expiry - t);
    // The dead waiters at the head of the queue were dropped, not waited for.
    assert!(t < first_expiry + 5000, "the slot came back {} ms after the lease expired", t - first_expiry);
}

/// Redis dies mid-run: every send still goes out, and the receipt right after says so
/// once (in this child process: the warning is once per process); when Redis is back,
/// it is used again.
fn child_redis_down() {
    let password = "canary-redis-pw-4f1c";
    let mut redis = RedisServer::start_with(Some(password)).expect("redis-server (checked by the parent)");
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &redis.url(), &[]));
    let window = MailboxKey::new(mailer.config(), MAILBOX).redis_key("window");
    for i in 0..2 {
        let sent = send(&mailer, &format!("up-{i}")).expect("sent through Redis");
        assert!(sent.warnings.is_empty(), "{:?}", sent.warnings);
    }
    assert_eq!(redis.command(&["EXISTS", &window]).as_deref(), Some("1"), "the window lives in Redis");
    redis.stop();
    let mut warnings = Vec::new();
    for i in 0..4 {
        let started = Instant::now();
        let sent = send(&mailer, &format!("down-{i}")).expect("Redis down never stops a send");
        assert!(started.elapsed() < Duration::from_secs(5), "a dead Redis stalled a send for {:?}", started.elapsed());
        warnings.extend(sent.warnings);
    }
    assert_eq!(warnings.len(), 1, "one warning per process: {warnings:?}");
    let w = &warnings[0];
    assert!(w.contains("redis_url") && w.contains(&format!("127.0.0.1:{}", redis.port)) && w.contains("keeps sending"), "{w}");
    assert!(!w.contains(password), "the password leaked: {w}");
    assert_eq!(emu.messages().len(), 6, "nothing lost");
    // Back: used again after the backoff (1 s after the first failure).
    redis.restart();
    std::thread::sleep(Duration::from_millis(1200));
    let sent = send(&mailer, "back").expect("sent");
    assert!(sent.warnings.is_empty(), "said once only: {:?}", sent.warnings);
    assert_eq!(redis.command(&["EXISTS", &window]).as_deref(), Some("1"), "Redis is used again");
    println!("ok");
}

#[test]
fn sending_goes_on_when_redis_dies_with_one_warning_per_process() {
    run_scenario("redis-down", &[]);
}

/// The request window, scaled down through the environment as a benchmark would
/// (`O365_MAILBOX_WINDOW=3/20s`): the 4th request cannot wait 20 s within a 1 s deadline.
fn child_window() {
    let redis = RedisServer::start().expect("redis-server");
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &redis.url(), &[]));
    for i in 0..3 {
        send(&mailer, &format!("w-{i}")).expect("within the window");
    }
    let hurried = Mailer::new(config(&emu.base, &redis.url(), &[("deadline", ConfigValue::Int(1))]));
    let e = send(&hurried, "w-3").expect_err("the window is full");
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");
    assert!(e.message.contains("3 requests") && e.message.contains("`deadline`"), "{e}");
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("queue")), "{e}");
    let wait = e.retry_after.expect("the wait is carried for a queue");
    assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(22), "{wait:?}");
    assert_eq!(emu.messages().len(), 3, "the 4th never reached Graph");
    println!("ok");
}

#[test]
fn a_full_request_window_refuses_with_the_wait() {
    run_scenario("window", &[(o365_core::limiter::WINDOW_VAR, "3/20s".into())]);
}

/// The upload budget, scaled down to 6 MiB per 20 s: a 5 MB attachment fits, the next
/// one's first 4 MiB chunk does not.
fn child_upload() {
    set_limits(Limits { upload_bytes: 6 << 20, upload_window: Duration::from_secs(20), ..Limits::default() });
    let redis = RedisServer::start().expect("redis-server");
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &redis.url(), &[("timeout", ConfigValue::Int(30))]));
    let big = |subject: &str, seed| large_support::message(MAILBOX, subject, &[large_support::Attachment::file("a.bin", 5_000_000, seed)]);
    let sent = mailer.send_mime_with(&big("u-1", 1), Some(MAILBOX), &[], None).expect("within the budget");
    assert_eq!(sent.route, o365_core::Route::Draft);
    let hurried = Mailer::new(config(&emu.base, &redis.url(), &[("timeout", ConfigValue::Int(30)), ("deadline", ConfigValue::Int(3))]));
    let e = hurried.send_mime_with(&big("u-2", 2), Some(MAILBOX), &[], None).expect_err("over the upload budget");
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");
    assert!(e.message.contains("uploaded 6 MiB") && e.message.contains("`deadline`"), "{e}");
    assert!(e.retry_after.is_some_and(|w| w > Duration::from_secs(10)), "{e:?}");
    assert_eq!(emu.messages().len(), 1, "the second message was not sent");
    println!("ok");
}

#[test]
fn a_spent_upload_budget_refuses_with_the_wait() {
    run_scenario("upload", &[]);
}

#[test]
fn an_uncontended_slot_costs_one_round_trip_to_take_and_one_to_give_back() {
    let Some(redis) = RedisServer::start() else { return };
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &redis.url(), &[]));
    // The first send loads the scripts (EVALSHA answered NOSCRIPT, SCRIPT LOAD, EVALSHA).
    send(&mailer, "warm-up").expect("sent");
    let mut monitor = redis.monitor();
    let sent = send(&mailer, "counted").expect("sent");
    assert_eq!(sent.route, o365_core::Route::Mime, "one Graph request");
    // The send ledger claims the message (one script call) and records it accepted (SET)
    // around the limiter's slot: one call to acquire, one to release.
    assert_eq!(monitor.client_commands(), ["evalsha", "evalsha", "evalsha", "set"], "ledger claim, acquire, release, ledger accepted");
}

/// 5 sends at once from this process for the 4 slots (one waits a whole request of
/// `emu`'s 1 s latency); the client commands Redis saw meanwhile.
fn five_sends_for_four_slots(redis: &RedisServer, emu: &common::Emu, url: &str) -> Vec<String> {
    let mailer = std::sync::Arc::new(Mailer::new(config(&emu.base, url, &[])));
    // Token and scripts first, so that the counted sends make only limiter calls.
    send(&mailer, "warm-up").expect("sent");
    let mut monitor = redis.monitor();
    let start = std::sync::Arc::new(std::sync::Barrier::new(5));
    let threads: Vec<_> = (0..5)
        .map(|i| {
            let (mailer, start) = (mailer.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                send(&mailer, &format!("contended-{i}")).map(|_| ())
            })
        })
        .collect();
    for t in threads {
        t.join().expect("sender thread").expect("sent");
    }
    assert_eq!(emu.messages().len(), 6);
    assert!(max_in_flight(&sendmail_requests(emu)) <= 4);
    monitor.client_commands()
}

fn count(commands: &[String], name: &str) -> usize {
    commands.iter().filter(|c| *c == name).count()
}

#[test]
fn a_release_wakes_the_waiter_instead_of_its_next_poll() {
    let Some(redis) = RedisServer::start() else { return };
    let emu = common::start(EmulatorConfig { latency_ms: 1000, ..Default::default() });
    let commands = five_sends_for_four_slots(&redis, &emu, &redis.url());
    assert!(count(&commands, "blpop") >= 1, "the waiter blocks on its wake list: {commands:?}");
    // 5 grants and 5 releases, the waiter's refused first try, its try when woken, and
    // one more each 200 ms that it waited unwoken (it keeps its place in the queue that
    // way): ~17. Polling every 5-10 ms through the 1 s wait would make ~100 tries more.
    let calls = count(&commands, "evalsha");
    assert!(calls <= 20, "{calls} script calls: the waiter polled instead of being woken: {commands:?}");
}

/// A Redis that refuses BLPOP (Redis 5 takes no fractional timeout; here an ACL user
/// without it): the waiter polls instead, and every mail still goes out within the limits.
#[test]
fn a_redis_that_refuses_blpop_leaves_the_waiters_polling() {
    let Some(redis) = RedisServer::start() else { return };
    let acl = redis.command(&["ACL", "SETUSER", "noblock", "on", ">pw", "~*", "+@all", "-blpop"]);
    assert_eq!(acl.as_deref(), Some("OK"));
    let emu = common::start(EmulatorConfig { latency_ms: 1000, ..Default::default() });
    let commands = five_sends_for_four_slots(&redis, &emu, &format!("redis://noblock:pw@127.0.0.1:{}/0", redis.port));
    assert_eq!(count(&commands, "blpop"), 0, "{commands:?}");
    let calls = count(&commands, "evalsha");
    assert!(calls > 30, "{calls} script calls: the waiter should have polled every 5-10 ms through the 1 s wait");
}

/// `rediss://`: without the CA the certificate is refused (sending goes on, with the
/// warning); with it as `ca_file` (added to the system roots) the limits live in Redis.
fn child_tls() {
    let redis = RedisServer::start_tls().expect("redis-server");
    let emu = common::start_default();
    let window = |m: &Mailer| MailboxKey::new(m.config(), MAILBOX).redis_key("window");
    let untrusted = Mailer::new(config(&emu.base, &redis.url(), &[]));
    let sent = send(&untrusted, "untrusted").expect("sent without Redis");
    assert!(sent.warnings.iter().any(|w| w.contains(&redis.url().replace("/0", ""))), "{:?}", sent.warnings);
    assert_eq!(redis.command(&["EXISTS", &window(&untrusted)]).as_deref(), Some("0"), "an untrusted Redis is not used");
    let ca = redis.ca_file.as_ref().unwrap().to_str().unwrap();
    let trusted = Mailer::new(config(&emu.base, &redis.url(), &[("ca_file", s(ca))]));
    let sent = send(&trusted, "trusted").expect("sent");
    assert!(sent.warnings.is_empty(), "{:?}", sent.warnings);
    assert_eq!(redis.command(&["EXISTS", &window(&trusted)]).as_deref(), Some("1"), "the limits live in Redis, over TLS");
    println!("ok");
}

#[test]
fn rediss_verifies_the_server_against_the_system_roots_and_ca_file() {
    run_scenario("tls", &[]);
}

unsafe extern "C" {
    fn fork() -> i32;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
    fn _exit(code: i32) -> !;
}

/// The requests Redis counted in the mailbox's window.
fn window_count(redis: &RedisServer, mailer: &Mailer) -> u64 {
    let key = MailboxKey::new(mailer.config(), MAILBOX).redis_key("window");
    let flat = redis.command(&["HGETALL", &key]).unwrap_or_default();
    flat.lines().skip(1).step_by(2).map(|n| n.parse::<u64>().expect("count")).sum()
}

/// As PHP-FPM does: the parent sends (its runtime and Redis connection exist), then
/// forks; the child's send must not touch the parent's connection (its driver task does
/// not exist in the child: the send would stall, then fall back with a warning).
fn child_fork() {
    let redis = RedisServer::start().expect("redis-server");
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &redis.url(), &[]));
    assert!(send(&mailer, "parent").expect("sent").warnings.is_empty());
    assert_eq!(window_count(&redis, &mailer), 1);
    // SAFETY: the forked child only sends and exits with _exit (no unwinding, no atexit).
    let pid = unsafe { fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = std::panic::catch_unwind(|| {
            let sent = send(&mailer, "child").expect("sent from the forked child");
            assert!(sent.warnings.is_empty(), "{:?}", sent.warnings);
            assert_eq!(window_count(&redis, &mailer), 2, "the child counted in Redis, over its own connection");
        });
        unsafe { _exit(if ok.is_ok() { 0 } else { 1 }) }
    }
    let mut status = 0;
    assert_eq!(unsafe { waitpid(pid, &mut status, 0) }, pid);
    assert_eq!(status, 0, "the forked child failed (wait status {status})");
    assert!(send(&mailer, "parent-again").expect("sent").warnings.is_empty());
    assert_eq!(window_count(&redis, &mailer), 3);
    println!("ok");
}

#[test]
fn a_forked_child_opens_its_own_redis_connection() {
    run_scenario("fork", &[]);
}

#[test]
fn diagnose_says_how_the_limits_are_shared_and_pings_redis() {
    let password = "diag-canary-pw-77e0";
    let Some(mut redis) = RedisServer::start_with(Some(password)) else { return };
    let emu = common::start_default();
    let mailer = Mailer::new(config(&emu.base, &redis.url(), &[]));
    let address = format!("redis://127.0.0.1:{}", redis.port);
    let d = mailer.diagnose().expect("diagnose");
    assert_eq!(d.limiter, format!("shared by every process using the Redis at {address}"));
    assert!(!d.warnings.iter().any(|w| w.contains("redis")), "{:?}", d.warnings);
    redis.stop();
    let d = mailer.diagnose().expect("diagnose without Redis");
    assert!(d.limiter.starts_with("per process: the Redis at ") && d.limiter.contains(&address), "{}", d.limiter);
    let w: Vec<_> = d.warnings.iter().filter(|w| w.contains("redis_url")).collect();
    assert_eq!(w.len(), 1, "{:?}", d.warnings);
    assert!(w[0].contains("connection refused") && w[0].contains(&address), "{}", w[0]);
    assert!(!format!("{d:?}").contains(password), "the password leaked into diagnostics");
    let alone = Mailer::new(config(&emu.base, &redis.url(), &[("redis_url", ConfigValue::Null)]));
    assert!(alone.diagnose().expect("diagnose").limiter.starts_with("per process: at most 4"));
}
