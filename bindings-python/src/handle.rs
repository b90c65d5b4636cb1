//! What the sync and the async client share: filling the core's
//! `ClientConfig` from Python keyword arguments, keeping one client per
//! process (rebuilt after a fork, whose child cannot use connections owned by
//! the parent's runtime), and closing. Every rule about the settings (the
//! defaults, the environment, what is refused) is the core's.

use std::sync::Mutex;

use ghpkg::ClientConfig;
use pyo3::prelude::*;

use crate::convert::{duration, opt_text, small_uint};
use crate::errors::to_pyerr;
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
    pub use_env: bool,
}

fn given<'a, 'py>(obj: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    obj.filter(|o| !o.is_none())
}

impl Options<'_, '_> {
    /// Converts each argument (the first bad one is reported); the core
    /// applies the rules when the config is built.
    fn config(&self) -> PyResult<ClientConfig> {
        let some_duration = |what: &str, v: Option<&Bound<'_, PyAny>>| {
            given(v).map(|t| duration(what, t)).transpose()
        };
        let some_uint = |what: &str, v: Option<&Bound<'_, PyAny>>, max: u64| {
            given(v).map(|n| small_uint(what, n, max)).transpose()
        };
        Ok(ClientConfig {
            token: opt_text("token", self.token)?,
            username: opt_text("username", self.username)?,
            anonymous: self.anonymous,
            base_url: opt_text("base_url", self.base_url)?,
            user_agent: opt_text("user_agent", self.user_agent)?,
            timeout: some_duration("timeout", self.timeout)?,
            connect_timeout: some_duration("connect_timeout", self.connect_timeout)?,
            max_retries: some_uint("max_retries", self.max_retries, u64::from(u32::MAX))?
                .map(|n| n as u32),
            retry_backoff: some_duration("retry_backoff", self.retry_backoff)?,
            max_rate_limit_wait: some_duration("max_rate_limit_wait", self.max_rate_limit_wait)?,
            read_ahead: some_uint("read_ahead", self.read_ahead, usize::MAX as u64)?
                .map(|n| n as usize),
            per_page: some_uint("per_page", self.per_page, u64::from(u32::MAX))?.map(|n| n as u32),
            allow_insecure_http: self.allow_insecure_http,
            use_env: self.use_env,
        })
    }
}

/// A core client per process, or nothing once closed.
pub(crate) struct ClientHandle {
    config: ClientConfig,
    state: Mutex<Option<(u32, ghpkg::Client)>>,
}

impl ClientHandle {
    /// Builds the client now, so a bad option fails in the constructor.
    pub(crate) fn new(py: Python<'_>, options: &Options<'_, '_>) -> PyResult<ClientHandle> {
        let config = options.config()?;
        let client = config.clone().build().map_err(|e| to_pyerr(py, e))?;
        Ok(ClientHandle {
            config,
            state: Mutex::new(Some((std::process::id(), client))),
        })
    }

    /// The client for this process.
    pub(crate) fn client(&self, py: Python<'_>) -> PyResult<ghpkg::Client> {
        let pid = std::process::id();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match state.as_ref() {
            None => Err(to_pyerr(py, ghpkg::Error::closed())),
            Some((p, c)) if *p == pid => Ok(c.clone()),
            Some(_) => {
                let fresh = self.config.clone().build().map_err(|e| to_pyerr(py, e))?;
                // The parent's client holds connections served by the parent's
                // runtime threads, which the child does not have: never touch it.
                if let Some(stale) = state.replace((pid, fresh.clone())) {
                    std::mem::forget(stale);
                }
                Ok(fresh)
            }
        }
    }

    /// Drops the client; later calls raise `ClientClosedError`. Listings
    /// already started keep working.
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
