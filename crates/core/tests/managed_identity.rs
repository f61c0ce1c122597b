//! Managed identity end to end against the emulator's IMDS and App Service endpoints:
//! no tenant, no secret; user-assigned identities by client id; IMDS's transient answers
//! retried within a bound; an unreachable endpoint and refusals explained.

mod common;

use std::collections::HashMap;

use common::{Emu, s};
use o365_core::{Config, ConfigValue, ErrorKind, Mailer};
use o365_emulator::{DEFAULT_IDENTITY_HEADER, EmulatorConfig, ManagedIdentityConfig};

const IMDS: &str = "/metadata/identity/oauth2/token";
const APP_SERVICE: &str = "/msi/token";
const USER_ASSIGNED: &str = "5b1ee1f2-0000-4000-8000-00000000beef";

fn emulator() -> Emu {
    let mut config = EmulatorConfig::default();
    config.managed_identities.push(ManagedIdentityConfig { client_id: USER_ASSIGNED.into(), user_assigned: true, ..Default::default() });
    common::start(config)
}

/// A config with only the Graph endpoint and `pairs`, in the environment `vars`.
fn config(emu: &Emu, pairs: Vec<(&'static str, ConfigValue)>, vars: &[(&str, String)]) -> Result<Config, o365_core::Error> {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let env = move |k: &str| vars.get(k).cloned();
    let mut all = vec![("graph_endpoint", s(&emu.base)), ("timeout", ConfigValue::Int(10))];
    all.extend(pairs);
    Config::from_pairs_with_env(all, &env)
}

#[test]
fn imds_system_assigned_needs_no_tenant_or_secret() {
    let emu = emulator();
    let endpoint = format!("{}{IMDS}", emu.base);
    let c = config(&emu, vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(&endpoint))], &[]).expect("config");
    assert_eq!(c.credential.describe(), "managed identity (system-assigned)");
    let mailer = Mailer::new(c);
    emu.send(&mailer, "imds").expect("sent");
    emu.send(&mailer, "imds again").expect("sent");
    let reqs = emu.requests_to(IMDS);
    assert_eq!(reqs.len(), 1, "the token is cached");
    assert_eq!(reqs[0]["method"], "GET");
    assert_eq!(reqs[0]["scope"], "https://graph.microsoft.com");
    let d = mailer.diagnose().expect("diagnose");
    let left = d.expires_at.saturating_sub(common::unix_now());
    assert!(left > 3000 && left <= 3600, "expires_on parsed: {left} s left");
    assert_eq!(d.token_endpoint, endpoint);
    assert!(d.credential_details.iter().any(|(k, v)| k == "managed_identity_protocol" && v.starts_with("IMDS")));
}

#[test]
fn app_service_protocol_from_the_platform_env() {
    let emu = emulator();
    let vars = [("IDENTITY_ENDPOINT", format!("{}{APP_SERVICE}", emu.base)), ("IDENTITY_HEADER", DEFAULT_IDENTITY_HEADER.to_string())];
    // `managed_identity` as Laravel's env() gives it: the string "true".
    let mailer = Mailer::new(config(&emu, vec![("managed_identity", s("true"))], &vars).expect("config"));
    emu.send(&mailer, "app service").expect("sent");
    assert_eq!(emu.requests_to(APP_SERVICE).len(), 1);
    // User-assigned by client id.
    let mailer = Mailer::new(config(&emu, vec![("managed_identity", s(USER_ASSIGNED))], &vars).expect("config"));
    assert_eq!(mailer.config().credential.describe(), "managed identity (user-assigned)");
    emu.send(&mailer, "user-assigned").expect("sent");
    let reqs = emu.requests_to(APP_SERVICE);
    assert!(reqs.iter().any(|r| r["query"].as_str().is_some_and(|q| q.contains(USER_ASSIGNED))), "{reqs:?}");
    // A stale IDENTITY_HEADER is refused with the fix.
    let stale = [vars[0].clone(), ("IDENTITY_HEADER", "stale".to_string())];
    let e = Mailer::new(config(&emu, vec![("managed_identity", ConfigValue::Bool(true))], &stale).unwrap()).diagnose().expect_err("401");
    assert_eq!((e.kind, e.status), (ErrorKind::Authentication, Some(401)));
    assert!(e.to_string().contains("restart the app") && !e.to_string().contains("stale"), "{e}");
}

#[test]
fn unknown_user_assigned_identity_says_how_to_attach_it() {
    let emu = emulator();
    let endpoint = format!("{}{IMDS}", emu.base);
    let pairs = vec![("managed_identity", s("11111111-2222-3333-4444-555555555555")), ("managed_identity_endpoint", s(&endpoint))];
    let e = Mailer::new(config(&emu, pairs, &[]).unwrap()).diagnose().expect_err("not found");
    assert_eq!(e.status, Some(400));
    assert!(e.to_string().contains("Identity not found") && e.to_string().contains("User assigned: Add"), "{e}");
    assert_eq!(emu.requests_to(IMDS).len(), 1, "a 400 is not retried");
}

#[test]
fn imds_transient_answers_are_retried_within_a_bound() {
    let emu = emulator();
    let endpoint = format!("{}{IMDS}", emu.base);
    let pairs = || vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(&endpoint)), ("max_retries", ConfigValue::Int(0))];
    emu.faults(serde_json::json!([
        {"match": {"path": IMDS}, "status": 410, "times": 1},
        {"match": {"path": IMDS}, "status": 404, "times": 1},
        {"match": {"path": IMDS}, "status": 503, "times": 1},
    ]));
    Mailer::new(config(&emu, pairs(), &[]).unwrap()).diagnose().expect("succeeds after three transient answers");
    assert_eq!(emu.requests_to(IMDS).len(), 4);
    // Always failing: bounded (three retries), then the error says so.
    let emu = emulator();
    let endpoint = format!("{}{IMDS}", emu.base);
    emu.faults(serde_json::json!([{"match": {"path": IMDS}, "status": 500}]));
    let e = Mailer::new(config(&emu, vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(&endpoint))], &[]).unwrap())
        .diagnose()
        .expect_err("always 500");
    assert_eq!(e.status, Some(500));
    assert_eq!(e.kind, ErrorKind::Authentication, "{e}");
    assert_eq!(emu.requests_to(IMDS).len(), 4, "one try and three retries");
}

#[test]
fn unreachable_endpoint_is_not_an_azure_host() {
    let emu = emulator();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}{IMDS}", l.local_addr().unwrap())
    };
    let pairs = vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(&closed)), ("max_retries", ConfigValue::Int(0))];
    let e = Mailer::new(config(&emu, pairs, &[]).unwrap()).diagnose().expect_err("nothing listens");
    assert_eq!(e.kind, ErrorKind::Transport);
    assert!(e.to_string().contains("no managed identity endpoint answers") && e.to_string().contains("managed_identity_endpoint"), "{e}");
}

#[test]
fn cloud_picks_the_resource() {
    let emu = emulator();
    let endpoint = format!("{}{IMDS}", emu.base);
    let pairs = vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(&endpoint)), ("cloud", s("usgov"))];
    Mailer::new(config(&emu, pairs, &[]).unwrap()).diagnose().expect("token");
    assert_eq!(emu.requests_to(IMDS)[0]["scope"], "https://graph.microsoft.us");
}

#[test]
fn exactly_one_credential_kind() {
    let emu = emulator();
    let pairs = vec![
        ("managed_identity", ConfigValue::Bool(true)),
        ("client_secret", s("shh-secret")),
        ("federated_token_file", s("/tmp/x")),
    ];
    let e = config(&emu, pairs, &[]).expect_err("three kinds");
    assert_eq!(e.kind, ErrorKind::Configuration);
    let text = e.to_string();
    for k in ["`client_secret`", "`federated_token_file`", "`managed_identity`"] {
        assert!(text.contains(k), "{text}");
    }
    assert!(!text.contains("shh-secret"));
    let e = config(&emu, vec![("managed_identity_endpoint", s("http://x/"))], &[]).expect_err("endpoint alone");
    assert_eq!(e.config_key.as_deref(), Some("managed_identity_endpoint"));
    let e = config(&emu, vec![("managed_identity", s("a b"))], &[]).expect_err("bad id");
    assert!(e.to_string().contains("Client ID"), "{e}");
    let e = config(&emu, vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s("ftp://x"))], &[]).expect_err("bad url");
    assert!(e.to_string().contains("not an http(s) URL"), "{e}");
    // Without any credential the message lists every kind.
    let e = config(&emu, vec![("tenant_id", s("t")), ("client_id", s("c"))], &[]).expect_err("none");
    assert!(e.to_string().contains("managed_identity") && e.to_string().contains("client_certificate"), "{e}");
}

#[test]
fn endpoint_is_validated_like_login_endpoint_at_construction() {
    let emu = emulator();
    let password = "hunter2-secret";
    let bad = [
        format!("http://user:{password}@127.0.0.1:9{IMDS}"),
        format!("http://127.0.0.1:99999{IMDS}"),
        format!("http://[::1{IMDS}"),
        format!("http://127.0.0.1:9{IMDS}\0"),
        format!("http://127.0.0.1:9{IMDS}#frag"),
        format!("http://127.0.0.1:9\\{IMDS}"),
        "http://".to_string(),
    ];
    for endpoint in &bad {
        let pairs = vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(endpoint))];
        let from_config = config(&emu, pairs, &[]).expect_err(endpoint);
        let from_env = config(&emu, vec![("managed_identity", ConfigValue::Bool(true))], &[("IDENTITY_ENDPOINT", endpoint.clone())]).expect_err(endpoint);
        for e in [&from_config, &from_env] {
            assert_eq!(e.kind, ErrorKind::Configuration, "{endpoint:?}: {e}");
            assert_eq!(e.config_key.as_deref(), Some("managed_identity_endpoint"), "{endpoint:?}: {e}");
            common::assert_secret_free(e, password);
        }
        assert!(from_env.to_string().contains("IDENTITY_ENDPOINT"), "{from_env}");
    }
    // A path and a query are part of a token URL and stay allowed.
    let ok = format!("{}{IMDS}?x=1", emu.base);
    config(&emu, vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(&ok))], &[]).expect("a token URL with a query");
}

/// A managed identity endpoint answering 200 with the given `expires_on`.
fn hostile_imds(expires_on: serde_json::Value) -> common::hostile::Hostile {
    common::hostile::Hostile::start(move |_, _| {
        common::hostile::Reply::json(200, serde_json::json!({"access_token": "mi-token", "expires_on": expires_on.clone(), "resource": "https://graph.microsoft.com"}))
    })
}

#[test]
fn absurd_expiry_is_refused_never_cached() {
    let emu = emulator();
    for (expires_on, words) in [
        (serde_json::json!("-9223372036854775808"), "in the past"),
        (serde_json::json!(-9223372036854775807i64), "in the past"),
        (serde_json::json!("100"), "in the past"),
        (serde_json::json!("9223372036854775807"), "too far in the future"),
        (serde_json::json!(1e300), "too far in the future"),
    ] {
        let imds = hostile_imds(expires_on.clone());
        let endpoint = format!("{}{IMDS}", imds.base);
        let pairs = || vec![("managed_identity", ConfigValue::Bool(true)), ("managed_identity_endpoint", s(&endpoint)), ("max_retries", ConfigValue::Int(0))];
        for attempt in 0..2 {
            let mailer = Mailer::new(config(&emu, pairs(), &[]).expect("config"));
            let e = emu.send(&mailer, "absurd expiry").expect_err(&format!("{expires_on} is refused"));
            assert_eq!(e.kind, ErrorKind::Authentication, "{expires_on}: {e}");
            assert!(e.to_string().contains("expires_on") && e.to_string().contains(words), "{expires_on}: {e}");
            assert!(!e.to_string().contains("mi-token"), "{e}");
            assert_eq!(imds.seen_to(IMDS).len(), attempt + 1, "{expires_on}: never cached");
        }
    }
    assert!(emu.messages().is_empty());
}
