//! How the app proves its identity and where its token comes from. Four kinds, exactly
//! one per config: a client secret, a certificate (a client assertion JWT signed with
//! its key), a federated token file (workload identity: an assertion issued by another
//! identity provider, re-read on every token request because it rotates), or a managed
//! identity (the Azure host's own token endpoint, no secret at all).
//!
//! The seam with the request loop (`entra::request_token`): a credential builds one
//! [`TokenRequest`] per attempt (method, URL, headers, form; a fresh assertion each time)
//! and interprets the answer; the loop sends, retries and times out. The enum is part of
//! the token cache key, so two configs share a token only when they authenticate the
//! same way; its `Debug` shows the kind and public facts, never a secret or a key.

mod app;
mod assertion;
mod entra_answer;
mod certificate;
mod certificate_file;
mod certificate_table;
mod explain;
mod federated;
pub(crate) mod keys;
mod managed_identity;
mod request;

use std::sync::Arc;
use std::time::Instant;

pub use certificate::Certificate;
pub use federated::FederatedToken;
pub use managed_identity::ManagedIdentity;
pub(crate) use app::App;
pub(crate) use certificate_table::take_warning;
pub(crate) use entra_answer::TokenResponse;
pub(crate) use explain::explain_assertion;
pub(crate) use request::TokenRequest;

use crate::error::Result;
use crate::config::secret::Secret;

/// An app credential for the client-credentials grant, or a managed identity.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// A client secret from the app registration's "Certificates & secrets".
    ClientSecret(Secret),
    /// A certificate whose public part is uploaded to the app registration; its private
    /// key signs a client assertion per token request.
    Certificate(Arc<Certificate>),
    /// A token issued by a trusted identity provider (Kubernetes, GitHub Actions, ...),
    /// read from a file on every token request.
    Federated(FederatedToken),
    /// The managed identity of the Azure host (App Service, Functions, VMs, ...).
    ManagedIdentity(ManagedIdentity),
}

impl Credential {
    /// The token request of one attempt. Certificate: a freshly signed assertion (new
    /// `jti`) with the key as the files hold it now (rotation); federated: the token file
    /// as it is now. Files are checked off the async runtime, given up at `deadline`.
    pub(crate) async fn token_request(&self, app: &App<'_>, deadline: Instant) -> Result<TokenRequest> {
        match self {
            Credential::ClientSecret(s) => Ok(request::entra(app, vec![("client_secret", s.expose().to_string())])),
            Credential::Certificate(c) => {
                let key = Arc::clone(c).refresh_before(deadline).await?;
                let jwt = assertion::sign(c, &key, app.client_id, &app.token_url())?;
                Ok(request::entra(app, request::assertion_fields(jwt)))
            }
            Credential::Federated(f) => {
                let jwt = f.read_before(deadline).await?;
                Ok(request::entra(app, request::assertion_fields(jwt)))
            }
            Credential::ManagedIdentity(m) => Ok(m.token_request(app)),
        }
    }

    /// Interprets the token endpoint's answer.
    pub(crate) fn answer(&self, status: u16, body: &[u8], app: &App<'_>) -> Result<TokenResponse> {
        match self {
            Credential::ManagedIdentity(m) => m.answer(status, body),
            _ => entra_answer::answer(status, body, self, app),
        }
    }

    /// Whether an answer with this status is worth another attempt.
    pub(crate) fn is_transient(&self, status: u16) -> bool {
        match self {
            Credential::ManagedIdentity(m) => m.is_transient(status),
            _ => status == 429 || status >= 500,
        }
    }

    /// How many retries a token request gets.
    pub(crate) fn max_retries(&self, app: &App<'_>) -> u32 {
        match self {
            Credential::ManagedIdentity(m) => m.max_retries(app.max_retries),
            _ => app.max_retries,
        }
    }

    /// A short, secret-free name for diagnostics.
    pub fn describe(&self) -> &'static str {
        match self {
            Credential::ClientSecret(_) => "client secret",
            Credential::Certificate(_) => "certificate",
            Credential::Federated(_) => "federated token",
            Credential::ManagedIdentity(m) if m.client_id.is_some() => "managed identity (user-assigned)",
            Credential::ManagedIdentity(_) => "managed identity (system-assigned)",
        }
    }

    /// Public facts about the credential for diagnostics (`o365:check`): thumbprints and
    /// validity of a certificate, the token file, the managed identity endpoint. Never a
    /// secret, a key or a token.
    pub fn details(&self) -> Vec<(&'static str, String)> {
        match self {
            Credential::ClientSecret(_) => Vec::new(),
            Credential::Certificate(c) => c.details(),
            Credential::Federated(f) => f.details(),
            Credential::ManagedIdentity(m) => m.details(),
        }
    }

    /// Things to fix soon (a certificate about to expire).
    pub fn warnings(&self) -> Vec<String> {
        match self {
            Credential::Certificate(c) => c.warnings(),
            _ => Vec::new(),
        }
    }

    /// The URL tokens come from, for diagnostics.
    pub(crate) fn token_endpoint(&self, app: &App<'_>) -> String {
        match self {
            Credential::ManagedIdentity(m) => m.endpoint.clone(),
            _ => app.token_url(),
        }
    }
}
