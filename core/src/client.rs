//! The client and its builder.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

use crate::auth::{Credentials, TokenKind};
use crate::error::{Error, Result};
use crate::ratelimit::RateLimit;

/// GitHub's API on github.com.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";
/// The API version ghpkg speaks.
pub const API_VERSION: &str = "2022-11-28";
/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!("ghpkg/", env!("CARGO_PKG_VERSION"));

/// A GitHub Packages client.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`: share one across tasks
/// and threads. Every method is async and never blocks a thread; the caller
/// provides the tokio runtime.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) credentials: Credentials,
    pub(crate) user_agent: String,
    pub(crate) max_retries: u32,
    pub(crate) retry_base: Duration,
    pub(crate) max_rate_limit_wait: Duration,
    pub(crate) read_ahead: usize,
    pub(crate) per_page: u32,
    pub(crate) allow_insecure_http: bool,
    pub(crate) last_rate_limit: Mutex<Option<RateLimit>>,
}

impl Client {
    /// A client for github.com with a bearer token and default settings.
    pub fn new(token: impl Into<String>) -> Result<Client> {
        Client::builder().token(token).build()
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment only; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default().from_env().build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// The kind of the configured token ([`TokenKind::None`] when anonymous).
    pub fn token_kind(&self) -> TokenKind {
        self.inner.credentials.token_kind()
    }

    /// The rate-limit headers of the most recent response, if any carried them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner
            .last_rate_limit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many pages a listing may fetch ahead of the consumer.
    pub fn read_ahead(&self) -> usize {
        self.inner.read_ahead
    }

    /// The page size listings ask for.
    pub fn per_page(&self) -> u32 {
        self.inner.per_page
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("auth", &self.inner.credentials.scheme())
            .field("token_kind", &self.token_kind().as_str())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Client`]. Every setting has a default.
#[derive(Clone)]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    base_url: Option<String>,
    user_agent: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    max_retries: u32,
    retry_base: Duration,
    max_rate_limit_wait: Duration,
    read_ahead: usize,
    per_page: u32,
    allow_insecure_http: bool,
    use_env: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            credentials: None,
            base_url: None,
            user_agent: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_retries: 3,
            retry_base: Duration::from_millis(250),
            max_rate_limit_wait: Duration::from_secs(120),
            read_ahead: 4,
            per_page: 100,
            allow_insecure_http: false,
            use_env: false,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("read_ahead", &self.read_ahead)
            .finish_non_exhaustive()
    }
}

/// Reads one environment variable, treating empty as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ClientBuilder {
    /// Authenticate with a bearer token (`Authorization: Bearer ...`).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::token(token));
        self
    }

    /// Authenticate with HTTP Basic, a username and a token as password (StackQL's scheme).
    pub fn basic_auth(mut self, username: impl Into<String>, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::basic(username, token));
        self
    }

    /// Set the credentials directly; [`Credentials::Anonymous`] forces no auth
    /// even when the environment has a token.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Fill whatever was not set explicitly from the environment when building:
    /// credentials from `GITHUB_TOKEN`, then `GH_TOKEN`, then
    /// `STACKQL_GITHUB_USERNAME` + `STACKQL_GITHUB_PASSWORD` (Basic); the base URL
    /// from `GITHUB_API_URL`. With none of them the client is anonymous.
    pub fn from_env(mut self) -> Self {
        self.use_env = true;
        self
    }

    /// The API root: `https://api.github.com` (default) or a GitHub
    /// Enterprise Server's `https://HOST/api/v3`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A `User-Agent` to send instead of `ghpkg/VERSION`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for one whole request, response body included (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Retries after connection errors and 5xx answers to idempotent
    /// requests, with jittered exponential backoff (default 3).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The first retry's delay before jitter; it doubles each time (default 250 ms).
    pub fn retry_backoff(mut self, d: Duration) -> Self {
        self.retry_base = d;
        self
    }

    /// The longest the client sleeps for a rate limit before giving up with a
    /// `RateLimited` error that carries the reset time (default 120 s; zero
    /// never waits).
    pub fn max_rate_limit_wait(mut self, d: Duration) -> Self {
        self.max_rate_limit_wait = d;
        self
    }

    /// Pages a listing may fetch ahead, concurrently, once the first page
    /// reveals the last (default 4; 0 or 1 fetches one page at a time).
    pub fn read_ahead(mut self, pages: usize) -> Self {
        self.read_ahead = pages;
        self
    }

    /// Items per page for listings, 1 to 100 (default 100).
    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = n;
        self
    }

    /// Allow a plain `http://` base URL on a host other than loopback.
    /// Off by default so a token is never sent in clear text by accident.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Builds the client. Fails with `InvalidArgument` on a bad base URL, a
    /// plain-http non-loopback URL without opt-in, or a `per_page` outside 1..=100.
    pub fn build(self) -> Result<Client> {
        let credentials = match self.credentials {
            Some(c) => c,
            None if self.use_env => credentials_from_env(),
            None => Credentials::Anonymous,
        };
        if let Some(t) = credentials.secret() {
            if t.expose().is_empty() {
                return Err(Error::invalid("the token must not be empty"));
            }
            if t.expose().chars().any(|c| c.is_control() || c == ' ') {
                return Err(Error::invalid(
                    "the token contains whitespace or control characters",
                ));
            }
        }
        let base_raw = self
            .base_url
            .or_else(|| self.use_env.then(|| env_var("GITHUB_API_URL")).flatten())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base = parse_base_url(&base_raw, self.allow_insecure_http)?;
        if !(1..=100).contains(&self.per_page) {
            return Err(Error::invalid(format!(
                "per_page must be between 1 and 100, got {}",
                self.per_page
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(crate::error::from_reqwest)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                credentials,
                user_agent: self.user_agent.unwrap_or_else(|| USER_AGENT.to_owned()),
                max_retries: self.max_retries,
                retry_base: self.retry_base,
                max_rate_limit_wait: self.max_rate_limit_wait,
                read_ahead: self.read_ahead.max(1),
                per_page: self.per_page,
                allow_insecure_http: self.allow_insecure_http,
                last_rate_limit: Mutex::new(None),
            }),
        })
    }
}

fn credentials_from_env() -> Credentials {
    if let Some(t) = env_var("GITHUB_TOKEN").or_else(|| env_var("GH_TOKEN")) {
        return Credentials::token(t);
    }
    match (
        env_var("STACKQL_GITHUB_USERNAME"),
        env_var("STACKQL_GITHUB_PASSWORD"),
    ) {
        (Some(user), Some(token)) => Credentials::basic(user, token),
        _ => Credentials::Anonymous,
    }
}

fn parse_base_url(raw: &str, allow_insecure: bool) -> Result<Url> {
    let mut url = Url::parse(raw.trim())
        .map_err(|e| Error::invalid(format!("base URL {raw:?} is not a valid URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure || is_loopback(&url) => {}
        "http" => {
            return Err(Error::invalid(format!(
                "base URL {raw:?} uses plain http on a non-loopback host, which would send the \
                 token in clear text; use https, or opt in with allow_insecure_http"
            )))
        }
        other => {
            return Err(Error::invalid(format!(
                "base URL {raw:?} has scheme {other:?}; expected https"
            )))
        }
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::invalid(format!(
            "base URL {raw:?} must not carry a query, fragment or credentials"
        )));
    }
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

/// Whether `url` is on this machine (plain http is allowed there).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert!(parse_base_url("https://ghe.example.com/api/v3/", false).is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(parse_base_url("http://localhost:1", false).is_ok());
        let e = parse_base_url("http://ghe.example.com/api/v3", false).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
        assert!(parse_base_url("http://ghe.example.com/api/v3", true).is_ok());
        assert!(parse_base_url("ftp://x", true).is_err());
        assert!(parse_base_url("not a url", true).is_err());
    }

    #[test]
    fn debug_hides_token() {
        let c = Client::builder().token("ghp_topsecret").build().unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("topsecret"), "{s}");
        assert!(s.contains("classic"));
        let b = Client::builder().token("ghp_topsecret");
        assert!(!format!("{b:?}").contains("topsecret"));
    }
}
