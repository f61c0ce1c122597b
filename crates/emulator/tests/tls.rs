//! `tls: true`: HTTPS with a generated CA (written to `ca_out`), HTTP/2 over ALPN, and
//! verification that fails without the CA.

mod common;

use o365_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig};
use reqwest::blocking::Client;

#[test]
fn https_with_the_generated_ca() {
    let dir = std::env::temp_dir().join(format!("o365-emu-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let emu = Emulator::start(EmulatorConfig { tls: true, ca_out: Some(ca_file.clone()), ..EmulatorConfig::default() }).unwrap();
    let base = emu.base_url();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem = std::fs::read_to_string(&ca_file).unwrap();
    assert_eq!(Some(pem.clone()), emu.ca_pem());
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));

    // Trust only the emulator's CA, as a test must (SSL_CERT_FILE may point elsewhere).
    let ca = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let client = Client::builder().tls_certs_only([ca]).build().unwrap();
    let resp = client
        .post(format!("{base}/contoso/oauth2/v2.0/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", DEFAULT_CLIENT_ID), ("client_secret", DEFAULT_CLIENT_SECRET), ("scope", common::SCOPE)])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.version(), reqwest::Version::HTTP_2, "h2 is offered over ALPN");
    // localhost is in the certificate too.
    let local = base.replace("127.0.0.1", "localhost");
    assert_eq!(client.get(format!("{local}/_emulator/stats")).send().unwrap().status(), 200);

    // Without the CA, verification fails.
    let untrusting = Client::builder().tls_certs_only(Vec::<reqwest::Certificate>::new()).build().unwrap();
    assert!(untrusting.get(format!("{base}/_emulator/stats")).send().is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The subject of a PEM certificate, as OpenSSL prints it.
fn subject(pem: &str) -> String {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    pem.parse_x509().unwrap().subject().to_string()
}

#[test]
fn two_emulators_cas_can_be_trusted_from_one_bundle() {
    let a = Emulator::start(EmulatorConfig { tls: true, ..EmulatorConfig::default() }).unwrap();
    let b = Emulator::start(EmulatorConfig { tls: true, ..EmulatorConfig::default() }).unwrap();
    let (ca_a, ca_b) = (a.ca_pem().unwrap(), b.ca_pem().unwrap());
    // OpenSSL looks a certificate's issuer up by name: with one name for both CAs it
    // picks the first and fails the other's chain ("certificate signature failure").
    assert_ne!(subject(&ca_a), subject(&ca_b));
    let dir = std::env::temp_dir().join(format!("o365-emu-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("bundle.pem");
    std::fs::write(&bundle, format!("{ca_a}{ca_b}")).unwrap();
    for emu in [&a, &b] {
        // curl is OpenSSL's client here, as PHP's and Python's are.
        let out = std::process::Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert"])
            .arg(&bundle)
            .arg(format!("{}/_emulator/stats", emu.base_url()))
            .output();
        let Ok(out) = out else {
            eprintln!("SKIP: no curl to check the bundle with OpenSSL");
            break;
        };
        assert_eq!(String::from_utf8_lossy(&out.stdout), "200", "{}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
