//! `POST /{tenant}/oauth2/v2.0/token`, client-credentials grant. Checks in Entra's
//! order (grant, tenant, app, scope, credential) and answers like Entra: a Bearer token
//! with `expires_in`/`ext_expires_in`, or an AADSTS error.

use super::assertion::{self, Expect};
use super::directory;
use super::errors::EntraError;
use crate::context::Ctx;
use crate::http::{self, Resp};
use crate::state::Shared;
use hyper::StatusCode;
use serde_json::json;
use std::collections::HashMap;

/// Resources whose `/.default` scope yields a Graph token: the four clouds' Graph hosts
/// and Graph's well-known app id. A loopback URL counts too, for clients that derive the
/// scope from a Graph endpoint pointed at the emulator. A token for another cloud's
/// Graph name is issued too (as reported in msgraph-sdk-python#229;
/// see docs/emulator.md); its `aud` is the name asked for, and the emulator's Graph,
/// standing in for graph.microsoft.com, refuses it with 401 as Graph refuses a token
/// whose `aud` is not its own. Other resources get
/// AADSTS500011: the emulator serves mail through Graph only.
const GRAPH_RESOURCES: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
    "https://canary.graph.microsoft.com",
    "00000003-0000-0000-c000-000000000000",
];

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Handles one token request for `tenant`.
pub fn handle(shared: &Shared, ctx: &Ctx, tenant: &str) -> Resp {
    match issue(shared, ctx, tenant) {
        Ok(resp) => resp,
        Err(e) => {
            let cid = ctx.correlation_id();
            let mut resp = e.response(&ctx.request_id, &cid);
            resp.extensions_mut().insert(crate::context::ErrorCode(format!("AADSTS{}", e.code)));
            resp
        }
    }
}

fn issue(shared: &Shared, ctx: &Ctx, tenant: &str) -> Result<Resp, EntraError> {
    let form: HashMap<String, String> = form_urlencoded::parse(&ctx.body).into_owned().collect();
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let grant = get("grant_type").ok_or_else(|| EntraError::missing_parameter("grant_type"))?;
    if grant != "client_credentials" {
        return Err(EntraError::unsupported_grant(grant));
    }
    let config = &shared.config;
    if !directory::tenant_exists(config, tenant) {
        return Err(EntraError::unknown_tenant(tenant));
    }
    let client_id = client_id(ctx, get("client_id")).ok_or_else(|| EntraError::missing_parameter("client_id"))?;
    let idx = directory::find_app(config, tenant, &client_id)?;
    let app = &config.apps[idx];
    if app.disabled {
        return Err(EntraError::app_disabled(&client_id));
    }
    let scope = get("scope").ok_or_else(|| EntraError::missing_parameter("scope"))?;
    let resource = check_scope(scope, tenant)?;
    let acr = authenticate(shared, idx, &client_id, tenant, &form, basic_secret(ctx))?;
    let tid = directory::tenant_id_for(app, tenant);
    let now = crate::clock::now_secs();
    let lifetime = config.token_lifetime_secs;
    let oid = directory::stable_uuid(&format!("{tid}/{}", app.client_id));
    let mut claims = json!({
        "aud": resource,
        "iss": format!("https://sts.windows.net/{tid}/"),
        "iat": now, "nbf": now, "exp": now + lifetime,
        "appid": app.client_id, "appidacr": acr, "azp": app.client_id,
        "idp": format!("https://sts.windows.net/{tid}/"), "idtyp": "app",
        "oid": oid.to_string(), "sub": oid.to_string(), "tid": tid,
        "uti": ctx.request_id.replace('-', ""), "ver": "1.0",
    });
    // Entra leaves `roles` out entirely when nothing was consented.
    if !app.roles.is_empty() {
        claims["roles"] = json!(app.roles);
    }
    let token = crate::jwt::sign_rs256(&shared.token_key, &claims);
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": token,
    });
    // Entra adds `refresh_in` (half the lifetime) to long-lived tokens; MSAL then
    // refreshes early but keeps serving the cached token if the refresh fails.
    if lifetime >= 7200 {
        body["refresh_in"] = json!(lifetime / 2);
    }
    let mut resp = http::json(StatusCode::OK, &body);
    http::set_header(&mut resp, "cache-control", "no-store, no-cache");
    http::set_header(&mut resp, "pragma", "no-cache");
    Ok(resp)
}

/// `client_id` from the form, else from HTTP Basic auth (client_secret_basic).
fn client_id(ctx: &Ctx, form_value: Option<&str>) -> Option<String> {
    form_value.map(str::to_string).or_else(|| basic_credentials(ctx).map(|(id, _)| id))
}

fn basic_secret(ctx: &Ctx) -> Option<String> {
    basic_credentials(ctx).map(|(_, s)| s)
}

fn basic_credentials(ctx: &Ctx) -> Option<(String, String)> {
    use base64::Engine;
    let value = ctx.headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |s: &str| form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((dec(id)?, dec(secret)?))
}

/// Client credentials need exactly one `{resource}/.default` scope naming Graph.
fn check_scope(scope: &str, tenant: &str) -> Result<String, EntraError> {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let [only] = scopes.as_slice() else { return Err(EntraError::scope_not_default(scope)) };
    let resource = only
        .strip_suffix("/.default")
        .ok_or_else(|| EntraError::scope_not_default(scope))?
        .trim_end_matches('/');
    let known = GRAPH_RESOURCES.iter().any(|r| r.eq_ignore_ascii_case(resource)) || is_loopback(resource);
    if !known {
        return Err(EntraError::unknown_resource(resource, tenant));
    }
    Ok(if resource.starts_with("00000003") { "https://graph.microsoft.com".into() } else { resource.to_string() })
}

/// Whether `resource` names Graph (a managed identity's `resource` parameter).
pub fn is_graph_resource(resource: &str) -> bool {
    GRAPH_RESOURCES.iter().any(|r| r.eq_ignore_ascii_case(resource)) || is_loopback(resource)
}

/// Whether `resource` is a URL on a loopback name (the emulator itself).
pub fn is_loopback(resource: &str) -> bool {
    let rest = resource.strip_prefix("http://").or_else(|| resource.strip_prefix("https://"));
    rest.is_some_and(|r| r.starts_with("127.0.0.1") || r.starts_with("localhost") || r.starts_with("[::1]"))
}

/// Checks the secret or the assertion; returns `appidacr` (1 secret, 2 certificate).
fn authenticate(
    shared: &Shared,
    idx: usize,
    client_id: &str,
    tenant: &str,
    form: &HashMap<String, String>,
    basic_secret: Option<String>,
) -> Result<&'static str, EntraError> {
    let app = &shared.config.apps[idx];
    let secret = form.get("client_secret").filter(|s| !s.is_empty()).cloned().or(basic_secret);
    if let Some(secret) = secret {
        if app.client_secrets.iter().any(|s| s == &secret) {
            return Ok("1");
        }
        if app.expired_secrets.iter().any(|s| s == &secret) {
            return Err(EntraError::expired_secret(client_id));
        }
        return Err(EntraError::invalid_secret(client_id));
    }
    let Some(assertion) = form.get("client_assertion").filter(|s| !s.is_empty()) else {
        return Err(EntraError::missing_credential());
    };
    if form.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
        return Err(EntraError::bad_assertion_type());
    }
    // An assertion the app issued itself names the app (iss = client id): a certificate
    // credential. Anything else is another issuer's token: federated credentials.
    let federated = shared.federated.get(idx).map(Vec::as_slice).unwrap_or(&[]);
    if !federated.is_empty() {
        if let Some(token) = crate::jwt::decode(assertion) {
            let iss = token.claims.get("iss").and_then(serde_json::Value::as_str).unwrap_or("");
            if !iss.eq_ignore_ascii_case(client_id) {
                super::federated::verify(&token, federated, crate::clock::now_secs())?;
                return Ok("2");
            }
        }
    }
    let certs = shared.certs.get(idx).map(Vec::as_slice).unwrap_or(&[]);
    let expect = Expect { client_id, tenant, now: crate::clock::now_secs() };
    assertion::verify(assertion, certs, &expect)?;
    Ok("2")
}
