//! Managed identity endpoints (IMDS and App Service style) and federated assertions
//! (workload identity federation), over HTTP, in the shapes Azure uses.

mod common;
#[path = "common/certs.rs"]
mod certs;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use o365_emulator::{
    AppConfig, DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_HEADER, DEFAULT_MANAGED_IDENTITY_ID, EmulatorConfig, FederatedCredentialConfig,
    ManagedIdentityConfig,
};
use serde_json::Value;

const IMDS: &str = "/metadata/identity/oauth2/token";
const APP_SERVICE: &str = "/msi/token";
const ISSUER: &str = "https://oidc.example.test/cluster-1";
const SUBJECT: &str = "system:serviceaccount:mail:sender";

fn get(env: &Env, path: &str, header: Option<(&str, &str)>) -> reqwest::blocking::Response {
    let mut req = env.http.get(env.url(path));
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    req.send().expect("request")
}

#[test]
fn imds_issues_tokens_for_the_system_and_user_assigned_identities() {
    let mut config = EmulatorConfig::default();
    config.managed_identities.push(ManagedIdentityConfig { client_id: "ua-1".into(), user_assigned: true, roles: vec![], ..Default::default() });
    let env = start(config);
    let q = "?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com";
    let resp = get(&env, &format!("{IMDS}{q}"), Some(("Metadata", "true")));
    assert_eq!(resp.status(), 200);
    let v = body(resp);
    for k in ["expires_in", "expires_on", "not_before", "ext_expires_in"] {
        assert!(v[k].as_str().is_some_and(|s| s.parse::<u64>().is_ok()), "{k} is a numeric string: {v}");
    }
    assert_eq!(v["client_id"], DEFAULT_MANAGED_IDENTITY_ID);
    let c = claims(v["access_token"].as_str().unwrap());
    assert_eq!(c["appid"], DEFAULT_MANAGED_IDENTITY_ID);
    assert_eq!(c["roles"], serde_json::json!(["Mail.Send", "Mail.ReadWrite"]));
    // The token works on Graph.
    assert_eq!(env.send_mime(v["access_token"].as_str().unwrap(), MAILBOX, "From: sender@contoso.com\r\nTo: x@y.z\r\nSubject: mi\r\n\r\nhi").status(), 202);
    // User-assigned: its own id, its own (here: no) roles.
    let v = body(get(&env, &format!("{IMDS}{q}&client_id=ua-1"), Some(("Metadata", "true"))));
    assert!(claims(v["access_token"].as_str().unwrap()).get("roles").is_none());
    // IMDS's errors.
    let v = body_status(get(&env, &format!("{IMDS}{q}"), None), 400);
    assert_eq!(v["error_description"], "Required metadata header not specified");
    let v = body_status(get(&env, &format!("{IMDS}{q}&client_id=nope"), Some(("Metadata", "true"))), 400);
    assert_eq!(v["error_description"], "Identity not found");
    let v = body_status(get(&env, &format!("{IMDS}?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net"), Some(("Metadata", "true"))), 400);
    assert_eq!(v["error"], "invalid_resource");
    assert_eq!(env.get_json("/_emulator/stats")["token_requests"], 5);
}

fn body_status(resp: reqwest::blocking::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    body(resp)
}

#[test]
fn app_service_endpoint_wants_the_identity_header() {
    let env = start(EmulatorConfig { managed_identities: vec![ManagedIdentityConfig::default()], ..Default::default() });
    let q = "?api-version=2019-08-01&resource=https://graph.microsoft.us";
    let v = body_status(get(&env, &format!("{APP_SERVICE}{q}"), Some(("X-IDENTITY-HEADER", DEFAULT_IDENTITY_HEADER))), 200);
    assert!(v["expires_on"].as_str().unwrap().parse::<u64>().is_ok());
    assert_eq!(v["resource"], "https://graph.microsoft.us");
    let v = body_status(get(&env, &format!("{APP_SERVICE}{q}"), Some(("X-IDENTITY-HEADER", "stale"))), 401);
    assert_eq!(v["statusCode"], 401);
    body_status(get(&env, &format!("{APP_SERVICE}?api-version=2018-02-01&resource=https://graph.microsoft.com"), Some(("X-IDENTITY-HEADER", DEFAULT_IDENTITY_HEADER))), 400);
    // No system-assigned identity configured: nothing without a client id.
    let env = start(EmulatorConfig { managed_identities: vec![], ..Default::default() });
    body_status(get(&env, &format!("{APP_SERVICE}{q}"), Some(("X-IDENTITY-HEADER", DEFAULT_IDENTITY_HEADER))), 400);
}

/// A federated token signed with `key` (PKCS#8 DER), RS256.
fn federated_token(key: &[u8], iss: &str, sub: &str, aud: &str, offset: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 + offset;
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
    let claims = serde_json::json!({"iss": iss, "sub": sub, "aud": aud, "iat": now, "nbf": now, "exp": now + 3600});
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let kp = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(key).unwrap();
    let mut sig = vec![0u8; kp.public_modulus_len()];
    kp.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn jwks_of(cert: &certs::TestCert) -> String {
    use aws_lc_rs::signature::KeyPair;
    let kp = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&cert.key_der).unwrap();
    let public = kp.public_key();
    let n = public.modulus().big_endian_without_leading_zero();
    let e = public.exponent().big_endian_without_leading_zero();
    serde_json::json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)}]}).to_string()
}

#[test]
fn federated_assertions_are_matched_and_verified() {
    let issuer_key = certs::rsa_cert();
    let via_cert = certs::rsa_cert();
    let env = start(EmulatorConfig {
        apps: vec![AppConfig {
            client_secrets: vec![],
            federated_credentials: vec![
                FederatedCredentialConfig { issuer: ISSUER.into(), subject: SUBJECT.into(), jwks: Some(jwks_of(&issuer_key)), ..Default::default() },
                FederatedCredentialConfig { issuer: "https://token.actions.githubusercontent.com".into(), subject: "repo:o/r:ref:refs/heads/main".into(), key: Some(via_cert.cert_pem.clone()), ..Default::default() },
            ],
            ..AppConfig::default()
        }],
        ..EmulatorConfig::default()
    });
    let form = |a: &str| {
        vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", DEFAULT_CLIENT_ID.to_string()),
            ("scope", SCOPE.to_string()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string()),
            ("client_assertion", a.to_string()),
        ]
    };
    let send = |a: &str| {
        let f = form(a);
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        env.token_request(TENANT, &f)
    };
    let aud = "api://AzureADTokenExchange";
    assert_eq!(send(&federated_token(&issuer_key.key_der, ISSUER, SUBJECT, aud, 0)).status(), 200, "JWKS key");
    let gh = federated_token(&via_cert.key_der, "https://token.actions.githubusercontent.com", "repo:o/r:ref:refs/heads/main", aud, 0);
    assert_eq!(send(&gh).status(), 200, "PEM certificate key");
    let err = |resp: reqwest::blocking::Response| body(resp)["error_codes"][0].as_u64().unwrap();
    assert_eq!(err(send(&federated_token(&issuer_key.key_der, "https://other", SUBJECT, aud, 0))), 700_211);
    assert_eq!(err(send(&federated_token(&issuer_key.key_der, ISSUER, "system:serviceaccount:x:y", aud, 0))), 700_213);
    assert_eq!(err(send(&federated_token(&issuer_key.key_der, ISSUER, SUBJECT, "api://other", 0))), 700_212);
    assert_eq!(err(send(&federated_token(&via_cert.key_der, ISSUER, SUBJECT, aud, 0))), 700_027, "wrong key");
    assert_eq!(err(send(&federated_token(&issuer_key.key_der, ISSUER, SUBJECT, aud, -7200))), 700_024, "expired");
}

#[test]
fn config_file_declares_federated_credentials_and_managed_identities() {
    let path = std::env::temp_dir().join(format!("o365-emu-wi-{}.toml", std::process::id()));
    std::fs::write(&path, r#"
[[apps]]
client_id = "app-a"
federated_credentials = [{ issuer = "https://oidc.example/cluster", subject = "system:serviceaccount:ns:sa", jwks = "{\"keys\": []}" }]

[[managed_identities]]
client_id = "ua-2"
user_assigned = true
tenant_id = "t"
roles = ["Mail.Send"]
"#).unwrap();
    let config = EmulatorConfig::from_file(&path).expect("parses");
    std::fs::remove_file(&path).ok();
    let fed = &config.apps[0].federated_credentials[0];
    assert_eq!((fed.subject.as_str(), fed.audience.as_str()), ("system:serviceaccount:ns:sa", "api://AzureADTokenExchange"));
    assert_eq!(config.managed_identities.len(), 1, "a file's list replaces the default identity");
    assert!(config.managed_identities[0].user_assigned);
    // A federated credential without any usable key is refused at start, naming the issuer.
    let err = o365_emulator::Emulator::start(config).err().expect("no key");
    assert!(err.to_string().contains("https://oidc.example/cluster"), "{err}");
}
