//! One `sendMail` exchange with Graph, with the rules that keep a message from being
//! lost or sent twice: a 401 re-fetches the token once; 429/503 wait for Retry-After
//! (or back off) and retry up to `max_retries`; a failure after the body went out is
//! reported as "outcome unknown" and never retried.

use std::time::Instant;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::mailer::Receipt;
use crate::retry::Backoff;
use crate::token_cache;

/// Posts base64 MIME to `/users/{mailbox}/sendMail`.
pub(crate) async fn send_mail_mime(client: &reqwest::Client, config: &Config, mailbox: &str, body: String) -> Result<Receipt> {
    let url = format!("{}/v1.0/users/{}/sendMail", config.graph_endpoint, crate::url::segment(mailbox));
    let body = bytes::Bytes::from(body.into_bytes());
    let mut backoff = Backoff::new(config.max_retries);
    let mut refreshed = false;
    loop {
        let token = token_cache::get(client, config).await?;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let sent = client
            .post(&url)
            .bearer_auth(token.access_token.expose())
            .header("content-type", "text/plain")
            .header("client-request-id", &client_request_id)
            .header("return-client-request-id", "true")
            .timeout(config.timeout)
            .body(body.clone())
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let err = crate::transport::describe(e, "Graph API", &config.graph_endpoint, "graph_endpoint")
                    .with_request_ids(None, Some(client_request_id.clone()));
                if err.kind == ErrorKind::OutcomeUnknown {
                    return Err(outcome_unknown(err, started));
                }
                match backoff.next_delay(None) {
                    Some(d) => {
                        tokio::time::sleep(d).await;
                        continue;
                    }
                    None => return Err(err),
                }
            }
        };
        let status = resp.status().as_u16();
        let request_id = resp.headers().get("request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = crate::graph_error::retry_after(resp.headers());
        if status == 202 || status == 200 {
            return Ok(Receipt {
                mailbox: mailbox.to_string(),
                request_id: request_id.unwrap_or_default(),
                client_request_id,
            });
        }
        let body_bytes = resp.bytes().await.unwrap_or_default();
        let err = crate::graph_error::from_response(status, &body_bytes, mailbox, retry_after)
            .with_request_ids(request_id, Some(client_request_id));
        if status == 401 && !refreshed {
            // The cached token was revoked or expired early: fetch a new one, once.
            refreshed = true;
            token_cache::invalidate(config, &token).await;
            continue;
        }
        if matches!(status, 429 | 503) {
            if let Some(d) = backoff.next_delay(retry_after) {
                tokio::time::sleep(d).await;
                continue;
            }
        }
        return Err(err);
    }
}

fn outcome_unknown(mut err: Error, started: Instant) -> Error {
    err.kind = ErrorKind::OutcomeUnknown;
    err.message = format!(
        "{} after {:.1}s; the request body had been sent, so Graph may have accepted the message. It was not retried to avoid a duplicate",
        err.message,
        started.elapsed().as_secs_f64()
    );
    err.hint = Some("check the recipient's inbox or the mailbox's Sent Items (with save_to_sent_items) before sending again; quote the client-request-id to Microsoft support".into());
    err
}

