//! Sending one logical request: headers, auth, redirects that keep the
//! token at home, retries with backoff, rate-limit waits, error mapping.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, ACCEPT, LOCATION, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::auth::{explain_refusal, Credentials};
use crate::client::{Client, API_VERSION};
use crate::error::{from_reqwest, Error, ErrorKind, Result};
use crate::ratelimit::{self, header_str, RateLimit};

/// Redirects followed before giving up.
const MAX_REDIRECTS: u32 = 5;
/// Rate-limit sleeps one call may take before giving up.
const MAX_RATE_LIMIT_WAITS: u32 = 5;

/// A complete response with its body read.
pub(crate) struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub(crate) fn request_id(&self) -> Option<String> {
        header_str(&self.headers, "x-github-request-id").map(str::to_owned)
    }

    /// Parses the body as `T`; a failure is a `Decode` error naming what was expected.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        self.parse(what, |text| serde_json::from_str(text))
    }

    /// Parses a page of a listing, whose items repeat their owner (and often
    /// their repository): those are decoded once per run of equal ones.
    pub(crate) fn page<T: DeserializeOwned>(&self, what: &str) -> Result<Vec<T>> {
        self.parse(what, crate::decode::with_repeats)
    }

    fn parse<T: DeserializeOwned>(
        &self,
        what: &str,
        from_str: fn(&str) -> serde_json::Result<T>,
    ) -> Result<T> {
        // UTF-8 is checked once for the whole body (fast), so the parser need
        // not check every string again; a body that is not UTF-8 goes to the
        // byte parser, whose error says where.
        let parsed = match std::str::from_utf8(&self.body) {
            Ok(text) => from_str(text),
            Err(_) => serde_json::from_slice(&self.body),
        };
        parsed.map_err(|e| {
            Error::decode(format!("malformed {what} in the response: {e}"))
                .with_status(self.status)
                .with_request_id(self.request_id())
                .with_source(e)
        })
    }
}

/// Whether a failed attempt may be sent again.
#[derive(Clone, Copy)]
enum Retry {
    /// Nothing reached the server.
    Any,
    /// The server may have acted: only reads are resent.
    IfIdempotent,
    /// Sending it again would fail the same way (a refused redirect).
    Never,
}

/// Which operation a request serves, so a refusal can be explained: an
/// Actions token is answered 400 `Invalid argument.` only when it lists packages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    /// `GET …/packages`: list packages (also the token preflight).
    ListPackages,
    /// Every other operation.
    Other,
}

impl Client {
    /// Joins an already-encoded path to the base URL, refusing any result
    /// whose path is not exactly base path + `path` (no dot-segment or other
    /// normalisation can redirect the call).
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        let base = &self.inner.base;
        let expected = format!("{}{}", base.path().trim_end_matches('/'), path);
        let mut url = base.clone();
        url.set_path(&expected);
        if url.path() != expected {
            return Err(Error::invalid(format!(
                "the request path {path:?} would not be sent as given"
            )));
        }
        Ok(url)
    }

    fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.inner.base.origin()
    }

    /// Sends `method url`, retrying and waiting out rate limits as configured.
    pub(crate) async fn execute(&self, method: Method, url: Url, call: Call) -> Result<Response> {
        let idempotent = method == Method::GET || method == Method::HEAD;
        let mut retries = 0u32;
        let mut waits = 0u32;
        loop {
            let err = match self.send_following_redirects(&method, url.clone()).await {
                Ok(resp) if (200..300).contains(&resp.status) => return Ok(resp),
                Ok(resp) => self.error_from_response(&resp, call),
                Err((err, retry)) => {
                    let retryable = match retry {
                        Retry::Any => true,
                        Retry::IfIdempotent => idempotent,
                        Retry::Never => false,
                    };
                    if retryable && retries < self.inner.max_retries {
                        self.backoff(retries).await;
                        retries += 1;
                        continue;
                    }
                    return Err(err);
                }
            };
            match err.kind() {
                ErrorKind::RateLimited => {
                    // A secondary limit hit again backs off exponentially.
                    let primary = err.rate_limit().is_some_and(|r| r.remaining == 0);
                    let factor = if primary { 1 } else { 1u32 << waits.min(4) };
                    let wait = err
                        .retry_after()
                        .unwrap_or(Duration::from_secs(60))
                        .saturating_mul(factor);
                    if waits < MAX_RATE_LIMIT_WAITS && wait <= self.inner.max_rate_limit_wait {
                        tracing::info!(
                            wait_ms = wait.as_millis() as u64,
                            "ghpkg: rate limited, waiting"
                        );
                        tokio::time::sleep(wait).await;
                        waits += 1;
                        continue;
                    }
                    return Err(err);
                }
                ErrorKind::Server if idempotent && retries < self.inner.max_retries => {
                    self.backoff(retries).await;
                    retries += 1;
                }
                _ => return Err(err),
            }
        }
    }

    /// Jittered exponential backoff: between half and all of base * 2^n.
    async fn backoff(&self, n: u32) {
        let full = self
            .inner
            .retry_base
            .saturating_mul(2u32.saturating_pow(n.min(10)));
        let wait = full.mul_f64(0.5 + fastrand::f64() * 0.5);
        tracing::debug!(
            wait_ms = wait.as_millis() as u64,
            attempt = n + 1,
            "ghpkg: retrying"
        );
        tokio::time::sleep(wait).await;
    }

    /// One attempt, following redirects by hand so credentials go only to
    /// the base URL's origin. The error comes with whether it may be retried.
    async fn send_following_redirects(
        &self,
        method: &Method,
        mut url: Url,
    ) -> std::result::Result<Response, (Error, Retry)> {
        let mut method = method.clone();
        for _ in 0..=MAX_REDIRECTS {
            let resp = self.send_once(&method, &url).await?;
            if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
                return Ok(resp);
            }
            let Some(next) =
                header_str(&resp.headers, LOCATION.as_str()).and_then(|loc| url.join(loc).ok())
            else {
                return Err((
                    Error::new(ErrorKind::Transport, "redirect without a usable location")
                        .with_status(resp.status)
                        .with_request_id(resp.request_id()),
                    Retry::Never,
                ));
            };
            let plain_ok = next.scheme() == "http"
                && (self.inner.allow_insecure_http || crate::client::is_loopback(&next));
            if next.scheme() != "https" && !plain_ok {
                return Err((
                    Error::new(
                        ErrorKind::Transport,
                        "refusing a redirect to a URL that is neither https nor on this machine",
                    )
                    .with_status(resp.status)
                    .with_request_id(resp.request_id()),
                    Retry::Never,
                ));
            }
            if resp.status == 303 {
                method = Method::GET;
            }
            tracing::debug!(
                status = resp.status,
                same_origin = self.same_origin(&next),
                "ghpkg: following redirect"
            );
            url = next;
        }
        Err((
            Error::new(ErrorKind::Transport, "too many redirects"),
            Retry::Never,
        ))
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
    ) -> std::result::Result<Response, (Error, Retry)> {
        let inner = &self.inner;
        let mut req = inner
            .http
            .request(method.clone(), url.clone())
            .header(ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            .header(USER_AGENT, inner.user_agent.as_str());
        if self.same_origin(url) {
            req = match &inner.credentials {
                Credentials::Anonymous => req,
                Credentials::Token(t) => req.bearer_auth(t.expose()),
                Credentials::Basic { username, token } => {
                    req.basic_auth(username, Some(token.expose()))
                }
            };
        }
        if *method != Method::GET {
            req = req.header(reqwest::header::CONTENT_LENGTH, "0");
        }
        // A slot among the requests in flight, held until the body is read.
        // The semaphore is never closed, so acquiring cannot fail.
        let _slot = inner.in_flight.acquire().await.ok();
        let started = std::time::Instant::now();
        let resp = req.send().await.map_err(|e| {
            // A connect failure means nothing reached the server: any method may be resent.
            let retry = if e.is_connect() {
                Retry::Any
            } else {
                Retry::IfIdempotent
            };
            (from_reqwest(e), retry)
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| {
            // reqwest calls a body read failure a decode error; it is a
            // transport failure (a timeout stays a timeout).
            let err = from_reqwest(e);
            let kind = match err.kind() {
                ErrorKind::Timeout => ErrorKind::Timeout,
                _ => ErrorKind::Transport,
            };
            let err = Error::new(
                kind,
                format!("the response body was cut off: {}", err.message()),
            )
            .with_status(status)
            .with_request_id(header_str(&headers, "x-github-request-id").map(str::to_owned));
            (err, Retry::IfIdempotent)
        })?;
        tracing::debug!(
            method = %method,
            path = url.path(),
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "ghpkg: request"
        );
        if let Some(rl) = RateLimit::from_headers(&headers) {
            *inner
                .last_rate_limit
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(rl);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Turns a non-2xx response into an [`Error`].
    fn error_from_response(&self, resp: &Response, call: Call) -> Error {
        #[derive(serde::Deserialize)]
        struct Body {
            message: Option<String>,
            documentation_url: Option<String>,
        }
        let parsed: Option<Body> = serde_json::from_slice(&resp.body).ok();
        let (message, doc) = match parsed {
            Some(Body {
                message: Some(m),
                documentation_url,
            }) => (m, documentation_url),
            other => {
                let text = String::from_utf8_lossy(&resp.body);
                let text = text.trim();
                let msg = if text.is_empty() || text.len() > 300 {
                    StatusCode::from_u16(resp.status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("unexpected status")
                        .to_owned()
                } else {
                    text.to_owned()
                };
                (msg, other.and_then(|b| b.documentation_url))
            }
        };
        let rl = RateLimit::from_headers(&resp.headers);
        let limited = ratelimit::classify(resp.status, &resp.headers, &message);
        let kind = match (resp.status, limited) {
            (_, Some(_)) => ErrorKind::RateLimited,
            (401, _) => ErrorKind::Authentication,
            (403, _) => ErrorKind::PermissionDenied,
            (404, _) => ErrorKind::NotFound,
            (500..=599, _) => ErrorKind::Server,
            (300..=399, _) => ErrorKind::Transport,
            _ => ErrorKind::Rejected,
        };
        let retry_after = limited.map(|l| ratelimit::wait_for(l, &resp.headers, rl.as_ref()));
        let mut hint = explain_refusal(
            self.inner.credentials.token_kind(),
            resp.status,
            &message,
            call == Call::ListPackages,
        );
        if resp.status == 403 && resp.headers.contains_key("x-github-sso") {
            hint = Some(
                "the organization uses SAML single sign-on; authorise the token for it".to_owned(),
            );
        }
        Error::new(kind, message)
            .with_status(resp.status)
            .with_documentation_url(doc)
            .with_request_id(resp.request_id())
            .with_rate_limit(rl)
            .with_retry_after(retry_after)
            .with_hint(hint)
    }
}
