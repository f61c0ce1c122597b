//! Who is calling and may they touch this mailbox: the bearer token (401), the
//! application permission in its `roles` (403 "Access is denied"), the mailbox's
//! existence (404 ErrorInvalidUser / MailboxNotEnabledForRESTAPI) and the application
//! access policy (403 "Access to OData is disabled."), in that order.

use super::errors::GraphError;
use crate::config::contains_ci;
use crate::dispatch::Ctx;
use crate::jwt::TokenError;
use crate::state::Shared;
use serde_json::Value;

/// The app behind a valid token.
#[derive(Clone, Debug)]
pub struct Caller {
    pub appid: String,
    pub tid: String,
    pub roles: Vec<String>,
}

/// Checks the `Authorization: Bearer` header.
pub fn caller(shared: &Shared, ctx: &Ctx) -> Result<Caller, GraphError> {
    let header = ctx.headers.get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return Err(GraphError::invalid_token("Access token is empty."));
    }
    let claims = crate::jwt::verify_hs256(&shared.token_key, token, crate::clock::now_secs()).map_err(|e| match e {
        TokenError::Malformed => GraphError::invalid_token("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format."),
        TokenError::BadSignature => GraphError::invalid_token("Access token validation failure. Invalid signature."),
        TokenError::Expired => GraphError::invalid_token("Access token has expired or is not yet valid."),
    })?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let roles = claims
        .get("roles")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    Ok(Caller { appid: s("appid"), tid: s("tid"), roles })
}

/// 403 unless the token carries one of `roles`.
pub fn require_role(caller: &Caller, roles: &[&str]) -> Result<(), GraphError> {
    if roles.iter().any(|r| caller.roles.iter().any(|have| have.eq_ignore_ascii_case(r))) {
        Ok(())
    } else {
        Err(GraphError::access_denied())
    }
}

/// Checks the mailbox exists, can use REST, and is inside the app's access policy.
pub fn check_mailbox(shared: &Shared, caller: &Caller, mailbox: &str) -> Result<(), GraphError> {
    let config = &shared.config;
    if let Some(list) = &config.mailboxes {
        if !contains_ci(list, mailbox) && !contains_ci(&config.disabled_mailboxes, mailbox) {
            return Err(GraphError::invalid_user(mailbox));
        }
    }
    if contains_ci(&config.disabled_mailboxes, mailbox) {
        return Err(GraphError::mailbox_not_enabled());
    }
    let app = crate::entra::directory::app_for_token(config, &caller.appid, &caller.tid);
    if let Some(allowed) = app.and_then(|a| a.allowed_mailboxes.as_ref()) {
        if !contains_ci(allowed, mailbox) {
            return Err(GraphError::access_policy());
        }
    }
    Ok(())
}

/// Whether `mailbox` may put `from` in the From header: itself, or a Send As grant.
pub fn may_send_as(shared: &Shared, mailbox: &str, from: &str) -> bool {
    if from.eq_ignore_ascii_case(mailbox) {
        return true;
    }
    shared
        .config
        .send_as
        .iter()
        .any(|(m, list)| m.eq_ignore_ascii_case(mailbox) && contains_ci(list, from))
}
