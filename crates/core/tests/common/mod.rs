//! Shared by the sender's behaviour tests: an emulator per test (HTTP or HTTPS with its
//! CA), a `Config` pointing at it, and a small client for its inspection API. Every test
//! talks to a real emulator over real sockets.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use o365_core::{Config, ConfigValue, Mailer};
use o365_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig};
use serde_json::Value;

pub mod hostile;
pub mod test_ca;

pub const TENANT: &str = "contoso.onmicrosoft.com";
pub const MAILBOX: &str = "sender@contoso.com";

/// A message as Symfony renders it (no Bcc header).
pub fn mime(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: Sender <{from}>\r\nTo: Ann <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n"
    )
    .into_bytes()
}

pub struct Emu {
    pub emu: Emulator,
    pub base: String,
    /// The emulator's CA as a file (TLS only), for `ca_file`.
    pub ca_file: Option<PathBuf>,
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(p) = &self.ca_file {
            let _ = std::fs::remove_file(p);
        }
    }
}

pub fn start(config: EmulatorConfig) -> Emu {
    let emu = Emulator::start(config).expect("emulator starts");
    let base = emu.base_url();
    let ca_file = emu.ca_pem().map(|pem| {
        let path = std::env::temp_dir().join(format!("o365-core-test-ca-{}.pem", uuid::Uuid::new_v4()));
        std::fs::write(&path, pem).expect("write CA");
        path
    });
    Emu { emu, base, ca_file }
}

pub fn start_default() -> Emu {
    start(EmulatorConfig::default())
}

pub fn start_tls() -> Emu {
    start(EmulatorConfig { tls: true, ..Default::default() })
}

pub fn s(v: &str) -> ConfigValue {
    ConfigValue::Str(v.to_string())
}

impl Emu {
    /// Config pairs for this emulator: short timeout, one retry, the CA when TLS is on.
    pub fn pairs(&self) -> Vec<(String, ConfigValue)> {
        let mut p = vec![
            ("tenant_id".to_string(), s(TENANT)),
            ("client_id".to_string(), s(DEFAULT_CLIENT_ID)),
            ("client_secret".to_string(), s(DEFAULT_CLIENT_SECRET)),
            ("login_endpoint".to_string(), s(&self.base)),
            ("graph_endpoint".to_string(), s(&self.base)),
            ("timeout".to_string(), ConfigValue::Int(10)),
            ("max_retries".to_string(), ConfigValue::Int(2)),
        ];
        if let Some(ca) = &self.ca_file {
            p.push(("ca_file".to_string(), s(ca.to_str().expect("utf-8 path"))));
        }
        p
    }

    /// The config with `overrides` applied (a `Null` value removes the key).
    pub fn config_with(&self, overrides: &[(&str, ConfigValue)]) -> Result<Config, o365_core::Error> {
        let mut p = self.pairs();
        for (k, v) in overrides {
            p.retain(|(key, _)| key != k);
            if *v != ConfigValue::Null {
                p.push((k.to_string(), v.clone()));
            }
        }
        Config::from_pairs(p)
    }

    pub fn config(&self) -> Config {
        self.config_with(&[]).expect("valid config")
    }

    pub fn mailer(&self) -> Mailer {
        Mailer::new(self.config())
    }

    pub fn mailer_with(&self, overrides: &[(&str, ConfigValue)]) -> Mailer {
        Mailer::new(self.config_with(overrides).expect("valid config"))
    }

    /// Sends a default message from MAILBOX to ann@example.com.
    pub fn send(&self, mailer: &Mailer, subject: &str) -> Result<o365_core::Receipt, o365_core::Error> {
        mailer.send_mime(&mime(MAILBOX, "ann@example.com", subject), Some(MAILBOX), &[])
    }

    /// A request to the inspection API (its own runtime: the tests are plain threads).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        // The sender installs ring as the process's rustls provider when it builds its
        // first client; test builds also enable aws-lc (the hostile server), so rustls has
        // no default of its own. A test whose first client is this one (nothing sent yet)
        // installs the sender's provider itself.
        let _ = rustls::crypto::ring::default_provider().install_default();
        rt.block_on(async {
            let mut b = reqwest::Client::builder().timeout(Duration::from_secs(10));
            if let Some(pem) = self.emu.ca_pem() {
                b = b.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).expect("CA")]);
            }
            let client = b.build().expect("client");
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = client.request(method, format!("{}{path}", self.base));
            if let Some(body) = body {
                req = req.json(&body);
            }
            let resp = req.send().await.expect("emulator answers");
            let text = resp.text().await.expect("body");
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON") }
        })
    }

    pub fn faults(&self, rules: Value) {
        self.call("POST", "/_emulator/faults", Some(rules));
    }

    pub fn messages(&self) -> Vec<Value> {
        self.call("GET", "/_emulator/messages", None).as_array().cloned().unwrap_or_default()
    }

    pub fn requests(&self) -> Vec<Value> {
        self.call("GET", "/_emulator/requests", None).as_array().cloned().unwrap_or_default()
    }

    /// The requests whose path contains `part` (e.g. `sendMail`, `/token`).
    pub fn requests_to(&self, part: &str) -> Vec<Value> {
        self.requests().into_iter().filter(|r| r["path"].as_str().is_some_and(|p| p.contains(part))).collect()
    }

    pub fn stats(&self) -> Value {
        self.call("GET", "/_emulator/stats", None)
    }

    pub fn token_requests(&self) -> u64 {
        self.emu.token_requests()
    }
}

/// Asserts that no error string or Debug output contains `secret`.
pub fn assert_secret_free(e: &o365_core::Error, secret: &str) {
    for text in [e.to_string(), format!("{e:?}"), e.hint.clone().unwrap_or_default(), e.message.clone()] {
        assert!(!text.contains(secret), "secret leaked into: {text}");
    }
}

/// Now, in Unix seconds (to compare with `Diagnostics::expires_at`).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_secs()
}
