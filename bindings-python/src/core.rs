//! What the sync and the async client share: building the core client from
//! Python keyword arguments, keeping one per process (rebuilt after a fork,
//! whose child cannot use connections owned by the parent's runtime), and
//! closing.

use std::sync::Mutex;

use ghpkg::{ClientBuilder, Credentials};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::convert::{duration, opt_text, small_uint};
use crate::errors::{invalid, to_pyerr};
use crate::models::{quote, PyRateLimit};

/// The keyword arguments of `Client(...)` and `AsyncClient(...)`.
pub(crate) struct Options<'a, 'py> {
    pub token: Option<&'a Bound<'py, PyAny>>,
    pub username: Option<&'a Bound<'py, PyAny>>,
    pub base_url: Option<&'a Bound<'py, PyAny>>,
    pub user_agent: Option<&'a Bound<'py, PyAny>>,
    pub timeout: Option<&'a Bound<'py, PyAny>>,
    pub connect_timeout: Option<&'a Bound<'py, PyAny>>,
    pub max_retries: Option<&'a Bound<'py, PyAny>>,
    pub retry_backoff: Option<&'a Bound<'py, PyAny>>,
    pub max_rate_limit_wait: Option<&'a Bound<'py, PyAny>>,
    pub read_ahead: Option<&'a Bound<'py, PyAny>>,
    pub per_page: Option<&'a Bound<'py, PyAny>>,
    pub allow_insecure_http: bool,
    pub anonymous: bool,
}

fn given<'a, 'py>(obj: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    obj.filter(|o| !o.is_none())
}

impl Options<'_, '_> {
    fn builder(&self, py: Python<'_>) -> PyResult<ClientBuilder> {
        let mut b = ClientBuilder::default();
        let token = opt_text("token", self.token)?;
        let username = opt_text("username", self.username)?;
        b = match (token, username, self.anonymous) {
            (Some(_), _, true) => {
                return Err(invalid(
                    py,
                    "anonymous=True cannot be combined with a token",
                ))
            }
            (None, Some(_), _) => return Err(invalid(py, "username= needs a token to go with it")),
            (Some(t), Some(u), false) => b.basic_auth(u, t),
            (Some(t), None, false) => b.token(t),
            (None, None, true) => b.credentials(Credentials::Anonymous),
            // No credentials: the environment decides, like the core's from_env().
            (None, None, false) => b.from_env(),
        };
        if let Some(url) = opt_text("base_url", self.base_url)? {
            b = b.base_url(url);
        }
        if let Some(ua) = opt_text("user_agent", self.user_agent)? {
            b = b.user_agent(ua);
        }
        if let Some(t) = given(self.timeout) {
            b = b.timeout(duration("timeout", t)?);
        }
        if let Some(t) = given(self.connect_timeout) {
            b = b.connect_timeout(duration("connect_timeout", t)?);
        }
        if let Some(n) = given(self.max_retries) {
            b = b.max_retries(small_uint("max_retries", n, u64::from(u32::MAX))? as u32);
        }
        if let Some(t) = given(self.retry_backoff) {
            b = b.retry_backoff(duration("retry_backoff", t)?);
        }
        if let Some(t) = given(self.max_rate_limit_wait) {
            b = b.max_rate_limit_wait(duration("max_rate_limit_wait", t)?);
        }
        if let Some(n) = given(self.read_ahead) {
            b = b.read_ahead(small_uint("read_ahead", n, usize::MAX as u64)? as usize);
        }
        if let Some(n) = given(self.per_page) {
            b = b.per_page(small_uint("per_page", n, u64::from(u32::MAX))? as u32);
        }
        Ok(b.allow_insecure_http(self.allow_insecure_http))
    }
}

/// A core client per process, or nothing once closed.
pub(crate) struct Core {
    builder: ClientBuilder,
    state: Mutex<Option<(u32, ghpkg::Client)>>,
}

impl Core {
    /// Builds the client now, so a bad option fails in the constructor.
    pub(crate) fn new(py: Python<'_>, options: &Options<'_, '_>) -> PyResult<Core> {
        let builder = options.builder(py)?;
        let client = builder.clone().build().map_err(|e| to_pyerr(py, e))?;
        Ok(Core {
            builder,
            state: Mutex::new(Some((std::process::id(), client))),
        })
    }

    /// The client for this process.
    pub(crate) fn client(&self, py: Python<'_>) -> PyResult<ghpkg::Client> {
        let pid = std::process::id();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match state.as_ref() {
            None => Err(PyRuntimeError::new_err("this ghpkg client is closed")),
            Some((p, c)) if *p == pid => Ok(c.clone()),
            Some(_) => {
                let fresh = self.builder.clone().build().map_err(|e| to_pyerr(py, e))?;
                // The parent's client holds connections served by the parent's
                // runtime threads, which the child does not have: never touch it.
                if let Some(stale) = state.replace((pid, fresh.clone())) {
                    std::mem::forget(stale);
                }
                Ok(fresh)
            }
        }
    }

    /// Drops the client; later calls raise `RuntimeError`. Listings already
    /// started keep working.
    pub(crate) fn close(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((pid, client)) = state.take() {
            if pid == std::process::id() {
                drop(client);
            } else {
                std::mem::forget(client);
            }
        }
    }

    fn current(&self) -> Option<ghpkg::Client> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.as_ref().map(|(_, c)| c.clone())
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.current().is_none()
    }

    /// `repr()`: where it points and the kind of token, never the token.
    pub(crate) fn repr(&self, class: &str) -> String {
        match self.current() {
            Some(c) => format!(
                "<ghpkg.{class} base_url={} token_kind={}>",
                quote(c.base_url()),
                quote(c.token_kind().as_str())
            ),
            None => format!("<ghpkg.{class} closed>"),
        }
    }

    pub(crate) fn base_url(&self) -> Option<String> {
        self.current().map(|c| c.base_url().to_owned())
    }

    pub(crate) fn token_kind(&self) -> Option<&'static str> {
        self.current().map(|c| c.token_kind().as_str())
    }

    pub(crate) fn rate_limit(&self) -> Option<PyRateLimit> {
        self.current()
            .and_then(|c| c.rate_limit())
            .map(PyRateLimit::from)
    }
}
