//! Errors crossing into JavaScript.
//!
//! A core [`ghpkg::Error`] becomes a `napi::Error` whose reason is a marker
//! followed by a JSON object with every field of the error; the JavaScript
//! layer (`lib/errors.js`) turns it into a `GhpkgError` with `code`, `status`,
//! `requestId`, `documentationUrl`, `retryAfter`, `rateLimit` and `hint`.
//! The `code` is [`ErrorKind::code`], the single table every binding maps from.

use ghpkg::{Error, ErrorKind};
use serde_json::{json, Map, Value};

/// Prefix of every error reason that carries a serialized ghpkg error.
pub(crate) const MARKER: &str = "\u{1}ghpkg-error:";

/// The JSON form of a core error, as read by the JavaScript layer.
pub(crate) fn error_json(err: &Error) -> Value {
    let mut out = Map::new();
    out.insert("code".into(), json!(err.kind().code()));
    out.insert("message".into(), json!(err.to_string()));
    out.insert("detail".into(), json!(err.message()));
    out.insert("status".into(), json!(err.status()));
    out.insert("requestId".into(), json!(err.request_id()));
    out.insert("documentationUrl".into(), json!(err.documentation_url()));
    out.insert(
        "retryAfter".into(),
        json!(err.retry_after().map(|d| d.as_secs_f64())),
    );
    out.insert(
        "rateLimit".into(),
        err.rate_limit()
            .and_then(|r| serde_json::to_value(r).ok())
            .unwrap_or(Value::Null),
    );
    out.insert("hint".into(), json!(err.hint()));
    out.insert("retryable".into(), json!(err.is_retryable()));
    Value::Object(out)
}

/// Converts a core error for a rejected promise or a thrown exception.
pub(crate) fn to_napi(err: Error) -> napi::Error {
    napi::Error::from_reason(format!("{MARKER}{}", error_json(&err)))
}

/// An `InvalidArgument` error raised by the binding itself (a bad option value).
pub(crate) fn invalid(message: impl Into<String>) -> napi::Error {
    to_napi(Error::new(ErrorKind::InvalidArgument, message))
}

/// `Result` with the core error, converted on the way out.
pub(crate) trait IntoNapi<T> {
    fn napi(self) -> napi::Result<T>;
}

impl<T> IntoNapi<T> for ghpkg::Result<T> {
    fn napi(self) -> napi::Result<T> {
        self.map_err(to_napi)
    }
}
