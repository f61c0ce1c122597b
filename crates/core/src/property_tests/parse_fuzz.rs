//! Property tests: no input from a server (status, headers, body of a token or Graph
//! answer, an upload session's ranges) and no message bytes make the parsers panic.
//! A panic would reach PHP as `\Error "Rust panic"`; every one of these must come back
//! as a value or a typed error.

use proptest::prelude::*;

use crate::config::{Config, ConfigValue};
use crate::graph::request::GraphRequest;

fn config() -> Config {
    let s = |v: &str| ConfigValue::Str(v.to_string());
    Config::from_pairs(vec![("tenant_id", s("t.example")), ("client_id", s("app")), ("client_secret", s("x"))]).unwrap()
}

/// Arbitrary bytes, or JSON-looking bytes built from arbitrary keys and values.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let json_value = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:e}")),
        ".{0,40}".prop_map(|s| serde_json::Value::String(s).to_string()),
        Just("null".to_string()),
        Just("[\"0-\",\"x\"]".to_string()),
        Just("18446744073709551616".to_string()),
    ];
    let key = prop_oneof![
        Just("access_token"), Just("expires_in"), Just("refresh_in"), Just("error"), Just("error_codes"),
        Just("nextExpectedRanges"), Just("uploadUrl"), Just("id"), Just("code"), Just("message"),
    ];
    let object = prop::collection::vec((key, json_value), 0..6).prop_map(|kv| {
        let fields: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", fields.join(",")).into_bytes()
    });
    let nested = object.clone().prop_map(|o| {
        let mut v = b"{\"error\":".to_vec();
        v.extend_from_slice(&o);
        v.push(b'}');
        v
    });
    prop_oneof![prop::collection::vec(any::<u8>(), 0..300), object, nested]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn token_answers_never_panic(status in 0u16..1000, body in body()) {
        let config = config();
        let _ = config.credential.answer(status, &body, &config.app());
    }

    #[test]
    fn token_lifetimes_never_panic(expires_in in any::<u64>(), refresh_in in any::<Option<u64>>()) {
        let t = crate::auth::token_cache::CachedToken::new("t".into(), expires_in, refresh_in, std::time::Instant::now());
        prop_assert!(t.refresh_at <= t.expires_at);
    }

    #[test]
    fn graph_answers_never_panic(status in 0u16..1000, body in body(), retry in ".{0,20}") {
        let req = GraphRequest::new(reqwest::Method::POST, "http://x/v1.0/users/a@b.c/sendMail", "sendMail").with_mailbox("a@b.c");
        let mut headers = reqwest::header::HeaderMap::new();
        if let Ok(v) = reqwest::header::HeaderValue::from_str(&retry) {
            headers.insert(reqwest::header::RETRY_AFTER, v);
        }
        let after = crate::http::retry::retry_after(&headers);
        let _ = crate::graph::error::from_response(status, &body, &req, after);
        let _ = crate::http::failure::redirect_refused(status, &headers, "Graph", "graph_endpoint");
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
            let _ = crate::send::upload_session::next_expected(&v);
        }
    }

    #[test]
    fn messages_never_panic(mime in prop::collection::vec(any::<u8>(), 0..400), rcpt in ".{0,60}") {
        let _ = crate::mime::envelope::prepare(&mime, &[rcpt.clone()]);
        let _ = crate::mime::envelope::parse_address_list(&rcpt);
        let _ = crate::mime::json_message::build(&mime, &[], false);
        let _ = crate::mime::draft_plan::plan_draft(&mime, b"");
    }
}
