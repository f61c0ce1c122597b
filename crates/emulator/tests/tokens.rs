//! Entra's token endpoint: client credentials with a secret or a certificate, and every
//! AADSTS error in Entra's shape.

mod common;
#[path = "common/certs.rs"]
mod certs;

use common::*;
use o365_emulator::{AppConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig};

fn form<'a>(client_id: &'a str, secret: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret), ("scope", SCOPE)]
}

#[test]
fn secret_gets_a_bearer_token_shaped_like_entras() {
    let env = start_default();
    let resp = env.token_request(TENANT, &form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET));
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("request-id").is_some());
    let v = body(resp);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(v["ext_expires_in"], 3599);
    assert!(v.get("refresh_token").is_none());
    let c = claims(v["access_token"].as_str().unwrap());
    assert_eq!(c["roles"], serde_json::json!(["Mail.Send", "Mail.ReadWrite"]));
    assert_eq!(c["appid"], DEFAULT_CLIENT_ID);
    // Entra puts the tenant's GUID in `tid` and the issuer, whatever name was asked for.
    let tid = c["tid"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(tid).is_ok() && tid != TENANT, "tid {tid}");
    assert_eq!(c["iss"], format!("https://sts.windows.net/{tid}/"));
    assert_eq!(c["aud"], "https://graph.microsoft.com");
    assert_eq!(c["appidacr"], "1");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let exp = c["exp"].as_u64().unwrap();
    assert!(exp > now + 3500 && exp <= now + 3600, "exp {exp} now {now}");
    assert_eq!(env.get_json("/_emulator/stats")["token_requests"], 1);
}

#[test]
fn lifetime_and_roles_are_configurable() {
    let env = start(EmulatorConfig {
        token_lifetime_secs: 120,
        apps: vec![AppConfig { roles: vec![], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let v = body(env.token_request(TENANT, &form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)));
    assert_eq!(v["expires_in"], 120);
    assert!(v.get("refresh_in").is_none(), "short-lived tokens carry no refresh_in");
    // No admin consent: Entra still issues a token, just without `roles`.
    assert!(claims(v["access_token"].as_str().unwrap()).get("roles").is_none());
}

#[test]
fn long_lived_tokens_carry_refresh_in() {
    let env = start(EmulatorConfig { token_lifetime_secs: 86_399, ..EmulatorConfig::default() });
    let v = body(env.token_request(TENANT, &form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)));
    assert_eq!(v["expires_in"], 86_399);
    assert_eq!(v["refresh_in"], 43_199);
}

#[test]
fn wrong_secret_is_aadsts7000215() {
    let env = start_default();
    let resp = env.token_request(TENANT, &form(DEFAULT_CLIENT_ID, "not-the-secret"));
    let v = assert_entra_error(resp, 401, "invalid_client", 7_000_215);
    assert!(!v.to_string().contains("not-the-secret"), "the secret must never be echoed");
}

#[test]
fn expired_secret_is_aadsts7000222() {
    let env = start(EmulatorConfig {
        apps: vec![AppConfig { expired_secrets: vec!["old".into()], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    assert_entra_error(env.token_request(TENANT, &form(DEFAULT_CLIENT_ID, "old")), 401, "invalid_client", 7_000_222);
}

#[test]
fn unknown_app_and_unknown_tenant() {
    let env = start(EmulatorConfig {
        apps: vec![AppConfig { tenant_id: Some("11111111-1111-1111-1111-111111111111".into()), tenant_domains: vec![TENANT.into()], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let other = "99999999-9999-9999-9999-999999999999";
    assert_entra_error(env.token_request(TENANT, &form(other, "x")), 400, "unauthorized_client", 700_016);
    assert_entra_error(env.token_request("fabrikam.onmicrosoft.com", &form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)), 400, "invalid_request", 90_002);
    // The tenant is known by id and by domain; `tid` is always the id.
    let t = env.token_for(TENANT, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    assert_eq!(claims(&t)["tid"], "11111111-1111-1111-1111-111111111111");
    assert_eq!(claims(&t)["iss"], "https://sts.windows.net/11111111-1111-1111-1111-111111111111/");
}

#[test]
fn a_tenant_named_by_domain_gets_one_stable_guid() {
    // No configured tenant id: the app lives in every tenant, and each name maps to a GUID
    // of its own, the same in every run and in either case.
    let env = start_default();
    let tid = |tenant: &str| claims(&env.token_for(tenant, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))["tid"].clone();
    let contoso = tid(TENANT);
    assert_eq!(tid("Contoso.OnMicrosoft.com"), contoso);
    assert_ne!(tid("fabrikam.onmicrosoft.com"), contoso);
    let other = start_default();
    assert_eq!(claims(&other.token_for(TENANT, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))["tid"], contoso);
    // The GUID names the same tenant: token requests and discovery answer for it too.
    let guid = contoso.as_str().unwrap();
    assert_eq!(claims(&env.token_for(guid, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))["tid"], contoso);
    assert_eq!(env.get_json(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"))["issuer"], format!("{}/{guid}/v2.0", env.base));
    // A configured tenant id that is a name (not a GUID) gets a derived GUID, and the
    // app is found under it.
    let named = start(EmulatorConfig {
        apps: vec![AppConfig { tenant_id: Some(TENANT.into()), ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let t = named.token_for(TENANT, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    assert_eq!(claims(&t)["tid"], contoso);
    assert_eq!(named.send_mime(&t, MAILBOX, &simple_mime(MAILBOX, "to@example.com", "by guid")).status(), 202);
    assert_eq!(named.messages()[0]["tenant"], contoso);
}

/// Verifies an RS256 JWT against a JWKS document, as a resource server would.
fn verify_with_jwks(token: &str, jwks: &serde_json::Value) -> Result<(), String> {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|e| e.to_string());
    let parts: Vec<&str> = token.split('.').collect();
    let header: serde_json::Value = serde_json::from_slice(&b64(parts[0])?).map_err(|e| e.to_string())?;
    if header["alg"] != "RS256" {
        return Err(format!("alg {}", header["alg"]));
    }
    let key = jwks["keys"].as_array().into_iter().flatten().find(|k| k["kid"] == header["kid"]).ok_or("kid not in the JWKS")?;
    let n = b64(key["n"].as_str().ok_or("n")?)?;
    let e = b64(key["e"].as_str().ok_or("e")?)?;
    aws_lc_rs::signature::RsaPublicKeyComponents { n: &n, e: &e }
        .verify(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, format!("{}.{}", parts[0], parts[1]).as_bytes(), &b64(parts[2])?)
        .map_err(|_| "signature does not verify".to_string())
}

#[test]
fn tokens_are_rs256_under_a_kid_the_jwks_publishes() {
    let env = start_default();
    let token = env.token();
    let jwks = env.get_json(&format!("/{TENANT}/discovery/v2.0/keys"));
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    assert_eq!(jwks["keys"][0]["use"], "sig");
    verify_with_jwks(&token, &jwks).unwrap();
    // Managed identity tokens are signed the same way.
    let mi = env
        .http
        .get(env.url("/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com"))
        .header("Metadata", "true")
        .send()
        .unwrap();
    verify_with_jwks(body(mi)["access_token"].as_str().unwrap(), &jwks).unwrap();
    // Another emulator's keys do not verify this one's tokens, and its Graph refuses them.
    let other = start_default();
    let other_jwks = other.get_json(&format!("/{TENANT}/discovery/v2.0/keys"));
    assert!(verify_with_jwks(&token, &other_jwks).is_err());
    let resp = other.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "to@example.com", "forged"));
    assert_graph_error(resp, 401, "InvalidAuthenticationToken");
}

#[test]
fn another_clouds_graph_token_is_issued_but_refused_by_this_graph() {
    let env = start_default();
    for resource in ["https://graph.microsoft.us", "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn"] {
        let scope = format!("{resource}/.default");
        let resp = env.token_request(TENANT, &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("scope", scope.as_str()),
        ]);
        assert_eq!(resp.status(), 200, "{resource}");
        let token = body(resp)["access_token"].as_str().unwrap().to_string();
        assert_eq!(claims(&token)["aud"], resource);
        let resp = env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "to@example.com", "wrong cloud"));
        let v = assert_graph_error(resp, 401, "InvalidAuthenticationToken");
        assert!(v["error"]["message"].as_str().unwrap().contains("Invalid audience"), "{v}");
    }
    assert!(env.messages().is_empty());
    // Graph's app id as the scope names this Graph.
    let resp = env.token_request(TENANT, &[
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
        ("scope", "00000003-0000-0000-c000-000000000000/.default"),
    ]);
    let token = body(resp)["access_token"].as_str().unwrap().to_string();
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "to@example.com", "global")).status(), 202);
}

#[test]
fn missing_credential_grant_and_scope_errors() {
    let env = start_default();
    let no_cred = [("grant_type", "client_credentials"), ("client_id", DEFAULT_CLIENT_ID), ("scope", SCOPE)];
    assert_entra_error(env.token_request(TENANT, &no_cred), 401, "invalid_client", 7_000_218);
    let mut f = form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    f[3] = ("scope", "https://graph.microsoft.com/Mail.Send");
    assert_entra_error(env.token_request(TENANT, &f), 400, "invalid_scope", 1_002_012);
    f[3] = ("scope", "https://unknown.example.com/.default");
    assert_entra_error(env.token_request(TENANT, &f), 400, "invalid_resource", 500_011);
    let mut f = form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    f.remove(3);
    assert_entra_error(env.token_request(TENANT, &f), 400, "invalid_request", 900_144);
    let mut f = form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    f[0] = ("grant_type", "password");
    assert_entra_error(env.token_request(TENANT, &f), 400, "unsupported_grant_type", 70_003);
}

#[test]
fn disabled_app_is_aadsts7000112() {
    let env = start(EmulatorConfig { apps: vec![AppConfig { disabled: true, ..AppConfig::default() }], ..EmulatorConfig::default() });
    assert_entra_error(env.token_request(TENANT, &form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)), 400, "unauthorized_client", 7_000_112);
}

#[test]
fn basic_auth_secret_is_accepted() {
    let env = start_default();
    let resp = env
        .http
        .post(env.url(&format!("/{TENANT}/oauth2/v2.0/token")))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", SCOPE)])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[test]
fn openid_discovery_names_the_token_endpoint() {
    let env = start_default();
    let doc = env.get_json(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"));
    assert_eq!(doc["token_endpoint"], format!("{}/{TENANT}/oauth2/v2.0/token", env.base));
    assert!(doc["authorization_endpoint"].is_string());
    assert!(doc["issuer"].is_string());
    assert_eq!(doc["id_token_signing_alg_values_supported"], serde_json::json!(["RS256"]));
    let keys = env.get_json(&format!("/{TENANT}/discovery/v2.0/keys"));
    let header: serde_json::Value = {
        use base64::Engine;
        let token = env.token();
        let h = token.split('.').next().unwrap().to_string();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
    };
    assert_eq!(keys["keys"][0]["kid"], header["kid"]);
}

#[test]
fn discovery_of_unknown_tenant_and_get_on_token_endpoint() {
    let env = start(EmulatorConfig {
        apps: vec![AppConfig { tenant_id: Some("11111111-1111-1111-1111-111111111111".into()), ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let resp = env.http.get(env.url("/nowhere/v2.0/.well-known/openid-configuration")).send().unwrap();
    assert_entra_error(resp, 400, "invalid_tenant", 90_002);
    let resp = env.http.get(env.url("/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token")).send().unwrap();
    assert_entra_error(resp, 400, "invalid_request", 900_561);
}

fn cert_env(cert: &certs::TestCert) -> Env {
    start(EmulatorConfig {
        apps: vec![AppConfig { client_secrets: vec![], certificates: vec![cert.cert_pem.clone()], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    })
}

fn assertion_form(assertion: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("scope", SCOPE),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", assertion),
    ]
}

#[test]
fn certificate_assertions_ps256_and_rs256() {
    let cert = certs::rsa_cert();
    let env = cert_env(&cert);
    let aud = env.url(&format!("/{TENANT}/oauth2/v2.0/token"));
    for alg in ["PS256", "RS256"] {
        let a = certs::Assertion::new(alg, DEFAULT_CLIENT_ID, aud.clone()).sign(&cert);
        let resp = env.token_request(TENANT, &assertion_form(&a));
        assert_eq!(resp.status(), 200, "{alg}");
        assert_eq!(claims(body(resp)["access_token"].as_str().unwrap())["appidacr"], "2");
    }
}

#[test]
fn bad_assertions_are_refused() {
    let cert = certs::rsa_cert();
    let env = cert_env(&cert);
    let aud = env.url(&format!("/{TENANT}/oauth2/v2.0/token"));
    // Signed by another key than the registered certificate's.
    let other = certs::rsa_cert();
    let forged = certs::Assertion::new("PS256", DEFAULT_CLIENT_ID, aud.clone()).sign_with(&cert, &other.key_der);
    assert_entra_error(env.token_request(TENANT, &assertion_form(&forged)), 401, "invalid_client", 700_027);
    // A certificate that is not registered.
    let unknown = certs::Assertion::new("PS256", DEFAULT_CLIENT_ID, aud.clone()).sign(&other);
    assert_entra_error(env.token_request(TENANT, &assertion_form(&unknown)), 401, "invalid_client", 700_027);
    // Expired.
    let mut a = certs::Assertion::new("PS256", DEFAULT_CLIENT_ID, aud.clone());
    a.exp_offset = -3600;
    assert_entra_error(env.token_request(TENANT, &assertion_form(&a.sign(&cert))), 401, "invalid_client", 700_024);
    // Wrong audience.
    let a = certs::Assertion::new("PS256", DEFAULT_CLIENT_ID, "https://example.com/other".into()).sign(&cert);
    assert_entra_error(env.token_request(TENANT, &assertion_form(&a)), 401, "invalid_client", 700_023);
    // iss/sub of another app.
    let a = certs::Assertion::new("PS256", "someone-else", aud.clone()).sign(&cert);
    assert_entra_error(env.token_request(TENANT, &assertion_form(&a)), 401, "invalid_client", 700_021);
    // Not a JWT.
    assert_entra_error(env.token_request(TENANT, &assertion_form("garbage")), 400, "invalid_request", 50_027);
}

#[test]
fn a_certificate_assertion_may_be_reused_until_it_expires() {
    // MSAL, Azure Identity and @azure/identity reuse one signed assertion for about ten
    // minutes; Entra accepts it until its `exp`.
    let cert = certs::rsa_cert();
    let env = cert_env(&cert);
    let aud = env.url(&format!("/{TENANT}/oauth2/v2.0/token"));
    let a = certs::Assertion::new("PS256", DEFAULT_CLIENT_ID, aud.clone()).sign(&cert);
    for attempt in 0..3 {
        assert_eq!(env.token_request(TENANT, &assertion_form(&a)).status(), 200, "use {attempt}");
    }
    // After its `exp` (and Entra's five minutes of skew) it is refused as expired.
    let mut old = certs::Assertion::new("PS256", DEFAULT_CLIENT_ID, aud);
    old.exp_offset = -301;
    assert_entra_error(env.token_request(TENANT, &assertion_form(&old.sign(&cert))), 401, "invalid_client", 700_024);
}
