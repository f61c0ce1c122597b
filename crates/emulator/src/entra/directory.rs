//! Finding tenants and apps the way Entra does: first the tenant (by id or domain,
//! AADSTS90002 when unknown), then the app inside it (AADSTS700016).

use super::errors::EntraError;
use crate::config::{AppConfig, EmulatorConfig};

/// Whether an app lives in the tenant the client named (an app without a tenant lives
/// in every tenant).
pub fn app_in_tenant(app: &AppConfig, tenant: &str) -> bool {
    match &app.tenant_id {
        None => true,
        Some(t) => t.eq_ignore_ascii_case(tenant) || crate::config::contains_ci(&app.tenant_domains, tenant),
    }
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

/// The tenant id that goes into tokens: the app's configured id, else what the client asked for.
pub fn tenant_id_for(app: &AppConfig, requested: &str) -> String {
    app.tenant_id.clone().unwrap_or_else(|| requested.to_string())
}

/// Finds the app a token names (`appid` + `tid`), for mailbox policy checks.
pub fn app_for_token<'a>(config: &'a EmulatorConfig, appid: &str, tid: &str) -> Option<&'a AppConfig> {
    config
        .apps
        .iter()
        .find(|a| a.client_id.eq_ignore_ascii_case(appid) && app_in_tenant(a, tid))
}
