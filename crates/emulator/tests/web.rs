//! The web inbox's page and assets: served from the binary (no CDN), under a Content
//! Security Policy; `/ui/{id}` is the page for known messages and 404 otherwise.

mod common;

use common::*;

#[test]
fn page_and_assets_come_from_the_binary() {
    let env = start_default();
    let page = env.http.get(env.url("/")).send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().unwrap();
    assert!(html.contains("/_emulator/ui/app.js") && html.contains("/_emulator/ui/app.css"));
    // Nothing is fetched from another host: the page works offline.
    assert!(!html.contains("https://") && !html.contains("http://"), "page references another host");
    for (file, kind, needle) in [
        ("app.js", "text/javascript", "EventSource('/_emulator/events')"),
        ("app.css", "text/css", ".row"),
        ("icon.svg", "image/svg+xml", "<svg"),
    ] {
        let resp = env.http.get(env.url(&format!("/_emulator/ui/{file}"))).send().unwrap();
        assert_eq!(resp.status(), 200, "{file}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with(kind), "{file}");
        let text = resp.text().unwrap();
        assert!(text.contains(needle), "{file} lacks {needle}");
        assert!(!text.contains("https://") && !text.contains("http://cdn"), "{file} references another host");
    }
    // The script never parses sender-controlled text as markup.
    let js = env.http.get(env.url("/_emulator/ui/app.js")).send().unwrap().text().unwrap();
    assert!(!js.contains("innerHTML") && !js.contains("insertAdjacentHTML") && !js.contains("document.write"));
    assert_eq!(env.http.get(env.url("/_emulator/ui/nope.js")).send().unwrap().status(), 404);
    assert_eq!(env.http.get(env.url("/ui/requests")).send().unwrap().status(), 200);
}

#[test]
fn message_pages_exist_for_known_messages_only() {
    let env = start_default();
    assert_eq!(env.send_mime(&env.token(), MAILBOX, &simple_mime(MAILBOX, "ann@example.com", "Hi")).status(), 202);
    let id = env.messages()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(env.http.get(env.url(&format!("/ui/{id}"))).send().unwrap().status(), 200);
    assert_eq!(env.http.get(env.url("/ui/nope")).send().unwrap().status(), 404);
}
