//! Property tests: whatever bytes arrive, the parsers of request data (MIME, JSON
//! messages, JWTs, client assertions, Content-Range, fault rules, percent-encoding)
//! return an answer or an error, never panic.

use proptest::prelude::*;

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        ".{0,20}".prop_map(serde_json::Value::String),
        prop_oneof![Just("x-a"), Just("X-B"), Just("emailAddress"), Just("address"), Just("@odata.type"), Just("contentBytes")]
            .prop_map(|s| serde_json::Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("subject".to_string()), Just("body".to_string()), Just("toRecipients".to_string()),
            Just("bccRecipients".to_string()), Just("from".to_string()), Just("emailAddress".to_string()),
            Just("address".to_string()), Just("attachments".to_string()), Just("contentBytes".to_string()),
            Just("internetMessageHeaders".to_string()), Just("name".to_string()), Just("isInline".to_string()),
            Just("importance".to_string()), Just("contentType".to_string()), ".{0,8}".prop_map(|s: String| s),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(keys, inner, 0..6).prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn mime_like() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just(b"From: a@b.c\r\n".to_vec()),
        Just(b"To: x@y.z, \"Q\" <q@r.s>\r\n".to_vec()),
        Just(b"Bcc: \r\n".to_vec()),
        Just(b"Content-Type: multipart/mixed; boundary=\"b\"\r\n".to_vec()),
        Just(b"\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n".to_vec()),
        Just(b"--b--\r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: base64\r\n\r\n!!!=\r\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop::collection::vec(line, 0..12).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mime_parsing_never_panics(raw in mime_like()) {
        let _ = crate::graph::mime::parse(&raw);
        let _ = crate::graph::mime::decode_base64(&raw);
    }

    #[test]
    fn json_message_parsing_never_panics(v in json_value()) {
        let limits = crate::config::Limits::default();
        let _ = crate::graph::message_json::parse(&v, &limits);
        let _ = crate::graph::message_json::attachment(&v);
        let _ = crate::faults::parse(v.to_string().as_bytes());
    }

    #[test]
    fn jwt_and_assertion_parsing_never_panics(s in "[A-Za-z0-9_.=-]{0,200}", bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = crate::jwt::decode(&s);
        let _ = crate::jwt::verify_rs256(&bytes, &s, 0);
        let expect = crate::entra::assertion::Expect { client_id: "c", tenant: "t", now: 0 };
        let _ = crate::entra::assertion::verify(&s, &[], &expect);
    }

    #[test]
    fn assertion_with_arbitrary_json_never_panics(header in json_value(), claims in json_value()) {
        let b = |v: &serde_json::Value| crate::jwt::b64url(v.to_string().as_bytes());
        let token = format!("{}.{}.{}", b(&header), b(&claims), crate::jwt::b64url(b"sig"));
        let expect = crate::entra::assertion::Expect { client_id: "c", tenant: "t", now: 0 };
        let _ = crate::entra::assertion::verify(&token, &[], &expect);
    }

    #[test]
    fn percent_decoding_and_paths_never_panic(s in ".{0,80}") {
        let _ = crate::http::pct_decode(&s);
        let _ = crate::graph::routes::mailbox_of(&s);
        let _ = crate::graph::upload::mailbox_in(&s);
        let _ = crate::http::query_param(Some(&s), "authtoken");
    }
}
