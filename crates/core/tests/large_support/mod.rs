//! Shared by the large-message and JSON-path tests: MIME generated at test time (never
//! committed), an emulator per test, and a tiny HTTP client for its control API.
#![allow(dead_code)]

use std::io::{Read, Write};

use base64::Engine as _;
use o365_core::{Config, ConfigValue, Mailer};
use o365_emulator::{Emulator, EmulatorConfig};

pub const MIB: usize = 1024 * 1024;

mod data;
pub use data::data;

pub fn sha256(b: &[u8]) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Base64 in 76-character lines, as Symfony Mime writes attachments.
pub fn b64_lines(bytes: &[u8]) -> Vec<u8> {
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = Vec::with_capacity(enc.len() + enc.len() / 76 * 2 + 2);
    for line in enc.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Inline with this Content-ID.
    pub cid: Option<String>,
}

impl Attachment {
    pub fn file(name: &str, len: usize, seed: u64) -> Attachment {
        Attachment { name: name.into(), content_type: "application/octet-stream".into(), bytes: data(len, seed), cid: None }
    }

    pub fn inline(name: &str, cid: &str, len: usize, seed: u64) -> Attachment {
        Attachment { name: name.into(), content_type: "image/png".into(), bytes: data(len, seed), cid: Some(cid.into()) }
    }
}

pub const TEXT: &str = "Hello Ann,\r\nthe report is attached.\r\n";
pub const HTML: &str = "<html><body><p>Hello Ann,</p><p>the report is attached. <img src=\"cid:logo@test\"></p></body></html>";

/// The Message-ID of [`message`] with `subject`: one per message, as Symfony makes them
/// (the send ledger takes two messages with one Message-ID for the same message).
pub fn message_id(subject: &str) -> String {
    let slug: String = subject.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("<msg-{slug}@test>")
}

/// A Symfony-shaped message: mixed(related(alternative(text, html), inline...), files...).
pub fn message(from: &str, subject: &str, atts: &[Attachment]) -> Vec<u8> {
    let mut m = Vec::new();
    let head = format!(
        "From: Sender <{from}>\r\nTo: Ann Example <ann@example.com>\r\nCc: cc@example.com\r\nReply-To: replies@example.com\r\n\
Subject: {subject}\r\nMessage-ID: {id}\r\nIn-Reply-To: <orig@test>\r\nReferences: <orig@test>\r\n\
X-Priority: 1 (Highest)\r\nX-Campaign: spring\r\nList-Unsubscribe: <mailto:unsub@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"MIXED\"\r\n\r\n",
        id = message_id(subject)
    );
    m.extend_from_slice(head.as_bytes());
    m.extend_from_slice(b"--MIXED\r\nContent-Type: multipart/related; boundary=\"REL\"\r\n\r\n--REL\r\n");
    m.extend_from_slice(b"Content-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n");
    m.extend_from_slice(format!("--ALT\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{TEXT}\r\n").as_bytes());
    m.extend_from_slice(format!("--ALT\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{HTML}\r\n--ALT--\r\n").as_bytes());
    for a in atts.iter().filter(|a| a.cid.is_some()) {
        let cid = a.cid.as_deref().unwrap_or_default();
        m.extend_from_slice(
            format!("\r\n--REL\r\nContent-Type: {}; name={}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: inline; name={}; filename={}\r\nContent-ID: <{cid}>\r\n\r\n", a.content_type, a.name, a.name, a.name)
                .as_bytes(),
        );
        m.extend_from_slice(&b64_lines(&a.bytes));
    }
    m.extend_from_slice(b"\r\n--REL--\r\n");
    for a in atts.iter().filter(|a| a.cid.is_none()) {
        m.extend_from_slice(
            format!("\r\n--MIXED\r\nContent-Type: {}; name=\"{}\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; name=\"{}\"; filename=\"{}\"\r\n\r\n", a.content_type, a.name, a.name, a.name)
                .as_bytes(),
        );
        m.extend_from_slice(&b64_lines(&a.bytes));
    }
    m.extend_from_slice(b"\r\n--MIXED--\r\n");
    m
}

pub fn start() -> Emulator {
    start_with(EmulatorConfig::default())
}

pub fn start_with(cfg: EmulatorConfig) -> Emulator {
    Emulator::start(cfg).expect("emulator starts")
}

pub fn mailer(emu: &Emulator, extra: &[(&str, ConfigValue)]) -> Mailer {
    let s = |v: &str| ConfigValue::Str(v.to_string());
    let mut pairs = vec![
        ("tenant_id", s("contoso.onmicrosoft.com")),
        ("client_id", s(o365_emulator::DEFAULT_CLIENT_ID)),
        ("client_secret", s(o365_emulator::DEFAULT_CLIENT_SECRET)),
        ("login_endpoint", s(&emu.base_url())),
        ("graph_endpoint", s(&emu.base_url())),
        ("max_retries", ConfigValue::Int(3)),
        ("timeout", ConfigValue::Int(60)),
        // 150 MB through a debug build on a busy 2-core machine: more than the default 60 s.
        ("deadline", ConfigValue::Int(900)),
    ];
    pairs.extend(extra.iter().cloned());
    Mailer::new(Config::from_pairs(pairs).expect("config"))
}

/// One HTTP/1.1 exchange with the emulator's control API; returns (status, body).
pub fn http(emu: &Emulator, method: &str, path: &str, body: Option<&str>) -> (u16, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(emu.local_addr()).expect("connect");
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        emu.local_addr(),
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").map_or(out.len(), |p| p + 4);
    let status = std::str::from_utf8(out.get(9..12).unwrap_or_default()).unwrap_or("0").parse().unwrap_or(0);
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let mut payload = out[split..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        payload = dechunk(&payload);
    }
    (status, payload)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else { break };
        let n = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap_or("0").trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 2 + n + 2..];
    }
    out
}

pub fn json(emu: &Emulator, path: &str) -> serde_json::Value {
    let (status, body) = http(emu, "GET", path, None);
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("json")
}

pub fn faults(emu: &Emulator, rules: &str) {
    let (status, body) = http(emu, "POST", "/_emulator/faults", Some(rules));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

/// Graph requests the emulator saw (token requests excluded).
pub fn graph_requests(emu: &Emulator) -> Vec<serde_json::Value> {
    json(emu, "/_emulator/requests")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| !r["path"].as_str().unwrap_or("").contains("oauth2"))
        .collect()
}

/// Checks the message the emulator received against what was sent.
pub fn assert_delivered(msg: &serde_json::Value, subject: &str, atts: &[Attachment]) {
    assert_eq!(msg["subject"], subject);
    assert_eq!(msg["to"], serde_json::json!(["ann@example.com"]));
    assert_eq!(msg["cc"], serde_json::json!(["cc@example.com"]));
    let got = msg["attachments"].as_array().expect("attachments");
    assert_eq!(got.len(), atts.len(), "attachments: {got:?}");
    for a in atts {
        let g = got.iter().find(|g| g["name"] == a.name.as_str()).unwrap_or_else(|| panic!("{} missing from {got:?}", a.name));
        assert_eq!(g["size"], a.bytes.len() as u64, "{}", a.name);
        assert_eq!(g["sha256"], sha256(&a.bytes), "{} differs", a.name);
        assert_eq!(g["is_inline"], a.cid.is_some(), "{}", a.name);
        if let Some(cid) = &a.cid {
            assert_eq!(g["content_id"], cid.as_str());
        }
    }
}
