//! The one error type of ghpkg, shared by every binding.
//!
//! [`ErrorKind`] is exhaustive on purpose: bindings match on it without a
//! catch-all arm, so a new kind breaks their build instead of surfacing as
//! "unknown" at run time. [`ErrorKind::ALL`] with [`ErrorKind::code`] and
//! [`ErrorKind::number`] is the single table every binding maps from.

use std::fmt;
use std::time::Duration;

use crate::ratelimit::RateLimit;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in categories a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller passed something unusable (empty name, unknown package
    /// type, bad option). Raised before any request is sent.
    InvalidArgument,
    /// 401: missing, wrong or expired credentials.
    Authentication,
    /// 403: the credentials are valid but not allowed to do this
    /// (missing scope, not an org admin, a token kind GitHub refuses).
    PermissionDenied,
    /// 404: no such package, version, user or org, or not visible to the caller.
    NotFound,
    /// 400, 409, 422 and other 4xx: GitHub refused the request by one of
    /// its rules (the last version of a package, more than 5,000 downloads,
    /// a reused namespace, the 10,000-result pagination limit, ...).
    Rejected,
    /// A primary or secondary rate limit that the client would not wait out.
    RateLimited,
    /// 5xx from GitHub after the retries were spent.
    Server,
    /// The connect or request timeout elapsed.
    Timeout,
    /// The connection failed, dropped, or a redirect could not be followed.
    Transport,
    /// The response could not be understood (malformed JSON, a missing
    /// field, a malformed `link` header, a pagination link that loops).
    Decode,
    /// The client was closed before the call (`close()` in the front doors
    /// of other languages); nothing was sent.
    Closed,
}

impl ErrorKind {
    /// Every kind, in the order of [`ErrorKind::number`].
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Authentication,
        ErrorKind::PermissionDenied,
        ErrorKind::NotFound,
        ErrorKind::Rejected,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::Timeout,
        ErrorKind::Transport,
        ErrorKind::Decode,
        ErrorKind::Closed,
    ];

    /// The stable code: the kind's name in upper snake case, used by the
    /// Node binding's `err.code`, the C ABI's `ghpkg_status_code()`, Go's
    /// `Kind.String()`, Python's `GhpkgError.code`, and in logs.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Authentication => "AUTHENTICATION",
            ErrorKind::PermissionDenied => "PERMISSION_DENIED",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::Rejected => "REJECTED",
            ErrorKind::RateLimited => "RATE_LIMITED",
            ErrorKind::Server => "SERVER",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Transport => "TRANSPORT",
            ErrorKind::Decode => "DECODE",
            ErrorKind::Closed => "CLOSED",
        }
    }

    /// The kind whose [`ErrorKind::code`] is `code`.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether trying the same call again later may succeed: rate limits,
    /// server errors, timeouts and transport failures.
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Transport
        )
    }

    /// The fixed number used by the C ABI's `ghpkg_status` (0 is success there).
    pub const fn number(self) -> u32 {
        match self {
            ErrorKind::InvalidArgument => 1,
            ErrorKind::Authentication => 2,
            ErrorKind::PermissionDenied => 3,
            ErrorKind::NotFound => 4,
            ErrorKind::Rejected => 5,
            ErrorKind::RateLimited => 6,
            ErrorKind::Server => 7,
            ErrorKind::Timeout => 8,
            ErrorKind::Transport => 9,
            ErrorKind::Decode => 10,
            ErrorKind::Closed => 11,
        }
    }

    /// A short human description of the kind.
    pub const fn describe(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::Authentication => "authentication failed",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::Rejected => "rejected by GitHub",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Server => "server error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "transport error",
            ErrorKind::Decode => "could not decode the response",
            ErrorKind::Closed => "the client is closed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An error from ghpkg: a kind plus everything GitHub said about it.
///
/// Never contains a token: messages are built from GitHub's answer and from
/// the request's method and path, and transport errors are stripped of URLs.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    documentation_url: Option<String>,
    request_id: Option<String>,
    rate_limit: Option<RateLimit>,
    retry_after: Option<Duration>,
    hint: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with `message` and nothing else.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                documentation_url: None,
                request_id: None,
                rate_limit: None,
                retry_after: None,
                hint: None,
                source: None,
            }),
        }
    }

    /// An `InvalidArgument` error: input refused before anything was sent.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// The `Closed` error a front door raises for a call on a closed client.
    pub fn closed() -> Self {
        Error::new(
            ErrorKind::Closed,
            "this ghpkg client is closed; create a new one",
        )
    }

    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_documentation_url(mut self, url: Option<String>) -> Self {
        self.inner.documentation_url = url;
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        self.inner.request_id = id;
        self
    }

    pub(crate) fn with_rate_limit(mut self, rl: Option<RateLimit>) -> Self {
        self.inner.rate_limit = rl;
        self
    }

    pub(crate) fn with_retry_after(mut self, d: Option<Duration>) -> Self {
        self.inner.retry_after = d;
        self
    }

    pub(crate) fn with_hint(mut self, hint: Option<String>) -> Self {
        self.inner.hint = hint;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The category of the error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// GitHub's `message`, or ghpkg's own description for local errors.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// GitHub's `documentation_url`, when it sent one.
    pub fn documentation_url(&self) -> Option<&str> {
        self.inner.documentation_url.as_deref()
    }

    /// The `x-github-request-id` of the failed response, for GitHub support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The rate-limit headers of the failed response, when present.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.inner.rate_limit.as_ref()
    }

    /// How long to wait before trying again, when GitHub said or it can be
    /// derived from the rate-limit reset time.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// An explanation ghpkg adds when it recognises the cause, e.g. a token
    /// kind the Packages API does not accept, and what to use instead.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// Whether trying the same call later may succeed ([`ErrorKind::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        match i.status {
            Some(status) => write!(f, "{} (HTTP {status}): {}", i.kind, i.message)?,
            None => write!(f, "{}: {}", i.kind, i.message)?,
        }
        if let Some(hint) = &i.hint {
            write!(f, ". {hint}")?;
        }
        if let Some(wait) = i.retry_after {
            write!(f, " (retry after {}s)", wait.as_secs())?;
        }
        if let Some(id) = &i.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind).field("message", &i.message);
        if let Some(s) = i.status {
            d.field("status", &s);
        }
        if let Some(u) = &i.documentation_url {
            d.field("documentation_url", u);
        }
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if let Some(h) = &i.hint {
            d.field("hint", h);
        }
        if let Some(r) = &i.retry_after {
            d.field("retry_after", r);
        }
        if let Some(s) = &i.source {
            d.field("source", &s.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Wraps a reqwest error without its URL (a URL may carry a restore token).
pub(crate) fn from_reqwest(err: reqwest::Error) -> Error {
    let err = err.without_url();
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_decode() {
        ErrorKind::Decode
    } else if err.is_builder() {
        ErrorKind::InvalidArgument
    } else {
        ErrorKind::Transport
    };
    let message = describe_chain(&err);
    Error::new(kind, message).with_source(err)
}

fn describe_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
    }
    out
}
