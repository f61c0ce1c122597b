//! Exchange throttling per app and mailbox: 4 concurrent requests (the 5th gets 429
//! with Retry-After) and a request budget per window.

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
    assert_graph_error(resp, 429, "ApplicationThrottled");
    assert_eq!(env.messages().len(), 3);
}
