//! The mailbox check (`o365:check`): one sendMail without recipients tells, with Mail.Send
//! alone, whether a send from the mailbox would pass, and if not why; it sends nothing.

mod common;

use common::*;
use o365_core::MailboxStatus;
use o365_emulator::{AppConfig, EmulatorConfig};

fn status(emu: &Emu, sender: &str) -> MailboxStatus {
    emu.mailer().check_mailbox(Some(sender)).expect("a verdict").status
}

#[test]
fn each_answer_has_its_verdict_and_nothing_is_sent() {
    let emu = start(EmulatorConfig {
        mailboxes: Some(vec![MAILBOX.into(), "outside@contoso.com".into()]),
        disabled_mailboxes: vec!["onprem@contoso.com".into()],
        apps: vec![AppConfig { allowed_mailboxes: Some(vec![MAILBOX.into(), "nobody@contoso.com".into(), "onprem@contoso.com".into()]), ..Default::default() }],
        ..Default::default()
    });
    let ok = emu.mailer().check_mailbox(Some(MAILBOX)).expect("usable");
    assert_eq!((ok.mailbox.as_str(), ok.status), (MAILBOX, MailboxStatus::Usable));
    assert!(ok.refusal.is_none());
    assert_eq!(status(&emu, "nobody@contoso.com"), MailboxStatus::NotFound);
    assert_eq!(status(&emu, "onprem@contoso.com"), MailboxStatus::NotEnabled);
    let outside = emu.mailer().check_mailbox(Some("outside@contoso.com")).expect("a verdict");
    assert_eq!(outside.status, MailboxStatus::OutsideScope);
    let refusal = outside.refusal.expect("Graph's answer is kept");
    assert_eq!((refusal.status, refusal.code.as_deref()), (Some(403), Some("ErrorAccessDenied")));
    assert!(refusal.request_id.is_some());
    assert!(emu.messages().is_empty(), "the check sends nothing");
}

#[test]
fn no_role_is_access_denied_not_a_scope_problem() {
    let emu = start(EmulatorConfig { apps: vec![AppConfig { roles: vec![], ..Default::default() }], ..Default::default() });
    assert_eq!(status(&emu, MAILBOX), MailboxStatus::AccessDenied);
}

#[test]
fn the_configured_mailbox_wins_over_the_sender_as_when_sending() {
    let emu = start(EmulatorConfig { mailboxes: Some(vec!["fixed@contoso.com".into()]), ..Default::default() });
    let mailer = emu.mailer_with(&[("mailbox", o365_core::ConfigValue::Str("fixed@contoso.com".into()))]);
    let c = mailer.check_mailbox(Some("someone@contoso.com")).expect("a verdict");
    assert_eq!((c.mailbox.as_str(), c.status), ("fixed@contoso.com", MailboxStatus::Usable));
    let e = emu.mailer().check_mailbox(None).expect_err("no mailbox at all");
    assert_eq!(e.config_key.as_deref(), Some("mailbox"));
}
