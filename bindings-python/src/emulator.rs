//! `ghpkg.testing.Emulator`'s native half: the GitHub Packages emulator
//! running in-process on 127.0.0.1, on its own thread and runtime, so it
//! keeps answering while Python code blocks on a client call.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ghpkg_emulator::{Emulator, Fault, FaultRule, Fixture, TokenKind};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::convert::{duration, small_uint, text};
use crate::runtime::block_on;

/// The token constants of the demo dataset, by name.
#[pyfunction]
pub(crate) fn emulator_tokens() -> Vec<(&'static str, &'static str)> {
    use ghpkg_emulator as e;
    vec![
        ("DEMO_TOKEN", e::DEMO_TOKEN),
        ("READ_ONLY_TOKEN", e::READ_ONLY_TOKEN),
        ("NO_SCOPES_TOKEN", e::NO_SCOPES_TOKEN),
        ("HUBOT_TOKEN", e::HUBOT_TOKEN),
        ("OAUTH_TOKEN", e::OAUTH_TOKEN),
        ("FINE_GRAINED_TOKEN", e::FINE_GRAINED_TOKEN),
        ("APP_TOKEN", e::APP_TOKEN),
        ("ACTIONS_TOKEN", e::ACTIONS_TOKEN),
        ("USER_TO_SERVER_TOKEN", e::USER_TO_SERVER_TOKEN),
    ]
}

/// One logged request: (method, raw path, raw query, headers, status).
type Logged = (String, String, Option<String>, Vec<(String, String)>, u16);

/// A running emulator; `close()` stops it.
#[pyclass(module = "ghpkg._native", name = "EmulatorServer", frozen)]
pub(crate) struct EmulatorServer {
    server: Mutex<Option<Emulator>>,
    url: String,
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

/// Builds a fault from its kind and parameters (see `ghpkg.testing.Fault`).
fn fault(
    kind: &str,
    status: Option<u16>,
    seconds: Option<Duration>,
    location: Option<String>,
) -> PyResult<Fault> {
    let need_status =
        || status.ok_or_else(|| PyValueError::new_err(format!("fault {kind:?} needs a status")));
    Ok(match kind {
        "status" => Fault::Status(need_status()?),
        "latency" => Fault::Latency(seconds.unwrap_or_default()),
        "primary_rate_limit" => match seconds {
            Some(d) => Fault::PrimaryRateLimitFor(d),
            None => Fault::PrimaryRateLimit,
        },
        "secondary_rate_limit" => Fault::SecondaryRateLimit {
            retry_after: seconds.map(|d| d.as_secs()),
            status: status.unwrap_or(403),
        },
        "drop_connection" => Fault::DropConnection,
        "truncated_body" => Fault::TruncatedBody,
        "malformed_json" => Fault::MalformedJson,
        "redirect" => Fault::Redirect {
            location: location
                .ok_or_else(|| PyValueError::new_err("fault \"redirect\" needs a location"))?,
            status: status.unwrap_or(302),
        },
        "link_loop" => Fault::LinkLoop,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown fault kind {other:?}"
            )))
        }
    })
}

#[pymethods]
impl EmulatorServer {
    /// Starts serving `fixture_json` (the demo dataset when `None`).
    #[new]
    #[pyo3(signature = (fixture_json=None, *, port=0, latency=None, link_headers=true, secondary_points_per_minute=900))]
    fn new(
        fixture_json: Option<&Bound<'_, PyAny>>,
        port: u16,
        latency: Option<&Bound<'_, PyAny>>,
        link_headers: bool,
        secondary_points_per_minute: u32,
    ) -> PyResult<Self> {
        let (fixture, token) = match fixture_json.filter(|f| !f.is_none()) {
            None => (Fixture::demo(), Some(ghpkg_emulator::DEMO_TOKEN.to_owned())),
            Some(json) => {
                let f = Fixture::from_json(&text("fixture", json)?)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?;
                // Like the binary: the first classic token of the fixture.
                let token = f
                    .tokens
                    .iter()
                    .find(|t| t.kind == TokenKind::Classic)
                    .map(|t| t.token.clone());
                (f, token)
            }
        };
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
            .start_blocking()
            .map_err(|e| match e.kind() {
                // An inconsistent fixture (duplicate ids, unknown package type, ...).
                std::io::ErrorKind::InvalidInput => PyValueError::new_err(e.to_string()),
                _ => PyRuntimeError::new_err(format!("cannot start the emulator: {e}")),
            })?;
        Ok(EmulatorServer {
            url: emu.url(),
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

    #[pyo3(signature = (kind, *, status=None, seconds=None, location=None, method=None, path=None, times=None))]
    #[allow(clippy::too_many_arguments)]
    fn inject(
        &self,
        kind: &str,
        status: Option<u16>,
        seconds: Option<&Bound<'_, PyAny>>,
        location: Option<String>,
        method: Option<String>,
        path: Option<String>,
        times: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let seconds = seconds
            .filter(|s| !s.is_none())
            .map(|s| duration("seconds", s))
            .transpose()?;
        let mut rule = FaultRule::new(fault(kind, status, seconds, location)?);
        if let Some(m) = method {
            rule = rule.method(m);
        }
        if let Some(p) = path {
            rule = rule.path(p);
        }
        rule = match times.filter(|t| !t.is_none()) {
            None => rule.forever(),
            Some(t) => rule.times(small_uint("times", t, u64::from(u32::MAX - 1))? as u32),
        };
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
