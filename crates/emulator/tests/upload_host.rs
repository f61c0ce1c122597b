//! Upload URLs are on another name of the emulator than Graph by default, as Graph's are
//! on outlook.office.com: `localhost` when Graph is served as 127.0.0.1 (and 127.0.0.1
//! when it is served as localhost), so the Graph SDKs, which attach their token per host,
//! send none with the PUTs. Both names are loopback names.

mod common;

use common::*;
use o365_emulator::EmulatorConfig;
use serde_json::json;

fn upload_url(env: &Env) -> String {
    let token = env.token();
    let draft = body(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages"), &json_message("to@example.com", "big")["message"]));
    let id = draft["id"].as_str().unwrap();
    let item = json!({"AttachmentItem": {"attachmentType": "file", "name": "big.bin", "size": 3 * 1024 * 1024}});
    let session = body(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages/{id}/attachments/createUploadSession"), &item));
    session["uploadUrl"].as_str().unwrap().to_string()
}

#[test]
fn by_default_upload_urls_name_localhost_when_graph_is_127_0_0_1() {
    let env = start_default();
    assert!(env.base.starts_with("http://127.0.0.1:"), "{}", env.base);
    let url = upload_url(&env);
    let port = env.emu.local_addr().port();
    assert!(url.starts_with(&format!("http://localhost:{port}/api/v2.0/")), "{url}");
    // The name reaches this emulator: the whole attachment goes up in one PUT.
    let data = vec![7u8; 3 * 1024 * 1024];
    let resp = env
        .http
        .put(&url)
        .header("content-range", format!("bytes 0-{}/{}", data.len() - 1, data.len()))
        .body(data)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201);
}

#[test]
fn a_configured_upload_host_wins() {
    let env = start(EmulatorConfig { upload_host: Some("127.0.0.1".into()), ..EmulatorConfig::default() });
    let port = env.emu.local_addr().port();
    assert!(upload_url(&env).starts_with(&format!("http://127.0.0.1:{port}/")));
}
