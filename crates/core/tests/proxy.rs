//! Proxies come from the standard environment variables (HTTP_PROXY, HTTPS_PROXY,
//! ALL_PROXY, NO_PROXY). Its own test binary: the variables are process-wide and the
//! HTTP client reads them once, when the process's pool is built.

mod common;

use std::io::{Read, Write};

use common::*;

#[test]
fn requests_go_through_the_proxy_from_the_environment() {
    let emu = start_default();
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let seen = std::thread::spawn(move || {
        let (mut conn, _) = proxy.accept().unwrap();
        let mut buf = vec![0u8; 4096];
        let n = conn.read(&mut buf).unwrap();
        // A proxy that refuses everything: enough to see the request came to it.
        conn.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_string()
    });
    // SAFETY: this test binary has one test and sets the variables before any thread
    // of the sender reads the environment.
    unsafe {
        std::env::set_var("HTTP_PROXY", &proxy_url);
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let e = emu.send(&emu.mailer_with(&[("max_retries", o365_core::ConfigValue::Int(0))]), "via-proxy").expect_err("the proxy refuses");
    let request_line = seen.join().unwrap();
    assert!(request_line.starts_with(&format!("POST {}/", emu.base)), "absolute-form request to the proxy: {request_line}");
    assert!(request_line.contains("/oauth2/v2.0/token"), "{request_line}");
    assert_eq!(emu.token_requests(), 0, "nothing reached the server directly: {e}");
}
