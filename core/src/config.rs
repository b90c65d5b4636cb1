//! Client configuration as plain data: the one place that owns the defaults,
//! how explicit settings and the environment combine, and which settings are
//! refused and with what message. Every front door fills a [`ClientConfig`]
//! from its own arguments and builds it; none of them decides anything here.

use std::fmt;
use std::time::Duration;

use crate::auth::{Credentials, SecretToken};
use crate::client::{Client, DEFAULT_BASE_URL};
use crate::error::{Error, Result};

/// Everything a [`Client`] can be configured with. `None` (or `false`) means
/// "not set": the default applies, or, with [`ClientConfig::use_env`], the
/// environment.
///
/// **Explicit settings win; the environment fills what is unset.** With
/// `use_env` (the default) the credentials come from `GITHUB_TOKEN`, then
/// `GH_TOKEN`, then `STACKQL_GITHUB_USERNAME` + `STACKQL_GITHUB_PASSWORD`
/// (HTTP Basic) when neither `token`, `username` nor `anonymous` is set, and
/// the base URL from `GITHUB_API_URL` when `base_url` is not set. Empty
/// variables count as unset.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    /// A token, sent as `Authorization: Bearer`; with `username`, as the
    /// HTTP Basic password.
    pub token: Option<String>,
    /// Authenticate with HTTP Basic `username:token` (what StackQL sends);
    /// needs `token`.
    pub username: Option<String>,
    /// Send no credentials, even when the environment has a token; excludes
    /// `token` and `username`.
    pub anonymous: bool,
    /// The API root: `https://api.github.com` (default) or a GitHub
    /// Enterprise Server's `https://HOST/api/v3`.
    pub base_url: Option<String>,
    /// The `User-Agent` header (default `ghpkg/VERSION`).
    pub user_agent: Option<String>,
    /// Time allowed to open a connection (default 10 s).
    pub connect_timeout: Option<Duration>,
    /// Time allowed for one whole request, body included (default 30 s).
    pub timeout: Option<Duration>,
    /// Retries after connection errors and 5xx answers to reads, with
    /// jittered exponential backoff (default 3).
    pub max_retries: Option<u32>,
    /// The first retry's delay before jitter, doubling each time (default 250 ms).
    pub retry_backoff: Option<Duration>,
    /// The longest the client sleeps for a rate limit before failing with
    /// `RateLimited` (default 120 s; zero never waits).
    pub max_rate_limit_wait: Option<Duration>,
    /// Pages a listing may fetch ahead, concurrently, once the first page
    /// reveals the last (default 4; 0 and 1 fetch one page at a time).
    pub read_ahead: Option<usize>,
    /// Items per page for listings, 1 to 100 (default 100).
    pub per_page: Option<u32>,
    /// Allow a plain `http://` base URL on a host other than loopback, which
    /// would send the token in clear text (default off).
    pub allow_insecure_http: bool,
    /// Fill unset credentials and base URL from the environment (default on).
    pub use_env: bool,
}

impl ClientConfig {
    /// Default time allowed to open a connection.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default time allowed for one whole request.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default number of retries.
    pub const DEFAULT_MAX_RETRIES: u32 = 3;
    /// Default first retry delay.
    pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(250);
    /// Default longest rate-limit wait.
    pub const DEFAULT_MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(120);
    /// Default read-ahead of listings, in pages.
    pub const DEFAULT_READ_AHEAD: usize = 4;
    /// Default page size of listings.
    pub const DEFAULT_PER_PAGE: u32 = 100;

    /// Builds the client. Sends nothing.
    ///
    /// Fails with `InvalidArgument` for a `username` without a `token`,
    /// `anonymous` with a token or username, an empty token or one with
    /// whitespace or control characters, a bad base URL, a plain-http
    /// non-loopback base URL without `allow_insecure_http`, or a `per_page`
    /// outside 1..=100.
    pub fn build(self) -> Result<Client> {
        let settings = self.resolve()?;
        Client::from_settings(settings)
    }

    /// Applies the rules: validation, the environment, the defaults.
    fn resolve(self) -> Result<Settings> {
        let credentials = match (self.anonymous, self.token, self.username) {
            (true, None, None) => Credentials::Anonymous,
            (true, _, _) => {
                return Err(Error::invalid(
                    "anonymous cannot be combined with a token or a username",
                ))
            }
            (false, Some(token), Some(username)) => Credentials::basic(username, token),
            (false, Some(token), None) => Credentials::token(token),
            (false, None, Some(_)) => {
                return Err(Error::invalid(
                    "a username needs a token: HTTP Basic sends username:token",
                ))
            }
            (false, None, None) if self.use_env => credentials_from_env(),
            (false, None, None) => Credentials::Anonymous,
        };
        if let Some(t) = credentials.secret() {
            check_token(t)?;
        }
        let per_page = self.per_page.unwrap_or(Self::DEFAULT_PER_PAGE);
        if !(1..=100).contains(&per_page) {
            return Err(Error::invalid(format!(
                "per_page must be between 1 and 100, got {per_page}"
            )));
        }
        let base_url = self
            .base_url
            .or_else(|| self.use_env.then(|| env_var("GITHUB_API_URL")).flatten())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        Ok(Settings {
            credentials,
            base_url,
            user_agent: self.user_agent,
            connect_timeout: self
                .connect_timeout
                .unwrap_or(Self::DEFAULT_CONNECT_TIMEOUT),
            timeout: self.timeout.unwrap_or(Self::DEFAULT_TIMEOUT),
            max_retries: self.max_retries.unwrap_or(Self::DEFAULT_MAX_RETRIES),
            retry_backoff: self.retry_backoff.unwrap_or(Self::DEFAULT_RETRY_BACKOFF),
            max_rate_limit_wait: self
                .max_rate_limit_wait
                .unwrap_or(Self::DEFAULT_MAX_RATE_LIMIT_WAIT),
            read_ahead: self.read_ahead.unwrap_or(Self::DEFAULT_READ_AHEAD).max(1),
            per_page,
            allow_insecure_http: self.allow_insecure_http,
        })
    }
}

impl Default for ClientConfig {
    /// Nothing set, the environment on.
    fn default() -> Self {
        ClientConfig {
            token: None,
            username: None,
            anonymous: false,
            base_url: None,
            user_agent: None,
            connect_timeout: None,
            timeout: None,
            max_retries: None,
            retry_backoff: None,
            max_rate_limit_wait: None,
            read_ahead: None,
            per_page: None,
            allow_insecure_http: false,
            use_env: true,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("username", &self.username)
            .field("anonymous", &self.anonymous)
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_backoff", &self.retry_backoff)
            .field("max_rate_limit_wait", &self.max_rate_limit_wait)
            .field("read_ahead", &self.read_ahead)
            .field("per_page", &self.per_page)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("use_env", &self.use_env)
            .finish()
    }
}

/// A configuration with every rule applied; what a client is built from.
pub(crate) struct Settings {
    pub credentials: Credentials,
    pub base_url: String,
    pub user_agent: Option<String>,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_retries: u32,
    pub retry_backoff: Duration,
    pub max_rate_limit_wait: Duration,
    pub read_ahead: usize,
    pub per_page: u32,
    pub allow_insecure_http: bool,
}

fn check_token(t: &SecretToken) -> Result<()> {
    if t.expose().is_empty() {
        return Err(Error::invalid("the token must not be empty"));
    }
    if t.expose().chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::invalid(
            "the token contains whitespace or control characters",
        ));
    }
    Ok(())
}

/// Reads one environment variable, treating empty as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ClientConfig {
        ClientConfig {
            use_env: false,
            ..ClientConfig::default()
        }
    }

    #[test]
    fn credential_rules_have_one_message_each() {
        let e = ClientConfig {
            username: Some("octocat".into()),
            ..cfg()
        }
        .resolve()
        .err()
        .unwrap();
        assert_eq!(
            e.message(),
            "a username needs a token: HTTP Basic sends username:token"
        );
        let e = ClientConfig {
            anonymous: true,
            token: Some("ghp_x".into()),
            ..cfg()
        }
        .resolve()
        .err()
        .unwrap();
        assert!(e.message().starts_with("anonymous cannot be combined"));
        let e = ClientConfig {
            token: Some(" ".into()),
            ..cfg()
        }
        .resolve()
        .err()
        .unwrap();
        assert_eq!(e.message(), "the token must not be empty");
    }

    #[test]
    fn defaults_fill_what_is_unset() {
        let s = cfg().resolve().unwrap();
        assert_eq!(s.credentials, Credentials::Anonymous);
        assert_eq!(s.base_url, DEFAULT_BASE_URL);
        assert_eq!(s.timeout, ClientConfig::DEFAULT_TIMEOUT);
        assert_eq!(s.per_page, 100);
        assert_eq!(s.read_ahead, 4);
        let s = ClientConfig {
            read_ahead: Some(0),
            max_retries: Some(0),
            ..cfg()
        }
        .resolve()
        .unwrap();
        assert_eq!((s.read_ahead, s.max_retries), (1, 0));
        assert!(ClientConfig {
            per_page: Some(101),
            ..cfg()
        }
        .resolve()
        .is_err());
    }

    #[test]
    fn debug_hides_the_token() {
        let c = ClientConfig {
            token: Some("ghp_topsecret".into()),
            ..cfg()
        };
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
