//! Entra's token endpoint: the client-credentials request and the translation of its
//! AADSTS error codes into errors that name the fix. Branches on `error_codes`, never on
//! the description text (Microsoft rewords it). What goes on the wire comes from the
//! credential (`Credential::token_request`, one per attempt: a fresh assertion, the
//! token file read again); managed identities answer in their own shape
//! (`Credential::answer`).

use std::time::Instant;

use serde::Deserialize;

use crate::capped_body::{self, BodyError};
use crate::config::Config;
use crate::credential::TokenRequest;
use crate::error::{Error, ErrorKind, Result};
use crate::retry::{Policy, Verdict};
use crate::http_failure::Failure;

/// Largest token answer read: a token is a few KiB.
const MAX_TOKEN_ANSWER_BYTES: usize = 1024 * 1024;

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

/// Sends the credential's token request through the crate's retry loop
/// ([`crate::retry::run`]). Token requests are idempotent, so failed connects, timeouts
/// and the credential's transient answers (429 and 5xx; IMDS also 404/410) are retried
/// within its retry budget and the send's deadline. A redirect is never followed (the
/// secret or assertion would go with it) and the answer is read with a cap. Returns the
/// parsed answer or an authentication error that says what to change.
pub(crate) async fn request_token(client: &reqwest::Client, config: &Config, deadline: Instant) -> Result<TokenResponse> {
    let credential = &config.credential;
    let client_request_id = uuid::Uuid::new_v4().to_string();
    let policy = Policy { max_retries: credential.max_retries(config), timeout: config.timeout, deadline, budget: config.deadline };
    let client_request_id = &client_request_id;
    crate::retry::run(policy, "the token request", |a| async move {
        let request = match credential.token_request(config) {
            Ok(r) => r,
            Err(e) => return Verdict::Fail(e),
        };
        let mut builder = client
            .request(request.method.clone(), &request.url)
            .header("client-request-id", client_request_id)
            .header("return-client-request-id", "true")
            .timeout(a.timeout);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.expose());
        }
        if !request.form.is_empty() {
            builder = builder.form(&request.form);
        }
        match builder.send().await {
            Ok(resp) => classify(resp, config, &request, client_request_id).await,
            Err(e) => {
                let (failure, err) = describe(&e, &request);
                let err = err.with_request_ids(None, Some(client_request_id.clone()));
                match failure {
                    Failure::Untrusted | Failure::NotBuilt => Verdict::Fail(err),
                    Failure::NotSent | Failure::MaybeSent => Verdict::Retry(err, None),
                }
            }
        }
    })
    .await
}

/// The token endpoint's answer: a token, a retry (transient status, a cut-off body), or
/// a failure (a redirect, an answer over the cap, a refusal).
async fn classify(resp: reqwest::Response, config: &Config, request: &TokenRequest, client_request_id: &str) -> Verdict<TokenResponse> {
    let status = resp.status().as_u16();
    let request_id = resp.headers().get("x-ms-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let retry_after = crate::retry::retry_after(resp.headers());
    let ids = |e: Error| e.with_request_ids(request_id.clone(), Some(client_request_id.to_string()));
    let ep = &request.endpoint;
    if (300..400).contains(&status) {
        let mut e = crate::http_failure::redirect_refused(status, resp.headers(), &format!("the {}", ep.what), ep.key);
        e.kind = ErrorKind::Authentication;
        return Verdict::Fail(ids(e));
    }
    let cap = if status == 200 { MAX_TOKEN_ANSWER_BYTES } else { capped_body::MAX_ERROR_BYTES };
    let body = match capped_body::read(resp, cap).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) if status == 200 => {
            let e = Error::new(ErrorKind::Authentication, format!("the {}'s answer is larger than {cap} bytes; it was not read", ep.what))
                .with_status(status)
                .with_hint(format!("check that `{}` points at the token service (or the emulator), not at another server", ep.key));
            return Verdict::Fail(ids(e));
        }
        Err(BodyError::TooLarge) => Default::default(),
        Err(BodyError::Transport(e)) => return Verdict::Retry(ids(describe(&e, request).1), None),
    };
    match config.credential.answer(status, &body, config) {
        Ok(t) => Verdict::Done(t),
        Err(e) if config.credential.is_transient(status) => Verdict::Retry(ids(e), retry_after),
        Err(e) => Verdict::Fail(ids(e)),
    }
}

fn describe(e: &reqwest::Error, request: &TokenRequest) -> (Failure, Error) {
    let ep = &request.endpoint;
    let (failure, err) = crate::http_failure::describe(e, ep.what, &ep.base, ep.key);
    if ep.key == "managed_identity_endpoint" && failure == Failure::NotSent {
        // Nothing listens: this is not an Azure host with a managed identity.
        let hint = format!(
            "no managed identity endpoint answers at {}: run on an Azure resource with a managed identity (App Service, Functions, \
             Container Apps, VM), set `managed_identity_endpoint` to the host's token URL, or use another credential",
            ep.base
        );
        return (failure, err.with_hint(hint));
    }
    (failure, err)
}

/// Interprets Entra's token endpoint answer.
pub(crate) fn answer(status: u16, body: &[u8], config: &Config) -> Result<TokenResponse> {
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
            "set `client_secret` (env O365_CLIENT_SECRET), `client_certificate` or `federated_token_file`".to_string(),
        ),
        Some(c @ (700027 | 700024 | 700023 | 700021 | 7000274 | 70021 | 700211 | 700212 | 700213)) => {
            crate::credential::explain_assertion(c, config)
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
            format!("check `tenant_id`, `client_id` and the credential ({}), and `login_endpoint` if set", config.credential.describe()),
        ),
    };
    let mut e = Error::new(ErrorKind::Authentication, message).with_hint(hint).with_status(status);
    if let Some(c) = code {
        e = e.with_code(format!("AADSTS{c}"));
    }
    e
}
