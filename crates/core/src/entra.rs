//! Entra's token endpoint: the client-credentials request and the translation of its
//! AADSTS error codes into errors that name the fix. Branches on `error_codes`, never on
//! the description text (Microsoft rewords it).

use serde::Deserialize;

use crate::config::Config;
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

/// Posts the client-credentials request. Token requests are idempotent, so failed
/// connects, timeouts, 429 and 5xx answers are retried within `max_retries`. Returns
/// the parsed answer or an authentication error that says what to change.
pub(crate) async fn request_token(client: &reqwest::Client, config: &Config) -> Result<TokenResponse> {
    let client_request_id = uuid::Uuid::new_v4().to_string();
    let mut form: Vec<(&str, String)> = vec![
        ("grant_type", "client_credentials".to_string()),
        ("client_id", config.client_id.clone()),
        ("scope", config.scope()),
    ];
    form.extend(config.credential.form_fields());
    let mut backoff = crate::retry::Backoff::new(config.max_retries);
    loop {
        let sent = client
            .post(config.token_url())
            .header("client-request-id", &client_request_id)
            .header("return-client-request-id", "true")
            .timeout(config.timeout)
            .form(&form)
            .send()
            .await;
        let failed = match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let request_id = resp.headers().get("x-ms-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
                let retry_after = crate::graph_error::retry_after(resp.headers());
                match resp.bytes().await {
                    Ok(body) => match answer(status, &body, config) {
                        Ok(t) => return Ok(t),
                        Err(e) => {
                            let e = e.with_request_ids(request_id, Some(client_request_id.clone()));
                            if !(status == 429 || status >= 500) {
                                return Err(e);
                            }
                            (e, retry_after)
                        }
                    },
                    Err(e) => (describe(&e, config).1.with_request_ids(request_id, Some(client_request_id.clone())), None),
                }
            }
            Err(e) => {
                let (failure, err) = describe(&e, config);
                let err = err.with_request_ids(None, Some(client_request_id.clone()));
                if failure == crate::transport::Failure::Untrusted {
                    return Err(err);
                }
                (err, None)
            }
        };
        let (err, retry_after) = failed;
        match backoff.next_delay(retry_after) {
            Some(d) => tokio::time::sleep(d).await,
            None => return Err(err),
        }
    }
}

fn describe(e: &reqwest::Error, config: &Config) -> (crate::transport::Failure, Error) {
    crate::transport::describe(e, "Entra token endpoint", &config.login_endpoint, "login_endpoint")
}

/// Interprets the token endpoint's answer.
fn answer(status: u16, body: &[u8], config: &Config) -> Result<TokenResponse> {
    if status == 200 {
        return serde_json::from_slice::<TokenResponse>(body).map_err(|_| {
            Error::new(ErrorKind::Authentication, "the token endpoint answered 200 without a usable access_token")
                .with_status(status)
                .with_hint("check that `login_endpoint` points at Entra (or the emulator), not at another server")
        });
    }
    let err: TokenError = serde_json::from_slice(body).unwrap_or_default();
    let mut e = explain(status, &err, config);
    if status == 429 || status >= 500 {
        e.message = format!("the Entra token endpoint failed with HTTP {status}");
        e.hint = Some("Entra is unavailable or throttling; try again later".into());
    }
    Err(e.with_request_ids(err.correlation_id.clone().or(err.trace_id.clone()), None))
}

fn explain(status: u16, err: &TokenError, config: &Config) -> Error {
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
            format!("Entra does not know the application `{}` in tenant `{}`", config.client_id, config.tenant_id),
            "check `client_id` (Application (client) ID) and that `tenant_id` is the tenant where the app is registered or admin-consented".to_string(),
        ),
        Some(90002) => (
            format!("Entra does not know the tenant `{}`", config.tenant_id),
            format!("check `tenant_id` (Directory (tenant) ID); if the tenant is in a national cloud, set `cloud` (now `{}`)", config.cloud.name()),
        ),
        Some(7000218) => (
            "Entra received no client credential".to_string(),
            "set `client_secret` (env O365_CLIENT_SECRET)".to_string(),
        ),
        Some(700027) | Some(700024) => (
            "Entra rejected the client assertion".to_string(),
            "upload the certificate to the app registration's Certificates & secrets page and check the machine clock".to_string(),
        ),
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
            "check `tenant_id`, `client_id` and `client_secret`, and `login_endpoint` if set".to_string(),
        ),
    };
    let mut e = Error::new(ErrorKind::Authentication, message).with_hint(hint).with_status(status);
    if let Some(c) = code {
        e = e.with_code(format!("AADSTS{c}"));
    }
    e
}
