//! Exchange throttling per app and mailbox, across all connections: 4 concurrent
//! requests (the 5th gets 429 with Retry-After), a request budget per window, an upload
//! budget per upload window; 429s per mailbox and cause, and the peak in flight, in
//! `/_emulator/stats`.

mod common;

use common::*;
use o365_emulator::{EmulatorConfig, ThrottleConfig};
use std::sync::Arc;

#[test]
fn fifth_concurrent_request_gets_429() {
    let env = Arc::new(start(EmulatorConfig { latency_ms: 700, ..EmulatorConfig::default() }));
    let token = Arc::new(env.token());
    let handles: Vec<_> = (0..5)
        .map(|i| {
            let (env, token) = (Arc::clone(&env), Arc::clone(&token));
            std::thread::spawn(move || {
                // Stagger the starts so the 5th surely arrives while 4 are in flight.
                std::thread::sleep(std::time::Duration::from_millis(60 * i));
                let resp = env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "c"));
                let status = resp.status().as_u16();
                let retry_after = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
                (status, retry_after, body(resp))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let throttled: Vec<_> = results.iter().filter(|r| r.0 == 429).collect();
    assert_eq!(throttled.len(), 1, "{results:?}");
    let (_, retry_after, v) = throttled[0];
    assert!(retry_after.as_ref().unwrap().parse::<f64>().unwrap() > 0.0);
    assert_eq!(v["error"]["code"], "ApplicationThrottled");
    assert_eq!(v["error"]["message"], "Application is over its MailboxConcurrency limit.");
    assert_eq!(results.iter().filter(|r| r.0 == 202).count(), 4);
    // Another mailbox has its own budget.
    assert_eq!(env.send_mime(&token, "other@contoso.com", &simple_mime("other@contoso.com", "a@example.com", "c")).status(), 202);
    // The server's own count: 5 arrived at once, 1 refused for concurrency.
    let stats = env.get_json("/_emulator/stats");
    let m = &stats["mailboxes"][MAILBOX];
    assert_eq!(m["requests"], 5, "{stats}");
    assert_eq!(m["admitted"], 4);
    assert_eq!(m["throttled"], 1);
    assert_eq!(m["throttled_concurrency"], 1);
    assert_eq!(m["throttled_window"], 0);
    assert_eq!(m["peak_in_flight"], 5);
    assert_eq!(m["in_flight"], 0);
    assert_eq!(stats["mailboxes"]["other@contoso.com"]["peak_in_flight"], 1);
    assert_eq!(stats["throttled"], 1);
    // Stats keep the contract's fields.
    for k in ["token_requests", "connections", "graph_requests", "requests", "messages"] {
        assert!(stats[k].is_u64(), "stats lack {k}: {stats}");
    }
}

#[test]
fn concurrency_is_per_app_across_connections_and_limiters_see_the_peak() {
    // 4 clients on separate connections, each sending one at a time: never more than 4
    // in flight, so none is refused, and the peak says so.
    let env = Arc::new(start(EmulatorConfig { latency_ms: 50, ..EmulatorConfig::default() }));
    let token = Arc::new(env.token());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (env, token) = (Arc::clone(&env), Arc::clone(&token));
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                (0..5)
                    .map(|_| {
                        client
                            .post(env.url(&format!("/v1.0/users/{MAILBOX}/sendMail")))
                            .bearer_auth(token.as_str())
                            .header("content-type", "text/plain")
                            .body(b64(simple_mime(MAILBOX, "a@example.com", "p").as_bytes()))
                            .send()
                            .unwrap()
                            .status()
                            .as_u16()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    let m = &env.get_json("/_emulator/stats")["mailboxes"][MAILBOX];
    assert_eq!(m["requests"], 20);
    assert_eq!(m["throttled"], 0);
    let peak = m["peak_in_flight"].as_u64().unwrap();
    assert!((1..=4).contains(&peak), "{m}");
}

#[test]
fn fault_rule_429s_count_per_mailbox() {
    let env = start_default();
    let token = env.token();
    let rule = serde_json::json!({"match": {"mailbox": MAILBOX}, "status": 429, "retry_after": 3, "times": 2});
    let resp = env.http.post(env.url("/_emulator/faults")).json(&rule).send().unwrap();
    assert!(resp.status().is_success());
    for _ in 0..2 {
        let resp = env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "f"));
        assert_eq!(resp.headers()["retry-after"], "3");
        assert_graph_error(resp, 429, "TooManyRequests");
    }
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "f")).status(), 202);
    let m = &env.get_json("/_emulator/stats")["mailboxes"][MAILBOX];
    assert_eq!((m["throttled"].as_u64(), m["throttled_fault"].as_u64(), m["throttled_concurrency"].as_u64()), (Some(2), Some(2), Some(0)), "{m}");
}

#[test]
fn request_window_budget() {
    let env = start(EmulatorConfig {
        throttle: ThrottleConfig { window_requests: 3, window_secs: 600, ..ThrottleConfig::default() },
        ..EmulatorConfig::default()
    });
    let token = env.token();
    for _ in 0..3 {
        assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "w")).status(), 202);
    }
    let resp = env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "w"));
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 600);
    let v = assert_graph_error(resp, 429, "ApplicationThrottled");
    assert_eq!(v["error"]["message"], "Application is over its MailboxRequests limit.");
    assert_eq!(env.messages().len(), 3);
    let m = &env.get_json("/_emulator/stats")["mailboxes"][MAILBOX];
    assert_eq!((m["throttled"].as_u64(), m["throttled_window"].as_u64()), (Some(1), Some(1)), "{m}");
}

const MB: usize = 1024 * 1024;

/// A draft with an upload session for `size` bytes: the upload URL.
fn upload_session(env: &Env, token: &str, size: usize) -> String {
    let draft = serde_json::json!({"subject": "big", "toRecipients": [{"emailAddress": {"address": "to@example.com"}}]});
    let resp = env.send_json(token, &format!("/v1.0/users/{MAILBOX}/messages"), &draft);
    assert_eq!(resp.status(), 201);
    let id = body(resp)["id"].as_str().unwrap().to_string();
    let item = serde_json::json!({"AttachmentItem": {"attachmentType": "file", "name": "a.bin", "size": size}});
    let resp = env.send_json(token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/attachments/createUploadSession"), &item);
    assert_eq!(resp.status(), 201);
    body(resp)["uploadUrl"].as_str().unwrap().to_string()
}

fn put(env: &Env, url: &str, start: usize, len: usize, total: usize) -> reqwest::blocking::Response {
    env.http
        .put(url)
        .header("content-type", "application/octet-stream")
        .header("content-range", format!("bytes {start}-{}/{total}", start + len - 1))
        .body(vec![7u8; len])
        .send()
        .unwrap()
}

#[test]
fn upload_budget_per_mailbox() {
    let env = start(EmulatorConfig {
        throttle: ThrottleConfig { upload_bytes: 6 * MB as u64, upload_window_secs: 2, ..ThrottleConfig::default() },
        ..EmulatorConfig::default()
    });
    let token = env.token();
    let (a, b) = (upload_session(&env, &token, 4 * MB), upload_session(&env, &token, 4 * MB));
    assert_eq!(put(&env, &a, 0, 4 * MB, 4 * MB).status(), 201);
    // 4 MB more would make 8 MB within the window: refused, nothing stored.
    let resp = put(&env, &b, 0, 4 * MB, 4 * MB);
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let v = assert_graph_error(resp, 429, "ApplicationThrottled");
    assert_eq!(v["error"]["message"], "Application is over its IncomingBytes limit.");
    // Small chunks still fit; the session resumes where it was.
    assert_eq!(put(&env, &b, 0, MB, 4 * MB).status(), 200);
    let m = env.get_json("/_emulator/stats")["mailboxes"][MAILBOX].clone();
    assert_eq!((m["throttled_upload"].as_u64(), m["upload_bytes"].as_u64()), (Some(1), Some(5 * MB as u64)), "{m}");
    // After Retry-After the rest goes through.
    std::thread::sleep(std::time::Duration::from_secs(retry));
    assert_eq!(put(&env, &b, MB, 3 * MB, 4 * MB).status(), 201);
}

#[test]
fn upload_puts_count_in_the_request_window() {
    let env = start(EmulatorConfig {
        throttle: ThrottleConfig { window_requests: 3, ..ThrottleConfig::default() },
        ..EmulatorConfig::default()
    });
    let token = env.token();
    let url = upload_session(&env, &token, 4 * MB); // requests 1 and 2
    assert_eq!(put(&env, &url, 0, MB, 4 * MB).status(), 200); // 3
    let resp = put(&env, &url, MB, MB, 4 * MB);
    assert_graph_error(resp, 429, "ApplicationThrottled");
    assert_eq!(env.get_json("/_emulator/stats")["mailboxes"][MAILBOX]["throttled_window"], 1);
}
