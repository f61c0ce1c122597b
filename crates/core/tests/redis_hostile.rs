//! The shared limiter's Redis connection against a hostile Redis over a real socket: a
//! small RESP server in this file that answers the connection's setup like Redis, then
//! sends an endless error line, a `$2000000000` bulk header, floods a connection that has
//! no command pending, or never answers a command at all. Each case runs in a child process
//! of its own (this test binary re-run, see `child_process`): the RSS it measures is that
//! of the sender alone, the one warning is per process, and an abort fails the test instead
//! of killing the harness. Every send is still delivered to the emulator, with per-process
//! limits, and one warning that says what the peer did. The peer answers the send
//! ledger's commands (it shares the Redis) like Redis.

mod common;
mod redis_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use o365_core::Mailer;
use redis_support::{CHILD, finish, spawn_child};

use common::{MAILBOX, mime, s};

/// What the peer does once the connection is set up.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Peer {
    /// Answers the acquire with `-ERR xxxx...`, never ending the line.
    EndlessError,
    /// Answers the acquire with `$2000000000\r\n` and then that many bytes.
    HugeBulk,
    /// Answers acquire and release like Redis, then floods the connection once it is idle
    /// (the send over: no command for 100 ms after the release).
    FloodWhenIdle,
    /// Answers the setup (CLIENT SETINFO), never a command of the limiter.
    Hangs,
    /// Answers like Redis, always.
    Redis,
    /// Answers every script with MOVED to itself (a slot that never settles).
    Moves,
}

/// How much a flooding peer sends at most (the client stops it sooner by hanging up).
const FLOOD_MAX: u64 = 256 << 20;

struct HostileRedis {
    port: u16,
    /// When each connection was accepted.
    accepted: Arc<Mutex<Vec<Instant>>>,
    /// Every command received, as its arguments.
    commands: Arc<Mutex<Vec<Vec<String>>>>,
    /// Bytes flooded so far, and whether the flood is over.
    flooded: Arc<AtomicU64>,
    flood_done: Arc<AtomicU64>,
}

impl HostileRedis {
    fn start(peer: Peer) -> HostileRedis {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (accepted, commands) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
        let (flooded, flood_done) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (a, c, f, d) = (accepted.clone(), commands.clone(), flooded.clone(), flood_done.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                a.lock().unwrap().push(Instant::now());
                let (c, f, d) = (c.clone(), f.clone(), d.clone());
                std::thread::spawn(move || {
                    serve(stream, peer, &c, &f);
                    d.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        HostileRedis { port, accepted, commands, flooded, flood_done }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Waits (at most 10 s) until a flood ended: the client hung up, or FLOOD_MAX was sent.
    fn wait_flood_done(&self) {
        let until = Instant::now() + Duration::from_secs(10);
        while self.flood_done.load(Ordering::SeqCst) == 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// One connection: reads commands (RESP arrays of bulk strings) and answers as `peer` says.
/// The commands it does not attack are answered like Redis: the setup, and the send
/// ledger's (its compare-and-set script, SET, GET, DEL), which share this Redis.
fn serve(stream: TcpStream, peer: Peer, commands: &Mutex<Vec<Vec<String>>>, flooded: &AtomicU64) {
    let _ = stream.set_nodelay(true);
    let mut out = stream.try_clone().expect("clone");
    let mut r = BufReader::new(stream);
    let mut released = false;
    let me = out.local_addr().expect("addr");
    let moved = format!("-MOVED 1234 {me}\r\n");
    // CLUSTER SLOTS: every slot served by this peer.
    let slots = format!("*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$9\r\n127.0.0.1\r\n:{}\r\n", me.port());
    loop {
        if released && idle(&mut r) {
            // The send is over (its last command answered), nothing is pending: junk.
            return flood(&mut out, b"+", flooded);
        }
        let Some(cmd) = read_command(&mut r) else { return };
        commands.lock().unwrap().push(cmd.clone());
        let name = cmd.first().map(|c| c.to_ascii_uppercase()).unwrap_or_default();
        let reply: &[u8] = match (peer, name.as_str(), script(&cmd)) {
            (_, "CLIENT" | "SELECT" | "AUTH", _) => b"+OK\r\n",
            (_, "PING", _) => b"+PONG\r\n",
            (_, "ROLE", _) => b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n",
            (Peer::Hangs, _, _) => continue,
            (Peer::Moves, _, Script::Acquire | Script::Release | Script::LedgerSwap) => moved.as_bytes(),
            (Peer::Moves, "CLUSTER", _) => slots.as_bytes(),
            (Peer::EndlessError, _, Script::Acquire) => return flood(&mut out, b"-ERR ", flooded),
            (Peer::HugeBulk, _, Script::Acquire) => return flood(&mut out, b"$2000000000\r\n", flooded),
            (_, _, Script::Acquire) => b"*2\r\n:0\r\n:0\r\n",
            (_, _, Script::Release) => {
                released = peer == Peer::FloodWhenIdle;
                b":0\r\n"
            }
            // The ledger's compare-and-set on an absent key: written.
            (_, _, Script::LedgerSwap) => b"*2\r\n:1\r\n$0\r\n\r\n",
            (_, "SET", _) => b"+OK\r\n",
            (_, "GET", _) => b"$-1\r\n",
            (_, "DEL", _) => b":1\r\n",
            _ => b"-ERR unknown command\r\n",
        };
        if out.write_all(reply).is_err() {
            return;
        }
    }
}

/// Which script an EVALSHA runs, told by its number of keys.
#[derive(PartialEq)]
enum Script {
    Acquire,
    Release,
    LedgerSwap,
    None,
}

fn script(cmd: &[String]) -> Script {
    if !cmd.first().is_some_and(|c| c.eq_ignore_ascii_case("EVALSHA")) {
        return Script::None;
    }
    match cmd.get(2).map(String::as_str) {
        Some("6") => Script::Acquire,
        Some("3") => Script::Release,
        Some("1") => Script::LedgerSwap,
        _ => Script::None,
    }
}

/// Whether the client sent nothing for 100 ms (`false` as soon as a command arrives).
fn idle(r: &mut BufReader<TcpStream>) -> bool {
    if !r.buffer().is_empty() {
        return false;
    }
    let _ = r.get_ref().set_read_timeout(Some(Duration::from_millis(100)));
    let waited = r.get_ref().peek(&mut [0u8; 1]);
    let _ = r.get_ref().set_read_timeout(None);
    matches!(waited, Err(ref e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut))
}

/// Writes `head`, then `x` until the client hangs up or FLOOD_MAX is reached.
fn flood(out: &mut TcpStream, head: &[u8], flooded: &AtomicU64) {
    let chunk = vec![b'x'; 64 << 10];
    if out.write_all(head).is_err() {
        return;
    }
    while flooded.load(Ordering::SeqCst) < FLOOD_MAX {
        if out.write_all(&chunk).is_err() {
            return;
        }
        flooded.fetch_add(chunk.len() as u64, Ordering::SeqCst);
    }
}

/// One command as its arguments; `None` when the client hung up.
fn read_command(r: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let mut line = String::new();
    r.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let n: usize = line.strip_prefix('*')?.trim_end().parse().ok()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).ok()?;
        let len: usize = line.strip_prefix('$')?.trim_end().parse().ok()?;
        let mut arg = vec![0u8; len + 2];
        r.read_exact(&mut arg).ok()?;
        arg.truncate(len);
        args.push(String::from_utf8_lossy(&arg).into_owned());
    }
    Some(args)
}

/// A kB figure of /proc/self/status (VmRSS, VmHWM).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("{field}"));
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("kB")
}

/// Resets the peak RSS (VmHWM) to the current RSS and returns that (KiB).
fn reset_peak() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM");
    status_kib("VmRSS:")
}

fn send(mailer: &Mailer, subject: &str) -> o365_core::Sent {
    mailer.send_mime_with(&mime(MAILBOX, "ann@example.com", subject), Some(MAILBOX), &[], None).unwrap_or_else(|e| panic!("{subject}: {e}"))
}

/// The child side: does nothing in a normal test run.
#[test]
fn child_process() {
    let Ok(scenario) = std::env::var(CHILD) else { return };
    let peer = match scenario.as_str() {
        "endless-error" => Peer::EndlessError,
        "huge-bulk" => Peer::HugeBulk,
        "flood-idle" => Peer::FloodWhenIdle,
        "hangs" => return child_hangs(),
        "moves" => return child_moves(false),
        "moves-cluster" => return child_moves(true),
        other => panic!("unknown child scenario {other}"),
    };
    child_bounded(peer);
}

/// A hostile reply: the sends go on (per-process limits), RSS stays flat, one warning.
fn child_bounded(peer: Peer) {
    let hostile = HostileRedis::start(peer);
    let emu = common::start_default();
    // Token, HTTP pool and runtime warm, so that RSS grows only by what Redis costs.
    send(&emu.mailer(), "warm-up");
    let mailer = emu.mailer_with(&[("redis_url", s(&hostile.url()))]);
    let base = reset_peak();
    let mut warnings = Vec::new();
    if peer == Peer::FloodWhenIdle {
        let sent = send(&mailer, "before-the-flood");
        assert!(sent.warnings.is_empty(), "the peer answered like Redis: {:?}", sent.warnings);
        // The flood arrives while no command is pending (the connection is idle).
        hostile.wait_flood_done();
    }
    let first = send(&mailer, "during");
    warnings.extend(first.warnings);
    hostile.wait_flood_done();
    // Later sends, during the backoff and after it.
    for i in 0..3 {
        warnings.extend(send(&mailer, &format!("after-{i}")).warnings);
        std::thread::sleep(Duration::from_millis(400));
    }
    let growth_kib = status_kib("VmHWM:").saturating_sub(base);
    let delivered = emu.messages().len();
    println!(
        "figures {peer:?}: peak RSS growth {} KiB, peer sent {} KiB before the hang-up, {delivered} mails delivered, warnings {warnings:?}",
        growth_kib,
        hostile.flooded.load(Ordering::SeqCst) >> 10
    );
    let expected = if peer == Peer::FloodWhenIdle { 6 } else { 5 };
    assert_eq!(delivered, expected, "every send was delivered");
    assert!(growth_kib <= 16 << 10, "{peer:?} grew the peak RSS by {growth_kib} KiB (bound: 16 MiB)");
    assert!(hostile.flooded.load(Ordering::SeqCst) < FLOOD_MAX, "the client read the whole flood instead of hanging up");
    assert_eq!(warnings.len(), 1, "one warning per process: {warnings:?}");
    let w = &warnings[0];
    let what = match peer {
        Peer::EndlessError | Peer::HugeBulk => "larger than",
        _ => "while no command was pending",
    };
    assert!(w.contains("redis_url") && w.contains("keeps sending") && w.contains(what), "{w}");
    // The send ledger met the same failure (its Redis is this one): said in that warning,
    // not as a second one with a vaguer cause.
    assert!(w.contains("never sends one twice") && w.matches("redis_url:").count() == 1, "{w}");
    println!("ok");
}

/// A Redis that accepts and sets up connections, then never answers a command: each try
/// stalls a send for the command timeout, and the tries back off 1 s, 2 s, 4 s, 8 s.
fn child_hangs() {
    let hostile = HostileRedis::start(Peer::Hangs);
    let emu = common::start_default();
    send(&emu.mailer(), "warm-up");
    let mailer = emu.mailer_with(&[("redis_url", s(&hostile.url()))]);
    let started = Instant::now();
    let (mut stalled, mut sends, mut warnings) = (0, 0, Vec::new());
    while started.elapsed() < Duration::from_millis(9500) {
        let t = Instant::now();
        warnings.extend(send(&mailer, &format!("s-{sends}")).warnings);
        sends += 1;
        if t.elapsed() >= o365_core::limiter::REDIS_TIMEOUT * 4 / 5 {
            stalled += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let accepted = hostile.accepted.lock().unwrap().clone();
    let gaps: Vec<u128> = accepted.windows(2).map(|w| (w[1] - w[0]).as_millis()).collect();
    println!("figures hangs: {stalled} stalled sends of {sends} in 9.5 s; connections {}, ms between them {gaps:?}", accepted.len());
    assert_eq!(emu.messages().len(), sends + 1, "every send was delivered");
    assert_eq!(warnings.len(), 1, "one warning per process: {warnings:?}");
    // Tries at 0 s, 1.5 s, 4 s, 8.5 s (a 0.5 s stall plus 1, 2, 4 s of backoff), the next
    // at 17 s; each try is a new connection. One stalled send more for a slow machine.
    assert!(accepted.len() <= 4, "{} tries in 9.5 s (backoff 1 s -> 30 s allows 4): {gaps:?} ms apart", accepted.len());
    assert!(stalled <= 5, "{stalled} sends stalled in 9.5 s (backoff 1 s -> 30 s allows 4)");
    for w in gaps.windows(2) {
        // 2.5 / 1.5 and 4.5 / 2.5 when doubling; 1.0 when the backoff restarts each time.
        assert!(w[1] * 10 >= w[0] * 13, "the backoff did not grow between tries: {gaps:?} ms");
    }
    println!("ok");
}

/// A slot that keeps moving: after 8 MOVED in a row the limiter falls back to the
/// per-process limits, says so once with the fix, and does not ask again at once. The
/// fix: for one node, to use redis+cluster://; for a cluster, to check it.
fn child_moves(cluster: bool) {
    let hostile = HostileRedis::start(Peer::Moves);
    let emu = common::start_default();
    let url = if cluster { format!("redis+cluster://127.0.0.1:{}/", hostile.port) } else { hostile.url() };
    let mailer = emu.mailer_with(&[("redis_url", s(&url))]);
    let warnings: Vec<String> = (0..3).flat_map(|i| send(&mailer, &format!("moving-{i}")).warnings).collect();
    let scripts = hostile.commands.lock().unwrap().iter().filter(|c| script(c) != Script::None).count();
    println!("figures moves: {scripts} scripts sent for 3 sends, warnings {warnings:?}");
    assert_eq!(emu.messages().len(), 3, "every send was delivered");
    assert_eq!(warnings.len(), 1, "one warning per process: {warnings:?}");
    let w = &warnings[0];
    let fix = if cluster { "Fix: check the cluster with `redis-cli --cluster check" } else { "Fix: use redis+cluster://" };
    assert!(w.contains("MOVED") && w.contains("more than 8 times") && w.contains(fix) && w.contains("keeps sending"), "{w}");
    assert!(!w.contains("reachable from every worker"), "one fix, the cause's own: {w}");
    // 8 tries of the first send's acquire, then the backoff: not 8 per send.
    assert!(scripts <= 8, "{scripts} scripts: the moving slot was asked again at once");
    println!("ok");
}

/// The connection is opened by the limiter itself (to bound it) and set up by redis-rs:
/// AUTH with user and password and SELECT of the URL's database still happen, first.
#[test]
fn the_connection_authenticates_and_selects_the_database_of_the_url() {
    let hostile = HostileRedis::start(Peer::Redis);
    let emu = common::start_default();
    let mailer = emu.mailer_with(&[("redis_url", s(&format!("redis://limiter:pw-canary-3d1@127.0.0.1:{}/3", hostile.port)))]);
    let sent = send(&mailer, "setup");
    assert!(sent.warnings.is_empty(), "{:?}", sent.warnings);
    let commands = hostile.commands.lock().unwrap().clone();
    let names: Vec<&str> = commands.iter().map(|c| c[0].as_str()).collect();
    assert_eq!(commands.first().map(|c| c.join(" ")).as_deref(), Some("AUTH limiter pw-canary-3d1"), "{commands:?}");
    assert_eq!(commands.get(1).map(|c| c.join(" ")).as_deref(), Some("SELECT 3"), "{commands:?}");
    let scripts: Vec<bool> = [Script::Acquire, Script::Release, Script::LedgerSwap].into_iter().map(|k| commands.iter().filter(|c| script(c) == k).count() == 1).collect();
    assert_eq!(scripts, [true; 3], "one acquire, one release and the ledger's claim through this Redis: {names:?}");
}

fn scenario(name: &str) {
    // The sender's rustls provider, for the emulator's API client in the parent.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let out = finish(spawn_child(name, &[]), &format!("{name} scenario"));
    assert!(out.contains("ok"), "{out}");
    eprintln!("{}", out.lines().filter(|l| l.contains("figures")).collect::<Vec<_>>().join("\n"));
}

#[test]
fn an_endless_error_line_is_cut_off_and_the_send_goes_on() {
    scenario("endless-error");
}

#[test]
fn a_two_gigabyte_bulk_header_is_refused_and_the_send_goes_on() {
    scenario("huge-bulk");
}

#[test]
fn a_peer_flooding_an_idle_connection_is_hung_up_on() {
    scenario("flood-idle");
}

#[test]
fn a_slot_moving_on_and_on_is_said_once_and_backed_off() {
    scenario("moves");
    scenario("moves-cluster");
}

#[test]
fn a_redis_that_never_answers_is_tried_with_a_growing_backoff() {
    scenario("hangs");
}
