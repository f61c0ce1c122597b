//! The web page at `/`: lists received messages and shows one (headers, recipients,
//! bodies, attachments), escaping everything the sender controls.

mod common;

use common::*;

#[test]
fn lists_and_shows_messages() {
    let env = start_default();
    let page = env.http.get(env.url("/")).send().unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().unwrap().contains("No messages yet."));

    let mime = format!(
        "From: {MAILBOX}\r\nTo: ann@example.com\r\nCc: cc@example.com\r\nBcc: secret@example.com\r\nSubject: <script>alert(1)</script> Report\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n\
--a\r\nContent-Type: text/plain\r\n\r\nplain words\r\n\
--a\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--a--\r\n\
--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=data.csv\r\n\r\na,b\r\n--b--\r\n"
    );
    assert_eq!(env.send_mime(&env.token(), MAILBOX, &mime).status(), 202);
    let index = env.http.get(env.url("/")).send().unwrap().text().unwrap();
    assert!(index.contains("&lt;script&gt;alert(1)&lt;/script&gt; Report"));
    assert!(!index.contains("<script>"));
    assert!(index.contains("ann@example.com"));

    let id = env.messages()[0]["id"].as_str().unwrap().to_string();
    let page = env.http.get(env.url(&format!("/ui/{id}"))).send().unwrap().text().unwrap();
    for needle in ["ann@example.com", "cc@example.com", "secret@example.com", "plain words", "html words", "data.csv", "Subject", "srcdoc"] {
        assert!(page.contains(needle), "page lacks {needle}");
    }
    assert!(page.contains(&format!("/_emulator/messages/{id}/attachments/0")));
    assert_eq!(env.http.get(env.url("/ui/nope")).send().unwrap().status(), 404);
}
