//! The managed identity endpoints of an Azure host, both protocols:
//! - IMDS (VMs): `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...`
//!   with `Metadata: true`; errors `{error, error_description}`;
//! - App Service / Functions / Container Apps: `GET /msi/token?api-version=2019-08-01&resource=...`
//!   with `X-IDENTITY-HEADER`; errors `{statusCode, message}`.
//!
//! Tokens carry the identity's client id as `appid` and its roles, like Entra's tokens
//! for a managed identity's service principal; `expires_on` etc. are strings, as the
//! real endpoints send them. Transient failures (IMDS's 404/410/429/5xx) come from
//! fault rules on these paths.

use crate::config::ManagedIdentityConfig;
use crate::context::Ctx;
use crate::http::{self, Resp};
use crate::state::Shared;
use hyper::StatusCode;
use serde_json::json;
use std::collections::HashMap;

/// IMDS's token path.
pub const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
/// The App Service token path (what IDENTITY_ENDPOINT points at).
pub const APP_SERVICE_PATH: &str = "/msi/token";

/// Which protocol a request came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Imds,
    AppService,
}

fn error(style: Style, status: StatusCode, code: &str, message: &str) -> Resp {
    let mut resp = match style {
        Style::Imds => http::json(status, &json!({"error": code, "error_description": message})),
        Style::AppService => http::json(status, &json!({"statusCode": status.as_u16(), "message": message})),
    };
    resp.extensions_mut().insert(crate::context::ErrorCode(code.to_string()));
    resp
}

/// Answers one token request.
pub fn handle(shared: &Shared, ctx: &Ctx, style: Style) -> Resp {
    let query: HashMap<String, String> =
        form_urlencoded::parse(ctx.query.as_deref().unwrap_or("").as_bytes()).into_owned().collect();
    if let Some(refused) = protocol_error(shared, ctx, style, &query) {
        return refused;
    }
    let Some(resource) = query.get("resource").map(|r| r.trim_end_matches('/').to_string()) else {
        return error(style, StatusCode::BAD_REQUEST, "invalid_request", "Required query variable 'resource' is missing");
    };
    if !super::token::is_graph_resource(&resource) {
        return error(style, StatusCode::BAD_REQUEST, "invalid_resource", &format!(
            "AADSTS500011: The resource principal named {resource} was not found in the tenant."));
    }
    match identity(shared, style, &query) {
        Ok(identity) => http::json(StatusCode::OK, &token_body(shared, ctx, style, identity, &resource)),
        Err(refused) => refused,
    }
}

/// A request the endpoint's protocol refuses: not a GET, without the header that proves
/// it came from the host (`Metadata: true`, `X-IDENTITY-HEADER`), or another api-version.
fn protocol_error(shared: &Shared, ctx: &Ctx, style: Style, query: &HashMap<String, String>) -> Option<Resp> {
    let header = |name: &str| ctx.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if ctx.method != hyper::Method::GET {
        return Some(error(style, StatusCode::METHOD_NOT_ALLOWED, "invalid_request", "The managed identity endpoint only accepts GET."));
    }
    match style {
        Style::Imds if !header("metadata").eq_ignore_ascii_case("true") => {
            return Some(error(style, StatusCode::BAD_REQUEST, "invalid_request", "Required metadata header not specified"));
        }
        Style::AppService if header("x-identity-header") != shared.config.identity_header => {
            return Some(error(style, StatusCode::UNAUTHORIZED, "unauthorized", "The request is missing the X-IDENTITY-HEADER or its value is wrong."));
        }
        _ => {}
    }
    let wanted_version = if style == Style::Imds { "2018-02-01" } else { "2019-08-01" };
    match query.get("api-version") {
        None => Some(error(style, StatusCode::BAD_REQUEST, "invalid_request", "Required query variable 'api-version' is missing")),
        Some(v) if v != wanted_version => Some(error(style, StatusCode::BAD_REQUEST, "invalid_request", &format!(
            "Unsupported api-version '{v}'; this endpoint speaks {wanted_version}."))),
        _ => None,
    }
}

/// The identity asked for (`client_id`), or the system-assigned one.
fn identity<'a>(shared: &'a Shared, style: Style, query: &HashMap<String, String>) -> Result<&'a ManagedIdentityConfig, Resp> {
    let identities = &shared.config.managed_identities;
    let found = match query.get("client_id").filter(|c| !c.is_empty()) {
        Some(id) => identities.iter().find(|m| m.client_id.eq_ignore_ascii_case(id)),
        None => identities.iter().find(|m| !m.user_assigned),
    };
    found.ok_or_else(|| match style {
        Style::Imds => error(style, StatusCode::BAD_REQUEST, "invalid_request", "Identity not found"),
        Style::AppService => error(style, StatusCode::BAD_REQUEST, "invalid_request",
            "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId."),
    })
}

/// The token and its answer in the endpoint's shape.
fn token_body(shared: &Shared, ctx: &Ctx, style: Style, identity: &ManagedIdentityConfig, resource: &str) -> serde_json::Value {
    let now = crate::clock::now_secs();
    let lifetime = shared.config.token_lifetime_secs;
    let tid = &super::directory::tenant_guid(&identity.tenant_id);
    let mut claims = json!({
        "aud": resource, "iss": format!("https://sts.windows.net/{tid}/"),
        "iat": now, "nbf": now, "exp": now + lifetime,
        "appid": identity.client_id, "appidacr": "2", "azp": identity.client_id,
        "idp": format!("https://sts.windows.net/{tid}/"), "idtyp": "app",
        "oid": identity.client_id, "sub": identity.client_id, "tid": tid,
        "uti": ctx.request_id.replace('-', ""), "ver": "1.0",
        "xms_mirid": "/subscriptions/emulator/resourcegroups/emulator/providers/Microsoft.Web/sites/emulator",
    });
    if !identity.roles.is_empty() {
        claims["roles"] = json!(identity.roles);
    }
    let token = crate::jwt::sign_rs256(&shared.token_key, &claims);
    let body = match style {
        Style::Imds => json!({
            "access_token": token, "client_id": identity.client_id,
            "expires_in": lifetime.to_string(), "expires_on": (now + lifetime).to_string(),
            "ext_expires_in": lifetime.to_string(), "not_before": now.to_string(),
            "resource": resource, "token_type": "Bearer",
        }),
        Style::AppService => json!({
            "access_token": token, "expires_on": (now + lifetime).to_string(),
            "resource": resource, "token_type": "Bearer", "client_id": identity.client_id,
        }),
    };
    body
}
