//! `GET /users/{m}/messages/{id}/attachments`: a draft's attachments as Graph lists them,
//! each with its id, type, metadata and `contentBytes`.

mod common;

use common::*;
use serde_json::json;

#[test]
fn a_drafts_attachments_are_listed_with_their_bytes() {
    let env = start_default();
    let token = env.token();
    let mut draft = json_message("to@example.com", "listed")["message"].clone();
    draft["attachments"] = json!([{"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt", "contentType": "text/plain", "contentBytes": b64(b"first")}]);
    let id = body(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages"), &draft))["id"].as_str().unwrap().to_string();
    let path = format!("/v1.0/users/{MAILBOX}/messages/{id}/attachments");
    let added = json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": "logo.png", "contentType": "image/png",
        "contentBytes": b64(b"png"), "isInline": true, "contentId": "logo"});
    let added = body(env.send_json(&token, &path, &added));

    let resp = env.http.get(env.url(&path)).bearer_auth(&token).send().unwrap();
    assert_eq!(resp.status(), 200);
    let list = body(resp)["value"].as_array().cloned().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["@odata.type"], "#microsoft.graph.fileAttachment");
    assert_eq!((list[0]["name"].as_str(), list[0]["size"].as_u64()), (Some("a.txt"), Some(5)));
    assert_eq!(list[0]["contentBytes"], b64(b"first"));
    assert_eq!(list[1]["id"], added["id"], "the id POST returned");
    assert_eq!((list[1]["isInline"].as_bool(), list[1]["contentId"].as_str()), (Some(true), Some("logo")));

    // No token: 401; an unknown message: 404.
    assert_graph_error(env.http.get(env.url(&path)).send().unwrap(), 401, "InvalidAuthenticationToken");
    let missing = format!("/v1.0/users/{MAILBOX}/messages/AAMkAGnothing=/attachments");
    assert_graph_error(env.http.get(env.url(&missing)).bearer_auth(&token).send().unwrap(), 404, "ErrorItemNotFound");
}
