//! Who is calling and may they touch this mailbox: the bearer token (401: not ours,
//! expired, or for another resource or cloud, as Graph checks `aud`), the
//! application permission in its `roles` or granted by Exchange RBAC for Applications
//! (403 "Access is denied" when neither), the mailbox's existence (404 ErrorInvalidUser /
//! MailboxNotEnabledForRESTAPI), then whether a grant covers this mailbox: the Entra
//! roles as narrowed by the application access policy, or the RBAC grant within its
//! management scope (403 "Access to OData is disabled." when none), in that order.

use super::errors::GraphError;
use crate::config::contains_ci;
use crate::context::Ctx;
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
    let claims = crate::jwt::verify_rs256(&shared.token_key, token, crate::clock::now_secs()).map_err(|e| match e {
        TokenError::Malformed => GraphError::invalid_token("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format."),
        TokenError::BadSignature => GraphError::invalid_token("Access token validation failure. Invalid signature."),
        TokenError::Expired => GraphError::invalid_token("Access token has expired or is not yet valid."),
    })?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if !is_this_graph(&s("aud")) {
        return Err(GraphError::invalid_token("Access token validation failure. Invalid audience."));
    }
    let roles = claims
        .get("roles")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    Ok(Caller { appid: s("appid"), tid: s("tid"), roles })
}

/// Whether a token's `aud` names this Graph: the global cloud's Graph (which the
/// emulator stands in for), its app id, or the emulator's own URL (for clients that
/// derive the scope from the Graph endpoint they were given). A token for another
/// cloud's Graph (graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn)
/// is refused, as graph.microsoft.com refuses it: a wrong `cloud` setting shows here.
fn is_this_graph(aud: &str) -> bool {
    let aud = aud.trim_end_matches('/');
    ["https://graph.microsoft.com", "https://canary.graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]
        .iter()
        .any(|g| g.eq_ignore_ascii_case(aud))
        || crate::entra::token::is_loopback(aud)
}

/// Checks that one of `roles` reaches `mailbox`: from the token (Entra admin consent) within
/// the application access policy, or from Exchange RBAC for Applications within its scope.
/// The two are additive, as in Exchange Online.
pub fn authorize(shared: &Shared, caller: &Caller, roles: &[&str], mailbox: &str) -> Result<(), GraphError> {
    let config = &shared.config;
    let app = crate::entra::directory::app_for_token(config, &caller.appid, &caller.tid);
    let entra = roles.iter().any(|r| contains_ci(&caller.roles, r));
    let rbac = app.is_some_and(|a| roles.iter().any(|r| contains_ci(&a.rbac_roles, r)));
    if !entra && !rbac {
        return Err(GraphError::access_denied());
    }
    if let Some(list) = &config.mailboxes {
        if !contains_ci(list, mailbox) && !contains_ci(&config.disabled_mailboxes, mailbox) {
            return Err(GraphError::invalid_user(mailbox));
        }
    }
    if contains_ci(&config.disabled_mailboxes, mailbox) {
        return Err(GraphError::mailbox_not_enabled());
    }
    let within = |scope: Option<&Vec<String>>| scope.is_none_or(|list| contains_ci(list, mailbox));
    let by_entra = entra && within(app.and_then(|a| a.allowed_mailboxes.as_ref()));
    let by_rbac = rbac && within(app.and_then(|a| a.rbac_scope.as_ref()));
    if by_entra || by_rbac { Ok(()) } else { Err(GraphError::access_policy()) }
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
