//! Malformed requests over real HTTP: random methods, paths, headers and bodies never
//! make the emulator answer 5xx or stop answering.

mod common;

use proptest::prelude::*;
use std::sync::OnceLock;

fn env() -> &'static common::Env {
    static ENV: OnceLock<common::Env> = OnceLock::new();
    ENV.get_or_init(common::start_default)
}

fn token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| env().token())
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/v1.0/users/a@b.c/sendMail".to_string()),
        Just("/v1.0/users/a@b.c/messages".to_string()),
        Just("/v1.0/users/a@b.c/messages/AAMkAGx%3D/send".to_string()),
        Just("/v1.0/users/a@b.c/messages/x/attachments/createUploadSession".to_string()),
        Just("/v1.0/users/%ZZ/sendMail".to_string()),
        Just("/t/oauth2/v2.0/token".to_string()),
        Just("/t/v2.0/.well-known/openid-configuration".to_string()),
        Just("/api/v2.0/Users('a')/Messages('b')/AttachmentSessions('c')?authtoken=x".to_string()),
        "/[a-zA-Z0-9%@.()'_/-]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn garbage_never_gets_a_5xx(
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("PATCH")],
        path in path(),
        content_type in prop_oneof![Just("text/plain"), Just("application/json"), Just("application/x-www-form-urlencoded"), Just("")],
        content_range in prop_oneof![Just(None), Just(Some("bytes 0-3/4")), Just(Some("bytes 9-1/2")), Just(Some("garbage"))],
        auth in any::<bool>(),
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let e = env();
        let mut req = e.http.request(method.parse().unwrap(), e.url(&path)).body(body);
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        if let Some(r) = content_range {
            req = req.header("content-range", r);
        }
        if auth {
            req = req.bearer_auth(token());
        }
        let resp = req.send().expect("the emulator answers");
        prop_assert!(resp.status().as_u16() < 500, "{} {} -> {}", method, path, resp.status());
        prop_assert!(resp.headers().contains_key("request-id"));
    }
}

#[test]
fn still_serving_after_garbage() {
    let e = env();
    assert_eq!(e.http.get(e.url("/_emulator/stats")).send().unwrap().status(), 200);
}
