//! What a handler sees of one Entra or Graph request (`Ctx`), and what it tells the
//! request log about its answer (`ErrorCode`). Below `dispatch`, `graph` and `entra`:
//! dispatch builds the context, the handlers read it, and neither imports the other's
//! internals for it.

use bytes::Bytes;
use hyper::{HeaderMap, Method};

/// What a handler sees of a request.
pub struct Ctx {
    pub request_id: String,
    pub client_request_id: Option<String>,
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Ctx {
    /// The correlation id Entra answers with: the client's `client-request-id`, or the
    /// request's own id when the client sent none (Graph echoes the same).
    pub fn correlation_id(&self) -> String {
        self.client_request_id.clone().unwrap_or_else(|| self.request_id.clone())
    }
}

/// The error code a response carries (a response extension), for the request log.
#[derive(Clone, Debug)]
pub struct ErrorCode(pub String);
