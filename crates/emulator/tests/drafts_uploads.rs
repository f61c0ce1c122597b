//! The large-message path: drafts (JSON and MIME), small attachments, upload sessions
//! with byte ranges (resumable, no Authorization), /send, and DELETE.

mod common;

use common::*;
use o365_emulator::{AppConfig, EmulatorConfig};
use reqwest::blocking::Response;
use serde_json::{Value, json};

const MB: usize = 1024 * 1024;

fn create_json_draft(env: &Env, token: &str) -> String {
    let draft = json!({
        "subject": "Big one",
        "body": {"contentType": "Text", "content": "see attached"},
        "toRecipients": [{"emailAddress": {"address": "to@example.com"}}],
        "bccRecipients": [{"emailAddress": {"address": "bcc@example.com"}}],
    });
    let resp = env.send_json(token, &format!("/v1.0/users/{MAILBOX}/messages"), &draft);
    assert_eq!(resp.status(), 201);
    let v = body(resp);
    assert_eq!(v["isDraft"], true);
    assert_eq!(v["subject"], "Big one");
    v["id"].as_str().unwrap().to_string()
}

fn create_session(env: &Env, token: &str, id: &str, name: &str, size: usize) -> Response {
    let body = json!({"AttachmentItem": {"attachmentType": "file", "name": name, "size": size, "contentType": "application/octet-stream"}});
    env.send_json(token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/attachments/createUploadSession"), &body)
}

fn put_range(env: &Env, url: &str, data: &[u8], start: usize, end: usize) -> Response {
    env.http
        .put(url)
        .header("content-type", "application/octet-stream")
        .header("content-range", format!("bytes {start}-{}/{}", end - 1, data.len()))
        .body(data[start..end].to_vec())
        .send()
        .unwrap()
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn draft_upload_session_and_send() {
    let env = start_default();
    let token = env.token();
    let id = create_json_draft(&env, &token);
    let data = pattern(9 * MB + 123);
    let resp = create_session(&env, &token, &id, "big.bin", data.len());
    assert_eq!(resp.status(), 201);
    let session = body(resp);
    assert_eq!(session["nextExpectedRanges"], json!(["0-"]));
    assert!(session["expirationDateTime"].is_string());
    let url = session["uploadUrl"].as_str().unwrap().to_string();

    let r = put_range(&env, &url, &data, 0, 4 * MB);
    assert_eq!(r.status(), 200);
    assert_eq!(body(r)["nextExpectedRanges"], json!([format!("{}", 4 * MB)]));
    // A chunk that does not start at the next expected byte is refused...
    let r = put_range(&env, &url, &data, 5 * MB, 6 * MB);
    assert_eq!(r.status(), 416);
    // ...and the upload resumes where the emulator says (GET on the URL tells too).
    let status = env.http.get(&url).send().unwrap();
    assert_eq!(status.status(), 200);
    assert_eq!(body(status)["nextExpectedRanges"], json!([format!("{}", 4 * MB)]));
    let r = put_range(&env, &url, &data, 4 * MB, 8 * MB);
    assert_eq!(r.status(), 200);
    assert_eq!(body(r)["nextExpectedRanges"], json!([format!("{}", 8 * MB)]));
    let r = put_range(&env, &url, &data, 8 * MB, data.len());
    assert_eq!(r.status(), 201);
    assert!(r.headers()["location"].to_str().unwrap().contains("/Attachments('"));

    let drafts = env.get_json("/_emulator/drafts");
    assert_eq!(drafts[0]["attachments"][0]["size"], data.len());

    let resp = env.graph_post(&token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/send"), "application/json", String::new());
    assert_eq!(resp.status(), 202);
    let msgs = env.messages();
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m["via"], "draft");
    assert_eq!(m["format"], "json");
    assert_eq!(m["save_to_sent_items"], true);
    assert_eq!(m["bcc"], json!(["bcc@example.com"]));
    let att = &m["attachments"][0];
    assert_eq!(att["name"], "big.bin");
    assert_eq!(att["size"], data.len());
    assert_eq!(att["sha256"], sha256_hex(&data));
    assert!(env.get_json("/_emulator/drafts").as_array().unwrap().is_empty());
    // Sent drafts cannot be sent twice.
    let again = env.graph_post(&token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/send"), "application/json", String::new());
    assert_graph_error(again, 404, "ErrorItemNotFound");
}

#[test]
fn upload_urls_can_name_another_host() {
    let env = start(EmulatorConfig { upload_host: Some("localhost".into()), ..EmulatorConfig::default() });
    let token = env.token();
    let id = create_json_draft(&env, &token);
    let session = body(create_session(&env, &token, &id, "x.bin", 3 * MB));
    let url = session["uploadUrl"].as_str().unwrap().to_string();
    let port = env.emu.local_addr().port();
    assert!(url.starts_with(&format!("http://localhost:{port}/api/v2.0/")), "{url}");
    let data = pattern(3 * MB);
    assert_eq!(put_range(&env, &url, &data, 0, data.len()).status(), 201);
}

#[test]
fn upload_rules() {
    let env = start_default();
    let token = env.token();
    let id = create_json_draft(&env, &token);
    assert_graph_error(create_session(&env, &token, &id, "small", 2 * MB), 400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize");
    assert_graph_error(create_session(&env, &token, &id, "huge", 150 * MB + 1), 400, "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize");
    assert_graph_error(create_session(&env, &token, "AAMkAGnope=", "x", 5 * MB), 404, "ErrorItemNotFound");
    // The boundaries themselves are allowed.
    assert_eq!(create_session(&env, &token, &id, "min", 3 * MB).status(), 201);
    assert_eq!(create_session(&env, &token, &id, "max", 150 * MB).status(), 201);
    let session = body(create_session(&env, &token, &id, "x.bin", 5 * MB));
    let url = session["uploadUrl"].as_str().unwrap().to_string();
    let data = pattern(5 * MB);
    // More than 4 MB in one PUT.
    assert_eq!(put_range(&env, &url, &data, 0, 4 * MB + 1).status(), 413);
    // A bearer token on the pre-authenticated URL.
    let r = env.http.put(&url).bearer_auth(&token).header("content-range", format!("bytes 0-9/{}", data.len())).body(data[..10].to_vec()).send().unwrap();
    assert_eq!(r.status(), 401);
    // Missing Content-Range.
    assert_eq!(env.http.put(&url).body(data[..10].to_vec()).send().unwrap().status(), 400);
    // A wrong authtoken.
    let forged = url.replace("authtoken=", "authtoken=x");
    assert_eq!(put_range(&env, &forged, &data, 0, 10).status(), 401);
    // DELETE cancels the session.
    assert_eq!(env.http.delete(&url).send().unwrap().status(), 204);
    assert_eq!(put_range(&env, &url, &data, 0, 10).status(), 404);
}

#[test]
fn mime_draft_small_attachment_and_delete() {
    let env = start_default();
    let token = env.token();
    let mime = simple_mime(MAILBOX, "to@example.com", "MIME draft");
    let resp = env.graph_post(&token, &format!("/v1.0/users/{MAILBOX}/messages"), "text/plain", b64(mime.as_bytes()));
    assert_eq!(resp.status(), 201);
    let id = body(resp)["id"].as_str().unwrap().to_string();
    let att = json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": "n.txt", "contentBytes": b64(b"note")});
    let resp = env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/attachments"), &att);
    assert_eq!(resp.status(), 201);
    assert_eq!(body(resp)["size"], 4);
    let got = env.http.get(env.url(&format!("/v1.0/users/{MAILBOX}/messages/{id}"))).bearer_auth(&token).send().unwrap();
    assert_eq!(body(got)["subject"], "MIME draft");
    let del = env.http.delete(env.url(&format!("/v1.0/users/{MAILBOX}/messages/{id}"))).bearer_auth(&token).send().unwrap();
    assert_eq!(del.status(), 204);
    let del = env.http.delete(env.url(&format!("/v1.0/users/{MAILBOX}/messages/{id}"))).bearer_auth(&token).send().unwrap();
    assert_graph_error(del, 404, "ErrorItemNotFound");

    // A MIME draft sent with /send shows its MIME.
    let resp = env.graph_post(&token, &format!("/v1.0/users/{MAILBOX}/messages"), "text/plain", b64(mime.as_bytes()));
    let id = body(resp)["id"].as_str().unwrap().to_string();
    let r = env.graph_post(&token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/send"), "text/plain", String::new());
    assert_eq!(r.status(), 202);
    let m = &env.messages()[0];
    assert_eq!(m["format"], "mime");
    assert_eq!(m["mime"], mime.as_str());
    assert_eq!(m["to"], json!(["to@example.com"]));
}

#[test]
fn drafts_need_mail_readwrite() {
    let env = start(EmulatorConfig {
        apps: vec![AppConfig { roles: vec!["Mail.Send".into()], ..AppConfig::default() }],
        ..EmulatorConfig::default()
    });
    let resp = env.send_json(&env.token(), &format!("/v1.0/users/{MAILBOX}/messages"), &json!({"subject": "x"}));
    let v: Value = assert_graph_error(resp, 403, "ErrorAccessDenied");
    assert_eq!(v["error"]["message"], "Access is denied. Check credentials and try again.");
}

#[test]
fn sending_a_draft_checks_recipients() {
    let env = start_default();
    let token = env.token();
    let resp = env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages"), &json!({"subject": "nobody"}));
    let id = body(resp)["id"].as_str().unwrap().to_string();
    let r = env.graph_post(&token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/send"), "application/json", String::new());
    assert_graph_error(r, 400, "ErrorInvalidRecipients");
    // The failed send leaves the draft in place, for the client to delete.
    assert_eq!(env.get_json("/_emulator/drafts").as_array().unwrap().len(), 1);
}
