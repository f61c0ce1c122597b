//! Errors: each Graph and Entra failure the emulator can produce becomes the right kind,
//! with status, code, request ids and a hint naming the fix; secrets never appear.

mod common;

use common::*;
use o365_core::{ConfigValue, ErrorKind};
use o365_emulator::{AppConfig, EmulatorConfig};
use serde_json::json;

const OTHER: &str = "other@contoso.com";

fn send_from(emu: &Emu, mailbox: &str) -> o365_core::Error {
    emu.mailer().send_mime(&mime(mailbox, "ann@example.com", "x"), Some(mailbox), &[]).expect_err("refused")
}

fn assert_graph(e: &o365_core::Error, status: u16, code: &str, hint_parts: &[&str]) {
    assert_eq!(e.status, Some(status), "{e}");
    assert_eq!(e.code.as_deref(), Some(code), "{e}");
    assert!(e.request_id.as_deref().is_some_and(|r| !r.is_empty()), "request-id captured: {e:?}");
    assert!(e.client_request_id.is_some());
    let hint = e.hint.as_deref().unwrap_or_default();
    for p in hint_parts {
        assert!(hint.contains(p), "hint lacks {p:?}: {hint}");
    }
    assert!(e.to_string().contains("Fix:"), "{e}");
}

#[test]
fn access_policy_excluding_the_mailbox() {
    let app = AppConfig { allowed_mailboxes: Some(vec![MAILBOX.into()]), ..Default::default() };
    let emu = start(EmulatorConfig { apps: vec![app], ..Default::default() });
    let e = send_from(&emu, OTHER);
    assert_eq!(e.kind, ErrorKind::GraphClient);
    assert_graph(&e, 403, "ErrorAccessDenied", &["Test-ApplicationAccessPolicy", "Test-ServicePrincipalAuthorization", OTHER, "Mail.Send"]);
}

#[test]
fn no_mail_send_role_needs_admin_consent() {
    let app = AppConfig { roles: vec![], ..Default::default() };
    let emu = start(EmulatorConfig { apps: vec![app], ..Default::default() });
    let e = send_from(&emu, MAILBOX);
    assert_graph(&e, 403, "ErrorAccessDenied", &["Mail.Send", "admin consent", "Test-ApplicationAccessPolicy", "Test-ServicePrincipalAuthorization"]);
    let d = emu.mailer().diagnose().expect("diagnose");
    assert!(d.roles.is_empty());
    assert!(d.missing.iter().any(|m| m.contains("Mail.Send")), "{d:?}");
}

#[test]
fn unknown_and_unlicensed_mailboxes() {
    let emu = start(EmulatorConfig {
        mailboxes: Some(vec![MAILBOX.into()]),
        disabled_mailboxes: vec!["onprem@contoso.com".into()],
        ..Default::default()
    });
    let e = send_from(&emu, "nobody@contoso.com");
    assert_graph(&e, 404, "ErrorInvalidUser", &["nobody@contoso.com", "mailbox"]);
    let e = send_from(&emu, "onprem@contoso.com");
    assert_graph(&e, 404, "MailboxNotEnabledForRESTAPI", &["license"]);
}

#[test]
fn send_as_denied() {
    let emu = start_default();
    // From is another mailbox than the one sending.
    let m = mime("boss@contoso.com", "ann@example.com", "as-boss");
    let e = emu.mailer().send_mime(&m, Some(MAILBOX), &[]).expect_err("refused");
    assert_graph(&e, 403, "ErrorSendAsDenied", &["Send As", "Add-RecipientPermission"]);
}

#[test]
fn invalid_recipients_and_too_large() {
    let emu = start(EmulatorConfig {
        limits: o365_emulator::Limits { max_request_bytes: 2000, ..Default::default() },
        ..Default::default()
    });
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 400, "graph_code": "ErrorInvalidRecipients", "times": 1 }]));
    let e = send_from(&emu, MAILBOX);
    assert_graph(&e, 400, "ErrorInvalidRecipients", &["recipient"]);
    let mut big = mime(MAILBOX, "ann@example.com", "big");
    big.extend(std::iter::repeat_n(b'x', 4000));
    let e = emu.mailer().send_mime(&big, None, &[]).expect_err("too large");
    assert_eq!(e.kind, ErrorKind::GraphClient);
    assert!(e.hint.as_deref().unwrap_or("").contains("4 MB"), "{e}");
}

#[test]
fn entra_errors_name_the_fix() {
    let app = AppConfig { expired_secrets: vec!["old-secret-value".into()], ..Default::default() };
    let disabled = AppConfig { client_id: "disabled-app".into(), disabled: true, ..Default::default() };
    let emu = start(EmulatorConfig { apps: vec![app, disabled], ..Default::default() });
    let cases: Vec<(Vec<(&str, ConfigValue)>, &str, &str)> = vec![
        (vec![("client_secret", s("wrong-secret-value"))], "AADSTS7000215", "Secret ID"),
        (vec![("client_secret", s("old-secret-value"))], "AADSTS7000222", "new client secret"),
        (vec![("client_id", s("11111111-2222-3333-4444-555555555555"))], "AADSTS700016", "client_id"),
        (vec![("client_id", s("disabled-app"))], "AADSTS7000112", "enable"),
    ];
    for (overrides, code, hint) in cases {
        let mailer = emu.mailer_with(&overrides);
        let e = emu.send(&mailer, "x").expect_err(code);
        assert_eq!(e.kind, ErrorKind::Authentication, "{e}");
        assert_eq!(e.code.as_deref(), Some(code), "{e}");
        assert!(e.hint.as_deref().unwrap_or("").contains(hint), "{code}: {e}");
        assert!(e.client_request_id.is_some());
        for secret in ["wrong-secret-value", "old-secret-value", o365_emulator::DEFAULT_CLIENT_SECRET] {
            assert_secret_free(&e, secret);
        }
        let _ = mailer.diagnose().expect_err("diagnose fails the same way");
    }
    assert!(emu.messages().is_empty());
    assert_eq!(emu.stats()["graph_requests"], 0);
}

#[test]
fn unknown_tenant_suggests_the_cloud() {
    let app = AppConfig { tenant_id: Some("11111111-0000-0000-0000-000000000000".into()), ..Default::default() };
    let emu = start(EmulatorConfig { apps: vec![app], ..Default::default() });
    let e = emu.send(&emu.mailer(), "x").expect_err("no such tenant");
    assert_eq!(e.code.as_deref(), Some("AADSTS90002"), "{e}");
    assert!(e.hint.as_deref().unwrap_or("").contains("cloud"), "{e}");
}

#[test]
fn secrets_never_reach_debug_output() {
    let emu = start_default();
    let secret = o365_emulator::DEFAULT_CLIENT_SECRET;
    let mailer = emu.mailer();
    assert!(!format!("{mailer:?}").contains(secret));
    assert!(!format!("{:?}", mailer.config()).contains(secret));
    assert!(!format!("{:?}", mailer.config().credential).contains(secret));
    assert!(!format!("{:?}", mailer.graph().unwrap()).contains(secret));
    let d = mailer.diagnose().expect("diagnose");
    let dump = format!("{d:?}");
    assert!(!dump.contains(secret) && !dump.contains("eyJ"), "no secret, no token: {dump}");
    assert_eq!(d.roles, vec!["Mail.Send".to_string(), "Mail.ReadWrite".to_string()]);
    assert!(d.expires_at > common::unix_now() + 3000, "an hour's token");
    assert_eq!(d.graph_endpoint, emu.base);
    assert!(d.token_endpoint.starts_with(&emu.base) && d.token_endpoint.ends_with("/oauth2/v2.0/token"));
    assert_eq!(emu.requests_to("/oauth2/v2.0/token")[0]["scope"], "https://graph.microsoft.com/.default");
    assert!(d.missing.is_empty());
    // A Graph error after a token was used does not carry the token either.
    emu.faults(json!([{ "match": { "path": "sendMail" }, "status": 500 }]));
    let e = emu.send(&mailer, "x").expect_err("500");
    assert_eq!(e.kind, ErrorKind::GraphServer);
    assert!(!format!("{e:?}{e}").contains("eyJ"));
    assert_secret_free(&e, secret);
}
