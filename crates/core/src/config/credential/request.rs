//! One token request as data: what the credential wants sent. The request loop turns it
//! into HTTP, so retries, timeouts and the deadline live in one place while every
//! credential kind decides only what goes on the wire.

use super::App;
use crate::config::secret::Secret;

/// `client_assertion_type` of a JWT bearer assertion (RFC 7523).
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Where a token request goes, for error messages: what it is, its URL without query,
/// and the config key that sets it.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub what: &'static str,
    pub base: String,
    pub key: &'static str,
}

/// A token request to send.
#[derive(Debug)]
pub(crate) struct TokenRequest {
    /// GET (managed identity) or POST (Entra).
    pub method: reqwest::Method,
    /// The full URL, query included.
    pub url: String,
    /// Extra headers; values may be secrets (App Service's X-IDENTITY-HEADER).
    pub headers: Vec<(&'static str, Secret)>,
    /// The form body (empty for GET). Holds the client secret or the assertion.
    pub form: Vec<(&'static str, String)>,
    /// For error messages.
    pub endpoint: Endpoint,
}

/// The client-credentials request to Entra with the credential's own fields.
pub(crate) fn entra(app: &App<'_>, credential_fields: Vec<(&'static str, String)>) -> TokenRequest {
    let mut form = vec![
        ("grant_type", "client_credentials".to_string()),
        ("client_id", app.client_id.to_string()),
        ("scope", app.scope()),
    ];
    form.extend(credential_fields);
    TokenRequest {
        method: reqwest::Method::POST,
        url: app.token_url(),
        headers: Vec::new(),
        form,
        endpoint: Endpoint { what: "Entra token endpoint", base: app.login_endpoint.to_string(), key: "login_endpoint" },
    }
}

/// The form fields of a JWT client assertion.
pub(crate) fn assertion_fields(jwt: Secret) -> Vec<(&'static str, String)> {
    vec![("client_assertion_type", ASSERTION_TYPE.to_string()), ("client_assertion", jwt.expose().to_string())]
}
