//! Microsoft's MSAL for Python against the emulator (secret and certificate). Installs
//! `msal` into a venv under `.build/msal-venv` once (idempotent), and skips with a
//! message only when PyPI cannot be reached.

mod common;
#[path = "common/certs.rs"]
mod certs;

use o365_emulator::{AppConfig, Emulator, EmulatorConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's python with msal importable, or None when it cannot be installed.
fn msal_python() -> Option<PathBuf> {
    let venv = workspace_root().join(".build/msal-venv");
    let python = venv.join("bin/python");
    let has_msal = |p: &Path| Command::new(p).args(["-c", "import msal, requests, cryptography"]).status().is_ok_and(|s| s.success());
    if python.exists() && has_msal(&python) {
        return Some(python);
    }
    let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
    assert!(made.is_ok_and(|s| s.success()), "python3 -m venv failed (Debian: apt-get install python3-venv)");
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "--timeout", "30", "msal"])
        .output()
        .expect("run pip");
    if !pip.status.success() {
        eprintln!("SKIP: cannot install msal from PyPI (unreachable?): {}", String::from_utf8_lossy(&pip.stderr));
        return None;
    }
    assert!(has_msal(&python), "msal installed but not importable");
    Some(python)
}

#[test]
fn msal_python_gets_tokens_with_secret_and_certificate() {
    let Some(python) = msal_python() else { return };
    let cert = certs::rsa_cert();
    let dir = std::env::temp_dir().join(format!("o365-emu-msal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_file, key_file, ca_file) = (dir.join("cert.pem"), dir.join("key.pem"), dir.join("ca.pem"));
    std::fs::write(&cert_file, &cert.cert_pem).unwrap();
    std::fs::write(&key_file, &cert.key_pem).unwrap();
    let emu = Emulator::start(EmulatorConfig {
        tls: true,
        ca_out: Some(ca_file.clone()),
        apps: vec![AppConfig {
            tenant_id: Some("11111111-1111-1111-1111-111111111111".into()),
            tenant_domains: vec!["contoso.onmicrosoft.com".into()],
            client_id: "22222222-2222-2222-2222-222222222222".into(),
            client_secrets: vec!["msal-secret".into()],
            certificates: vec![cert_file.to_string_lossy().into_owned()],
            ..AppConfig::default()
        }],
        ..EmulatorConfig::default()
    })
    .unwrap();
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/msal/test_msal.py"))
        .env("EMULATOR_BASE", emu.base_url())
        .env("EMULATOR_CA", &ca_file)
        .env("TENANT", "contoso.onmicrosoft.com")
        .env("CLIENT_ID", "22222222-2222-2222-2222-222222222222")
        .env("CLIENT_SECRET", "msal-secret")
        .env("CERT_PEM", &cert_file)
        .env("KEY_PEM", &key_file)
        .env("MAILBOX", common::MAILBOX)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "MSAL script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("PS256") && stdout.contains("RS256"));
    assert_eq!(emu.messages().as_array().unwrap().len(), 1);
    assert!(emu.token_requests() >= 4);
    let _ = std::fs::remove_dir_all(&dir);
}
