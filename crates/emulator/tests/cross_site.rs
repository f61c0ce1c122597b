//! A web page the developer opens must not read or change the emulator: requests naming
//! a foreign host (DNS rebinding) are refused on every route with 421 and the option that
//! serves the name; control API writes from another origin (403) or with a body that is
//! not JSON (a form, a text/plain post: 415) change nothing. The emulator's own page,
//! tests and scripts keep working. Raw HTTP/1.1 over a real socket, so the test sets
//! `Host` and `Origin` exactly as a browser would.

mod common;

use clap::Parser as _;
use common::*;
use o365_emulator::EmulatorConfig;
use o365_emulator::cli::Cli;
use std::io::{Read, Write};

/// Sends one request; (status, body).
fn raw(env: &Env, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut tcp = std::net::TcpStream::connect(env.emu.local_addr()).unwrap();
    // An answer that never ends (the event stream served to a foreign host) fails here.
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    tcp.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    tcp.read_to_end(&mut out).expect("the answer ends");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn port(env: &Env) -> u16 {
    env.emu.local_addr().port()
}

fn one_message(env: &Env) {
    let token = env.token();
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "secret plans")).status(), 202);
}

#[test]
fn foreign_host_names_are_refused_on_every_route() {
    let env = start_default();
    one_message(&env);
    let evil = format!("evil.example:{}", port(&env));
    let routes = [
        ("GET", "/_emulator/messages".to_string(), ""),
        ("GET", "/".to_string(), ""),
        ("GET", "/_emulator/events".to_string(), ""),
        ("GET", format!("/v1.0/users/{MAILBOX}/messages"), ""),
        ("POST", format!("/{TENANT}/oauth2/v2.0/token"), "grant_type=client_credentials"),
        ("POST", "/_emulator/reset".to_string(), ""),
    ];
    for (method, path, body) in &routes {
        let (status, text) = raw(&env, method, path, &[("Host", &evil)], body);
        assert_eq!(status, 421, "{method} {path}: {text}");
        assert!(text.contains("--allow-host evil.example") && !text.contains("secret plans"), "{method} {path}: {text}");
    }
    assert_eq!(env.messages().len(), 1, "the reset under a foreign name did nothing");
    let p = port(&env);
    for host in [format!("localhost:{p}"), format!("app.localhost:{p}"), format!("127.0.0.1:{p}"), format!("127.1.2.3:{p}"), format!("[::1]:{p}"), "LOCALHOST".into()] {
        let (status, text) = raw(&env, "GET", "/_emulator/messages", &[("Host", &host)], "");
        assert_eq!(status, 200, "{host}: {text}");
        assert!(text.contains("secret plans"));
    }
}

#[test]
fn allow_host_serves_a_name_given_on_the_command_line() {
    let cli = Cli::parse_from(["o365-emulator", "--listen", "127.0.0.1:0", "--allow-host", "emulator.test", "--allow-host", "mail.dev.internal"]);
    let config = cli.to_config().unwrap();
    assert_eq!(config.allowed_hosts, ["emulator.test", "mail.dev.internal"]);
    let env = start(config);
    let p = port(&env);
    assert_eq!(raw(&env, "GET", "/_emulator/stats", &[("Host", &format!("emulator.test:{p}"))], "").0, 200);
    assert_eq!(raw(&env, "GET", "/_emulator/stats", &[("Host", "Mail.Dev.Internal.")], "").0, 200);
    assert_eq!(raw(&env, "GET", "/_emulator/stats", &[("Host", "other.test")], "").0, 421);
    // The upload host the emulator hands out is its own.
    let env = start(EmulatorConfig { upload_host: Some("uploads.test".into()), ..Default::default() });
    assert_eq!(raw(&env, "GET", "/_emulator/stats", &[("Host", "uploads.test")], "").0, 200);
}

#[test]
fn cross_site_writes_to_the_control_api_change_nothing() {
    let env = start_default();
    one_message(&env);
    let host = format!("127.0.0.1:{}", port(&env));
    let rule = r#"[{"match": {"path": "sendMail"}, "status": 503}]"#;
    // A text/plain fetch and a form post: "simple" requests any page can send.
    let (status, text) = raw(&env, "POST", "/_emulator/faults", &[("Host", &host), ("Content-Type", "text/plain")], rule);
    assert_eq!(status, 415, "{text}");
    assert!(text.contains("Content-Type: application/json"), "{text}");
    let (status, text) = raw(&env, "POST", "/_emulator/reset", &[("Host", &host), ("Content-Type", "application/x-www-form-urlencoded")], "x=1");
    assert_eq!(status, 415, "{text}");
    // A foreign Origin, with or without a body, even with a JSON content type.
    let evil = [("Host", host.as_str()), ("Origin", "https://evil.example")];
    let (status, text) = raw(&env, "DELETE", "/_emulator/messages", &evil, "");
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("evil.example") && text.contains("Origin"), "{text}");
    assert_eq!(raw(&env, "POST", "/_emulator/reset", &evil, "").0, 403);
    assert_eq!(raw(&env, "POST", "/_emulator/faults", &[evil[0], evil[1], ("Content-Type", "application/json")], rule).0, 403);
    assert_eq!(raw(&env, "POST", "/_emulator/reset", &[("Host", host.as_str()), ("Origin", "null")], "").0, 403);
    assert_eq!(raw(&env, "POST", "/_emulator/reset", &[("Host", host.as_str()), ("Sec-Fetch-Site", "cross-site")], "").0, 403);
    assert_eq!(env.messages().len(), 1, "the inbox was not wiped");
    assert_eq!(env.get_json("/_emulator/faults"), serde_json::json!([]), "no fault was installed");
}

#[test]
fn same_origin_and_non_browser_writes_work() {
    let env = start_default();
    let p = port(&env);
    let rule = r#"[{"match": {"path": "sendMail"}, "status": 503, "times": 1}]"#;
    // A test or script: JSON, no Origin.
    let (status, text) = raw(&env, "POST", "/_emulator/faults", &[("Host", "127.0.0.1"), ("Content-Type", "application/json; charset=utf-8")], rule);
    assert_eq!(status, 200, "{text}");
    // The emulator's own page, reached as localhost or as its base URL.
    let local = format!("localhost:{p}");
    let own = [("Host", local.as_str()), ("Origin", &format!("http://localhost:{p}")), ("Sec-Fetch-Site", "same-origin")];
    assert_eq!(raw(&env, "DELETE", "/_emulator/faults", &own, "").0, 204);
    one_message(&env);
    let base = env.base.clone();
    assert_eq!(raw(&env, "POST", "/_emulator/messages/read", &[("Host", &format!("127.0.0.1:{p}")), ("Origin", &base)], "").0, 204);
    assert_eq!(raw(&env, "POST", "/_emulator/reset", &[("Host", "127.0.0.1")], "").0, 204);
    assert!(env.messages().is_empty());
}
