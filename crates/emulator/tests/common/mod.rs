//! Helpers shared by the behaviour tests: start an emulator, get tokens, send mail,
//! read what the emulator kept. Every test talks to a real emulator over HTTP.
#![allow(dead_code)]

use base64::Engine;
use o365_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig};
use reqwest::blocking::{Client, Response};
use serde_json::Value;

pub const TENANT: &str = "contoso.onmicrosoft.com";
pub const MAILBOX: &str = "sender@contoso.com";
pub const SCOPE: &str = "https://graph.microsoft.com/.default";

pub struct Env {
    pub emu: Emulator,
    pub base: String,
    pub http: Client,
}

pub fn start(config: EmulatorConfig) -> Env {
    let emu = Emulator::start(config).expect("emulator starts");
    let base = emu.base_url();
    let http = Client::builder().timeout(std::time::Duration::from_secs(60)).build().expect("client");
    Env { emu, base, http }
}

pub fn start_default() -> Env {
    start(EmulatorConfig::default())
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A token request with the given form fields, for `tenant`.
    pub fn token_request(&self, tenant: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(&format!("/{tenant}/oauth2/v2.0/token")))
            .form(form)
            .send()
            .expect("token request")
    }

    /// A token for the default app.
    pub fn token(&self) -> String {
        self.token_for(TENANT, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    }

    pub fn token_for(&self, tenant: &str, client_id: &str, secret: &str) -> String {
        let resp = self.token_request(tenant, &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", SCOPE),
        ]);
        assert_eq!(resp.status(), 200, "token request failed");
        body(resp)["access_token"].as_str().expect("access_token").to_string()
    }

    /// POST base64 MIME to sendMail.
    pub fn send_mime(&self, token: &str, mailbox: &str, mime: &str) -> Response {
        self.graph_post(token, &format!("/v1.0/users/{mailbox}/sendMail"), "text/plain", b64(mime.as_bytes()))
    }

    /// POST a JSON body to a Graph path.
    pub fn send_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.graph_post(token, path, "application/json", body.to_string())
    }

    pub fn graph_post(&self, token: &str, path: &str, content_type: &str, body: String) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .expect("graph request")
    }

    pub fn get_json(&self, path: &str) -> Value {
        body(self.http.get(self.url(path)).send().expect("get"))
    }

    pub fn messages(&self) -> Vec<Value> {
        self.get_json("/_emulator/messages").as_array().cloned().unwrap_or_default()
    }
}

pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The response body as JSON (Null when empty or not JSON).
pub fn body(resp: Response) -> Value {
    let text = resp.text().unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asserts a Graph error: status, code, and the innerError ids.
pub fn assert_graph_error(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status, "status");
    let request_id = resp.headers().get("request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let v = body(resp);
    assert_eq!(v["error"]["code"], code, "code in {v}");
    assert!(v["error"]["message"].is_string());
    assert_eq!(v["error"]["innerError"]["request-id"].as_str(), request_id.as_deref());
    assert!(v["error"]["innerError"]["date"].is_string());
    assert!(v["error"]["innerError"]["client-request-id"].is_string());
    v
}

/// Asserts an Entra error: status, `error`, AADSTS code, and the rest of Entra's shape.
pub fn assert_entra_error(resp: Response, status: u16, error: &str, code: u64) -> Value {
    assert_eq!(resp.status().as_u16(), status, "status");
    let v = body(resp);
    assert_eq!(v["error"], error, "error in {v}");
    assert_eq!(v["error_codes"], serde_json::json!([code]), "codes in {v}");
    let desc = v["error_description"].as_str().expect("error_description");
    assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
    assert!(desc.contains("Trace ID: ") && desc.contains("Correlation ID: ") && desc.contains("Timestamp: "));
    for k in ["timestamp", "trace_id", "correlation_id"] {
        assert!(v[k].is_string(), "{k} in {v}");
    }
    v
}

/// Decodes a JWT's claims without verifying it.
pub fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("jwt payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64url");
    serde_json::from_slice(&bytes).expect("json claims")
}

/// A simple MIME message.
pub fn simple_mime(from: &str, to: &str, subject: &str) -> String {
    format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello from the test.\r\n")
}

/// A minimal JSON sendMail body.
pub fn json_message(to: &str, subject: &str) -> Value {
    serde_json::json!({
        "message": {
            "subject": subject,
            "body": {"contentType": "Text", "content": "Hello"},
            "toRecipients": [{"emailAddress": {"address": to}}],
        }
    })
}
