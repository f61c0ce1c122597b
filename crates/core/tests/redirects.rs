//! Redirects are never followed, on the token endpoint or on Graph: a 3xx is an error
//! that names the Location refused, the other host sees nothing (no client secret, no
//! token, no message), and no receipt comes back without a 2xx from Graph itself.
//! Against a hostile server over real HTTP and HTTPS.

mod common;

use common::hostile::{Hostile, Reply, pairs};
use common::mime;
use o365_core::{Config, ConfigValue, ErrorKind, Mailer};

const SECRET: &str = "hostile-test-secret-value-42";
const MAILBOX: &str = "sender@contoso.com";

fn send(mailer: &Mailer) -> Result<o365_core::Receipt, o365_core::Error> {
    mailer.send_mime(&mime(MAILBOX, "ann@example.com", "redirected"), Some(MAILBOX), &[])
}

/// A server that must never be reached: it answers 200 to anything and logs it.
fn other_host() -> Hostile {
    Hostile::start(|_, _| Reply::token(serde_json::json!(3599)))
}

fn assert_refused(e: &o365_core::Error, status: u16, location: &str, kind: ErrorKind) {
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.status, Some(status), "{e}");
    let text = e.to_string();
    assert!(text.contains(location), "the error names the Location refused: {text}");
    assert!(text.contains("never followed"), "{text}");
    assert!(!text.contains(SECRET) && !format!("{e:?}").contains(SECRET), "{text}");
}

#[test]
fn token_endpoint_redirects_to_another_host_are_not_followed() {
    for status in [301, 302, 303, 307, 308] {
        let other = other_host();
        let location = format!("{}/stolen/oauth2/v2.0/token", other.base);
        let loc = location.clone();
        let login = Hostile::start(move |_, _| Reply::redirect(status, &loc));
        let mailer = Mailer::new(Config::from_pairs(pairs(&login.base, &login.base, SECRET)).unwrap());
        let e = send(&mailer).expect_err("a redirect is an error");
        assert_refused(&e, status, &location, ErrorKind::Authentication);
        assert!(e.to_string().contains("login_endpoint"), "{e}");
        assert_eq!(other.seen().len(), 0, "HTTP {status}: the other host received {:?}", other.seen());
        // One token request, not retried, and nothing sent to Graph.
        assert_eq!(login.seen().len(), 1, "HTTP {status}: {:?}", login.seen());
    }
}

#[test]
fn token_endpoint_redirect_from_https_to_http_is_not_followed() {
    let other = other_host();
    let location = format!("{}/downgraded/oauth2/v2.0/token", other.base);
    assert!(location.starts_with("http://"));
    let loc = location.clone();
    let login = Hostile::start_tls(move |_, _| Reply::redirect(307, &loc));
    let ca = login.ca_file();
    let mut p = pairs(&login.base, &login.base, SECRET);
    p.push(("ca_file".into(), ConfigValue::Str(ca.to_string_lossy().into())));
    let mailer = Mailer::new(Config::from_pairs(p).unwrap());
    let e = send(&mailer).expect_err("a redirect is an error");
    assert_refused(&e, 307, &location, ErrorKind::Authentication);
    assert_eq!(other.seen().len(), 0, "the secret went over plain HTTP: {:?}", other.seen());
    assert_eq!(login.seen().len(), 1);
    assert!(login.seen()[0].text().contains(SECRET), "the configured endpoint (and only it) got the secret");
    let _ = std::fs::remove_file(ca);
}

#[test]
fn graph_redirects_on_send_mail_give_no_receipt_and_one_post() {
    for status in [301, 302, 303, 307, 308] {
        let other = other_host();
        let location = format!("{}/v1.0/users/{MAILBOX}/sendMail", other.base);
        let loc = location.clone();
        let graph = Hostile::start(move |req, _| {
            if req.path.contains("/token") { Reply::token(serde_json::json!(3599)) } else { Reply::redirect(status, &loc) }
        });
        let mailer = Mailer::new(Config::from_pairs(pairs(&graph.base, &graph.base, SECRET)).unwrap());
        let e = send(&mailer).expect_err("no receipt without a 2xx");
        assert_refused(&e, status, &location, ErrorKind::GraphServer);
        assert!(e.to_string().contains("graph_endpoint"), "{e}");
        assert_eq!(other.seen().len(), 0, "HTTP {status}: the other host received {:?}", other.seen());
        let posts = graph.seen_to("sendMail");
        assert_eq!(posts.len(), 1, "HTTP {status}: exactly one POST of the message: {posts:?}");
        assert_eq!(posts[0].method, "POST");
    }
}

#[test]
fn a_redirect_loop_on_the_same_host_posts_once() {
    let graph = Hostile::start(|req, _| {
        if req.path.contains("/token") { Reply::token(serde_json::json!(3599)) } else { Reply::redirect(307, &req.path) }
    });
    let mailer = Mailer::new(Config::from_pairs(pairs(&graph.base, &graph.base, SECRET)).unwrap());
    let e = send(&mailer).expect_err("no receipt");
    assert_eq!(e.status, Some(307), "{e}");
    assert_eq!(graph.seen_to("sendMail").len(), 1);
}
