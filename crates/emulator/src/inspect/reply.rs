//! The control API's own answers: JSON of what it lists, and its errors (not Graph's
//! shape: the control API is the emulator's, not Microsoft's).

use crate::http::{self, Resp};
use hyper::StatusCode;
use serde_json::json;

/// An error of the control API.
pub fn error(status: StatusCode, message: &str) -> Resp {
    http::json(status, &json!({"error": {"code": "EmulatorRequestInvalid", "message": message}}))
}

/// A path the control API does not serve.
pub fn unknown_endpoint() -> Resp {
    error(StatusCode::NOT_FOUND, "unknown emulator endpoint; see docs/emulator.md")
}

/// 200 with `v` as JSON.
pub fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Resp {
    http::json(StatusCode::OK, &serde_json::to_value(v).unwrap_or_default())
}
