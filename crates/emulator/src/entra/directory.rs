//! Finding tenants and apps the way Entra does: first the tenant (by id or domain,
//! AADSTS90002 when unknown), then the app inside it (AADSTS700016). Every tenant has a
//! GUID, which tokens carry (`tid`, the `iss` path) whatever name the client used: the
//! configured `tenant_id` when it is a GUID, else one derived from the name, so the same
//! name always maps to the same GUID.

use super::errors::EntraError;
use crate::config::{AppConfig, EmulatorConfig};

/// Whether an app lives in the tenant the client named (an app without a tenant lives
/// in every tenant).
pub fn app_in_tenant(app: &AppConfig, tenant: &str) -> bool {
    match &app.tenant_id {
        None => true,
        Some(t) => {
            t.eq_ignore_ascii_case(tenant)
                || tenant_guid(t).eq_ignore_ascii_case(tenant)
                || crate::config::contains_ci(&app.tenant_domains, tenant)
        }
    }
}

/// The GUID of the tenant known by `name`: the name itself when it is a GUID (lowercase),
/// else a GUID derived from it (case-insensitively), stable across runs.
pub fn tenant_guid(name: &str) -> String {
    match uuid::Uuid::parse_str(name) {
        Ok(id) => id.to_string(),
        Err(_) => stable_uuid(&format!("tenant/{}", name.to_ascii_lowercase())).to_string(),
    }
}

/// A GUID derived from `seed` (SHA-256), shaped like a random one.
pub fn stable_uuid(seed: &str) -> uuid::Uuid {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Whether any app makes this tenant exist.
pub fn tenant_exists(config: &EmulatorConfig, tenant: &str) -> bool {
    config.apps.iter().any(|a| app_in_tenant(a, tenant))
}

/// The index of the app `client_id` in `tenant`.
pub fn find_app(config: &EmulatorConfig, tenant: &str, client_id: &str) -> Result<usize, EntraError> {
    if !tenant_exists(config, tenant) {
        return Err(EntraError::unknown_tenant(tenant));
    }
    config
        .apps
        .iter()
        .position(|a| a.client_id.eq_ignore_ascii_case(client_id) && app_in_tenant(a, tenant))
        .ok_or_else(|| EntraError::unknown_app(client_id, tenant))
}

/// The tenant GUID that goes into tokens: the app's configured tenant's, else the one of
/// the name the client asked for (an app without a tenant lives in every tenant).
pub fn tenant_id_for(app: &AppConfig, requested: &str) -> String {
    tenant_guid(app.tenant_id.as_deref().unwrap_or(requested))
}

/// Finds the app a token names (`appid` + `tid`), for mailbox policy checks.
pub fn app_for_token<'a>(config: &'a EmulatorConfig, appid: &str, tid: &str) -> Option<&'a AppConfig> {
    config
        .apps
        .iter()
        .find(|a| a.client_id.eq_ignore_ascii_case(appid) && app_in_tenant(a, tid))
}
