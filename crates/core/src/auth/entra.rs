//! The token request loop: sends what the credential asks for (`Credential::token_request`,
//! one per attempt: a fresh assertion, the token file read again) through the crate's
//! retry loop, and lets the credential read the answer (`Credential::answer`: Entra's
//! AADSTS codes in `credential/entra_answer.rs`, managed identities' own shape).

use std::time::Instant;

use crate::http::capped_body::{self, BodyError};
use crate::config::Config;
use crate::config::credential::{TokenRequest, TokenResponse};
use crate::error::{Error, ErrorKind, Result};
use crate::http::retry::{Policy, Verdict};
use crate::http::failure::Failure;

/// Largest token answer read: a token is a few KiB.
const MAX_TOKEN_ANSWER_BYTES: usize = 1024 * 1024;

/// Sends the credential's token request through the crate's retry loop
/// ([`crate::http::retry::run`]). Token requests are idempotent, so failed connects, timeouts
/// and the credential's transient answers (429 and 5xx; IMDS also 404/410) are retried
/// within its retry budget and the send's deadline. A redirect is never followed (the
/// secret or assertion would go with it) and the answer is read with a cap. Returns the
/// parsed answer or an authentication error that says what to change.
pub(crate) async fn request_token(client: &reqwest::Client, config: &Config, deadline: Instant) -> Result<TokenResponse> {
    let credential = &config.credential;
    let app = &config.app();
    let client_request_id = uuid::Uuid::new_v4().to_string();
    let policy = Policy { max_retries: credential.max_retries(app), timeout: config.timeout, deadline, budget: config.deadline };
    let client_request_id = &client_request_id;
    crate::http::retry::run(policy, "the token request", |a| async move {
        let request = match credential.token_request(app, deadline).await {
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
    let retry_after = crate::http::retry::retry_after(resp.headers());
    let ids = |e: Error| e.with_request_ids(request_id.clone(), Some(client_request_id.to_string()));
    let ep = &request.endpoint;
    if (300..400).contains(&status) {
        let mut e = crate::http::failure::redirect_refused(status, resp.headers(), &format!("the {}", ep.what), ep.key);
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
    match config.credential.answer(status, &body, &config.app()) {
        Ok(t) => Verdict::Done(t),
        Err(e) if config.credential.is_transient(status) => Verdict::Retry(ids(e), retry_after),
        Err(e) => Verdict::Fail(ids(e)),
    }
}

fn describe(e: &reqwest::Error, request: &TokenRequest) -> (Failure, Error) {
    let ep = &request.endpoint;
    let (failure, err) = crate::http::failure::describe(e, ep.what, &ep.base, ep.key);
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
