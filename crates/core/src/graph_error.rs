//! Graph's error answers turned into typed errors with a hint that names the admin-side
//! fix for the codes Exchange actually returns to mail senders.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};

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

/// Parses Retry-After as seconds, fractional allowed (Graph sends e.g. `2.128`).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let secs: f64 = v.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// Builds the error for a non-2xx Graph answer.
pub(crate) fn from_response(status: u16, body: &[u8], mailbox: &str, retry: Option<Duration>) -> Error {
    let env: Envelope = serde_json::from_slice(body).unwrap_or_default();
    let code = env.error.code;
    // Graph's message is safe to show (it never holds the token); keep it short.
    let graph_message: String = env.error.message.chars().take(300).collect();
    let kind = match status {
        429 => ErrorKind::Throttled,
        504 => ErrorKind::OutcomeUnknown,
        500..=599 => ErrorKind::GraphServer,
        _ => ErrorKind::GraphClient,
    };
    let what = if graph_message.is_empty() {
        format!("Graph refused the request for mailbox `{mailbox}` with HTTP {status}")
    } else {
        format!("Graph refused the request for mailbox `{mailbox}`: {graph_message}")
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
    let h = match code {
        "ErrorAccessDenied" if message.contains("OData") || message.contains("AccessPolicy") => format!(
            "the app may not use mailbox `{mailbox}`: an application access policy or Exchange RBAC for Applications scope excludes it. \
             Check with `Test-ApplicationAccessPolicy -Identity {mailbox} -AppId <client_id>` or `Test-ServicePrincipalAuthorization`, \
             and add the mailbox to the policy's group (New-ApplicationAccessPolicy) or the management scope; changes can take an hour to apply"
        ),
        "ErrorAccessDenied" => format!(
            "grant the application permission Mail.Send (Microsoft Graph, Application) to the app and click 'Grant admin consent' in Entra; \
             if access is restricted, check `Test-ApplicationAccessPolicy -Identity {mailbox} -AppId <client_id>` or `Test-ServicePrincipalAuthorization`"
        ),
        "ErrorSendAsDenied" => format!(
            "mailbox `{mailbox}` lacks Send As permission for the From address: grant it with \
             `Add-RecipientPermission -Identity <from-address> -Trustee {mailbox} -AccessRights SendAs`, or send from `{mailbox}` itself"
        ),
        "ErrorInvalidUser" | "ResourceNotFound" => format!(
            "mailbox `{mailbox}` does not exist in the tenant: check `mailbox` (env O365_MAILBOX) or the From address, and that `tenant_id` is the right tenant"
        ),
        "MailboxNotEnabledForRESTAPI" => format!(
            "mailbox `{mailbox}` has no Exchange Online mailbox Graph can use (unlicensed, on-premises, or soft-deleted): assign an Exchange Online license or use another mailbox"
        ),
        "ErrorInvalidRecipients" => "a recipient address is invalid: check To, Cc and Bcc".to_string(),
        "ErrorMessageSizeExceeded" => {
            "the message is larger than the mailbox allows (default 35 MB): raise MaxSendSize with `Set-Mailbox -MaxSendSize 150MB`".to_string()
        }
        "ErrorMimeContentInvalidBase64String" => "the MIME body was not valid base64: report this as a bug".to_string(),
        "InvalidAuthenticationToken" => {
            "the access token was refused: check that `cloud` / `graph_endpoint` match the tenant's cloud".to_string()
        }
        _ if status == 413 || message.contains("Maximum request length") || message.contains("maximum request length") => {
            "the request is over Graph's ~4 MB limit".to_string()
        }
        _ => return None,
    };
    Some(h)
}
