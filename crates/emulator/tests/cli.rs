//! The binary: first stdout line is the base URL, flags and a config file configure it,
//! it exits on stdin EOF and on SIGTERM, `--help` documents every option.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_o365-emulator");

fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (child, line.trim().to_string())
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "emulator did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn token_status(base: &str, tenant: &str, id: &str, secret: &str) -> u16 {
    reqwest::blocking::Client::new()
        .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret), ("scope", common::SCOPE)])
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn prints_base_url_serves_and_exits_on_stdin_eof() {
    let (mut child, base) = spawn(&["--client-id", "my-app", "--client-secret", "s3cret"]);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(token_status(&base, "t", "my-app", "s3cret"), 200);
    assert_eq!(token_status(&base, "t", "my-app", "wrong"), 401);
    drop(child.stdin.take());
    assert!(wait_exit(&mut child).success());
}

#[test]
fn exits_cleanly_on_sigterm() {
    let (mut child, _base) = spawn(&[]);
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert!(wait_exit(&mut child).success());
}

#[test]
fn config_file_with_two_tenants_toml() {
    let dir = std::env::temp_dir().join(format!("o365-emu-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("emulator.toml");
    let mut f = std::fs::File::create(&file).unwrap();
    write!(f, r#"
mailboxes = ["a@contoso.com", "b@fabrikam.com"]
token_lifetime_secs = 600

[[apps]]
tenant_id = "11111111-1111-1111-1111-111111111111"
tenant_domains = ["contoso.onmicrosoft.com"]
client_id = "app-a"
client_secrets = ["secret-a"]
allowed_mailboxes = ["a@contoso.com"]

[[apps]]
tenant_id = "22222222-2222-2222-2222-222222222222"
client_id = "app-b"
client_secrets = ["secret-b"]
roles = ["Mail.Send"]
"#).unwrap();
    drop(f);
    let (mut child, base) = spawn(&["--config", file.to_str().unwrap()]);
    assert_eq!(token_status(&base, "contoso.onmicrosoft.com", "app-a", "secret-a"), 200);
    assert_eq!(token_status(&base, "22222222-2222-2222-2222-222222222222", "app-b", "secret-b"), 200);
    // Each app lives in its own tenant only.
    assert_eq!(token_status(&base, "22222222-2222-2222-2222-222222222222", "app-a", "secret-a"), 400);
    assert_eq!(token_status(&base, "33333333-3333-3333-3333-333333333333", "app-a", "secret-a"), 400);
    drop(child.stdin.take());
    assert!(wait_exit(&mut child).success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_config_fails_loudly() {
    let out = Command::new(BIN).args(["--config", "/nonexistent/emulator.json"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/emulator.json"));
    let out = Command::new(BIN).args(["--ca-out", "/tmp/never-written.pem"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls"));
}

#[test]
fn tls_flag_writes_the_ca_before_printing_the_url() {
    let dir = std::env::temp_dir().join(format!("o365-emu-cli-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let (mut child, base) = spawn(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem = std::fs::read(&ca).unwrap();
    let client = reqwest::blocking::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    assert_eq!(client.get(format!("{base}/_emulator/stats")).send().unwrap().status(), 200);
    drop(child.stdin.take());
    assert!(wait_exit(&mut child).success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_documents_every_option() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen", "--config", "--tenant-id", "--client-id", "--client-secret", "--expired-secret", "--certificate",
        "--role", "--no-roles", "--mailbox", "--disabled-mailbox", "--allowed-mailbox", "--rbac-role", "--rbac-mailbox", "--send-as", "--token-lifetime",
        "--tls", "--ca-out", "--latency-ms", "--connect-latency-ms", "--max-request-bytes", "--max-message-bytes",
        "--concurrency", "--window-requests", "--window-secs", "--mailbox-window", "--upload-budget", "--upload-host", "--exit-on-stdin-eof",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    assert!(help.contains("00000000-0000-0000-0000-000000000001") && help.contains("emulator-secret"));
}

#[test]
fn mailbox_window_and_upload_budget_flags() {
    use o365_emulator::cli::Cli;
    use clap::Parser;
    let c = Cli::try_parse_from(["o365-emulator", "--mailbox-window", "600/60s", "--upload-budget", "8MB/30s"]).unwrap().to_config().unwrap();
    assert_eq!((c.throttle.window_requests, c.throttle.window_secs), (600, 60));
    assert_eq!((c.throttle.upload_bytes, c.throttle.upload_window_secs), (8 * 1024 * 1024, 30));
    let c = Cli::try_parse_from(["o365-emulator", "--mailbox-window", "10000/10m"]).unwrap().to_config().unwrap();
    assert_eq!(c.throttle.window_secs, 600);
    let c = Cli::try_parse_from(["o365-emulator"]).unwrap().to_config().unwrap();
    assert_eq!((c.throttle.upload_bytes, c.throttle.upload_window_secs), (150 * 1024 * 1024, 300));
    for bad in [["--mailbox-window", "600"], ["--mailbox-window", "x/60s"], ["--upload-budget", "150XB/5m"], ["--upload-budget", "1MB/0s"]] {
        let err = Cli::try_parse_from(["o365-emulator", bad[0], bad[1]]).unwrap_err().to_string();
        assert!(err.contains(bad[0]), "{err}");
    }
    // The binary takes it: the 3rd request in the window is refused.
    let (mut child, base) = spawn(&["--mailbox-window", "2/60s"]);
    let http = reqwest::blocking::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base}/t/oauth2/v2.0/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", o365_emulator::DEFAULT_CLIENT_ID), ("client_secret", o365_emulator::DEFAULT_CLIENT_SECRET), ("scope", common::SCOPE)])
        .send().unwrap().json().unwrap();
    let token = token["access_token"].as_str().unwrap();
    let send = || http.post(format!("{base}/v1.0/users/{}/sendMail", common::MAILBOX)).bearer_auth(token)
        .header("content-type", "text/plain")
        .body(common::b64(common::simple_mime(common::MAILBOX, "a@example.com", "w").as_bytes()))
        .send().unwrap();
    assert_eq!(send().status(), 202);
    assert_eq!(send().status(), 202);
    let resp = send();
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    drop(child.stdin.take());
    wait_exit(&mut child);
}
