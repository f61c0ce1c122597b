//! The inbox API behind the web page: summaries with display names, snippets and
//! attachment counts, search, read/unread, delete one, the HTML body with `cid:` images
//! resolved under a CSP, downloads with file names (GET and HEAD), the requests that made
//! a message, refused requests with their error message and fault rule, and the live
//! event stream.

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::Read;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n not really, but bytes";

fn rich_mime() -> String {
    format!(
        "From: \"Ada Lovelace\" <{MAILBOX}>\r\nTo: \"Grace Hopper\" <grace@example.com>, ops@example.com\r\n\
Cc: \"Finance\" <fin@example.com>\r\nSubject: Q4 report\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=mix\r\n\r\n\
--mix\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n\
--rel\r\nContent-Type: text/html\r\n\r\n<html><head><style>p{{color:red}}</style></head><body><img src=\"cid:logo@x\"><p>The   figures&nbsp;are in.</p></body></html>\r\n\
--rel\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline; filename=logo.png\r\n\r\n{}\r\n--rel--\r\n\
--mix\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"Bericht Ü.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--mix--\r\n",
        b64(PNG),
        b64(b"%PDF-1.4 tiny")
    )
}

fn inbox(env: &Env, q: &str) -> Value {
    let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    body(env.http.get(env.url(&format!("/_emulator/inbox?q={q}"))).send().unwrap())
}

#[test]
fn summaries_carry_names_snippets_counts_and_search() {
    let env = start_default();
    let token = env.token();
    assert_eq!(env.send_mime(&token, MAILBOX, &rich_mime()).status(), 202);
    let json_send = json!({"message": {
        "subject": "Invoice 7",
        "body": {"contentType": "Text", "content": "Please pay soon."},
        "from": {"emailAddress": {"address": MAILBOX, "name": "Billing Dept"}},
        "toRecipients": [{"emailAddress": {"address": "bob@example.com", "name": "Bob Builder"}}],
    }});
    assert_eq!(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/sendMail"), &json_send).status(), 202);

    let all = inbox(&env, "");
    assert_eq!(all["total"], 2);
    assert_eq!(all["unread"], 2);
    let list = all["messages"].as_array().unwrap();
    // Newest first.
    assert_eq!(list[0]["subject"], "Invoice 7");
    assert_eq!(list[0]["from"], json!({"name": "Billing Dept", "address": MAILBOX}));
    assert_eq!(list[0]["to"][0], json!({"name": "Bob Builder", "address": "bob@example.com"}));
    let q4 = &list[1];
    assert_eq!(q4["from"]["name"], "Ada Lovelace");
    assert_eq!(q4["to"], json!([{"name": "Grace Hopper", "address": "grace@example.com"}, {"name": null, "address": "ops@example.com"}]));
    assert_eq!(q4["cc"][0]["name"], "Finance");
    assert_eq!(q4["snippet"], "The figures are in.");
    assert_eq!(q4["attachments"], 1);
    assert_eq!(q4["inline"], 1);
    assert!(q4["size"].as_u64().unwrap() > 100);
    assert_eq!(q4["read"], false);
    // The full record keeps address strings (the public contract) and adds the names.
    let msgs = env.messages();
    assert_eq!(msgs[0]["to"], json!(["grace@example.com", "ops@example.com"]));
    assert_eq!(msgs[0]["display_names"]["grace@example.com"], "Grace Hopper");

    for (q, want) in [
        ("figures", vec!["Q4 report"]),
        ("pay", vec!["Invoice 7"]),
        ("from:ada", vec!["Q4 report"]),
        ("to:bob", vec!["Invoice 7"]),
        ("to:finance", vec!["Q4 report"]),
        ("subject:invoice", vec!["Invoice 7"]),
        ("has:attachment", vec!["Q4 report"]),
        ("bericht", vec!["Q4 report"]),
        ("report figures", vec!["Q4 report"]),
        ("report pay", vec![]),
        ("color", vec![]),
    ] {
        let got: Vec<String> = inbox(&env, q)["messages"].as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap().to_string()).collect();
        assert_eq!(got, want, "search {q:?}");
    }
}

#[test]
fn read_unread_delete_one_and_all() {
    let env = start_default();
    let token = env.token();
    for s in ["one", "two", "three"] {
        assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", s)).status(), 202);
    }
    let ids: Vec<String> = env.messages().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    let post = |p: &str| env.http.post(env.url(p)).send().unwrap().status().as_u16();
    let delete = |p: &str| env.http.delete(env.url(p)).send().unwrap().status().as_u16();
    assert_eq!(post(&format!("/_emulator/messages/{}/read", ids[0])), 204);
    assert_eq!(env.messages()[0]["read"], true);
    assert_eq!(inbox(&env, "is:unread")["matched"], 2);
    assert_eq!(delete(&format!("/_emulator/messages/{}/read", ids[0])), 204);
    assert_eq!(inbox(&env, "")["unread"], 3);
    assert_eq!(post("/_emulator/messages/read"), 204);
    assert_eq!(inbox(&env, "")["unread"], 0);
    assert_eq!(delete(&format!("/_emulator/messages/{}", ids[1])), 204);
    assert_eq!(delete(&format!("/_emulator/messages/{}", ids[1])), 404);
    let left: Vec<Value> = env.messages().iter().map(|m| m["subject"].clone()).collect();
    assert_eq!(left, vec![json!("one"), json!("three")]);
    assert_eq!(post("/_emulator/messages/nope/read"), 404);
    assert_eq!(delete("/_emulator/messages"), 204);
    assert_eq!(inbox(&env, "")["total"], 0);
}

#[test]
fn html_body_resolves_cid_images_under_a_policy() {
    let env = start_default();
    assert_eq!(env.send_mime(&env.token(), MAILBOX, &rich_mime()).status(), 202);
    let id = env.messages()[0]["id"].as_str().unwrap().to_string();
    let resp = env.http.get(env.url(&format!("/_emulator/messages/{id}/html"))).send().unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("sandbox") && !csp.contains("allow-scripts"), "{csp}");
    let html = resp.text().unwrap();
    let src = format!("/_emulator/messages/{id}/cid/logo%40x");
    assert!(html.contains(&format!("src=\"{src}\"")), "{html}");
    let img = env.http.get(env.url(&src)).send().unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/png");
    assert!(img.headers()["content-disposition"].to_str().unwrap().starts_with("inline; filename=\"logo.png\""));
    assert_eq!(img.bytes().unwrap().as_ref(), PNG);
    assert_eq!(env.http.get(env.url(&format!("/_emulator/messages/{id}/cid/other"))).send().unwrap().status(), 404);
}

#[test]
fn downloads_have_file_names_for_get_and_head() {
    let env = start_default();
    assert_eq!(env.send_mime(&env.token(), MAILBOX, &rich_mime()).status(), 202);
    let m = env.messages()[0].clone();
    let id = m["id"].as_str().unwrap();
    let n = m["attachments"].as_array().unwrap().iter().position(|a| a["content_type"] == "application/pdf").unwrap();
    let url = env.url(&format!("/_emulator/messages/{id}/attachments/{n}"));
    let want = "attachment; filename=\"Bericht _.pdf\"; filename*=UTF-8''Bericht%20%C3%9C.pdf";
    let get = env.http.get(&url).send().unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(get.headers()["content-disposition"], want);
    assert_eq!(get.headers()["content-type"], "application/pdf");
    assert_eq!(get.bytes().unwrap().as_ref(), b"%PDF-1.4 tiny");
    let head = env.http.head(&url).send().unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-disposition"], want);
    assert_eq!(head.headers()["content-length"], "13");
    assert!(head.bytes().unwrap().is_empty());

    let eml = env.http.get(env.url(&format!("/_emulator/messages/{id}/mime?download"))).send().unwrap();
    assert_eq!(eml.headers()["content-disposition"], "attachment; filename=\"Q4 report.eml\"");
    assert!(eml.text().unwrap().contains("Content-ID: <logo@x>"));
    // Without ?download the raw MIME stays a plain answer (tools read it as before).
    let plain = env.http.get(env.url(&format!("/_emulator/messages/{id}/mime"))).send().unwrap();
    assert!(plain.headers().get("content-disposition").is_none());
}

#[test]
fn json_messages_download_as_json() {
    let env = start_default();
    let send = json!({"message": {"subject": "Hello/JSON?", "body": {"contentType": "HTML", "content": "<p>hi</p>"},
        "toRecipients": [{"emailAddress": {"address": "a@example.com"}}]}});
    assert_eq!(env.send_json(&env.token(), &format!("/v1.0/users/{MAILBOX}/sendMail"), &send).status(), 202);
    let id = env.messages()[0]["id"].as_str().unwrap().to_string();
    let resp = env.http.get(env.url(&format!("/_emulator/messages/{id}/json?download"))).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-disposition"], "attachment; filename=\"Hello_JSON_.json\"");
    assert_eq!(body(resp)["subject"], "Hello/JSON?");
    // A JSON message has no MIME, and says where to look instead.
    let mime = env.http.get(env.url(&format!("/_emulator/messages/{id}/mime"))).send().unwrap();
    assert_eq!(mime.status(), 404);
    assert!(mime.text().unwrap().contains("/json"));
    assert_eq!(inbox(&env, "")["messages"][0]["snippet"], "hi");
}

#[test]
fn a_message_lists_the_requests_that_made_it() {
    let env = start_default();
    let token = env.token();
    let sent = env.http
        .post(env.url(&format!("/v1.0/users/{MAILBOX}/sendMail")))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .header("client-request-id", "11111111-2222-3333-4444-555555555555")
        .body(b64(simple_mime(MAILBOX, "a@example.com", "direct").as_bytes()))
        .send()
        .unwrap();
    assert_eq!(sent.status(), 202);
    let request_id = sent.headers()["request-id"].to_str().unwrap().to_string();
    let draft = body(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages"), &json!({"subject": "drafted", "toRecipients": [{"emailAddress": {"address": "b@example.com", "name": "Bea B"}}]})));
    let draft_id = draft["id"].as_str().unwrap();
    // Graph answers with the display name it was given.
    assert_eq!(draft["toRecipients"][0]["emailAddress"], json!({"address": "b@example.com", "name": "Bea B"}));
    let att = json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt", "contentBytes": b64(b"hello")});
    assert_eq!(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages/{draft_id}/attachments"), &att).status(), 201);
    assert_eq!(env.graph_post(&token, &format!("/v1.0/users/{MAILBOX}/messages/{draft_id}/send"), "application/json", String::new()).status(), 202);

    let msgs = env.messages();
    let reqs = |id: &str| body(env.http.get(env.url(&format!("/_emulator/messages/{id}/requests"))).send().unwrap());
    let direct = reqs(msgs[0]["id"].as_str().unwrap());
    assert_eq!(direct.as_array().unwrap().len(), 1);
    assert_eq!(direct[0]["request_id"], request_id.as_str());
    let drafted = reqs(draft_id);
    let paths: Vec<&str> = drafted.as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(paths[0].ends_with("/messages") && paths[1].ends_with("/attachments") && paths[2].ends_with("/send"), "{paths:?}");
    assert_eq!(msgs[1]["request_ids"].as_array().unwrap().len(), 2);
}

#[test]
fn refused_requests_keep_mailbox_message_and_fault_rule() {
    let env = start(o365_emulator::EmulatorConfig { mailboxes: Some(vec![MAILBOX.into()]), ..Default::default() });
    let token = env.token();
    assert_graph_error(env.send_mime(&token, "nobody@contoso.com", &simple_mime(MAILBOX, "a@example.com", "x")), 404, "ErrorInvalidUser");
    let rule = json!({"match": {"path": "sendMail"}, "status": 403, "graph_code": "ErrorAccessDenied", "message": "Access is denied.", "times": 1});
    assert_eq!(env.http.post(env.url("/_emulator/faults")).json(&rule).send().unwrap().status(), 200);
    assert_graph_error(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "x")), 403, "ErrorAccessDenied");
    let log = body(env.http.get(env.url("/_emulator/requests")).send().unwrap());
    let log = log.as_array().unwrap();
    let unknown = log.iter().find(|r| r["status"] == 404).unwrap();
    assert_eq!(unknown["mailbox"], "nobody@contoso.com");
    assert_eq!(unknown["error"], "ErrorInvalidUser");
    assert!(unknown["error_message"].as_str().unwrap().contains("nobody@contoso.com"), "{unknown}");
    assert_eq!(unknown["fault"], false);
    assert!(unknown["fault_rule"].is_null());
    let denied = log.iter().find(|r| r["status"] == 403).unwrap();
    assert_eq!(denied["error_message"], "Access is denied.");
    assert_eq!(denied["fault"], true);
    assert_eq!(denied["fault_rule"]["match"]["path"], "sendMail");
    assert_eq!(denied["fault_rule"]["status"], 403);
    // Token requests have no mailbox; the newest-N view of the log.
    assert!(log[0]["mailbox"].is_null());
    let last = body(env.http.get(env.url("/_emulator/requests?limit=1")).send().unwrap());
    assert_eq!(last.as_array().unwrap().len(), 1);
    assert_eq!(last[0]["status"], 403);
    let counts = inbox(&env, "");
    assert_eq!(counts["failed_requests"], 2);
}

/// Reads from the event stream until `needle` has arrived (or panics after 10 s).
fn read_until(stream: &mut reqwest::blocking::Response, seen: &mut String, needle: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut buf = [0u8; 1024];
    while !seen.contains(needle) {
        assert!(std::time::Instant::now() < deadline, "no {needle:?} in {seen:?}");
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "stream ended: {seen:?}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[test]
fn events_stream_tells_of_new_messages_and_requests() {
    let env = start_default();
    let mut stream = env.http.get(env.url("/_emulator/events")).send().unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "data: {\"messages\":0,\"requests\":0}\n\n");
    let token = env.token();
    read_until(&mut stream, &mut seen, "\"messages\":0,\"requests\":1}");
    assert_eq!(env.send_mime(&token, MAILBOX, &simple_mime(MAILBOX, "a@example.com", "live")).status(), 202);
    read_until(&mut stream, &mut seen, "data: {\"messages\":1,\"requests\":2}");
    assert_eq!(env.http.delete(env.url("/_emulator/messages")).send().unwrap().status(), 204);
    read_until(&mut stream, &mut seen, "data: {\"messages\":2,");
    assert!(seen.contains("event: change\n"));
}
