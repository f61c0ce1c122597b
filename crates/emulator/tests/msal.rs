//! Microsoft's own Python clients against the emulator, unchanged, checked against what
//! Microsoft documents: MSAL (secret, certificate with its assertion reused, managed
//! identity, workload identity), the Graph SDK with Azure Identity (JSON send, file
//! attachment, upload session with raw PUTs, Graph's errors), and Azure Identity's
//! managed identity (App Service, IMDS) and workload identity credentials. Installs them into a venv under
//! `.build/msal-venv` once (idempotent), and skips with a message only when PyPI cannot
//! be reached.

mod common;
#[path = "common/certs.rs"]
mod certs;

use o365_emulator::{AppConfig, Emulator, EmulatorConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A python with msal importable (plus the PYTHONPATH it needs), or None when msal
/// cannot be installed because PyPI is unreachable.
fn msal_python() -> Option<(PathBuf, Option<PathBuf>)> {
    // Both tests install into one venv; never run two pips on it at once.
    let _guard = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let build = workspace_root().join(".build");
    let venv = build.join("msal-venv");
    let python = venv.join("bin/python");
    let has_msal = |p: &Path, path: Option<&Path>| {
        let mut c = Command::new(p);
        c.args(["-c", "import msal, requests, cryptography"]);
        if let Some(path) = path {
            c.env("PYTHONPATH", path);
        }
        c.status().is_ok_and(|s| s.success())
    };
    if python.exists() && has_msal(&python, None) {
        return Some((python, None));
    }
    let target = build.join("msal-pylib");
    if target.exists() && has_msal(Path::new("python3"), Some(&target)) {
        return Some((PathBuf::from("python3"), Some(target)));
    }
    let pip_args = ["install", "--quiet", "--disable-pip-version-check", "--timeout", "30"];
    let venv_ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success());
    let (python, pythonpath, pip) = if venv_ok {
        let pip = Command::new(venv.join("bin/pip")).args(pip_args).arg("msal").output().expect("run pip");
        (python, None, pip)
    } else {
        // No venv module (Debian without python3-venv): install into a plain folder.
        let pip = Command::new("python3")
            .args(["-m", "pip"])
            .args(pip_args)
            .arg("--target")
            .arg(&target)
            .arg("msal")
            .output();
        let pip = pip.ok().filter(|o| o.status.success() || !String::from_utf8_lossy(&o.stderr).contains("No module named pip"));
        let Some(pip) = pip else {
            panic!("neither `python3 -m venv` nor `python3 -m pip` works: apt-get install python3-venv");
        };
        (PathBuf::from("python3"), Some(target), pip)
    };
    if !pip.status.success() {
        eprintln!("SKIP: cannot install msal from PyPI (unreachable?): {}", String::from_utf8_lossy(&pip.stderr));
        return None;
    }
    assert!(has_msal(&python, pythonpath.as_deref()), "msal installed but not importable");
    Some((python, pythonpath))
}

#[test]
fn msal_python_gets_tokens_with_secret_and_certificate() {
    let Some((python, pythonpath)) = msal_python() else { return };
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
    let mut cmd = Command::new(&python);
    if let Some(path) = &pythonpath {
        cmd.env("PYTHONPATH", path);
    }
    let out = cmd
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/msal/test_msal.py"))
        .env("EMULATOR_BASE", emu.base_url())
        .env("EMULATOR_CA", &ca_file)
        .env("TENANT", "contoso.onmicrosoft.com")
        .env("CLIENT_ID", "22222222-2222-2222-2222-222222222222")
        .env("CLIENT_SECRET", "msal-secret")
        .env("CERT_PEM", &cert_file)
        .env("KEY_PEM", &key_file)
        .env("MAILBOX", common::MAILBOX)
        .env("IDENTITY_HEADER", o365_emulator::DEFAULT_IDENTITY_HEADER)
        .env_remove("IDENTITY_ENDPOINT")
        .env_remove("MSI_ENDPOINT")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "MSAL script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("PS256") && stdout.contains("RS256"));
    assert!(stdout.contains("ok: the same certificate assertion twice"), "{stdout}");
    // The MSAL token's send and the managed identity's; the other cloud's was refused.
    let subjects: Vec<_> = emu.messages().as_array().unwrap().iter().map(|m| m["subject"].clone()).collect();
    assert_eq!(subjects, ["from MSAL", "from a managed identity"]);
    assert!(emu.token_requests() >= 7);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The venv's python with the Graph SDK installed too, or None without PyPI.
fn graph_sdk_python() -> Option<PathBuf> {
    let (python, pythonpath) = msal_python()?;
    if pythonpath.is_some() {
        eprintln!("SKIP: the Graph SDK test needs a venv (apt-get install python3-venv)");
        return None;
    }
    let _guard = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let has_sdk = || Command::new(&python).args(["-c", "import msgraph, azure.identity, httpx"]).status().is_ok_and(|s| s.success());
    if has_sdk() {
        return Some(python);
    }
    let pip = Command::new(python.with_file_name("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "--timeout", "30", "azure-identity", "msgraph-sdk"])
        .output()
        .expect("run pip");
    if !pip.status.success() {
        eprintln!("SKIP: cannot install msgraph-sdk from PyPI (unreachable?): {}", String::from_utf8_lossy(&pip.stderr));
        return None;
    }
    assert!(has_sdk(), "msgraph-sdk installed but not importable");
    Some(python)
}

#[test]
fn graph_sdk_for_python_sends_through_the_emulator() {
    let Some(python) = graph_sdk_python() else { return };
    let dir = std::env::temp_dir().join(format!("o365-emu-sdk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let emu = Emulator::start(EmulatorConfig {
        tls: true,
        ca_out: Some(ca_file.clone()),
        // By default upload URLs are on another name (localhost), as in Graph: the SDK
        // attaches no token there.
        ..EmulatorConfig::default()
    })
    .unwrap();
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/msal/test_graph_sdk.py"))
        .env("EMULATOR_BASE", emu.base_url())
        .env("EMULATOR_CA", &ca_file)
        .env("TENANT", "contoso.onmicrosoft.com")
        .env("CLIENT_ID", o365_emulator::DEFAULT_CLIENT_ID)
        .env("CLIENT_SECRET", o365_emulator::DEFAULT_CLIENT_SECRET)
        .env("MAILBOX", common::MAILBOX)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "Graph SDK script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let msgs = emu.messages();
    assert_eq!(msgs.as_array().unwrap().len(), 3, "{msgs}");
    assert_eq!(msgs[0]["subject"], "from the Graph SDK");
    assert_eq!(msgs[0]["save_to_sent_items"], false);
    assert_eq!(msgs[1]["attachments"][0]["name"], "note.txt");
    assert_eq!(msgs[1]["attachments"][0]["size"], "attached by the SDK".len());
    assert_eq!(msgs[2]["attachments"][0]["source"], "upload_session");
    assert_eq!(msgs[2]["attachments"][0]["size"], 5 * 1024 * 1024);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn azure_identity_managed_and_workload_identity_credentials() {
    let Some(python) = graph_sdk_python() else { return };
    let dir = std::env::temp_dir().join(format!("o365-emu-wi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let issuer = certs::rsa_cert();
    let (issuer_key, ca_file) = (dir.join("issuer-key.pem"), dir.join("ca.pem"));
    std::fs::write(&issuer_key, &issuer.key_pem).unwrap();
    let mi = Emulator::start(EmulatorConfig::default()).unwrap();
    let wi = Emulator::start(EmulatorConfig {
        tls: true,
        ca_out: Some(ca_file.clone()),
        apps: vec![AppConfig {
            client_secrets: vec![],
            federated_credentials: vec![o365_emulator::FederatedCredentialConfig {
                issuer: "https://oidc.example.test/aks".into(),
                subject: "system:serviceaccount:mail:sender".into(),
                key: Some(issuer.cert_pem.clone()),
                ..Default::default()
            }],
            ..AppConfig::default()
        }],
        ..EmulatorConfig::default()
    })
    .unwrap();
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/msal/test_azure_identity_wi.py"))
        .env("MI_BASE", mi.base_url())
        .env("WI_BASE", wi.base_url())
        .env("WI_CA", &ca_file)
        .env("TENANT", "contoso.onmicrosoft.com")
        .env("CLIENT_ID", o365_emulator::DEFAULT_CLIENT_ID)
        .env("ISSUER", "https://oidc.example.test/aks")
        .env("SUBJECT", "system:serviceaccount:mail:sender")
        .env("ISSUER_KEY", &issuer_key)
        .env("TOKEN_FILE", dir.join("token"))
        .env("IDENTITY_HEADER", o365_emulator::DEFAULT_IDENTITY_HEADER)
        .env_remove("IDENTITY_ENDPOINT")
        .env_remove("MSI_ENDPOINT")
        .env_remove("AZURE_CLIENT_ID")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "Azure Identity script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.matches("ok: ").count(), 4, "{stdout}");
    assert_eq!(mi.token_requests(), 2);
    assert_eq!(wi.token_requests(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}
