//! sendMail: base64 MIME and JSON, what the emulator keeps of them, and Graph's auth,
//! mailbox and policy errors.

mod common;

use common::*;
use o365_emulator::{AppConfig, EmulatorConfig};
use serde_json::json;

const RICH_MIME: &str = "From: Sender <sender@contoso.com>\r\n\
To: Ann <ann@example.com>, bob@example.com\r\n\
Cc: carl@example.com\r\n\
Bcc: hidden@example.com\r\n\
Reply-To: replies@contoso.com\r\n\
Subject: Quarterly report\r\n\
Message-ID: <abc@contoso.com>\r\n\
List-Unsubscribe: <https://contoso.com/u>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"mixed\"\r\n\
\r\n\
--mixed\r\n\
Content-Type: multipart/related; boundary=\"rel\"\r\n\
\r\n\
--rel\r\n\
Content-Type: multipart/alternative; boundary=\"alt\"\r\n\
\r\n\
--alt\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Plain body\r\n\
--alt\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>HTML body <img src=\"cid:logo@contoso\"></p>\r\n\
--alt--\r\n\
--rel\r\n\
Content-Type: image/png\r\n\
Content-ID: <logo@contoso>\r\n\
Content-Disposition: inline; filename=\"logo.png\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
iVBORw0KGgo=\r\n\
--rel--\r\n\
--mixed\r\n\
Content-Type: application/pdf; name=\"report.pdf\"\r\n\
Content-Disposition: attachment; filename=\"report.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--mixed--\r\n";

#[test]
fn mime_send_is_accepted_and_kept_with_bcc_bodies_and_attachments() {
    let env = start_default();
    let token = env.token();
    let resp = env
        .http
        .post(env.url(&format!("/v1.0/users/{MAILBOX}/sendMail")))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .header("client-request-id", "11111111-2222-3333-4444-555555555555")
        .body(b64(RICH_MIME.as_bytes()))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 202);
    assert!(resp.headers().get("request-id").is_some());
    assert_eq!(resp.headers()["client-request-id"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(resp.text().unwrap(), "");
    let msgs = env.messages();
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m["format"], "mime");
    assert_eq!(m["mailbox"], MAILBOX);
    assert_eq!(m["subject"], "Quarterly report");
    assert_eq!(m["to"], json!(["ann@example.com", "bob@example.com"]));
    assert_eq!(m["cc"], json!(["carl@example.com"]));
    assert_eq!(m["bcc"], json!(["hidden@example.com"]));
    assert_eq!(m["reply_to"], json!(["replies@contoso.com"]));
    assert_eq!(m["from"], "sender@contoso.com");
    assert_eq!(m["save_to_sent_items"], true);
    assert_eq!(m["mime"], RICH_MIME);
    assert!(m["body_text"].as_str().unwrap().contains("Plain body"));
    assert!(m["body_html"].as_str().unwrap().contains("cid:logo@contoso"));
    assert!(m["headers"].as_array().unwrap().iter().any(|h| h["name"] == "List-Unsubscribe"));
    let atts = m["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 2);
    let logo = atts.iter().find(|a| a["name"] == "logo.png").unwrap();
    assert_eq!(logo["is_inline"], true);
    assert_eq!(logo["content_id"], "logo@contoso");
    assert_eq!(logo["content_type"], "image/png");
    assert_eq!(logo["size"], 8);
    let pdf = atts.iter().find(|a| a["name"] == "report.pdf").unwrap();
    assert_eq!(pdf["is_inline"], false);
    assert_eq!(pdf["content_type"], "application/pdf");
    assert_eq!(pdf["size"], 9);
    // Attachment bytes come back byte for byte.
    let id = m["id"].as_str().unwrap();
    let idx = atts.iter().position(|a| a["name"] == "report.pdf").unwrap();
    let bytes = env.http.get(env.url(&format!("/_emulator/messages/{id}/attachments/{idx}"))).send().unwrap().bytes().unwrap();
    assert_eq!(&bytes[..], b"%PDF-1.4\n");
    // Clearing forgets them.
    assert_eq!(env.http.delete(env.url("/_emulator/messages")).send().unwrap().status(), 204);
    assert!(env.messages().is_empty());
}

#[test]
fn mime_base64_with_line_breaks_is_accepted() {
    let env = start_default();
    let encoded = b64(simple_mime(MAILBOX, "a@example.com", "wrapped").as_bytes());
    let wrapped: String = encoded.as_bytes().chunks(76).map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap())).collect();
    let resp = env.graph_post(&env.token(), &format!("/v1.0/users/{MAILBOX}/sendMail"), "text/plain", wrapped);
    assert_eq!(resp.status(), 202);
}

#[test]
fn json_send_keeps_recipients_attachments_and_save_flag() {
    let env = start_default();
    let body = json!({
        "message": {
            "subject": "JSON hello",
            "body": {"contentType": "HTML", "content": "<b>hi</b>"},
            "toRecipients": [{"emailAddress": {"address": "to@example.com", "name": "To"}}],
            "ccRecipients": [{"emailAddress": {"address": "cc@example.com"}}],
            "bccRecipients": [{"emailAddress": {"address": "bcc@example.com"}}],
            "replyTo": [{"emailAddress": {"address": "reply@contoso.com"}}],
            "importance": "High",
            "internetMessageHeaders": [{"name": "X-Campaign", "value": "q3"}],
            "attachments": [{
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": "a.txt", "contentType": "text/plain", "contentBytes": b64(b"hello"),
            }, {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": "logo.png", "contentType": "image/png", "contentBytes": b64(b"png"),
                "isInline": true, "contentId": "logo",
            }],
        },
        "saveToSentItems": false,
    });
    let resp = env.send_json(&env.token(), &format!("/v1.0/users/{MAILBOX}/sendMail"), &body);
    assert_eq!(resp.status(), 202);
    let m = &env.messages()[0];
    assert_eq!(m["format"], "json");
    assert_eq!(m["save_to_sent_items"], false);
    assert_eq!(m["to"], json!(["to@example.com"]));
    assert_eq!(m["cc"], json!(["cc@example.com"]));
    assert_eq!(m["bcc"], json!(["bcc@example.com"]));
    assert_eq!(m["body_html"], "<b>hi</b>");
    assert_eq!(m["importance"], "high");
    assert_eq!(m["mime"], serde_json::Value::Null);
    assert_eq!(m["headers"][0]["name"], "X-Campaign");
    assert_eq!(m["attachments"][0]["name"], "a.txt");
    assert_eq!(m["attachments"][0]["size"], 5);
    assert_eq!(m["attachments"][1]["is_inline"], true);
    assert_eq!(m["attachments"][1]["content_id"], "logo");
    assert_eq!(
        m["attachments"][0]["sha256"],
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
}

#[test]
fn invalid_bodies_get_graphs_400s() {
    let env = start_default();
    let token = env.token();
    let path = format!("/v1.0/users/{MAILBOX}/sendMail");
    assert_graph_error(env.graph_post(&token, &path, "text/plain", "%%% not base64 %%%".into()), 400, "ErrorMimeContentInvalidBase64String");
    assert_graph_error(env.graph_post(&token, &path, "application/json", "{not json".into()), 400, "BadRequest");
    let no_rcpt = json!({"message": {"subject": "x", "body": {"contentType": "Text", "content": "x"}}});
    assert_graph_error(env.send_json(&token, &path, &no_rcpt), 400, "ErrorInvalidRecipients");
    let bad_rcpt = json_message("not-an-address", "x");
    assert_graph_error(env.send_json(&token, &path, &bad_rcpt), 400, "ErrorInvalidRecipients");
    let mut bad_att = json_message("a@example.com", "x");
    bad_att["message"]["attachments"] = json!([{"@odata.type": "#microsoft.graph.fileAttachment", "name": "x", "contentBytes": "***"}]);
    assert_graph_error(env.send_json(&token, &path, &bad_att), 400, "RequestBodyRead");
    assert!(env.messages().is_empty());
}

#[test]
fn internet_message_headers_rules() {
    let env = start_default();
    let token = env.token();
    let path = format!("/v1.0/users/{MAILBOX}/sendMail");
    let mut m = json_message("a@example.com", "x");
    m["message"]["internetMessageHeaders"] = json!([{"name": "Reply-By", "value": "x"}]);
    assert_graph_error(env.send_json(&token, &path, &m), 400, "InvalidInternetMessageHeader");
    let six: Vec<_> = (0..6).map(|i| json!({"name": format!("x-h{i}"), "value": "v"})).collect();
    m["message"]["internetMessageHeaders"] = json!(six);
    assert_graph_error(env.send_json(&token, &path, &m), 400, "InvalidInternetMessageHeaderCollection");
    m["message"]["internetMessageHeaders"] = json!(six[..5]);
    assert_eq!(env.send_json(&token, &path, &m).status(), 202);
}

#[test]
fn bad_tokens_get_401() {
    let env = start(EmulatorConfig { token_lifetime_secs: 0, ..EmulatorConfig::default() });
    let path = format!("/v1.0/users/{MAILBOX}/sendMail");
    let mime = b64(simple_mime(MAILBOX, "a@example.com", "x").as_bytes());
    let resp = env.http.post(env.url(&path)).header("content-type", "text/plain").body(mime.clone()).send().unwrap();
    assert!(resp.headers().get("www-authenticate").is_some());
    assert_graph_error(resp, 401, "InvalidAuthenticationToken");
    let expired = env.token();
    let v = assert_graph_error(env.graph_post(&expired, &path, "text/plain", mime.clone()), 401, "InvalidAuthenticationToken");
    assert_eq!(v["error"]["message"], "Access token has expired or is not yet valid.");
    // A token from another emulator instance is forged as far as this one is concerned.
    let other = start_default();
    assert_graph_error(env.graph_post(&other.token(), &path, "text/plain", mime.clone()), 401, "InvalidAuthenticationToken");
    assert_graph_error(env.graph_post("not.a.jwt", &path, "text/plain", mime), 401, "InvalidAuthenticationToken");
}

#[test]
fn missing_role_and_access_policy_and_unknown_mailboxes() {
    let env = start(EmulatorConfig {
        mailboxes: Some(vec![MAILBOX.into(), "other@contoso.com".into()]),
        disabled_mailboxes: vec!["onprem@contoso.com".into()],
        apps: vec![
            AppConfig { allowed_mailboxes: Some(vec![MAILBOX.into()]), ..AppConfig::default() },
            AppConfig { client_id: "no-consent".into(), client_secrets: vec!["s".into()], roles: vec![], ..AppConfig::default() },
        ],
        ..EmulatorConfig::default()
    });
    let mime = simple_mime(MAILBOX, "a@example.com", "x");
    let token = env.token();
    let v = assert_graph_error(env.send_mime(&token, "other@contoso.com", &mime), 403, "ErrorAccessDenied");
    assert_eq!(v["error"]["message"], "Access to OData is disabled.");
    assert_graph_error(env.send_mime(&token, "nobody@contoso.com", &mime), 404, "ErrorInvalidUser");
    assert_graph_error(env.send_mime(&token, "onprem@contoso.com", &mime), 404, "MailboxNotEnabledForRESTAPI");
    let no_roles = env.token_for(TENANT, "no-consent", "s");
    let v = assert_graph_error(env.send_mime(&no_roles, MAILBOX, &mime), 403, "ErrorAccessDenied");
    assert_eq!(v["error"]["message"], "Access is denied. Check credentials and try again.");
    // Mailboxes compare case-insensitively, and may arrive percent-encoded.
    assert_eq!(env.send_mime(&token, "Sender%40Contoso.com", &mime).status(), 202);
    assert_eq!(env.messages().len(), 1);
}

#[test]
fn rbac_for_applications_grants_within_its_scope_and_adds_to_entra() {
    let env = start(EmulatorConfig {
        apps: vec![
            // RBAC only: no Entra consent, Exchange grants Mail.Send on one mailbox.
            AppConfig { roles: vec![], rbac_roles: vec!["Mail.Send".into()], rbac_scope: Some(vec![MAILBOX.into()]), ..AppConfig::default() },
            // Entra consent narrowed by a policy, plus an RBAC grant elsewhere: the two add up.
            AppConfig {
                client_id: "both".into(),
                client_secrets: vec!["s".into()],
                allowed_mailboxes: Some(vec![MAILBOX.into()]),
                rbac_roles: vec!["Mail.Send".into()],
                rbac_scope: Some(vec!["other@contoso.com".into()]),
                ..AppConfig::default()
            },
        ],
        ..EmulatorConfig::default()
    });
    let mime = simple_mime(MAILBOX, "a@example.com", "x");
    let rbac_only = env.token();
    assert_eq!(env.send_mime(&rbac_only, MAILBOX, &mime).status(), 202, "the token has no roles, Exchange grants Mail.Send");
    let v = assert_graph_error(env.send_mime(&rbac_only, "other@contoso.com", &simple_mime("other@contoso.com", "a@example.com", "x")), 403, "ErrorAccessDenied");
    assert_eq!(v["error"]["message"], "Access to OData is disabled.");
    // An RBAC grant of Mail.Send does not cover operations needing Mail.ReadWrite.
    let v = assert_graph_error(env.send_json(&rbac_only, &format!("/v1.0/users/{MAILBOX}/messages"), &json!({"subject": "x"})), 403, "ErrorAccessDenied");
    assert_eq!(v["error"]["message"], "Access is denied. Check credentials and try again.");
    let both = env.token_for(TENANT, "both", "s");
    assert_eq!(env.send_mime(&both, MAILBOX, &mime).status(), 202);
    assert_eq!(env.send_mime(&both, "other@contoso.com", &simple_mime("other@contoso.com", "a@example.com", "x")).status(), 202);
    assert_graph_error(env.send_mime(&both, "third@contoso.com", &simple_mime("third@contoso.com", "a@example.com", "x")), 403, "ErrorAccessDenied");
}

#[test]
fn send_as_needs_a_grant() {
    let mut send_as = std::collections::BTreeMap::new();
    send_as.insert(MAILBOX.to_string(), vec!["shared@contoso.com".to_string()]);
    let env = start(EmulatorConfig { send_as, ..EmulatorConfig::default() });
    let token = env.token();
    let v = assert_graph_error(env.send_mime(&token, MAILBOX, &simple_mime("ceo@contoso.com", "a@example.com", "x")), 403, "ErrorSendAsDenied");
    assert!(v["error"]["message"].as_str().unwrap().contains("send mail on behalf of"));
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime("shared@contoso.com", "a@example.com", "x")).status(), 202);
    let mut j = json_message("a@example.com", "x");
    j["message"]["from"] = json!({"emailAddress": {"address": "ceo@contoso.com"}});
    assert_graph_error(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/sendMail"), &j), 403, "ErrorSendAsDenied");
}

#[test]
fn request_ids_on_every_response_and_requests_are_logged() {
    let env = start_default();
    let token = env.token();
    let resp = env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "x"));
    let rid = resp.headers()["request-id"].to_str().unwrap().to_string();
    // Without a client-request-id, Graph repeats its own id.
    assert_eq!(resp.headers()["client-request-id"].to_str().unwrap(), rid);
    let reqs = env.get_json("/_emulator/requests");
    let list = reqs.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["path"], format!("/{TENANT}/oauth2/v2.0/token"));
    assert_eq!(list[0]["status"], 200);
    assert_eq!(list[1]["method"], "POST");
    assert_eq!(list[1]["status"], 202);
    assert_eq!(list[1]["request_id"], rid.as_str());
    assert!(!reqs.to_string().contains(&token), "tokens are never logged");
}

#[test]
fn me_and_unknown_paths() {
    let env = start_default();
    let token = env.token();
    let resp = env.send_json(&token, "/v1.0/me/sendMail", &json_message("a@example.com", "x"));
    assert_graph_error(resp, 400, "BadRequest");
    let resp = env.http.get(env.url(&format!("/v1.0/users/{MAILBOX}/sendMail"))).bearer_auth(&token).send().unwrap();
    assert_eq!(resp.status(), 405);
}

#[test]
fn pascal_case_action_parameters_like_the_graph_sdks_send() {
    let env = start_default();
    let body = json!({
        "Message": {
            "subject": "from an SDK",
            "body": {"contentType": "text", "content": "hi"},
            "toRecipients": [{"emailAddress": {"address": "to@example.com"}}],
        },
        "SaveToSentItems": false,
    });
    assert_eq!(env.send_json(&env.token(), &format!("/v1.0/users/{MAILBOX}/sendMail"), &body).status(), 202);
    let m = &env.messages()[0];
    assert_eq!(m["subject"], "from an SDK");
    assert_eq!(m["save_to_sent_items"], false);
}
