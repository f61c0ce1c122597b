//! A request to Microsoft Graph, described as data: method, URL, body, whether it
//! carries the bearer token, and whether it may be sent twice. The description is what
//! lets one executor (`GraphClient::execute`) apply every rule of
//! the wire (token, ids, 401 re-fetch, retries, the outcome-unknown rule) to sendMail,
//! drafts, upload chunks and deletes alike.

use bytes::Bytes;
use reqwest::Method;

/// Whether Graph may safely receive a request twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Sending it twice has the same effect as once (PUT of a chunk, DELETE, GET):
    /// retried after timeouts, dropped connections and 504 too.
    Idempotent,
    /// Sending it twice may do it twice (sendMail, /send, creating a draft): once the
    /// request may have reached Graph (a timeout or dropped connection after connecting,
    /// a 504), it is never sent again; the caller gets `ErrorKind::OutcomeUnknown`.
    NotIdempotent,
}

/// One Graph request. Build with [`GraphRequest::new`] and the `with_*` methods.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    /// HTTP method.
    pub method: Method,
    /// Absolute URL: a Graph URL from `GraphClient::url`, or an
    /// upload session's `uploadUrl` as Graph returned it.
    pub url: String,
    /// The body (cheap to clone for retries) and its content type.
    pub body: Option<(Bytes, String)>,
    /// Extra headers (e.g. `Content-Range`).
    pub headers: Vec<(String, String)>,
    /// Send `Authorization: Bearer`. Upload session URLs must not get it (Graph rejects
    /// the request when they do).
    pub bearer: bool,
    /// Whether it may be sent twice.
    pub replay: Replay,
    /// The mailbox the request acts for, named in error messages and hints.
    pub mailbox: Option<String>,
    /// What the request does, for error messages ("sendMail", "upload of a chunk").
    pub action: String,
}

impl GraphRequest {
    /// A request with a bearer token and no body, not idempotent until said otherwise
    /// (the safe default: a forgotten flag can cost a retry, never a duplicate mail).
    pub fn new(method: Method, url: impl Into<String>, action: impl Into<String>) -> Self {
        GraphRequest {
            method,
            url: url.into(),
            body: None,
            headers: Vec::new(),
            bearer: true,
            replay: Replay::NotIdempotent,
            mailbox: None,
            action: action.into(),
        }
    }

    /// Sets the body and its content type.
    pub fn with_body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        self.body = Some((body.into(), content_type.to_string()));
        self
    }

    /// Sets a JSON body.
    pub fn with_json<T: serde::Serialize + ?Sized>(self, value: &T) -> crate::error::Result<Self> {
        let bytes = serde_json::to_vec(value).map_err(|e| {
            crate::error::Error::new(crate::error::ErrorKind::Configuration, format!("could not encode the request as JSON: {e}"))
        })?;
        Ok(self.with_body(bytes, "application/json"))
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Sends no `Authorization` header (upload session URLs).
    pub fn without_bearer(mut self) -> Self {
        self.bearer = false;
        self
    }

    /// Declares whether the request may be sent twice.
    pub fn with_replay(mut self, replay: Replay) -> Self {
        self.replay = replay;
        self
    }

    /// Names the mailbox for errors and hints.
    pub fn with_mailbox(mut self, mailbox: impl Into<String>) -> Self {
        self.mailbox = Some(mailbox.into());
        self
    }
}

/// A successful (2xx) Graph answer.
#[derive(Debug, Clone)]
pub struct GraphResponse {
    /// HTTP status.
    pub status: u16,
    /// The whole body.
    pub body: Bytes,
    /// Graph's `request-id` header (empty if Graph sent none).
    pub request_id: String,
    /// The `client-request-id` this client sent (the same on every attempt).
    pub client_request_id: String,
    /// How many times the request was sent (1 = no retry).
    pub attempts: u32,
}

impl GraphResponse {
    /// Parses the body as JSON; a malformed answer is a Graph server error.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> crate::error::Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            crate::error::Error::new(
                crate::error::ErrorKind::GraphServer,
                format!("Graph answered HTTP {} with a body that is not the expected JSON: {e}", self.status),
            )
            .with_status(self.status)
            .with_request_ids(Some(self.request_id.clone()), Some(self.client_request_id.clone()))
        })
    }
}
