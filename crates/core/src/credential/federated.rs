//! Workload identity federation: another identity provider (Kubernetes with Azure
//! Workload Identity, GitHub Actions OIDC, any OIDC issuer trusted by a federated
//! credential on the app) issues a short-lived JWT into a file; it goes to Entra as the
//! client assertion. The file is read on every token request because its owner
//! rewrites it (the kubelet rotates projected service account tokens), so a cached copy
//! would expire. Errors name the file and where its name came from (config key or
//! AZURE_FEDERATED_TOKEN_FILE).

use std::path::PathBuf;

use base64::Engine as _;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The env variable Azure Workload Identity sets.
pub const ENV_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";

/// A token file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FederatedToken {
    /// The file holding the current assertion.
    pub path: PathBuf,
    /// Whether the path came from AZURE_FEDERATED_TOKEN_FILE rather than the config.
    pub from_env: bool,
}

impl FederatedToken {
    /// Where the path came from, for messages.
    fn origin(&self) -> String {
        if self.from_env {
            format!("env {ENV_TOKEN_FILE}")
        } else {
            "config key `federated_token_file` (env O365_FEDERATED_TOKEN_FILE)".to_string()
        }
    }

    fn error(&self, what: String) -> Error {
        Error::config("federated_token_file", format!("the federated token file `{}` (from {}) {what}", self.path.display(), self.origin()))
            .with_hint(format!(
                "check `federated_token_file` or {ENV_TOKEN_FILE}: with Azure Workload Identity the pod needs the label \
                 azure.workload.identity/use: \"true\" and a service account annotated with the app's client id; \
                 elsewhere the file must hold the identity provider's current JWT and be readable by the PHP process"
            ))
    }

    /// Reads the current assertion.
    pub(crate) fn read(&self) -> Result<Secret> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| self.error(format!("cannot be read: {e}")))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(self.error("is empty".to_string()));
        }
        if token.split('.').count() != 3 {
            return Err(self.error("does not hold a JWT (header.payload.signature)".to_string()));
        }
        Ok(Secret::new(token.to_string()))
    }

    /// The current token's public claims (`iss`, `sub`, `aud`, `exp`), for diagnostics
    /// and for explaining Entra's "no matching federated identity record" errors.
    pub fn claims(&self) -> Option<serde_json::Value> {
        let token = self.read().ok()?;
        let payload = token.expose().split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// `iss`, `sub` and `aud` of the current token, as one phrase.
    pub(crate) fn describe_claims(&self) -> String {
        let Some(c) = self.claims() else { return "the token could not be decoded".to_string() };
        let get = |k: &str| match c.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => "(none)".to_string(),
        };
        format!("the token has issuer `{}`, subject `{}`, audience `{}`", get("iss"), get("sub"), get("aud"))
    }

    pub(crate) fn details(&self) -> Vec<(&'static str, String)> {
        let mut d = vec![("federated_token_file", format!("{} (from {})", self.path.display(), self.origin()))];
        if let Some(c) = self.claims() {
            for k in ["iss", "sub"] {
                if let Some(v) = c.get(k).and_then(|v| v.as_str()) {
                    d.push((if k == "iss" { "token_issuer" } else { "token_subject" }, v.to_string()));
                }
            }
            if let Some(exp) = c.get("exp").and_then(|v| v.as_i64()) {
                d.push(("token_expires", super::certificate::iso(exp)));
            }
        }
        d
    }
}
