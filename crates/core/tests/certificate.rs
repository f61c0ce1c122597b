//! Certificate credentials end to end: every file format sends a mail through the
//! emulator (which verifies the assertion), an independent verifier (the `jsonwebtoken`
//! crate) accepts our assertion against the certificate, and every failure says what to
//! fix without printing key material.

mod common;
mod credential_support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Emu, s};
use credential_support::{cert, cert_der, certs, decode, key_body, pem};
use o365_core::{ConfigValue, ErrorKind, Mailer};
use o365_emulator::{AppConfig, DEFAULT_CLIENT_ID, EmulatorConfig};

fn emulator() -> Emu {
    common::start(EmulatorConfig {
        apps: vec![AppConfig {
            client_secrets: vec![],
            certificates: vec![pem("app.crt"), pem("leaf.crt"), pem("expiring.crt")],
            ..AppConfig::default()
        }],
        ..EmulatorConfig::default()
    })
}

/// Overrides: no client secret, plus `extra`.
fn with(extra: &[(&'static str, ConfigValue)]) -> Vec<(&'static str, ConfigValue)> {
    let mut v = vec![("client_secret", ConfigValue::Null)];
    v.extend(extra.iter().cloned());
    v
}

#[test]
fn every_file_format_sends_a_mail() {
    let emu = emulator();
    let pw = s("test-password");
    let variants: Vec<(&str, Vec<(&'static str, ConfigValue)>)> = vec![
        ("PEM cert + key", vec![("client_certificate", s(&cert("app.pem")))]),
        ("separate PKCS#8 key", vec![("client_certificate", s(&cert("app.crt"))), ("client_certificate_key", s(&cert("app.key")))]),
        ("PKCS#1 key", vec![("client_certificate", s(&cert("app.crt"))), ("client_certificate_key", s(&cert("app-rsa.key")))]),
        (
            "encrypted PKCS#8 key",
            vec![
                ("client_certificate", s(&cert("app.crt"))),
                ("client_certificate_key", s(&cert("app-enc.key"))),
                ("client_certificate_password", pw.clone()),
            ],
        ),
        ("PKCS#12 AES", vec![("client_certificate", s(&cert("app.pfx"))), ("client_certificate_password", pw.clone())]),
        ("PKCS#12 3DES", vec![("client_certificate", s(&cert("app-3des.pfx"))), ("client_certificate_password", pw.clone())]),
        ("RS256", vec![("client_certificate", s(&cert("app.pem"))), ("client_certificate_algorithm", s("RS256"))]),
        ("chain in x5c", vec![("client_certificate", s(&cert("chain.pem"))), ("client_certificate_send_chain", ConfigValue::Bool(true))]),
    ];
    for (name, extra) in variants {
        let mailer = emu.mailer_with(&with(&extra));
        assert_eq!(mailer.config().credential.describe(), "certificate", "{name}");
        emu.send(&mailer, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // Same certificate and algorithm: one token shared by the four PEM/PKCS#12 forms
    // of app.crt; RS256 and the chained certificate are other credentials.
    assert_eq!(emu.token_requests(), 3, "tokens are cached per credential");
    assert_eq!(emu.messages().len(), 8);
}

/// The client assertion a certificate config with `alg` sends to a capturing token
/// endpoint: (the endpoint's base URL, the JWT).
fn captured_assertion(alg: &str) -> (String, String) {
    let (base, captured) = credential_support::capture_token_request();
    let config = o365_core::Config::from_pairs(vec![
        ("tenant_id", s("contoso.onmicrosoft.com")),
        ("client_id", s(DEFAULT_CLIENT_ID)),
        ("client_certificate", s(&cert("app.pem"))),
        ("client_certificate_algorithm", s(alg)),
        ("login_endpoint", s(&base)),
        ("max_retries", ConfigValue::Int(0)),
    ])
    .expect("config");
    let _ = Mailer::new(config).diagnose();
    let form = captured.join().expect("captured");
    assert_eq!(form["client_assertion_type"], "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    assert!(!form.contains_key("client_secret"));
    (base, form["client_assertion"].clone())
}

/// Checks every claim an Entra client assertion needs, with no leeway.
fn strict_validation(alg: jsonwebtoken::Algorithm, base: &str) -> jsonwebtoken::Validation {
    let token_url = format!("{base}/contoso.onmicrosoft.com/oauth2/v2.0/token");
    let mut validation = jsonwebtoken::Validation::new(alg);
    validation.set_audience(&[token_url.as_str()]);
    validation.set_issuer(&[DEFAULT_CLIENT_ID]);
    validation.sub = Some(DEFAULT_CLIENT_ID.to_string());
    validation.leeway = 0;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "nbf", "aud", "iss", "sub"]);
    validation
}

#[test]
fn independent_verifier_accepts_our_ps256_and_rs256_assertions() {
    let public_pem = {
        let out = std::process::Command::new("openssl")
            .args(["x509", "-in", &cert("app.crt"), "-pubkey", "-noout"])
            .output()
            .expect("openssl");
        out.stdout
    };
    let der = cert_der("app.crt");
    let sha256 = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, &der));
    let sha1 = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der));
    for (alg, jwt_alg) in [("PS256", jsonwebtoken::Algorithm::PS256), ("RS256", jsonwebtoken::Algorithm::RS256)] {
        let (base, jwt) = captured_assertion(alg);
        let jwt = &jwt;
        let (header, claims) = decode(jwt);
        assert_eq!(header["alg"], alg);
        assert_eq!(header["typ"], "JWT");
        if alg == "PS256" {
            assert_eq!(header["x5t#S256"], sha256.as_str());
            assert!(header.get("x5t").is_none());
        } else {
            assert_eq!(header["x5t"], sha1.as_str());
        }
        assert!(header.get("x5c").is_none(), "x5c only when asked");
        let validation = strict_validation(jwt_alg, &base);
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(&public_pem).expect("public key");
        let data = jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation).unwrap_or_else(|e| panic!("{alg}: {e}"));
        let c = data.claims;
        let (iat, nbf, exp) = (c["iat"].as_i64().unwrap(), c["nbf"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!((now - nbf).abs() < 60 && iat == nbf, "nbf/iat = now");
        assert!(exp - nbf <= 600 && exp > now, "at most ten minutes");
        assert!(uuid::Uuid::parse_str(c["jti"].as_str().unwrap()).is_ok(), "jti is a GUID");
        assert_eq!(claims, c);
        // Another key must not verify it (the verifier really checks).
        let other = std::process::Command::new("openssl")
            .args(["pkey", "-in", &cert("other.key"), "-pubout"])
            .output()
            .expect("openssl")
            .stdout;
        let wrong = jsonwebtoken::DecodingKey::from_rsa_pem(&other).expect("other key");
        assert!(jsonwebtoken::decode::<serde_json::Value>(jwt, &wrong, &validation).is_err());
    }
}

#[test]
fn chain_goes_into_x5c_leaf_first() {
    let (base, captured) = credential_support::capture_token_request();
    let config = o365_core::Config::from_pairs(vec![
        ("tenant_id", s("t")),
        ("client_id", s("c")),
        ("client_certificate", s(&cert("chain.pem"))),
        ("client_certificate_send_chain", ConfigValue::Str("true".into())),
        ("login_endpoint", s(&base)),
        ("max_retries", ConfigValue::Int(0)),
    ])
    .expect("config");
    let _ = Mailer::new(config).diagnose();
    let form = captured.join().expect("captured");
    let (header, _) = decode(&form["client_assertion"]);
    let b64 = base64::engine::general_purpose::STANDARD;
    let x5c: Vec<Vec<u8>> = header["x5c"].as_array().unwrap().iter().map(|c| b64.decode(c.as_str().unwrap()).unwrap()).collect();
    assert_eq!(x5c, vec![cert_der("leaf.crt"), cert_der("ca.crt")]);
}

/// The error of building a config with `extra`.
fn config_error(extra: &[(&'static str, ConfigValue)]) -> o365_core::Error {
    let mut pairs = vec![("tenant_id", s("t")), ("client_id", s("c"))];
    pairs.extend(extra.iter().cloned());
    let e = o365_core::Config::from_pairs(pairs).expect_err("config must fail");
    assert_eq!(e.kind, ErrorKind::Configuration, "{e}");
    for key in ["app.key", "app.pem", "other.key", "expired.pem", "app-enc.key"] {
        let body = key_body(key);
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains(&body), "key material in: {text}");
        }
    }
    e
}

#[test]
fn construction_errors_name_the_file_and_the_fix() {
    let missing = format!("{}/nope.pem", certs().display());
    let e = config_error(&[("client_certificate", s(&missing))]);
    assert_eq!(e.config_key.as_deref(), Some("client_certificate"));
    assert!(e.to_string().contains(&missing), "{e}");

    let e = config_error(&[("client_certificate", s(&cert("app.crt"))), ("client_certificate_key", s(&cert("other.key")))]);
    let text = e.to_string();
    assert!(text.contains("does not belong") && text.contains("other.key") && text.contains("app.crt"), "{text}");

    let e = config_error(&[("client_certificate", s(&cert("expired.pem")))]);
    let text = e.to_string();
    assert!(text.contains("expired on 2020-02-01") && text.contains("Certificates & secrets"), "{text}");

    let e = config_error(&[("client_certificate", s(&cert("small.pem")))]);
    assert!(e.to_string().contains("shorter than 2048 bits"), "{e}");

    let e = config_error(&[("client_certificate", s(&cert("ec.pem")))]);
    assert!(e.to_string().contains("EC key") && e.to_string().contains("only RSA"), "{e}");

    let e = config_error(&[("client_certificate", s(&cert("app.crt")))]);
    assert!(e.to_string().contains("holds no private key") && e.to_string().contains("client_certificate_key"), "{e}");

    let e = config_error(&[("client_certificate", s(&cert("app.crt"))), ("client_certificate_key", s(&cert("app-enc.key")))]);
    assert_eq!(e.config_key.as_deref(), Some("client_certificate_password"));
    assert!(e.to_string().contains("O365_CLIENT_CERTIFICATE_PASSWORD"), "{e}");

    let wrong = s("not-the-password");
    let e = config_error(&[
        ("client_certificate", s(&cert("app.crt"))),
        ("client_certificate_key", s(&cert("app-enc.key"))),
        ("client_certificate_password", wrong.clone()),
    ]);
    assert!(e.to_string().contains("cannot decrypt") && !e.to_string().contains("not-the-password"), "{e}");

    let e = config_error(&[("client_certificate", s(&cert("app.pfx"))), ("client_certificate_password", wrong)]);
    assert!(e.to_string().contains("wrong password") && e.to_string().contains("app.pfx"), "{e}");

    let e = config_error(&[("client_certificate", s(&cert("app.pem"))), ("client_certificate_algorithm", s("HS256"))]);
    assert_eq!(e.config_key.as_deref(), Some("client_certificate_algorithm"));

    let e = config_error(&[("client_certificate_password", s("x"))]);
    assert!(e.to_string().contains("`client_certificate` is not"), "{e}");

    let e = config_error(&[("client_certificate", s(&cert("app.pem"))), ("client_secret", s("shh-secret"))]);
    let text = e.to_string();
    assert!(text.contains("more than one credential") && text.contains("`client_secret`") && text.contains("`client_certificate`"), "{text}");
    assert!(!text.contains("shh-secret"));
}

#[test]
fn key_is_read_once_per_process_and_a_broken_replacement_keeps_the_previous_key() {
    let dir = certs().join(format!("once-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.pem");
    std::fs::copy(certs().join("app.pem"), &path).unwrap();
    let p = path.to_str().unwrap().to_string();
    let pairs = |p: &str| vec![("tenant_id", s("t")), ("client_id", s("c")), ("client_certificate", s(p))];
    let first = o365_core::Config::from_pairs(pairs(&p)).expect("loads");
    assert!(first.credential.warnings().is_empty());
    // Garbage of the same size and mtime: noticed (the ctime changed); the previous key
    // stays in use and the config says why.
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let len = std::fs::metadata(&path).unwrap().len() as usize;
    std::fs::write(&path, vec![b'x'; len]).unwrap();
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
    let second = o365_core::Config::from_pairs(pairs(&p)).expect("the previous key is kept");
    assert_eq!(first.credential, second.credential);
    let warnings = second.credential.warnings();
    assert!(warnings.len() == 1 && warnings[0].contains(&p) && warnings[0].contains("previous key"), "{warnings:?}");
    // A file that never held a usable key fails the config, naming it.
    let fresh = dir.join("garbage.pem");
    std::fs::write(&fresh, vec![b'x'; len]).unwrap();
    let e = o365_core::Config::from_pairs(pairs(fresh.to_str().unwrap())).expect_err("garbage");
    assert!(e.to_string().contains(fresh.to_str().unwrap()), "{e}");
    // Debug output of a config shows the file and thumbprint, never the key.
    let dbg = format!("{first:?}");
    assert!(dbg.contains("thumbprint_sha256") && !dbg.contains(&key_body("app.pem")), "{dbg}");
}

#[test]
fn unregistered_certificate_shows_the_thumbprints_we_send() {
    let emu = common::start(EmulatorConfig {
        apps: vec![AppConfig { client_secrets: vec![], certificates: vec![pem("leaf.crt")], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let mailer = emu.mailer_with(&with(&[("client_certificate", s(&cert("app.pem")))]));
    let e = emu.send(&mailer, "unregistered").expect_err("not registered");
    assert_eq!(e.kind, ErrorKind::Authentication);
    assert_eq!(e.code.as_deref(), Some("AADSTS700027"));
    let der = cert_der("app.crt");
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02X}")).collect::<String>();
    let text = e.to_string();
    assert!(text.contains(&hex(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der).as_ref())), "{text}");
    assert!(text.contains(&hex(ring::digest::digest(&ring::digest::SHA256, &der).as_ref())), "{text}");
    assert!(text.contains("Certificates & secrets") && text.contains(".cer"), "{text}");
    assert!(!text.contains(&key_body("app.pem")));
    // app.pem holds the private key too: the fix names the command that extracts the
    // certificate alone, never the file itself as the part to upload.
    let extract = format!("openssl x509 -in {} -outform der -out app.cer", cert("app.pem"));
    assert!(text.contains(&extract), "{text}");
    assert!(!text.contains(&format!("public part (`{}`", cert("app.pem"))), "{text}");
}

#[test]
fn unregistered_pkcs12_certificate_names_the_extract_command() {
    let emu = common::start(EmulatorConfig {
        apps: vec![AppConfig { client_secrets: vec![], certificates: vec![pem("leaf.crt")], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let pw = s("test-password");
    let mailer = emu.mailer_with(&with(&[("client_certificate", s(&cert("app.pfx"))), ("client_certificate_password", pw)]));
    let e = emu.send(&mailer, "unregistered").expect_err("not registered");
    assert_eq!(e.code.as_deref(), Some("AADSTS700027"));
    let extract = format!("openssl pkcs12 -in {} -nokeys -clcerts | openssl x509 -outform der -out app.cer", cert("app.pfx"));
    assert!(e.to_string().contains(&extract), "{e}");
}

#[test]
fn entra_assertion_errors_name_their_fix() {
    let emu = emulator();
    let cases = [
        ("AADSTS700024", "clock"),
        ("AADSTS700023", "`tenant_id`, `cloud` and `login_endpoint`"),
        ("AADSTS7000274", "compare the thumbprint"),
        ("AADSTS700021", "`client_id`"),
    ];
    for (code, fix) in cases {
        emu.faults(serde_json::json!([{"match": {"path": "/oauth2/v2.0/token"}, "status": 401, "graph_code": code, "times": 1}]));
        let mailer = emu.mailer_with(&with(&[("client_certificate", s(&cert("app.pem"))), ("client_certificate_algorithm", s("RS256"))]));
        let e = mailer.diagnose().expect_err(code);
        assert_eq!(e.code.as_deref(), Some(code));
        assert!(e.to_string().contains(fix), "{code}: {e}");
    }
}

#[test]
fn diagnose_reports_thumbprints_and_warns_before_expiry() {
    let emu = emulator();
    let d = emu.mailer_with(&with(&[("client_certificate", s(&cert("expiring.pem")))])).diagnose().expect("token");
    assert_eq!(d.credential, "certificate");
    let detail = |k: &str| d.credential_details.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(detail("thumbprint_sha1").len(), 40);
    assert_eq!(detail("thumbprint_sha256").len(), 64);
    assert!(detail("certificate").ends_with("expiring.pem"));
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(d.warnings[0].contains("days left") && d.warnings[0].contains("Certificates & secrets"), "{:?}", d.warnings);
    let d = emu.mailer_with(&with(&[("client_certificate", s(&cert("app.pem")))])).diagnose().expect("token");
    assert!(d.warnings.is_empty(), "a certificate valid for a year raises no warning");
}
