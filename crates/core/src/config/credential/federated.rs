//! Workload identity federation: another identity provider (Kubernetes with Azure
//! Workload Identity, GitHub Actions OIDC, any OIDC issuer trusted by a federated
//! credential on the app) issues a short-lived JWT into a file; it goes to Entra as the
//! client assertion. The file is read on every token request because its owner
//! rewrites it (the kubelet rotates projected service account tokens), so a cached copy
//! would expire. Errors name the file and where its name came from (config key or
//! AZURE_FEDERATED_TOKEN_FILE).
//!
//! "Read" means [`crate::config::bounded_file`]: a regular file of at most
//! [`MAX_TOKEN_FILE_BYTES`], opened without blocking, checked again for every token
//! request but parsed again only when it changed; during a send on tokio's blocking pool
//! and within the send's deadline (a FIFO or a hung CSI mount cannot stall the runtime).

use std::path::PathBuf;
use std::time::Instant;

use base64::Engine as _;

use crate::config::bounded_file::{Cache, Named};
use crate::error::{Error, Result};
use crate::config::secret::Secret;

/// The env variable Azure Workload Identity sets.
pub const ENV_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";

/// Largest token file read: a projected service account token or a CI's OIDC token is
/// one to a few KiB.
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

const KEY: &str = "federated_token_file";

/// The tokens read, per path and version of the file.
static TOKENS: Cache<Secret> = Cache::new();

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
            .with_hint(Self::hint())
    }

    fn hint() -> String {
        format!(
            "check `federated_token_file` or {ENV_TOKEN_FILE}: with Azure Workload Identity the pod needs the label \
             azure.workload.identity/use: \"true\" and a service account annotated with the app's client id; \
             elsewhere the file must be a regular file holding the identity provider's current JWT, readable by the PHP process"
        )
    }

    /// Reads the current assertion (on the calling thread: construction, diagnostics).
    pub(crate) fn read(&self) -> Result<Secret> {
        let file = Named { key: KEY, path: &self.path, max: MAX_TOKEN_FILE_BYTES };
        let token = TOKENS.get(file, |bytes| self.parse(bytes)).map_err(|mut e| {
            let origin = self.origin();
            if !e.message.contains(&origin) {
                e.message = format!("{} (from {origin})", e.message);
                e.hint = Some(Self::hint());
            }
            e
        })?;
        Ok(Secret::clone(&token))
    }

    /// Reads the current assertion during a send: off the async runtime, given up at
    /// `deadline`.
    pub(crate) async fn read_before(&self, deadline: Instant) -> Result<Secret> {
        let this = self.clone();
        let path = self.path.clone();
        crate::config::bounded_file::off_runtime(KEY, &path, deadline, move || this.read()).await
    }

    fn parse(&self, bytes: &[u8]) -> Result<Secret> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Err(self.error("is not text (a JWT is ASCII)".to_string()));
        };
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
                d.push(("token_expires", super::certificate_file::iso(exp)));
            }
        }
        d
    }
}
