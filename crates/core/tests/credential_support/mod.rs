//! Shared by the credential tests: throwaway certificates made by the openssl CLI
//! (tests/fixtures/make-test-certs.sh, once per test binary), a one-shot HTTP server
//! that captures a token request's form (to check our assertion with an independent
//! verifier), and JWT helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The directory with the test certificates (made once per test binary).
pub fn certs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("o365-cred-test-{}", uuid::Uuid::new_v4()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/make-test-certs.sh");
        let out = std::process::Command::new("bash").arg(&script).arg(&dir).output().expect("run make-test-certs.sh");
        assert!(out.status.success(), "make-test-certs.sh failed: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

/// A file of the certificate directory, as a string path.
pub fn cert(name: &str) -> String {
    certs().join(name).to_str().expect("utf-8 path").to_string()
}

/// The PEM text of a file of the certificate directory.
pub fn pem(name: &str) -> String {
    std::fs::read_to_string(certs().join(name)).expect("read fixture")
}

/// The base64 body of the private key in `name` (to check no output contains it).
pub fn key_body(name: &str) -> String {
    let text = pem(name);
    let start = text.find("PRIVATE KEY-----").expect("a key") + "PRIVATE KEY-----".len();
    text[start..].lines().map(str::trim).find(|l| l.len() > 40).expect("key line").to_string()
}

/// DER of the first certificate in a PEM file.
pub fn cert_der(name: &str) -> Vec<u8> {
    let text = pem(name);
    let b64: String = text
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)
        .and_then(|r| r.split("-----END CERTIFICATE-----").next())
        .expect("certificate")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).expect("base64")
}

/// The header and claims of a compact JWT.
pub fn decode(jwt: &str) -> (Value, Value) {
    let mut parts = jwt.split('.');
    let mut part = || -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().expect("part")).expect("base64url")).expect("JSON")
    };
    let header = part();
    let claims = part();
    (header, claims)
}

/// A server that answers one HTTP request with Entra's 401 and returns the request's
/// form fields: the base URL, and a handle that yields the form.
pub fn capture_token_request() -> (String, std::thread::JoinHandle<HashMap<String, String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        stream.set_nodelay(true).ok();
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header line");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().expect("length");
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).expect("body");
        let answer = r#"{"error":"invalid_client","error_description":"AADSTS7000218: captured","error_codes":[7000218]}"#;
        let mut stream = stream;
        write!(stream, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}", answer.len())
            .expect("answer");
        url_form(&body)
    });
    (base, handle)
}

fn url_form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (unescape(k), unescape(v)))
        .collect()
}

fn unescape(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}
