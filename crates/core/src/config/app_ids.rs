//! The shapes of what Entra hands out for an app: the Directory (tenant) ID, the
//! Application (client) ID and a client secret's Value. A value copied from the wrong
//! place (the Secret ID column, the `common` authority of a sign-in sample) is named
//! with its fix before any request. `Config` refuses what can never authenticate; the
//! format checks (a GUID, a domain) are advice for setup dialogs (`O365\Config::problem()`,
//! `o365:install`), because the emulator and tests use free-form ids on purpose.

use crate::error::{Error, Result};

/// Authorities that name no single tenant: app-only tokens need one tenant.
const MULTI_TENANT: [&str; 3] = ["common", "organizations", "consumers"];

/// Why `value` cannot be right for `key` (`tenant_id`, `client_id`, `client_secret`,
/// `cloud`), or `None`; `None` also for keys without a shape of their own. Never quotes
/// a secret.
pub fn problem(key: &str, value: &str) -> Option<String> {
    match key {
        "tenant_id" => tenant_problem(value),
        "client_id" => client_id_problem(value),
        "client_secret" => secret_problem(value),
        "cloud" => crate::config::cloud::Cloud::parse(value).err().map(|e| e.message),
        _ => None,
    }
}

/// Refuses a tenant and a client secret that can never authenticate anywhere: an
/// authority that names no tenant, an empty secret, a secret with a line break. A
/// GUID-shaped secret is only advice (`problem`): it is almost surely the Secret ID,
/// but Entra's own answer (AADSTS7000215) says so with its fix, and a test or emulator
/// setup may register any string as its secret.
pub(crate) fn refuse_unusable(tenant_id: &str, secret: Option<&str>) -> Result<()> {
    if let Some(why) = multi_tenant(tenant_id) {
        return Err(Error::config("tenant_id", why).with_hint(
            "set `tenant_id` (env O365_TENANT_ID) to the Directory (tenant) ID shown on the app registration's Overview page in Entra",
        ));
    }
    if let Some(why) = secret.and_then(unusable_secret) {
        return Err(Error::config("client_secret", why)
            .with_hint("set `client_secret` (env O365_CLIENT_SECRET) to the Value of a client secret (Entra > App registrations > your app > Certificates & secrets)"));
    }
    Ok(())
}

/// Why `tenant` cannot be a Directory (tenant) ID for client credentials, or `None`.
pub fn tenant_problem(tenant: &str) -> Option<String> {
    if let Some(why) = multi_tenant(tenant) {
        return Some(why);
    }
    if !is_guid(tenant) && !is_domain(tenant) {
        return Some(format!(
            "`{tenant}` is neither a Directory (tenant) ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47) nor a verified domain such as contoso.onmicrosoft.com."
        ));
    }
    None
}

/// Why `client_id` cannot be an Application (client) ID, or `None`.
pub fn client_id_problem(client_id: &str) -> Option<String> {
    (!is_guid(client_id)).then(|| {
        format!("`{client_id}` is not an Application (client) ID: copy the GUID shown as \"Application (client) ID\" on the app registration's Overview page.")
    })
}

/// Why `secret` cannot be a client secret's Value, or `None` (never quotes the secret).
pub fn secret_problem(secret: &str) -> Option<String> {
    if let Some(why) = unusable_secret(secret) {
        return Some(why);
    }
    if is_guid(secret.trim()) {
        // Entra generates secret Values of 40 characters; a GUID is the Secret ID column.
        return Some("The client secret is a GUID, which is what the Secret ID column shows: copy the Value column instead (it is shown only right after the secret was created; if it is hidden now, create a new client secret).".into());
    }
    None
}

/// Why `secret` can never authenticate, or `None`.
fn unusable_secret(secret: &str) -> Option<String> {
    if secret.trim().is_empty() {
        return Some("The client secret is empty: copy the Value of a client secret (Certificates & secrets > Client secrets).".into());
    }
    if secret.contains(['\r', '\n']) {
        return Some("The client secret contains a line break: paste only its Value.".into());
    }
    None
}

fn multi_tenant(tenant: &str) -> Option<String> {
    MULTI_TENANT.iter().any(|m| m.eq_ignore_ascii_case(tenant)).then(|| {
        format!("`{tenant}` does not name one tenant: app-only tokens need the Directory (tenant) ID (a GUID) or a verified domain such as contoso.onmicrosoft.com.")
    })
}

/// A GUID in Entra's form: 8-4-4-4-12 hex digits.
pub fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A domain name such as contoso.onmicrosoft.com (a tenant's verified domain).
fn is_domain(value: &str) -> bool {
    let labels: Vec<&str> = value.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|t| (2..=63).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphabetic()));
    value.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants() {
        assert_eq!(tenant_problem("contoso.onmicrosoft.com"), None);
        assert_eq!(tenant_problem("72f988bf-86f1-41af-91ab-2d7cd011db47"), None);
        assert!(tenant_problem("Common").is_some_and(|w| w.contains("does not name one tenant")));
        assert!(tenant_problem("contoso").is_some_and(|w| w.contains("verified domain")));
        assert!(tenant_problem("-a.com").is_some());
    }

    #[test]
    fn client_ids_and_secrets() {
        assert_eq!(client_id_problem("00000000-0000-0000-0000-000000000001"), None);
        assert!(client_id_problem("00000000-0000-0000-0000-00000000000g").is_some());
        assert!(client_id_problem("my-app").is_some_and(|w| w.contains("Overview")));
        assert_eq!(secret_problem("abc8Q~x.y_z"), None);
        let guid = "6f1d0a7e-2b4c-4e9a-8d3f-1c5b7a9e0f2e";
        assert!(secret_problem(guid).is_some_and(|w| w.contains("Secret ID") && !w.contains(guid)));
        assert!(secret_problem("a\nb").is_some_and(|w| w.contains("line break")));
        assert!(secret_problem("  ").is_some_and(|w| w.contains("empty")));
    }

    #[test]
    fn problem_by_key() {
        assert!(problem("cloud", "mars").is_some_and(|w| w.contains("global, usgov, usgov-dod, china")));
        assert_eq!(problem("cloud", "china"), None);
        assert_eq!(problem("mailbox", "anything"), None);
        let e = refuse_unusable("organizations", None).unwrap_err();
        assert_eq!(e.config_key.as_deref(), Some("tenant_id"));
        let e = refuse_unusable("t", Some("abc\ndef")).unwrap_err();
        assert_eq!(e.config_key.as_deref(), Some("client_secret"));
        assert!(e.to_string().contains("O365_CLIENT_SECRET"), "{e}");
        assert!(!e.to_string().contains("abc"), "a secret is never quoted: {e}");
        assert!(refuse_unusable("t", Some("s3cret")).is_ok());
        // A GUID-shaped secret is advice (`problem`), not a refusal: Entra's answer says so.
        let guid = "6f1d0a7e-2b4c-4e9a-8d3f-1c5b7a9e0f2e";
        assert!(refuse_unusable("t", Some(guid)).is_ok());
        assert!(problem("client_secret", guid).is_some_and(|w| w.contains("Secret ID")));
    }
}
