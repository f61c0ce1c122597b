//! Files named by the config (`client_certificate`, `client_certificate_key`,
//! `federated_token_file`, `ca_file`) against hostile file-system objects: a symlink to
//! /dev/zero, a FIFO, a huge sparse file, a directory, a file replaced under the same
//! path. None may hang, bloat or crash the worker: each is refused with a configuration
//! error naming the key, the path and what is wrong, at construction or, when the file
//! turns hostile later, within the send's deadline. A certificate rotated in place (same
//! path, same size, same mtime) is picked up by a Mailer that lives on, and checked by the
//! emulator against the new thumbprint.

mod common;
mod credential_support;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Emu, s};
use credential_support::{cert, certs, pem};
use o365_core::{Config, ConfigValue, ErrorKind, Mailer};
use o365_emulator::{AppConfig, EmulatorConfig};

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = certs().join(format!("{name}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("utf-8 path").to_string()
}

fn mkfifo(path: &Path) {
    let out = std::process::Command::new("mkfifo").arg(path).output().expect("mkfifo");
    assert!(out.status.success(), "mkfifo: {}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `f` on a thread and gives up after `limit`: a hang is a test failure, not a
/// test run that never ends.
fn within<T: Send + 'static>(limit: Duration, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).unwrap_or_else(|_| panic!("{what}: still running after {limit:?} (hangs)"))
}

/// The hostile objects, each with the words its error must contain.
fn hostile_objects(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let zero = dir.join("zero.pem");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.join("fifo.pem");
    mkfifo(&fifo);
    // 300 MB, sparse: costs no disk, but a reader without a cap reads all of it.
    let huge = dir.join("huge.pem");
    std::fs::File::create(&huge).unwrap().set_len(300_000_000).unwrap();
    let subdir = dir.join("dir.pem");
    std::fs::create_dir(&subdir).unwrap();
    vec![(zero, "a character device, not a regular file"), (fifo, "a FIFO, not a regular file"), (huge, "300000000 bytes"), (subdir, "a directory, not a regular file")]
}

/// The configuration error of `pairs` (built within 10 s), with its key checked.
fn refused(pairs: Vec<(&'static str, ConfigValue)>, key: &str, what: &str) -> o365_core::Error {
    let mut all = vec![("tenant_id", s("t.example")), ("client_id", s("c"))];
    all.extend(pairs);
    let e = within(Duration::from_secs(10), what, move || Config::from_pairs(all)).expect_err(what);
    assert_eq!(e.kind, ErrorKind::Configuration, "{what}: {e}");
    assert_eq!(e.config_key.as_deref(), Some(key), "{what}: {e}");
    e
}

#[test]
fn hostile_files_are_refused_at_construction_by_every_key() {
    let dir = scratch("hostile");
    for (path, words) in hostile_objects(&dir) {
        let p = path_str(&path);
        let cases: Vec<(&str, Vec<(&'static str, ConfigValue)>)> = vec![
            ("client_certificate", vec![("client_certificate", s(&p))]),
            ("client_certificate_key", vec![("client_certificate", s(&cert("app.crt"))), ("client_certificate_key", s(&p))]),
            ("federated_token_file", vec![("federated_token_file", s(&p))]),
            ("ca_file", vec![("client_secret", s("x")), ("ca_file", s(&p))]),
        ];
        for (key, pairs) in cases {
            let started = Instant::now();
            let e = refused(pairs, key, &format!("{key} = {p}"));
            let text = e.to_string();
            assert!(text.contains(&format!("`{key}`")) && text.contains(&p) && text.contains(words), "{key} = {p}: {text}");
            assert!(started.elapsed() < Duration::from_secs(2), "{key} = {p}: refused after {:?}", started.elapsed());
        }
    }
}

#[test]
fn certificate_files_have_caps_that_fit_real_files() {
    let dir = scratch("caps");
    // A real PEM padded past the cap (a chain of a few dozen certificates fits well under it).
    let padded = dir.join("padded.pem");
    let mut text = pem("app.pem");
    text.push_str(&"# padding\n".repeat(40_000));
    std::fs::write(&padded, text).unwrap();
    let e = refused(vec![("client_certificate", s(&path_str(&padded)))], "client_certificate", "padded PEM");
    assert!(e.to_string().contains("at most"), "{e}");
    // 40 copies of the certificate with the key: too long a chain for `x5c`.
    let long = dir.join("long-chain.pem");
    std::fs::write(&long, pem("app.crt").repeat(40) + &pem("app.key")).unwrap();
    let pairs = vec![("client_certificate", s(&path_str(&long))), ("client_certificate_send_chain", ConfigValue::Bool(true))];
    let e = refused(pairs, "client_certificate", "40 certificates");
    assert!(e.to_string().contains("40 certificates") && e.to_string().contains("at most"), "{e}");
    // A token file of 100 KiB is no JWT a real issuer writes.
    let big = dir.join("token");
    std::fs::write(&big, format!("a.{}.c", "b".repeat(100 * 1024))).unwrap();
    let e = refused(vec![("federated_token_file", s(&path_str(&big)))], "federated_token_file", "100 KiB token");
    assert!(e.to_string().contains("at most"), "{e}");
}

fn federated_emulator() -> Emu {
    common::start(EmulatorConfig {
        apps: vec![AppConfig { client_secrets: vec![], certificates: vec![], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    })
}

#[test]
fn federated_token_file_that_becomes_a_fifo_fails_within_the_deadline() {
    let emu = federated_emulator();
    let dir = scratch("fed-fifo");
    let token = dir.join("token");
    std::fs::write(&token, "a.b.c").unwrap();
    let p = path_str(&token);
    let overrides = [("client_secret", ConfigValue::Null), ("federated_token_file", s(&p)), ("deadline", ConfigValue::Int(3))];
    let mailer = emu.mailer_with(&overrides);
    // The kubelet's volume is swapped for a FIFO (nobody writes to it) after construction.
    std::fs::remove_file(&token).unwrap();
    mkfifo(&token);
    let started = Instant::now();
    let e = within(Duration::from_secs(15), "send with a FIFO token file", move || emu.send(&mailer, "fifo").map(|_| ()))
        .expect_err("a FIFO is refused");
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
    assert_eq!(e.kind, ErrorKind::Configuration, "{e}");
    assert!(e.to_string().contains("a FIFO, not a regular file") && e.to_string().contains(&p), "{e}");
}

/// A new self-signed certificate and key (one PEM file) made by openssl.
fn new_certificate(dir: &Path, name: &str) -> (String, String) {
    let (c, k) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-sha256", "-days", "30", "-nodes", "-subj", "/CN=o365-rotated"])
        .arg("-keyout")
        .arg(&k)
        .arg("-out")
        .arg(&c)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (std::fs::read_to_string(c).unwrap(), std::fs::read_to_string(k).unwrap())
}

/// `text` padded with trailing newlines to `len` bytes (PEM ignores them), so that a
/// rotation keeps the file's size.
fn padded(text: &str, len: usize) -> String {
    assert!(text.len() <= len, "{} > {len}", text.len());
    format!("{text}{}", "\n".repeat(len - text.len()))
}

/// Rewrites `path` in place (same inode) with `contents`, keeping its size and mtime:
/// only the ctime tells the change.
fn rewrite_in_place(path: &Path, contents: &str) {
    let meta = std::fs::metadata(path).unwrap();
    assert_eq!(meta.len() as usize, contents.len(), "same size");
    std::fs::write(path, contents).unwrap();
    std::fs::File::options().write(true).open(path).unwrap().set_modified(meta.modified().unwrap()).unwrap();
}

#[test]
fn certificate_rotated_in_place_is_used_by_a_long_lived_mailer() {
    let dir = scratch("rotation");
    let (old_cert, old_key) = new_certificate(&dir, "old");
    let (new_cert, new_key) = new_certificate(&dir, "new");
    let len = (old_cert.len() + old_key.len()).max(new_cert.len() + new_key.len()) + 8;
    let path = dir.join("app.pem");
    std::fs::write(&path, padded(&(old_cert + &old_key), len)).unwrap();
    // Entra knows only the new certificate (the old one was removed from the app).
    let emu = common::start(EmulatorConfig {
        apps: vec![AppConfig { client_secrets: vec![], certificates: vec![new_cert.clone()], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let p = path_str(&path);
    let mailer = emu.mailer_with(&[("client_secret", ConfigValue::Null), ("client_certificate", s(&p))]);
    let e = emu.send(&mailer, "old key").expect_err("the old certificate is not registered");
    assert_eq!(e.code.as_deref(), Some("AADSTS700027"), "{e}");
    // The PKI tool writes the new pair over the old file: same path, size and mtime.
    rewrite_in_place(&path, &padded(&(new_cert + &new_key), len));
    emu.send(&mailer, "new key").expect("the same Mailer signs with the rotated key");
    assert_eq!(emu.messages().len(), 1);

    // A broken replacement (half-written, garbage) keeps the previous key and warns once.
    rewrite_in_place(&path, &"x".repeat(len));
    let other_tenant = [("client_secret", ConfigValue::Null), ("client_certificate", s(&p)), ("tenant_id", s("other.example"))];
    let mailer = Mailer::new(emu.config_with(&other_tenant).expect("built with the previous key"));
    let send = |subject: &str| {
        let mime = common::mime(common::MAILBOX, "ann@example.com", subject);
        mailer.send_mime_with(&mime, Some(common::MAILBOX), &[], None).expect("signed with the previous key").warnings
    };
    let said = |w: &Vec<String>| w.iter().filter(|w| w.contains(&p) && w.contains("previous key")).count();
    assert_eq!(said(&send("kept key")), 1, "the first receipt says it");
    assert_eq!(said(&send("kept key again")), 0, "once");
    let d = mailer.diagnose().expect("diagnose");
    let broken: Vec<&String> = d.warnings.iter().filter(|w| w.contains(&p) && w.contains("previous key")).collect();
    assert_eq!(broken.len(), 1, "{:?}", d.warnings);
    assert!(broken[0].contains("client_certificate"), "{}", broken[0]);
}

#[test]
fn ca_file_replaced_in_place_is_read_again() {
    let a = common::start_tls();
    let b = common::start_tls();
    let dir = scratch("ca");
    let ca = dir.join("ca.pem");
    let (pem_a, pem_b) = (a.emu.ca_pem().unwrap(), b.emu.ca_pem().unwrap());
    let len = pem_a.len().max(pem_b.len());
    std::fs::write(&ca, padded(&pem_a, len)).unwrap();
    let ca_path = path_str(&ca);
    let send = |emu: &Emu| {
        let mailer = emu.mailer_with(&[("ca_file", s(&ca_path)), ("max_retries", ConfigValue::Int(0))]);
        emu.send(&mailer, "ca")
    };
    send(&a).expect("A's CA is trusted");
    assert_eq!(send(&b).expect_err("B's CA is not").kind, ErrorKind::Transport);
    rewrite_in_place(&ca, &padded(&pem_b, len));
    send(&b).expect("the replaced file (same size and mtime) is read again");
}
