//! The credential's config keys and how they become one [`Credential`]: exactly one
//! kind per config (else a configuration error listing what was found), companion keys
//! only next to their kind, and the environment's defaults.
//!
//! Precedence, highest first:
//! - a credential key in the config (`client_secret`, `client_certificate`,
//!   `federated_token_file`, `managed_identity`);
//! - with none of them: `AZURE_FEDERATED_TOKEN_FILE` (Azure Workload Identity) makes it a
//!   federated credential;
//! - for a federated credential, `tenant_id`, `client_id` and `login_endpoint` come from
//!   the config, else from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_AUTHORITY_HOST`;
//! - for a managed identity, the endpoint is `managed_identity_endpoint`, else
//!   `IDENTITY_ENDPOINT`, else IMDS; the App Service protocol is used when
//!   `IDENTITY_HEADER` is set.

use super::certificate::Certificate;
use super::certificate_file::{Algorithm, Source};
use super::federated::{ENV_TOKEN_FILE, FederatedToken};
use super::managed_identity::{IMDS_ENDPOINT, ManagedIdentity, Protocol};
use super::Credential;
use crate::config::value::{ConfigValue, expect_bool, expect_str};
use crate::error::{Error, Result};
use crate::config::secret::Secret;

/// Where environment variables come from; tests inject their own.
pub trait Env {
    /// A non-empty variable.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process's environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name).filter(|v| !v.is_empty())
    }
}

/// `managed_identity` as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    System,
    User(String),
}

/// The credential keys as they arrive.
#[derive(Default)]
pub(crate) struct RawCredential {
    client_secret: Option<Secret>,
    client_certificate: Option<String>,
    client_certificate_key: Option<String>,
    client_certificate_password: Option<Secret>,
    client_certificate_algorithm: Option<String>,
    client_certificate_send_chain: Option<bool>,
    federated_token_file: Option<String>,
    managed_identity: Option<Identity>,
    managed_identity_endpoint: Option<String>,
}

/// Identity settings the credential may default from the environment.
pub(crate) struct Ids<'a> {
    pub tenant_id: &'a mut Option<String>,
    pub client_id: &'a mut Option<String>,
    pub login_endpoint: &'a mut Option<String>,
}

/// A secret string: not trimmed and never echoed.
fn secret(key: &str, v: ConfigValue) -> Result<Option<Secret>> {
    match v {
        ConfigValue::Null => Ok(None),
        ConfigValue::Str(s) if s.is_empty() => Ok(None),
        ConfigValue::Str(s) => Ok(Some(Secret::new(s))),
        other => Err(Error::config(key, format!("config key `{key}` must be a string, got {}", other.type_name()))),
    }
}

fn identity(v: ConfigValue) -> Result<Option<Identity>> {
    let key = "managed_identity";
    Ok(match v {
        ConfigValue::Null | ConfigValue::Bool(false) | ConfigValue::Int(0) => None,
        ConfigValue::Bool(true) | ConfigValue::Int(1) => Some(Identity::System),
        ConfigValue::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" | "false" | "0" | "no" | "off" => None,
            "true" | "1" | "yes" | "on" | "system" => Some(Identity::System),
            _ => {
                let id = s.trim();
                if id.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '&' | '#' | '?' | '/' | '%')) {
                    return Err(Error::config(key, "config key `managed_identity` must be true or the Client ID of a user-assigned identity")
                        .with_hint("set `managed_identity` (env O365_MANAGED_IDENTITY) to true, or to the identity's Client ID (a GUID) from its Overview page"));
                }
                Some(Identity::User(id.to_string()))
            }
        },
        other => {
            return Err(Error::config(key, format!("config key `managed_identity` must be true or a client id string, got {}", other.type_name())));
        }
    })
}

impl RawCredential {
    /// Takes `key` if it is a credential key (`Ok(false)`: not one of ours; the list of
    /// every key is `config::KEYS`).
    pub fn set(&mut self, key: &str, v: ConfigValue) -> Result<bool> {
        match key {
            "client_secret" => self.client_secret = secret(key, v)?,
            "client_certificate" => self.client_certificate = expect_str(key, v)?,
            "client_certificate_key" => self.client_certificate_key = expect_str(key, v)?,
            "client_certificate_password" => self.client_certificate_password = secret(key, v)?,
            "client_certificate_algorithm" => self.client_certificate_algorithm = expect_str(key, v)?,
            "client_certificate_send_chain" => self.client_certificate_send_chain = expect_bool(key, v)?,
            "federated_token_file" => self.federated_token_file = expect_str(key, v)?,
            "managed_identity" => self.managed_identity = identity(v)?,
            "managed_identity_endpoint" => self.managed_identity_endpoint = expect_str(key, v)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Whether the credential is a managed identity (tenant and client ids optional).
    pub fn is_managed_identity(&self) -> bool {
        self.managed_identity.is_some()
    }

    /// Whether this credential may do without `tenant_id`/`client_id` in the config: a
    /// managed identity, or a federated credential (AZURE_TENANT_ID / AZURE_CLIENT_ID).
    pub fn may_default_ids(&self, env: &dyn Env) -> bool {
        let only_federated = self.client_secret.is_none() && self.client_certificate.is_none();
        // (`managed_identity_endpoint` alone: let the companion check name the real fault.)
        self.managed_identity.is_some()
            || self.managed_identity_endpoint.is_some()
            || (only_federated && (self.federated_token_file.is_some() || env.var(ENV_TOKEN_FILE).is_some()))
    }

    /// The credential kinds configured, by key.
    fn kinds(&self) -> Vec<&'static str> {
        let mut found = Vec::new();
        if self.client_secret.is_some() {
            found.push("client_secret");
        }
        if self.client_certificate.is_some() {
            found.push("client_certificate");
        }
        if self.federated_token_file.is_some() {
            found.push("federated_token_file");
        }
        if self.managed_identity.is_some() {
            found.push("managed_identity");
        }
        found
    }

    /// Builds the credential; fills `ids` from the environment where the kind says so.
    pub fn finish(self, ids: Ids<'_>, env: &dyn Env) -> Result<Credential> {
        let kinds = self.kinds();
        if kinds.len() > 1 {
            return Err(Error::config(kinds[1], format!(
                "more than one credential is configured: found {}",
                kinds.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ))
            .with_hint("keep exactly one of `client_secret`, `client_certificate`, `federated_token_file` and `managed_identity` (check the O365_* env variables too)"));
        }
        self.check_companions()?;
        if let Some(secret) = self.client_secret {
            return Ok(Credential::ClientSecret(secret));
        }
        if let Some(cert) = self.client_certificate {
            let algorithm = match &self.client_certificate_algorithm {
                Some(a) => Algorithm::parse(a)?,
                None => Algorithm::Ps256,
            };
            let loaded = Certificate::load(Source {
                cert,
                key: self.client_certificate_key,
                password: self.client_certificate_password,
                algorithm,
                send_chain: self.client_certificate_send_chain.unwrap_or(false),
            })?;
            return Ok(Credential::Certificate(std::sync::Arc::new(loaded)));
        }
        if let Some(identity) = self.managed_identity {
            return managed_identity(identity, self.managed_identity_endpoint, env);
        }
        let federated = match self.federated_token_file {
            Some(path) => FederatedToken { path: path.into(), from_env: false },
            None => match env.var(ENV_TOKEN_FILE) {
                Some(path) => FederatedToken { path: path.into(), from_env: true },
                None => {
                    return Err(Error::config("client_secret", "no credential configured: set `client_secret`, `client_certificate`, `federated_token_file` or `managed_identity`")
                        .with_hint("set one credential: `client_secret` (env O365_CLIENT_SECRET), `client_certificate` (env O365_CLIENT_CERTIFICATE), \
                                    `federated_token_file` (env O365_FEDERATED_TOKEN_FILE or AZURE_FEDERATED_TOKEN_FILE) or `managed_identity` (env O365_MANAGED_IDENTITY)"));
                }
            },
        };
        // Checked now so that a wrong path fails at construction; read again per token.
        federated.read()?;
        for (slot, var) in [(ids.tenant_id, "AZURE_TENANT_ID"), (ids.client_id, "AZURE_CLIENT_ID"), (ids.login_endpoint, "AZURE_AUTHORITY_HOST")] {
            if slot.is_none() {
                *slot = env.var(var);
            }
        }
        Ok(Credential::Federated(federated))
    }

    /// Companion keys need their kind.
    fn check_companions(&self) -> Result<()> {
        let cert_keys = [
            ("client_certificate_key", self.client_certificate_key.is_some()),
            ("client_certificate_password", self.client_certificate_password.is_some()),
            ("client_certificate_algorithm", self.client_certificate_algorithm.is_some()),
            ("client_certificate_send_chain", self.client_certificate_send_chain.is_some()),
        ];
        if self.client_certificate.is_none() {
            if let Some((k, _)) = cert_keys.iter().find(|(_, set)| *set) {
                return Err(Error::config(k, format!("config key `{k}` is set but `client_certificate` is not"))
                    .with_hint("set `client_certificate` (env O365_CLIENT_CERTIFICATE) to the certificate file, or remove the key"));
            }
        }
        if self.managed_identity.is_none() && self.managed_identity_endpoint.is_some() {
            return Err(Error::config("managed_identity_endpoint", "config key `managed_identity_endpoint` is set but `managed_identity` is not")
                .with_hint("set `managed_identity` (env O365_MANAGED_IDENTITY) to true or a user-assigned identity's client id, or remove the key"));
        }
        Ok(())
    }
}

fn managed_identity(identity: Identity, endpoint: Option<String>, env: &dyn Env) -> Result<Credential> {
    let (endpoint, origin) = match endpoint {
        Some(e) => (e, "config key `managed_identity_endpoint`"),
        None => match env.var("IDENTITY_ENDPOINT") {
            Some(e) => (e, "env IDENTITY_ENDPOINT"),
            None => (IMDS_ENDPOINT.to_string(), "the default IMDS address"),
        },
    };
    // The rules of `login_endpoint` (a path and query allowed): refused at construction,
    // never echoed (user info would carry a password into messages and diagnose()).
    let endpoint = crate::config::url::endpoint_url("managed_identity_endpoint", &endpoint, origin, IMDS_ENDPOINT)?;
    let protocol = match env.var("IDENTITY_HEADER") {
        Some(h) => Protocol::AppService { header: Secret::new(h) },
        None => Protocol::Imds,
    };
    let client_id = match identity {
        Identity::System => None,
        Identity::User(id) => Some(id),
    };
    Ok(Credential::ManagedIdentity(ManagedIdentity { client_id, endpoint, protocol, origin }))
}
