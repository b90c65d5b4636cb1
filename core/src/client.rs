//! The client and its builder.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

use crate::auth::{Credentials, TokenKind};
use crate::config::{ClientConfig, Settings};
use crate::error::{Error, Result};
use crate::ratelimit::RateLimit;

/// GitHub's API on github.com.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";
/// The API version ghpkg speaks.
pub const API_VERSION: &str = "2022-11-28";
/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!("ghpkg/", env!("CARGO_PKG_VERSION"));
/// Requests one client has in flight to the API at most: GitHub's secondary
/// rate limit allows 100 concurrent requests, so more calls than that at once
/// wait for a slot inside the client instead of being refused by GitHub.
pub const MAX_CONCURRENT_REQUESTS: usize = 100;

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
    /// Slots for requests in flight ([`MAX_CONCURRENT_REQUESTS`]), shared by
    /// every view of this client.
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
}

impl Client {
    /// A client with a bearer token and default settings (the base URL from
    /// `GITHUB_API_URL` when set, else github.com).
    pub fn new(token: impl Into<String>) -> Result<Client> {
        Client::builder().token(token).build()
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment only (see [`ClientConfig`]).
    pub fn from_env() -> Result<Client> {
        ClientConfig::default().build()
    }

    /// Builds a client from resolved settings.
    pub(crate) fn from_settings(s: Settings) -> Result<Client> {
        let base = parse_base_url(&s.base_url, s.allow_insecure_http)?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(s.connect_timeout)
            .timeout(s.timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(crate::error::from_reqwest)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                credentials: s.credentials,
                user_agent: s.user_agent.unwrap_or_else(|| USER_AGENT.to_owned()),
                max_retries: s.max_retries,
                retry_base: s.retry_backoff,
                max_rate_limit_wait: s.max_rate_limit_wait,
                read_ahead: s.read_ahead,
                per_page: s.per_page,
                allow_insecure_http: s.allow_insecure_http,
                last_rate_limit: Mutex::new(None),
                in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_REQUESTS)),
            }),
        })
    }

    /// The same client (connections shared) with rate-limit waits off, so a
    /// caller that paces itself sees every rate limit at once.
    pub(crate) fn without_rate_limit_waits(&self) -> Client {
        let i = &self.inner;
        Client {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                base: i.base.clone(),
                credentials: i.credentials.clone(),
                user_agent: i.user_agent.clone(),
                max_retries: i.max_retries,
                retry_base: i.retry_base,
                max_rate_limit_wait: Duration::ZERO,
                read_ahead: i.read_ahead,
                per_page: i.per_page,
                allow_insecure_http: i.allow_insecure_http,
                last_rate_limit: Mutex::new(self.rate_limit()),
                in_flight: Arc::clone(&i.in_flight),
            }),
        }
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

/// A fluent way to fill a [`ClientConfig`]; every setting has a default and
/// the rules (defaults, environment, validation) are the config's.
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    config: ClientConfig,
}

impl From<ClientConfig> for ClientBuilder {
    fn from(config: ClientConfig) -> Self {
        ClientBuilder { config }
    }
}

impl ClientBuilder {
    /// Authenticate with a bearer token (`Authorization: Bearer ...`).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = Some(token.into());
        self.config.username = None;
        self.config.anonymous = false;
        self
    }

    /// Authenticate with HTTP Basic, a username and a token as password (StackQL's scheme).
    pub fn basic_auth(mut self, username: impl Into<String>, token: impl Into<String>) -> Self {
        self.config.token = Some(token.into());
        self.config.username = Some(username.into());
        self.config.anonymous = false;
        self
    }

    /// Set the credentials directly; [`Credentials::Anonymous`] forces no auth
    /// even when the environment has a token.
    pub fn credentials(self, credentials: Credentials) -> Self {
        match credentials {
            Credentials::Anonymous => self.anonymous(),
            Credentials::Token(t) => self.token(t.expose()),
            Credentials::Basic { username, token } => self.basic_auth(username, token.expose()),
        }
    }

    /// Send no credentials, even when the environment has a token.
    pub fn anonymous(mut self) -> Self {
        self.config.token = None;
        self.config.username = None;
        self.config.anonymous = true;
        self
    }

    /// Whether unset credentials and base URL come from the environment
    /// (default on; see [`ClientConfig`]).
    pub fn use_env(mut self, on: bool) -> Self {
        self.config.use_env = on;
        self
    }

    /// The API root: `https://api.github.com` (default) or a GitHub
    /// Enterprise Server's `https://HOST/api/v3`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config.base_url = Some(url.into());
        self
    }

    /// A `User-Agent` to send instead of `ghpkg/VERSION`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.config.user_agent = Some(ua.into());
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.config.connect_timeout = Some(d);
        self
    }

    /// Time allowed for one whole request, response body included (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.config.timeout = Some(d);
        self
    }

    /// Retries after connection errors and 5xx answers to idempotent
    /// requests, with jittered exponential backoff (default 3).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.config.max_retries = Some(n);
        self
    }

    /// The first retry's delay before jitter; it doubles each time (default 250 ms).
    pub fn retry_backoff(mut self, d: Duration) -> Self {
        self.config.retry_backoff = Some(d);
        self
    }

    /// The longest the client sleeps for a rate limit before giving up with a
    /// `RateLimited` error that carries the reset time (default 120 s; zero
    /// never waits).
    pub fn max_rate_limit_wait(mut self, d: Duration) -> Self {
        self.config.max_rate_limit_wait = Some(d);
        self
    }

    /// Pages a listing may fetch ahead, concurrently, once the first page
    /// reveals the last (default 4; 0 or 1 fetches one page at a time).
    pub fn read_ahead(mut self, pages: usize) -> Self {
        self.config.read_ahead = Some(pages);
        self
    }

    /// Items per page for listings, 1 to 100 (default 100).
    pub fn per_page(mut self, n: u32) -> Self {
        self.config.per_page = Some(n);
        self
    }

    /// Allow a plain `http://` base URL on a host other than loopback.
    /// Off by default so a token is never sent in clear text by accident.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config.allow_insecure_http = allow;
        self
    }

    /// The configuration filled so far.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Builds the client; see [`ClientConfig::build`] for what is refused.
    pub fn build(self) -> Result<Client> {
        self.config.build()
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
        assert!(format!("{b:?}").contains("redacted"));
    }
}
