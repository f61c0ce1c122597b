//! Graph's error answers turned into typed errors with a hint that names the admin-side
//! fix for the codes Exchange actually returns to mail senders.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::graph::request::GraphRequest;

#[derive(Deserialize, Default)]
struct Envelope {
    #[serde(default)]
    error: Body,
}

#[derive(Deserialize, Default)]
struct Body {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Builds the error for a non-2xx Graph answer to `req`.
pub(crate) fn from_response(status: u16, body: &[u8], req: &GraphRequest, retry: Option<Duration>) -> Error {
    let env: Envelope = serde_json::from_slice(body).unwrap_or_default();
    let code = env.error.code;
    // Graph's message is safe to show (it never holds the token); keep it short. When
    // the body is not Graph's JSON (a proxy's HTML page), show its start instead.
    let graph_message: String = if env.error.message.is_empty() && code.is_empty() {
        String::from_utf8_lossy(body).split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect()
    } else {
        env.error.message.chars().take(300).collect()
    };
    let kind = match status {
        429 => ErrorKind::Throttled,
        500..=599 => ErrorKind::GraphServer,
        _ => ErrorKind::GraphClient,
    };
    let mailbox = req.mailbox.as_deref().unwrap_or("(none)");
    let target = match &req.mailbox {
        Some(m) => format!("{} for mailbox `{m}`", req.action),
        None => req.action.clone(),
    };
    let what = if graph_message.is_empty() {
        format!("Graph refused {target} with HTTP {status}")
    } else {
        format!("Graph refused {target}: {graph_message}")
    };
    let mut e = Error::new(kind, what).with_status(status);
    e.retry_after = retry;
    if let Some(h) = hint(status, &code, &graph_message, mailbox) {
        e = e.with_hint(h);
    }
    if !code.is_empty() {
        e = e.with_code(code);
    }
    e
}

fn hint(status: u16, code: &str, message: &str, mailbox: &str) -> Option<String> {
    // Both ErrorAccessDenied messages ("Access is denied" without consent, "Access to
    // OData is disabled" / "[RAOP]" under a policy) are worded differently over time, so
    // the hint names every fix, most likely first.
    let policy = is_access_restriction(message);
    let test_cmds = format!(
        "`Test-ApplicationAccessPolicy -Identity {mailbox} -AppId <client_id>` (application access policies) or \
         `Test-ServicePrincipalAuthorization -Identity <client_id> -Resource {mailbox}` (Exchange RBAC for Applications)"
    );
    let h = match code {
        "ErrorAccessDenied" if policy => format!(
            "an application access policy or an Exchange RBAC for Applications scope excludes mailbox `{mailbox}`: check with {test_cmds}, \
             then add the mailbox to the policy's group or the management scope (changes can take an hour to apply). \
             Also check that the app has the Microsoft Graph application permission Mail.Send with admin consent granted"
        ),
        "ErrorAccessDenied" => format!(
            "give the app the Microsoft Graph application permission Mail.Send and click 'Grant admin consent' in Entra \
             (API permissions page); if it has it, an access restriction excludes mailbox `{mailbox}`: check with {test_cmds}"
        ),
        "ErrorSendAsDenied" => format!(
            "mailbox `{mailbox}` lacks Send As permission for the From address: grant it with \
             `Add-RecipientPermission -Identity <from-address> -Trustee {mailbox} -AccessRights SendAs`, or send from `{mailbox}` itself"
        ),
        "ErrorInvalidUser" | "ResourceNotFound" => format!(
            "mailbox `{mailbox}` does not exist in the tenant: check `mailbox` (env O365_MAILBOX) or the From address, and that `tenant_id` is the right tenant"
        ),
        "MailboxNotEnabledForRESTAPI" => format!(
            "mailbox `{mailbox}` has no Exchange Online mailbox Graph can use (unlicensed, on-premises, or soft-deleted): \
             assign an Exchange Online license or send from another mailbox"
        ),
        "ErrorInvalidRecipients" => {
            "Graph refused a recipient address: check the To, Cc and Bcc addresses (bad addresses that Graph accepts come back later as a bounce)".to_string()
        }
        "ErrorMessageSizeExceeded" => format!(
            "the message is larger than mailbox `{mailbox}` may send (default 35 MB): raise it with `Set-Mailbox {mailbox} -MaxSendSize 150MB`, or send less"
        ),
        "ErrorMimeContentInvalidBase64String" => "Graph could not decode the MIME body: report this as a bug in o365-sendmail".to_string(),
        "InvalidAuthenticationToken" => {
            "Graph refused a freshly issued token: check that `cloud` (or `graph_endpoint`) is the tenant's cloud; tokens of one cloud do not work in another".to_string()
        }
        "ErrorQuotaExceeded" => format!("mailbox `{mailbox}` is full: free space or raise its quota"),
        _ if status == 413 || is_too_large_message(message) || code == "RequestEntityTooLarge" => {
            "the request is over Graph's ~4 MB limit per request: messages this large must go through a draft and upload sessions".to_string()
        }
        _ => return None,
    };
    Some(h)
}

/// Whether a 403 ErrorAccessDenied comes from an application access policy or an Exchange
/// RBAC for Applications scope ("Access to OData is disabled", "[RAOP]") rather than from
/// a missing permission ("Access is denied").
pub(crate) fn is_access_restriction(message: &str) -> bool {
    message.contains("OData") || message.contains("AccessPolicy") || message.contains("RAOP")
}

/// Graph's 400 answers for an oversized request ("Maximum request length exceeded",
/// "The maximum request length supported is 4MB").
fn is_too_large_message(message: &str) -> bool {
    message.to_ascii_lowercase().contains("maximum request length")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> GraphRequest {
        GraphRequest::new(reqwest::Method::POST, "http://x/v1.0/users/a@b.c/sendMail", "sendMail").with_mailbox("a@b.c")
    }

    #[test]
    fn access_denied_names_every_fix() {
        for msg in ["Access is denied. Check credentials and try again.", "Access to OData is disabled."] {
            let body = format!(r#"{{"error":{{"code":"ErrorAccessDenied","message":"{msg}"}}}}"#);
            let e = from_response(403, body.as_bytes(), &req(), None);
            let h = e.hint.unwrap();
            for needle in ["Test-ApplicationAccessPolicy", "Test-ServicePrincipalAuthorization", "Mail.Send", "admin consent"] {
                assert!(h.contains(needle), "{needle} missing from {h}");
            }
            assert_eq!(e.kind, ErrorKind::GraphClient);
        }
    }

    #[test]
    fn too_large_in_all_its_forms() {
        let e = from_response(413, b"", &req(), None);
        assert!(e.hint.unwrap().contains("4 MB"));
        let body = br#"{"error":{"code":"BadRequest","message":"Maximum request length exceeded."}}"#;
        assert!(from_response(400, body, &req(), None).hint.unwrap().contains("4 MB"));
    }
}
