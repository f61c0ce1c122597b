//! Workload identity federation end to end: a token file written by "the identity
//! provider" (tokens signed here with the `jsonwebtoken` crate), verified by the
//! emulator against the issuer's key; the file is re-read on every token request
//! (rotation), the Azure Workload Identity env variables work as defaults, and every
//! failure names the file, the env variable or the federated credential to fix.

mod common;
mod credential_support;

use std::collections::HashMap;

use common::{Emu, s};
use credential_support::{cert, certs};
use o365_core::{Config, ConfigValue, ErrorKind, Mailer};
use o365_emulator::{AppConfig, DEFAULT_CLIENT_ID, EmulatorConfig, FederatedCredentialConfig};

const ISSUER: &str = "https://oidc.prod-aks.azure.com/00000000-aaaa/";
const SUBJECT: &str = "system:serviceaccount:mail:sender";

fn emulator() -> Emu {
    common::start(EmulatorConfig {
        apps: vec![AppConfig {
            client_secrets: vec![],
            federated_credentials: vec![FederatedCredentialConfig {
                issuer: ISSUER.into(),
                subject: SUBJECT.into(),
                key: Some(cert("issuer.pub")),
                ..Default::default()
            }],
            ..AppConfig::default()
        }],
        ..EmulatorConfig::default()
    })
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A token as the issuer would write it, valid from `offset` seconds for an hour.
fn token(issuer: &str, subject: &str, offset: i64) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(credential_support::pem("issuer.key").as_bytes()).expect("issuer key");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("k1".into());
    let t = now() + offset;
    let claims = serde_json::json!({
        "iss": issuer, "sub": subject, "aud": ["api://AzureADTokenExchange"],
        "iat": t, "nbf": t, "exp": t + 3600, "jti": uuid::Uuid::new_v4().to_string(),
    });
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

fn token_file(contents: &str) -> String {
    let path = certs().join(format!("token-{}", uuid::Uuid::new_v4()));
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_string()
}

fn with_file(path: &str) -> Vec<(&'static str, ConfigValue)> {
    vec![("client_secret", ConfigValue::Null), ("federated_token_file", s(path))]
}

#[test]
fn token_file_sends_a_mail_and_is_reread_after_rotation() {
    let emu = emulator();
    // The file holds an expired token: Entra refuses it with the rotation hint.
    let path = token_file(&token(ISSUER, SUBJECT, -7200));
    let mailer = emu.mailer_with(&with_file(&path));
    assert_eq!(mailer.config().credential.describe(), "federated token");
    let e = emu.send(&mailer, "stale").expect_err("expired token");
    assert_eq!(e.code.as_deref(), Some("AADSTS700024"));
    assert!(e.to_string().contains(&path) && e.to_string().contains("not being refreshed"), "{e}");
    // The issuer rotates the file: the same mailer reads the new token.
    std::fs::write(&path, token(ISSUER, SUBJECT, 0) + "\n").unwrap();
    emu.send(&mailer, "rotated").expect("the rotated token works");
    assert_eq!(emu.messages().len(), 1);
    let d = mailer.diagnose().expect("cached token");
    assert_eq!(d.credential, "federated token");
    assert!(d.credential_details.iter().any(|(k, v)| k == "token_subject" && v == SUBJECT), "{:?}", d.credential_details);
}

#[test]
fn no_matching_federated_credential_shows_issuer_and_subject() {
    let emu = emulator();
    for (issuer, subject, code) in [
        ("https://token.actions.githubusercontent.com", SUBJECT, "AADSTS700211"),
        (ISSUER, "system:serviceaccount:mail:other", "AADSTS700213"),
    ] {
        let path = token_file(&token(issuer, subject, 0));
        let e = emu.send(&emu.mailer_with(&with_file(&path)), "nomatch").expect_err("no match");
        assert_eq!(e.kind, ErrorKind::Authentication);
        assert_eq!(e.code.as_deref(), Some(code));
        let text = e.to_string();
        assert!(text.contains(issuer) && text.contains(subject) && text.contains("Federated credentials"), "{text}");
    }
    // Signed by another key than the issuer's.
    let other = jsonwebtoken::EncodingKey::from_rsa_pem(credential_support::pem("other.key").as_bytes()).unwrap();
    let claims = serde_json::json!({"iss": ISSUER, "sub": SUBJECT, "aud": "api://AzureADTokenExchange", "nbf": now(), "exp": now() + 600});
    let forged = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &other).unwrap();
    let e = emu.send(&emu.mailer_with(&with_file(&token_file(&forged))), "forged").expect_err("wrong key");
    assert_eq!(e.code.as_deref(), Some("AADSTS700027"));
    assert!(e.to_string().contains("signature"), "{e}");
}

#[test]
fn missing_empty_or_garbage_file_names_the_file_and_the_variable() {
    let emu = emulator();
    let missing = format!("{}/no-such-token", certs().display());
    let e = emu.config_with(&with_file(&missing)).expect_err("missing");
    assert_eq!((e.kind, e.config_key.as_deref()), (ErrorKind::Configuration, Some("federated_token_file")));
    assert!(e.to_string().contains(&missing) && e.to_string().contains("O365_FEDERATED_TOKEN_FILE"), "{e}");
    let e = emu.config_with(&with_file(&token_file("  \n"))).expect_err("empty");
    assert!(e.to_string().contains("is empty"), "{e}");
    let e = emu.config_with(&with_file(&token_file("not a jwt"))).expect_err("garbage");
    assert!(e.to_string().contains("does not hold a JWT"), "{e}");
    // From the env variable: the message names it.
    let env = |k: &str| (k == "AZURE_FEDERATED_TOKEN_FILE").then(|| missing.clone());
    let e = Config::from_pairs_with_env(vec![("tenant_id", s("t")), ("client_id", s("c"))], &env).expect_err("missing");
    assert!(e.to_string().contains("env AZURE_FEDERATED_TOKEN_FILE") && e.to_string().contains(&missing), "{e}");
    // A file deleted after construction fails the send with the same message.
    let path = token_file(&token(ISSUER, SUBJECT, 0));
    let mailer = emu.mailer_with(&with_file(&path));
    std::fs::remove_file(&path).unwrap();
    let e = emu.send(&mailer, "deleted").expect_err("gone");
    assert_eq!(e.config_key.as_deref(), Some("federated_token_file"));
    assert!(e.to_string().contains(&path), "{e}");
}

#[test]
fn azure_workload_identity_env_variables_are_defaults() {
    let emu = emulator();
    let path = token_file(&token(ISSUER, SUBJECT, 0));
    let vars: HashMap<&str, String> = HashMap::from([
        ("AZURE_FEDERATED_TOKEN_FILE", path.clone()),
        ("AZURE_CLIENT_ID", DEFAULT_CLIENT_ID.to_string()),
        ("AZURE_TENANT_ID", "contoso.onmicrosoft.com".to_string()),
        ("AZURE_AUTHORITY_HOST", format!("{}/", emu.base)),
    ]);
    let env = |k: &str| vars.get(k).cloned();
    // Only the Graph endpoint in the config: everything else from the environment.
    let config = Config::from_pairs_with_env(vec![("graph_endpoint", s(&emu.base))], &env).expect("config from env");
    assert_eq!(config.client_id, DEFAULT_CLIENT_ID);
    assert_eq!(config.login_endpoint, emu.base);
    emu.send(&Mailer::new(config), "from env").expect("sent");
    // Config keys win over the env variables.
    let config = Config::from_pairs_with_env(vec![("graph_endpoint", s(&emu.base)), ("client_id", s("from-config"))], &env).unwrap();
    assert_eq!(config.client_id, "from-config");
    // An explicit credential wins over AZURE_FEDERATED_TOKEN_FILE, and the AZURE_* ids
    // are then not used (they belong to the workload identity).
    let pairs = vec![("tenant_id", s("t")), ("client_id", s("c")), ("client_secret", s("x"))];
    let config = Config::from_pairs_with_env(pairs, &env).unwrap();
    assert_eq!((config.credential.describe(), config.client_id.as_str()), ("client secret", "c"));
    assert_eq!(config.login_endpoint, "https://login.microsoftonline.com");
}
