//! The one place that talks to Graph. Every request, whatever it is (sendMail, a
//! draft, an upload chunk, a delete), goes through [`GraphClient::execute`], which runs
//! the crate's retry loop ([`crate::http::retry::run`]) with one attempt that:
//! - takes the token from the process-wide cache (unless the request carries none); a
//!   token that must be fetched first has the connection to Graph opened meanwhile
//!   (`preconnect`: the cold start);
//! - sends one `client-request-id` GUID for the request (the same on each attempt, so
//!   Microsoft support can follow one logical request) and captures `request-id`;
//! - classifies the answer: 2xx done; 401 with a token: re-fetch it, once; 429/503 (and
//!   504 or a lost connection when the request is idempotent): retry after Retry-After
//!   or a backoff; a non-idempotent request that may already have reached Graph
//!   (timeout or dropped connection after connecting, 504): outcome unknown; a 3xx:
//!   refused, never followed; anything else: a typed error with a hint.
//!
//! Bodies are read with a cap (`capped_body`), and every attempt's timeout is cut to what
//! the send's deadline leaves.

use std::sync::Arc;
use std::time::Instant;

use crate::http::capped_body::{self, BodyError, MAX_ANSWER_BYTES};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::request::{GraphRequest, GraphResponse, Replay};
use crate::http::retry::{Attempt, Policy, Verdict};
use crate::auth::token_cache::{self, CachedToken};
use crate::http::failure::Failure;
use crate::limiter::{Ask, MailboxLimiter};

/// The bytes an upload-session PUT uploads (Exchange's upload budget counts them).
fn upload_bytes(req: &GraphRequest) -> u64 {
    match (&req.method, req.bearer, &req.body) {
        (&reqwest::Method::PUT, false, Some((body, _))) => body.len() as u64,
        _ => 0,
    }
}

/// A Graph client for one configuration and one send: the process's shared HTTP pool,
/// the config, and the send's deadline (`deadline` seconds from its creation). Cheap to
/// clone; create one per send with [`GraphClient::for_config`].
#[derive(Clone)]
pub struct GraphClient {
    process: &'static crate::runtime::Process,
    http: reqwest::Client,
    config: Arc<Config>,
    deadline: Instant,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient").field("config", &self.config).finish_non_exhaustive()
    }
}

impl GraphClient {
    /// The client for `config` on this process's pool (created lazily, per pid).
    pub fn for_config(config: Arc<Config>) -> Result<GraphClient> {
        let process = crate::runtime::process()?;
        let http = process.client(config.ca_file.as_ref())?;
        let deadline = crate::http::retry::saturating_after(Instant::now(), config.deadline);
        Ok(GraphClient { process, http, config, deadline })
    }

    /// The retry rules of this client's requests.
    pub(crate) fn policy(&self) -> Policy {
        Policy { max_retries: self.config.max_retries, timeout: self.config.timeout, deadline: self.deadline, budget: self.config.deadline }
    }

    /// When this send's deadline passes.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A token for this client's config, from the cache or fetched within the deadline.
    pub(crate) async fn token(&self) -> Result<CachedToken> {
        token_cache::get(&self.config, || crate::auth::entra::request_token(&self.http, &self.config, self.deadline)).await
    }

    /// `{graph_endpoint}/v1.0/` followed by `segments`, each percent-encoded as one
    /// path segment, so that no value (a mailbox, a message id) can change the path.
    pub fn url(&self, segments: &[&str]) -> String {
        let mut url = format!("{}/v1.0", self.config.graph_endpoint);
        for s in segments {
            url.push('/');
            url.push_str(&crate::config::url::segment(s));
        }
        url
    }

    /// Sends `req` with every rule of the module doc; returns the 2xx answer. Without a
    /// mailbox limiter: for tests (feature `test-support`); sends go through
    /// `graph::mailbox::MailboxClient`.
    #[cfg(feature = "test-support")]
    pub async fn execute(&self, req: &GraphRequest) -> Result<GraphResponse> {
        self.execute_limited(req, None).await
    }

    /// `execute`, each attempt holding a slot of `limiter` from before it is sent until
    /// its answer is read (never across the retry loop's sleeps). A 429's Retry-After
    /// goes back to the limiter with the slot, to hold the mailbox for every process.
    pub(crate) async fn execute_limited(&self, req: &GraphRequest, limiter: Option<&MailboxLimiter>) -> Result<GraphResponse> {
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let what = match &req.mailbox {
            Some(m) => format!("{} for mailbox `{m}`", req.action),
            None => req.action.clone(),
        };
        let (id, named) = (client_request_id.as_str(), what.as_str());
        crate::http::retry::run(self.policy(), &what, |a| async move {
            // The token first: a fetch from Entra holds no slot of the mailbox.
            let token = match self.bearer(req).await {
                Ok(t) => t,
                Err(e) => return Verdict::Fail(e),
            };
            let Some(limiter) = limiter else { return self.attempt(req, id, a, token).await };
            let ask = Ask { upload_bytes: upload_bytes(req), deadline: self.deadline, budget: self.config.deadline, what: named };
            let slot = match limiter.acquire(&ask).await {
                Ok(slot) => slot,
                Err(e) => return Verdict::Fail(e),
            };
            // The wait for the slot came out of the deadline.
            let a = Attempt { timeout: a.timeout.min(crate::http::retry::left(self.deadline)), ..a };
            let verdict = self.attempt(req, id, a, token).await;
            let hold = match &verdict {
                Verdict::Retry(e, Some(after)) if e.status == Some(429) => Some(*after),
                _ => None,
            };
            slot.release(hold).await;
            verdict
        })
        .await
    }

    /// The bearer token `req` needs, if any: from the cache, or fetched within the
    /// deadline while the connection to Graph is opened (`preconnect`).
    async fn bearer(&self, req: &GraphRequest) -> Result<Option<CachedToken>> {
        if !req.bearer {
            return Ok(None);
        }
        let fetch = || {
            crate::http::preconnect::start(self.process, &self.http, &self.config);
            crate::auth::entra::request_token(&self.http, &self.config, self.deadline)
        };
        token_cache::get(&self.config, fetch).await.map(Some)
    }

    /// One attempt with `token`: request, classified answer.
    async fn attempt(&self, req: &GraphRequest, client_request_id: &str, a: Attempt, token: Option<CachedToken>) -> Verdict<GraphResponse> {
        if a.timeout.is_zero() {
            return Verdict::Fail(crate::http::retry::deadline_passed(&req.action, self.config.deadline));
        }
        let mut b = self
            .http
            .request(req.method.clone(), &req.url)
            .header("client-request-id", client_request_id)
            .header("return-client-request-id", "true")
            .timeout(a.timeout);
        if a.number > 1 {
            // Microsoft's SDKs mark retries this way; it shows in Graph's logs.
            b = b.header("retry-attempt", (a.number - 1).to_string());
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
        match b.send().await {
            Ok(resp) => {
                if req.url.starts_with(self.config.graph_endpoint.as_str()) {
                    self.process.graph_answered(&self.config.graph_endpoint);
                }
                self.classify(resp, req, client_request_id, token.as_ref(), a).await
            }
            Err(e) => self.classify_failure(&e, req, client_request_id),
        }
    }

    /// A request that got no answer.
    fn classify_failure(&self, e: &reqwest::Error, req: &GraphRequest, client_request_id: &str) -> Verdict<GraphResponse> {
        let (failure, err) = self.describe(e, req);
        let err = named(err, req).with_request_ids(None, Some(client_request_id.to_string()));
        match failure {
            Failure::Untrusted | Failure::NotBuilt => Verdict::Fail(err),
            Failure::MaybeSent if req.replay == Replay::NotIdempotent => Verdict::OutcomeUnknown(err),
            Failure::NotSent | Failure::MaybeSent => Verdict::Retry(err, None),
        }
    }

    /// An answer: done, retry, re-fetch the token, fail, or outcome unknown.
    async fn classify(
        &self,
        resp: reqwest::Response,
        req: &GraphRequest,
        client_request_id: &str,
        token: Option<&CachedToken>,
        a: Attempt,
    ) -> Verdict<GraphResponse> {
        let status = resp.status().as_u16();
        let request_id = resp.headers().get("request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = crate::http::retry::retry_after(resp.headers());
        let ids = |e: Error| e.with_request_ids(request_id.clone(), Some(client_request_id.to_string()));
        if (300..400).contains(&status) {
            return Verdict::Fail(ids(self.redirect_refused(status, resp.headers(), req)));
        }
        if (200..300).contains(&status) {
            return match capped_body::read(resp, MAX_ANSWER_BYTES).await {
                Ok(body) => Verdict::Done(GraphResponse {
                    status,
                    body,
                    request_id: request_id.clone().unwrap_or_default(),
                    client_request_id: client_request_id.to_string(),
                    attempts: a.number,
                }),
                // Graph acted (2xx), but its answer is unusable.
                Err(e) => {
                    let err = ids(self.unreadable(e, req)).with_status(status);
                    match req.replay {
                        Replay::NotIdempotent => Verdict::OutcomeUnknown(err),
                        Replay::Idempotent if err.kind == ErrorKind::Transport => Verdict::Retry(err, None),
                        Replay::Idempotent => Verdict::Fail(err),
                    }
                }
            };
        }
        let body = capped_body::read_error(resp).await;
        let err = ids(crate::graph::error::from_response(status, &body, req, retry_after));
        match status {
            401 if token.is_some() => {
                // Revoked, or expired early (clock skew, tenant policy): one fresh token.
                if let Some(t) = token {
                    token_cache::invalidate(&self.config, t).await;
                }
                Verdict::RefetchToken(err)
            }
            429 | 503 => Verdict::Retry(err, retry_after),
            504 if req.replay == Replay::NotIdempotent => Verdict::OutcomeUnknown(err),
            504 => Verdict::Retry(err, retry_after),
            _ => Verdict::Fail(err),
        }
    }

    /// A 2xx body that could not be read: too large, or cut off.
    fn unreadable(&self, e: BodyError, req: &GraphRequest) -> Error {
        match e {
            BodyError::TooLarge => Error::new(
                ErrorKind::GraphServer,
                format!("Graph's answer to {} is larger than {MAX_ANSWER_BYTES} bytes; it was not read", req.action),
            )
            .with_hint("check `graph_endpoint`: Graph's answers to a sender are a few KiB"),
            BodyError::Transport(e) => named(self.describe(&e, req).1, req),
        }
    }

    /// A 3xx answer, never followed, naming the host that answered it: `graph_endpoint`,
    /// or the upload URL's host, which `graph_endpoint` does not set.
    fn redirect_refused(&self, status: u16, headers: &reqwest::header::HeaderMap, req: &GraphRequest) -> Error {
        let Some(origin) = self.upload_origin(req) else {
            let what = format!("Graph ({} of {})", req.action, self.config.graph_endpoint);
            return crate::http::failure::redirect_refused(status, headers, &what, "graph_endpoint");
        };
        let what = format!("the upload URL Graph handed out ({origin}), {},", req.action);
        crate::http::failure::redirect_refused(status, headers, &what, "graph_endpoint").with_hint(format!(
            "Graph's uploadUrl ({origin}) is not `graph_endpoint`: a proxy between this server and that host that redirects is \
             misconfigured or hostile; check HTTPS_PROXY / NO_PROXY and the proxy's rules for that host"
        ))
    }

    /// The scheme, host and port of `req`'s URL when it is not under `graph_endpoint`:
    /// an upload URL Graph handed out (outlook.office.com or similar in Microsoft's
    /// cloud). Only those: the upload URL's query is a credential.
    fn upload_origin(&self, req: &GraphRequest) -> Option<String> {
        if crate::http::preconnect::same_origin(&req.url, &self.config.graph_endpoint) {
            return None;
        }
        reqwest::Url::parse(&req.url).ok().map(|u| u.origin().ascii_serialization())
    }

    /// A failure without an answer, naming the host contacted: `graph_endpoint`, or the
    /// host of the upload URL Graph handed out, which a proxy or firewall must let
    /// through as well.
    fn describe(&self, e: &reqwest::Error, req: &GraphRequest) -> (Failure, Error) {
        let graph = self.config.graph_endpoint.as_str();
        let Some(origin) = self.upload_origin(req) else {
            return crate::http::failure::describe(e, "Graph API", graph, "graph_endpoint");
        };
        let (failure, err) = crate::http::failure::describe(e, "upload URL Graph handed out", &origin, "graph_endpoint");
        if failure == Failure::Untrusted || e.is_timeout() {
            return (failure, err);
        }
        let host = reqwest::Url::parse(&origin).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| origin.clone());
        let hint = format!(
            "upload sessions send attachment bytes to the host in Graph's uploadUrl ({origin}), not to `graph_endpoint` ({graph}): \
             a proxy or firewall between this server and Microsoft 365 must allow `{host}` too (in Microsoft's cloud outlook.office.com \
             or similar; check HTTPS_PROXY / NO_PROXY); see docs/graph-facts.md, upload sessions"
        );
        (failure, err.with_hint(hint))
    }
}

/// Prefixes a transport error with the request it belongs to.
fn named(mut err: Error, req: &GraphRequest) -> Error {
    let what = match &req.mailbox {
        Some(m) => format!("{} for mailbox `{m}`", req.action),
        None => req.action.clone(),
    };
    err.message = format!("{what}: {}", err.message);
    err
}
