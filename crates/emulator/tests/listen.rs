//! Where the command-line emulator listens: a fixed loopback port without `--listen`
//! (so `.env` can name it), the config file's `listen` when it has one, and a bind failure
//! that names the address and suggests `--listen`.

use clap::Parser;
use o365_emulator::cli::{Cli, DEFAULT_LISTEN};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_o365-emulator");

#[test]
fn default_is_a_fixed_loopback_port_that_common_tools_do_not_use() {
    let config = Cli::parse_from(["o365-emulator"]).to_config().unwrap();
    assert_eq!(config.listen, DEFAULT_LISTEN);
    assert_eq!(config.listen.to_string(), "127.0.0.1:8365");
    // Mailpit/MailHog, MailCatcher, Vite, artisan serve, MinIO, Meilisearch, Azurite.
    for taken in [8025, 1025, 1080, 5173, 8000, 8080, 9000, 7700, 10000] {
        assert_ne!(config.listen.port(), taken);
    }
    let flag = Cli::parse_from(["o365-emulator", "--listen", "127.0.0.1:0"]).to_config().unwrap();
    assert_eq!(flag.listen.port(), 0);
}

#[test]
fn a_config_file_listen_wins_over_the_default() {
    let dir = std::env::temp_dir().join(format!("o365-listen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let with = dir.join("with.toml");
    std::fs::write(&with, "listen = \"127.0.0.1:0\"\n").unwrap();
    let without = dir.join("without.json");
    std::fs::write(&without, "{\"mailboxes\": [\"a@contoso.com\"]}").unwrap();
    let cfg = |p: &std::path::Path| Cli::parse_from(["o365-emulator", "--config", p.to_str().unwrap()]).to_config().unwrap();
    assert_eq!(cfg(&with).listen.port(), 0);
    assert_eq!(cfg(&without).listen, DEFAULT_LISTEN);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn address_in_use_names_the_address_and_suggests_listen() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(BIN)
        .args(["--listen", &addr, "--exit-on-stdin-eof"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "printed a URL although it could not listen");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{addr} is already in use")), "{err}");
    assert!(err.contains("--listen 127.0.0.1:PORT"), "{err}");
}
