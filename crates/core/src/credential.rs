//! How the app proves its identity to Entra. One variant today (client secret);
//! certificate (client assertion JWT) and federated (assertion read from
//! AZURE_FEDERATED_TOKEN_FILE) credentials slot in as new variants: they only change
//! the token request's form fields ([`Credential::form_fields`]) and the description.
//! The enum is part of the token cache key, so two configs share a token only when they
//! authenticate the same way; its `Debug` shows the kind, never the secret.

use crate::secret::Secret;

/// An app credential for the client-credentials grant.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// A client secret from the app registration's "Certificates & secrets".
    ClientSecret(Secret),
}

impl Credential {
    /// The form fields this credential adds to a token request.
    pub(crate) fn form_fields(&self) -> Vec<(&'static str, String)> {
        match self {
            Credential::ClientSecret(s) => vec![("client_secret", s.expose().to_string())],
        }
    }

    /// A short, secret-free name for diagnostics.
    pub fn describe(&self) -> &'static str {
        match self {
            Credential::ClientSecret(_) => "client secret",
        }
    }
}
