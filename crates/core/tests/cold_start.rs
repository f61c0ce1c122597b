//! The cold start: a send that has to fetch its token opens the connection to Graph while
//! the token request is in flight, when Graph is another origin than the token endpoint
//! (as at Microsoft); never when it would be wasted (one origin, a cached token, a warm
//! connection). Graph's origin is a relay in front of the emulator that notes when it
//! accepts a connection and what the client wrote, so the order is read, not timed.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use o365_core::ConfigValue;
use o365_emulator::EmulatorConfig;

/// What the relay saw: accept times (Unix ms) and everything clients wrote.
#[derive(Default)]
struct Seen {
    accepted_ms: Vec<u128>,
    written: Vec<u8>,
}

/// A TCP relay to `upstream` on its own port: another origin for the same emulator.
struct Relay {
    port: u16,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
}

fn unix_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_millis()
}

impl Relay {
    fn start(upstream: std::net::SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let port = listener.local_addr().expect("relay address").port();
        let (seen, stop) = (Arc::new(Mutex::new(Seen::default())), Arc::new(AtomicBool::new(false)));
        let (s, st) = (Arc::clone(&seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                s.lock().unwrap().accepted_ms.push(unix_ms());
                let server = TcpStream::connect(upstream).expect("relay reaches the emulator");
                let _ = (client.set_nodelay(true), server.set_nodelay(true));
                let (c2, s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                let tap = Arc::clone(&s);
                std::thread::spawn(move || pipe(client, server, Some(tap)));
                std::thread::spawn(move || pipe(s2, c2, None));
            }
        });
        Relay { port, seen, stop }
    }

    fn base(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// How many times the client wrote `needle` (plain HTTP only).
    fn count(&self, needle: &str) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.written.windows(needle.len()).filter(|w| *w == needle.as_bytes()).count()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
    }
}

/// Copies `from` to `to` until either side closes, keeping a copy in `tap`.
fn pipe(mut from: TcpStream, mut to: TcpStream, tap: Option<Arc<Mutex<Seen>>>) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
        if let Some(t) = &tap {
            t.lock().unwrap().written.extend_from_slice(&buf[..n]);
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[test]
fn the_graph_connection_is_accepted_before_the_token_is_answered() {
    // 300 ms per request: the token request is in flight for at least that long.
    let emu = start(EmulatorConfig { tls: true, latency_ms: 300, ..Default::default() });
    let relay = Relay::start(emu.emu.local_addr());
    let mailer = emu.mailer_with(&[("graph_endpoint", s(&relay.base("https")))]);
    emu.send(&mailer, "cold").expect("sent");

    let connections = emu.emu.connections(); // before the inspection API opens its own
    let accepted = relay.seen.lock().unwrap().accepted_ms.clone();
    let token = emu.requests_to("/oauth2/v2.0/token");
    assert_eq!(token.len(), 1, "{token:?}");
    let answered_ms = token[0]["time_ms"].as_u64().unwrap() as u128 + token[0]["duration_ms"].as_u64().unwrap() as u128;
    assert_eq!(accepted.len(), 1, "one connection to Graph, opened early and used by the send");
    assert!(accepted[0] < answered_ms, "Graph's connection was accepted at {} ms, the token answered at {answered_ms} ms", accepted[0]);
    assert_eq!(connections, 2, "one connection per origin");
    let send = emu.requests_to("sendMail");
    assert_eq!(send.len(), 1);
    assert_eq!(send[0]["http_version"], "HTTP/2.0", "HTTP/2, as Graph offers it");
    assert_eq!(emu.messages().len(), 1);
}

#[test]
fn one_origin_opens_one_connection() {
    // The emulator's default: the token request's own connection serves the send.
    let emu = start(EmulatorConfig { tls: true, latency_ms: 100, ..Default::default() });
    emu.send(&emu.mailer(), "one-origin").expect("sent");
    assert_eq!(emu.emu.connections(), 1, "no second connection to the same origin");
}

#[test]
fn nothing_is_opened_for_a_cached_token_or_a_warm_connection() {
    // Plain HTTP, so that the relay reads the requests; tokens refreshed after 2 s.
    let emu = start(EmulatorConfig { token_lifetime_secs: 4, ..Default::default() });
    let relay = Relay::start(emu.emu.local_addr());
    let mailer = emu.mailer_with(&[("graph_endpoint", s(&relay.base("http"))), ("timeout", ConfigValue::Int(10))]);
    emu.send(&mailer, "first").expect("sent");
    assert_eq!(relay.count("HEAD / HTTP/1.1"), 1, "the cold start opens Graph's connection once");
    emu.send(&mailer, "cached").expect("sent");
    assert_eq!(relay.count("HEAD / HTTP/1.1"), 1, "a cached token: nothing to overlap");
    std::thread::sleep(Duration::from_millis(2200));
    emu.send(&mailer, "refreshed").expect("sent");
    assert_eq!(emu.token_requests(), 2, "the token was refreshed");
    assert_eq!(relay.count("HEAD / HTTP/1.1"), 1, "Graph's connection was warm: nothing opened");
    assert_eq!(relay.count("/sendMail HTTP/1.1"), 3);
}
