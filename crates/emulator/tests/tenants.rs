//! Several apps in several tenants on one emulator, each with its own secret, roles and
//! access policy: what the PHP tests use to route two mailers to two tenants.

mod common;

use common::*;
use o365_emulator::{AppConfig, EmulatorConfig};

const TENANT_A: &str = "11111111-1111-1111-1111-111111111111";
const TENANT_B: &str = "22222222-2222-2222-2222-222222222222";

fn two_tenants() -> Env {
    start(EmulatorConfig {
        mailboxes: Some(vec!["a@contoso.com".into(), "b@fabrikam.com".into()]),
        apps: vec![
            AppConfig {
                tenant_id: Some(TENANT_A.into()),
                tenant_domains: vec!["contoso.onmicrosoft.com".into()],
                client_id: "app-a".into(),
                client_secrets: vec!["secret-a".into()],
                allowed_mailboxes: Some(vec!["a@contoso.com".into()]),
                ..AppConfig::default()
            },
            AppConfig {
                tenant_id: Some(TENANT_B.into()),
                client_id: "app-b".into(),
                client_secrets: vec!["secret-b".into()],
                allowed_mailboxes: Some(vec!["b@fabrikam.com".into()]),
                ..AppConfig::default()
            },
        ],
        ..EmulatorConfig::default()
    })
}

#[test]
fn each_app_sends_from_its_own_mailbox_only() {
    let env = two_tenants();
    let a = env.token_for("contoso.onmicrosoft.com", "app-a", "secret-a");
    let b = env.token_for(TENANT_B, "app-b", "secret-b");
    assert_eq!(claims(&a)["tid"], TENANT_A);
    assert_eq!(claims(&b)["tid"], TENANT_B);
    assert_eq!(env.send_mime(&a, "a@contoso.com", &simple_mime("a@contoso.com", "x@example.com", "from A")).status(), 202);
    assert_eq!(env.send_mime(&b, "b@fabrikam.com", &simple_mime("b@fabrikam.com", "y@example.com", "from B")).status(), 202);
    assert_graph_error(env.send_mime(&a, "b@fabrikam.com", &simple_mime("b@fabrikam.com", "y@example.com", "x")), 403, "ErrorAccessDenied");
    let msgs = env.messages();
    assert_eq!(msgs.len(), 2);
    assert_eq!((msgs[0]["app"].as_str(), msgs[0]["tenant"].as_str()), (Some("app-a"), Some(TENANT_A)));
    assert_eq!((msgs[1]["app"].as_str(), msgs[1]["tenant"].as_str()), (Some("app-b"), Some(TENANT_B)));
}

#[test]
fn apps_and_secrets_do_not_cross_tenants() {
    let env = two_tenants();
    let form = |id: &'static str, secret: &'static str| {
        vec![("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret), ("scope", SCOPE)]
    };
    assert_entra_error(env.token_request(TENANT_B, &form("app-a", "secret-a")), 400, "unauthorized_client", 700_016);
    assert_entra_error(env.token_request(TENANT_A, &form("app-a", "secret-b")), 401, "invalid_client", 7_000_215);
    assert_entra_error(env.token_request("fabrikam.onmicrosoft.com", &form("app-b", "secret-b")), 400, "invalid_request", 90_002);
}
