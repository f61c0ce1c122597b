//! Graph's error body, `{"error":{"code","message","innerError":{"date","request-id",
//! "client-request-id"}}}`, and constructors for the cases docs/graph-facts.md lists. The
//! messages are Microsoft's own where Microsoft documents them.

use crate::context::{Ctx, ErrorCode};
use crate::http::{self, Resp};
use hyper::StatusCode;
use serde_json::json;

/// A Graph error about to be answered.
#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// `Retry-After` seconds (throttling).
    pub retry_after: Option<String>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        GraphError { status, code: code.to_string(), message: message.into(), retry_after: None }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401 for a missing, malformed, forged or expired bearer token.
    pub fn invalid_token(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message)
    }

    /// 403 when the token lacks the needed application permission.
    pub fn access_denied() -> Self {
        Self::new(StatusCode::FORBIDDEN, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    }

    /// 403 when an application access policy (or RBAC scope) excludes the mailbox.
    pub fn access_policy() -> Self {
        Self::new(StatusCode::FORBIDDEN, "ErrorAccessDenied", "Access to OData is disabled.")
    }

    /// 404 for a mailbox that does not exist.
    pub fn invalid_user(mailbox: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ErrorInvalidUser", format!("The requested user '{mailbox}' is invalid."))
    }

    /// 404 for a mailbox without REST access (unlicensed, on-premises, soft-deleted).
    pub fn mailbox_not_enabled() -> Self {
        Self::new(StatusCode::NOT_FOUND, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
    }

    /// 404 for an unknown message, attachment or session id.
    pub fn item_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "ErrorItemNotFound", "The specified object was not found in the store.")
    }

    /// 413 for a request body over ~4 MB.
    pub fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLarge", "The maximum request length supported is 4MB.")
    }

    /// 400 for a body that is not JSON.
    pub fn invalid_json() -> Self {
        Self::bad_request("BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
    }

    /// 403 when `From` names a mailbox this one may not send as.
    pub fn send_as_denied() -> Self {
        Self::new(StatusCode::FORBIDDEN, "ErrorSendAsDenied", "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.")
    }

    /// 429 with Retry-After.
    pub fn throttled(message: &str, retry_after: String) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, "ApplicationThrottled", message);
        e.retry_after = Some(retry_after);
        e
    }

    /// 404 for a path Graph does not serve.
    pub fn unknown_segment(path: &str) -> Self {
        Self::bad_request("BadRequest", format!("Resource not found for the segment '{}'.", last_segment(path)))
    }

    /// 405 for a known path with the wrong method.
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
    }

    /// Graph's JSON error response, with `innerError` and the throttling header.
    pub fn response(&self, ctx: &Ctx) -> Resp {
        let body = json!({"error": {
            "code": self.code,
            "message": self.message,
            "innerError": {
                "date": crate::clock::iso(crate::clock::now_secs()),
                "request-id": ctx.request_id,
                "client-request-id": ctx.correlation_id(),
            },
        }});
        let mut resp = http::json(self.status, &body);
        if let Some(ra) = &self.retry_after {
            http::set_header(&mut resp, "retry-after", ra);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            http::set_header(&mut resp, "www-authenticate",
                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");
        }
        resp.extensions_mut().insert(ErrorCode(self.code.clone()));
        resp
    }
}

fn last_segment(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or(path)
}
