//! Entra's answers to the client-credentials request: the token, or an AADSTS error
//! code translated into an error that names the fix. Branches on `error_codes`, never on
//! the description text (Microsoft rewords it). Used by every credential that asks Entra
//! (secret, certificate, federated); managed identities answer in their own shape.

use serde::Deserialize;

use super::{App, Credential};
use crate::error::{Error, ErrorKind, Result};

/// A successful token answer.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    pub expires_in: u64,
    #[serde(default)]
    pub refresh_in: Option<u64>,
}

#[derive(Deserialize, Default)]
struct TokenError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_codes: Vec<u64>,
    #[serde(default)]
    correlation_id: Option<String>,
    #[serde(default)]
    trace_id: Option<String>,
}

/// Interprets Entra's token endpoint answer.
pub(crate) fn answer(status: u16, body: &[u8], credential: &Credential, app: &App<'_>) -> Result<TokenResponse> {
    if status == 200 {
        return serde_json::from_slice::<TokenResponse>(body).map_err(|_| {
            Error::new(ErrorKind::Authentication, "the token endpoint answered 200 without a usable access_token")
                .with_status(status)
                .with_hint("check that `login_endpoint` points at Entra (or the emulator), not at another server")
        });
    }
    let err: TokenError = serde_json::from_slice(body).unwrap_or_default();
    let mut e = explain(status, &err, credential, app);
    if status == 429 || status >= 500 {
        e.message = format!("the Entra token endpoint failed with HTTP {status}");
        e.hint = Some("Entra is unavailable or throttling; try again later".into());
    }
    Err(e.with_request_ids(err.correlation_id.clone().or(err.trace_id.clone()), None))
}

fn explain(status: u16, err: &TokenError, credential: &Credential, app: &App<'_>) -> Error {
    let code = err.error_codes.first().copied();
    let (message, hint) = match code {
        Some(7000215) => (
            "Entra rejected the client secret (invalid secret)".to_string(),
            "put the secret's Value (not its Secret ID) from the app registration's Certificates & secrets page into `client_secret` (env O365_CLIENT_SECRET)".to_string(),
        ),
        Some(7000222) => (
            "the client secret has expired".to_string(),
            "create a new client secret under Certificates & secrets in Entra and update `client_secret` (env O365_CLIENT_SECRET)".to_string(),
        ),
        Some(700016) => (
            format!("Entra does not know the application `{}` in tenant `{}`", app.client_id, app.tenant_id),
            "check `client_id` (Application (client) ID) and that `tenant_id` is the tenant where the app is registered or admin-consented".to_string(),
        ),
        Some(90002) => (
            format!("Entra does not know the tenant `{}`", app.tenant_id),
            format!("check `tenant_id` (Directory (tenant) ID); if the tenant is in a national cloud, set `cloud` (now `{}`)", app.cloud.name()),
        ),
        Some(7000218) => (
            "Entra received no client credential".to_string(),
            "set `client_secret` (env O365_CLIENT_SECRET), `client_certificate` or `federated_token_file`".to_string(),
        ),
        Some(c @ (700027 | 700024 | 700023 | 700021 | 7000274 | 70021 | 700211 | 700212 | 700213)) => {
            super::explain_assertion(c, credential, app)
        }
        Some(7000112) => (
            "the application is disabled in Entra".to_string(),
            "an administrator must enable the enterprise application (Properties: Enabled for users to sign in)".to_string(),
        ),
        Some(70011) => (
            "Entra rejected the requested scope".to_string(),
            "check `cloud` / `graph_endpoint`: the scope must be the Graph host of the tenant's cloud plus /.default".to_string(),
        ),
        Some(50196) => (
            "Entra detected a token request loop".to_string(),
            "tokens are cached per process; check that PHP workers are not restarted for every request".to_string(),
        ),
        _ => (
            format!("Entra refused the token request ({})", if err.error.is_empty() { "no error code" } else { &err.error }),
            format!("check `tenant_id`, `client_id` and the credential ({}), and `login_endpoint` if set", credential.describe()),
        ),
    };
    let mut e = Error::new(ErrorKind::Authentication, message).with_hint(hint).with_status(status);
    if let Some(c) = code {
        e = e.with_code(format!("AADSTS{c}"));
    }
    e
}
