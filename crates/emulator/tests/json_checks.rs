//! Graph's checks on JSON bodies, as strict as Graph's own: a property the type does
//! not define (400 RequestBodyRead), a parameter sendMail does not have, an attachment
//! without `@odata.type` (the abstract `attachment` type), a fileAttachment without
//! `contentBytes` or `name` (400 ErrorRequiredPropertyMissing), and `saveToSentItems`
//! given as a string (Graph converts "true"/"false"). Nothing refused is kept.

mod common;

use common::*;
use serde_json::json;

fn send_path() -> String {
    format!("/v1.0/users/{MAILBOX}/sendMail")
}

fn with_attachment(att: serde_json::Value) -> serde_json::Value {
    let mut m = json_message("to@example.com", "with an attachment");
    m["message"]["attachments"] = json!([att]);
    m
}

#[test]
fn a_file_attachment_without_content_bytes_or_name_is_error_required_property_missing() {
    let env = start_default();
    let token = env.token();
    // msgraph-sdk-python#667: the SDK dropped contentBytes and Graph answered this.
    let no_bytes = with_attachment(json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt"}));
    let v = assert_graph_error(env.send_json(&token, &send_path(), &no_bytes), 400, "ErrorRequiredPropertyMissing");
    assert_eq!(v["error"]["message"], "Required property is missing.");
    let null_bytes = with_attachment(json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt", "contentBytes": null}));
    assert_graph_error(env.send_json(&token, &send_path(), &null_bytes), 400, "ErrorRequiredPropertyMissing");
    for name in [json!(null), json!("")] {
        let mut att = json!({"@odata.type": "#microsoft.graph.fileAttachment", "contentBytes": b64(b"x")});
        if !name.is_null() {
            att["name"] = name;
        }
        assert_graph_error(env.send_json(&token, &send_path(), &with_attachment(att)), 400, "ErrorRequiredPropertyMissing");
    }
    // The same checks on a draft and on an attachment added to one.
    assert_graph_error(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages"), &no_bytes["message"]), 400, "ErrorRequiredPropertyMissing");
    let draft = body(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages"), &json_message("to@example.com", "d")["message"]));
    let path = format!("/v1.0/users/{MAILBOX}/messages/{}/attachments", draft["id"].as_str().unwrap());
    assert_graph_error(env.send_json(&token, &path, &no_bytes["message"]["attachments"][0]), 400, "ErrorRequiredPropertyMissing");
    assert!(env.messages().is_empty());
}

#[test]
fn an_attachment_without_odata_type_is_request_body_read() {
    let env = start_default();
    let token = env.token();
    // microsoft-graph-docs-contrib#310: read as the abstract base type, contentBytes is unknown.
    let att = with_attachment(json!({"name": "a.txt", "contentType": "text/plain", "contentBytes": b64(b"hello")}));
    let v = assert_graph_error(env.send_json(&token, &send_path(), &att), 400, "RequestBodyRead");
    assert!(
        v["error"]["message"].as_str().unwrap().starts_with("The property 'contentBytes' does not exist on type 'microsoft.graph.attachment'."),
        "{v}"
    );
    let bare = with_attachment(json!({"name": "a.txt"}));
    assert_graph_error(env.send_json(&token, &send_path(), &bare), 400, "RequestBodyRead");
    let unknown_kind = with_attachment(json!({"@odata.type": "#microsoft.graph.fancyAttachment", "name": "a"}));
    assert_graph_error(env.send_json(&token, &send_path(), &unknown_kind), 400, "RequestBodyRead");
    assert!(env.messages().is_empty());
}

#[test]
fn unknown_properties_and_parameters_are_request_body_read() {
    let env = start_default();
    let token = env.token();
    let mut m = json_message("to@example.com", "x");
    m["message"]["OdataType"] = json!("#microsoft.graph.message");
    let v = assert_graph_error(env.send_json(&token, &send_path(), &m), 400, "RequestBodyRead");
    assert_eq!(
        v["error"]["message"],
        "The property 'OdataType' does not exist on type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type or mark the type as open type."
    );
    // Nested types are read the same way (msgraph-sdk-python#313: `name` on a recipient).
    let mut m = json_message("to@example.com", "x");
    m["message"]["toRecipients"][0]["name"] = json!("Bob");
    let v = assert_graph_error(env.send_json(&token, &send_path(), &m), 400, "RequestBodyRead");
    assert!(v["error"]["message"].as_str().unwrap().contains("on type 'microsoft.graph.recipient'"), "{v}");
    let mut m = json_message("to@example.com", "x");
    m["message"]["attachments"] = json!([{"@odata.type": "#microsoft.graph.fileAttachment", "name": "a", "contentBytes": b64(b"x"), "fileName": "a"}]);
    assert_graph_error(env.send_json(&token, &send_path(), &m), 400, "RequestBodyRead");
    // A parameter sendMail does not have.
    let mut m = json_message("to@example.com", "x");
    m["saveToSentItem"] = json!(false);
    let v = assert_graph_error(env.send_json(&token, &send_path(), &m), 400, "RequestBodyRead");
    assert_eq!(v["error"]["message"], "The parameter 'saveToSentItem' in the request payload is not a valid parameter for the operation 'sendMail'.");
    // A draft's message is the same type.
    let mut d = json_message("to@example.com", "x")["message"].clone();
    d["priority"] = json!("high");
    assert_graph_error(env.send_json(&token, &format!("/v1.0/users/{MAILBOX}/messages"), &d), 400, "RequestBodyRead");
    assert!(env.messages().is_empty());
    // Annotations are not properties; every documented property is accepted.
    let mut ok = json_message("to@example.com", "annotated");
    ok["message"]["@odata.type"] = json!("#microsoft.graph.message");
    ok["message"]["toRecipients"][0]["@odata.type"] = json!("#microsoft.graph.recipient");
    ok["message"]["isDeliveryReceiptRequested"] = json!(false);
    ok["message"]["categories"] = json!([]);
    ok["message"]["attachments"] = json!([{"@odata.type": "#microsoft.graph.fileAttachment", "name": "a", "contentBytes": b64(b"x"), "size": 1, "contentLocation": null}]);
    assert_eq!(env.send_json(&token, &send_path(), &ok).status(), 202);
}

#[test]
fn save_to_sent_items_as_a_string_is_converted_as_graph_does() {
    // microsoft-graph-docs-contrib#6649: Graph answered 202 to "true" and to "false".
    let env = start_default();
    let token = env.token();
    for (value, saved) in [(json!("false"), false), (json!("True"), true), (json!(false), false)] {
        let mut m = json_message("to@example.com", "string flag");
        m["saveToSentItems"] = value.clone();
        assert_eq!(env.send_json(&token, &send_path(), &m).status(), 202, "{value}");
        assert_eq!(env.messages().last().unwrap()["save_to_sent_items"], saved, "{value}");
    }
    for value in [json!("no"), json!(0), json!([true])] {
        let mut m = json_message("to@example.com", "bad flag");
        m["saveToSentItems"] = value;
        assert_graph_error(env.send_json(&token, &send_path(), &m), 400, "RequestBodyRead");
    }
    assert_eq!(env.messages().len(), 3);
}
