//! The one place that talks to Graph. Every request, whatever it is (sendMail, a
//! draft, an upload chunk, a delete), goes through [`GraphClient::execute`], which:
//! - takes the token from the process-wide cache (unless the request carries none);
//! - sends one `client-request-id` GUID for the request (the same on each attempt, so
//!   Microsoft support can follow one logical request) and captures `request-id`;
//! - on 401 drops the cached token, fetches a new one and sends again, once;
//! - on 429/503 (and 504 or a lost connection when the request is idempotent) waits
//!   for Retry-After or backs off, within `max_retries` and the total time cap;
//! - when a non-idempotent request may already have reached Graph (timeout or dropped
//!   connection after connecting, 504), stops and reports `OutcomeUnknown`;
//! - turns any other non-2xx answer into a typed error with a hint.

use std::sync::Arc;
use std::time::Instant;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::graph_request::{GraphRequest, GraphResponse, Replay};
use crate::retry::Backoff;
use crate::token_cache;
use crate::transport::Failure;

/// A Graph client for one configuration: the process's shared HTTP pool plus the
/// config. Cheap to clone; create one per operation with [`GraphClient::for_config`].
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    config: Arc<Config>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient").field("config", &self.config).finish_non_exhaustive()
    }
}

impl GraphClient {
    /// The client for `config` on this process's pool (created lazily, per pid).
    pub fn for_config(config: Arc<Config>) -> Result<GraphClient> {
        let http = crate::runtime::process()?.client(config.ca_file.as_ref())?;
        Ok(GraphClient { http, config })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The shared HTTP client (for the token endpoint).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `{graph_endpoint}/v1.0/` followed by `segments`, each percent-encoded as one
    /// path segment, so that no value (a mailbox, a message id) can change the path.
    pub fn url(&self, segments: &[&str]) -> String {
        let mut url = format!("{}/v1.0", self.config.graph_endpoint);
        for s in segments {
            url.push('/');
            url.push_str(&crate::url::segment(s));
        }
        url
    }

    /// Sends `req` with every rule of the module doc; returns the 2xx answer.
    pub async fn execute(&self, req: &GraphRequest) -> Result<GraphResponse> {
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut backoff = Backoff::new(self.config.max_retries);
        let mut token_refetched = false;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let token = match req.bearer {
                true => Some(token_cache::get(&self.http, &self.config).await?),
                false => None,
            };
            let started = Instant::now();
            let mut b = self
                .http
                .request(req.method.clone(), &req.url)
                .header("client-request-id", &client_request_id)
                .header("return-client-request-id", "true")
                .timeout(self.config.timeout);
            if attempts > 1 {
                // Microsoft's SDKs mark retries this way; it shows in Graph's logs.
                b = b.header("retry-attempt", (attempts - 1).to_string());
            }
            if let Some(t) = &token {
                b = b.bearer_auth(t.access_token.expose());
            }
            for (name, value) in &req.headers {
                b = b.header(name.as_str(), value.as_str());
            }
            if let Some((body, content_type)) = &req.body {
                b = b.header("content-type", content_type.as_str()).body(body.clone());
            } else if req.method == reqwest::Method::POST {
                b = b.header("content-length", "0");
            }
            let ids = |e: Error, request_id: Option<String>| e.with_request_ids(request_id, Some(client_request_id.clone()));

            let resp = match b.send().await {
                Ok(r) => r,
                Err(e) => {
                    let (failure, err) = crate::transport::describe(&e, "Graph API", &self.config.graph_endpoint, "graph_endpoint");
                    let err = ids(err, None);
                    match failure {
                        Failure::Untrusted => return Err(err),
                        Failure::MaybeSent if req.replay == Replay::NotIdempotent => {
                            return Err(outcome_unknown(err, req, started, attempts));
                        }
                        Failure::NotSent | Failure::MaybeSent => match backoff.next_delay(None) {
                            Some(d) => {
                                tokio::time::sleep(d).await;
                                continue;
                            }
                            None => return Err(exhausted(err, attempts)),
                        },
                    }
                }
            };
            let status = resp.status().as_u16();
            let version = resp.version();
            let headers = resp.headers().clone();
            let request_id = headers.get("request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
            let retry_after = crate::graph_error::retry_after(&headers);
            let body = resp.bytes().await;

            if (200..300).contains(&status) {
                match body {
                    Ok(body) => {
                        return Ok(GraphResponse {
                            status,
                            headers,
                            body,
                            request_id: request_id.unwrap_or_default(),
                            client_request_id,
                            attempts,
                            version,
                        });
                    }
                    Err(e) => {
                        // Graph acted (2xx) but its answer was cut off.
                        let (_, err) = crate::transport::describe(&e, "Graph API", &self.config.graph_endpoint, "graph_endpoint");
                        let err = ids(err, request_id).with_status(status);
                        if req.replay == Replay::NotIdempotent {
                            return Err(outcome_unknown(err, req, started, attempts));
                        }
                        match backoff.next_delay(None) {
                            Some(d) => {
                                tokio::time::sleep(d).await;
                                continue;
                            }
                            None => return Err(exhausted(err, attempts)),
                        }
                    }
                }
            }

            let body = body.unwrap_or_default();
            let err = ids(crate::graph_error::from_response(status, &body, req, retry_after), request_id);
            if status == 401 && !token_refetched {
                if let Some(t) = &token {
                    // Revoked, or expired early (clock skew, tenant policy): one fresh token.
                    token_refetched = true;
                    token_cache::invalidate(&self.config, t).await;
                    continue;
                }
            }
            let retry = match status {
                429 | 503 => true,
                504 => req.replay == Replay::Idempotent,
                _ => false,
            };
            if status == 504 && req.replay == Replay::NotIdempotent {
                return Err(outcome_unknown(err, req, started, attempts));
            }
            if retry {
                match backoff.next_delay(retry_after) {
                    Some(d) => {
                        tokio::time::sleep(d).await;
                        continue;
                    }
                    None => return Err(exhausted(err, attempts)),
                }
            }
            return Err(err);
        }
    }
}

/// The error for a non-idempotent request that may have reached Graph.
fn outcome_unknown(mut err: Error, req: &GraphRequest, started: Instant, attempts: u32) -> Error {
    err.kind = ErrorKind::OutcomeUnknown;
    let what = match &req.mailbox {
        Some(m) => format!("{} for mailbox `{m}`", req.action),
        None => req.action.clone(),
    };
    err.message = format!(
        "{what}: {} after {:.1}s (attempt {attempts}); the request had been sent, so Graph may have acted on it \
         (for sendMail: accepted the message). Not retried, to avoid sending it twice",
        err.message,
        started.elapsed().as_secs_f64(),
    );
    err.hint = Some(
        "check the recipients' inboxes or the mailbox's Sent Items before sending again; quote the client-request-id \
         to Microsoft support to learn whether Graph received it"
            .into(),
    );
    err
}

/// Adds the attempt count to an error that retries could not fix.
fn exhausted(mut err: Error, attempts: u32) -> Error {
    if attempts > 1 {
        err.message = format!("{} (gave up after {attempts} attempts)", err.message);
    }
    if let Some(wait) = err.retry_after {
        err.message = format!("{}; Graph asked to wait {:.1} s", err.message, wait.as_secs_f64());
    }
    if err.kind == ErrorKind::Throttled && err.hint.is_none() {
        err.hint = Some(
            "Graph throttles per app and mailbox (4 concurrent requests, 10,000 per 10 minutes): send less at once, \
             queue the mail and retry later, or raise `max_retries`"
                .into(),
        );
    }
    err
}
