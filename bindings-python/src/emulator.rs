//! `ghpkg.testing.Emulator`'s native half: the GitHub Packages emulator
//! running in-process on 127.0.0.1, on its own thread and runtime, so it
//! keeps answering while Python code blocks on a client call.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use ghpkg_emulator::{Emulator, FaultRule, Fixture, DEMO_TOKENS};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::convert::{duration, text};
use crate::runtime::block_on;

/// The demo dataset's tokens: (snake_case name, token, description), from
/// the emulator's one table; `ghpkg.testing` turns them into constants.
#[pyfunction]
pub(crate) fn emulator_tokens() -> Vec<(&'static str, &'static str, &'static str)> {
    DEMO_TOKENS
        .iter()
        .map(|t| (t.name, t.token, t.description))
        .collect()
}

/// One logged request: (method, raw path, raw query, headers, status).
type Logged = (String, String, Option<String>, Vec<(String, String)>, u16);

/// A running emulator; `close()` stops it.
#[pyclass(module = "ghpkg._native", name = "EmulatorServer", frozen)]
pub(crate) struct EmulatorServer {
    server: Mutex<Option<Emulator>>,
    url: String,
    registry_url: String,
    token: Option<String>,
    /// The process that started the server; a forked child must not wait for
    /// a server thread it does not have.
    pid: u32,
}

impl EmulatorServer {
    fn with<R>(&self, f: impl FnOnce(&Emulator) -> R) -> PyResult<R> {
        let guard = self.server.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(emu) => Ok(f(emu)),
            None => Err(PyRuntimeError::new_err("the emulator is closed")),
        }
    }
}

#[pymethods]
impl EmulatorServer {
    /// Starts serving `fixture_json` (the demo dataset when `None`).
    #[new]
    #[pyo3(signature = (
        fixture_json=None,
        *,
        port=0,
        latency=None,
        link_headers=true,
        secondary_points_per_minute=900,
        head_counts_as_download=false,
        restore_reattaches_tags=true,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        fixture_json: Option<&Bound<'_, PyAny>>,
        port: u16,
        latency: Option<&Bound<'_, PyAny>>,
        link_headers: bool,
        secondary_points_per_minute: u32,
        head_counts_as_download: bool,
        restore_reattaches_tags: bool,
    ) -> PyResult<Self> {
        let fixture = match fixture_json.filter(|f| !f.is_none()) {
            None => Fixture::demo(),
            Some(json) => Fixture::from_json(&text("fixture", json)?)
                .map_err(|e| PyValueError::new_err(e.to_string()))?,
        };
        let token = fixture.default_token().map(str::to_owned);
        let latency = latency
            .filter(|l| !l.is_none())
            .map(|l| duration("latency", l))
            .transpose()?
            .unwrap_or_default();
        let emu = Emulator::builder()
            .fixture(fixture)
            .port(port)
            .latency(latency)
            .link_headers(link_headers)
            .secondary_points_per_minute(secondary_points_per_minute)
            .head_counts_as_download(head_counts_as_download)
            .restore_reattaches_tags(restore_reattaches_tags)
            .start_blocking()
            .map_err(|e| match e.kind() {
                // An inconsistent fixture (duplicate ids, unknown package type, ...).
                std::io::ErrorKind::InvalidInput => PyValueError::new_err(e.to_string()),
                _ => PyRuntimeError::new_err(format!("cannot start the emulator: {e}")),
            })?;
        Ok(EmulatorServer {
            url: emu.url(),
            registry_url: emu.registry_url(),
            token,
            pid: std::process::id(),
            server: Mutex::new(Some(emu)),
        })
    }

    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    #[getter]
    fn registry_url(&self) -> &str {
        &self.registry_url
    }

    #[getter]
    fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    fn requests(&self) -> PyResult<Vec<Logged>> {
        self.with(|e| {
            e.requests()
                .into_iter()
                .map(|r| (r.method, r.path, r.query, r.headers, r.status))
                .collect()
        })
    }

    fn clear_requests(&self) -> PyResult<()> {
        self.with(Emulator::clear_requests)
    }

    /// Adds a fault rule given in the emulator's JSON vocabulary; the
    /// emulator parses and validates it (`ValueError` with its reason).
    fn inject(&self, rule_json: &str) -> PyResult<()> {
        let rule =
            FaultRule::from_json(rule_json).map_err(|e| PyValueError::new_err(e.to_string()))?;
        self.with(|e| e.inject(rule))
    }

    fn clear_faults(&self) -> PyResult<()> {
        self.with(Emulator::clear_faults)
    }

    fn set_latency(&self, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        let d = duration("latency", seconds)?;
        self.with(|e| e.set_latency(d))
    }

    fn set_link_headers(&self, on: bool) -> PyResult<()> {
        self.with(|e| e.set_link_headers(on))
    }

    fn set_secondary_points_per_minute(&self, points: u32) -> PyResult<()> {
        self.with(|e| e.set_secondary_points_per_minute(points))
    }

    fn set_head_counts_as_download(&self, on: bool) -> PyResult<()> {
        self.with(|e| e.set_head_counts_as_download(on))
    }

    fn set_restore_reattaches_tags(&self, on: bool) -> PyResult<()> {
        self.with(|e| e.set_restore_reattaches_tags(on))
    }

    fn reset_rate_limits(&self) -> PyResult<()> {
        self.with(Emulator::reset_rate_limits)
    }

    fn advance_clock(&self, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        let d = duration("advance_clock", seconds)?;
        self.with(|e| e.advance_clock(d))
    }

    fn now(&self) -> PyResult<DateTime<Utc>> {
        self.with(Emulator::now)
    }

    #[getter]
    fn closed(&self) -> bool {
        self.server
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    /// Stops the server and waits until its port is closed.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let emu = self.server.lock().unwrap_or_else(|e| e.into_inner()).take();
        match emu {
            Some(emu) if self.pid == std::process::id() => block_on(py, emu.shutdown())?,
            Some(emu) => std::mem::forget(emu),
            None => {}
        }
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!(
            "<ghpkg.testing.Emulator url={}>",
            crate::models::quote(&self.url)
        )
    }
}
