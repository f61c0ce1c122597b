//! The OpenID Connect discovery document Microsoft's client libraries read before they
//! ask for a token (MSAL with `validate_authority=False, instance_discovery=False`, the
//! Azure Identity credentials, the Graph SDKs), and the JWKS with the key that signs the
//! emulator's access tokens (RS256), so code that validates tokens can.

use super::errors::EntraError;
use crate::context::Ctx;
use crate::http::{self, Resp};
use crate::state::Shared;
use hyper::StatusCode;
use serde_json::json;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration` (and the v1 path).
pub fn openid_configuration(shared: &Shared, ctx: &Ctx, tenant: &str) -> Resp {
    if !super::directory::tenant_exists(&shared.config, tenant) {
        let cid = ctx.correlation_id();
        // Entra answers an unknown tenant's discovery with `invalid_tenant`.
        let mut e = EntraError::unknown_tenant(tenant);
        e.error = "invalid_tenant";
        return e.response(&ctx.request_id, &cid);
    }
    let b = &shared.base_url;
    // Entra's issuer names the tenant by its GUID, whatever name the request used.
    let issuer_tenant = shared
        .config
        .apps
        .iter()
        .find(|a| super::directory::app_in_tenant(a, tenant))
        .map(|a| super::directory::tenant_id_for(a, tenant))
        .unwrap_or_else(|| super::directory::tenant_guid(tenant));
    let doc = json!({
        "token_endpoint": format!("{b}/{tenant}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{b}/{tenant}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{b}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{b}/oidc/userinfo"),
        "authorization_endpoint": format!("{b}/{tenant}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{b}/{tenant}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{b}/{tenant}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "at_hash", "c_hash"],
        "kerberos_endpoint": format!("{b}/{tenant}/kerberos"),
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    });
    http::json(StatusCode::OK, &doc)
}

/// `GET /{tenant}/discovery/v2.0/keys` (and the v1 path).
pub fn jwks(shared: &Shared) -> Resp {
    http::json(StatusCode::OK, &crate::jwt::jwks(&shared.token_key))
}
