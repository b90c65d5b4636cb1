//! The GitHub Packages emulator, started in-process for tests: a real HTTP
//! server on 127.0.0.1 with its own thread, so it keeps answering whatever
//! the JavaScript thread does.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ghpkg_emulator::{FaultRule, Fixture, PackageSpec, TokenSpec, DEMO_TOKENS};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::models::timestamp;

/// How to start an emulator; every field is optional.
#[napi(object, object_to_js = false)]
pub struct EmulatorOptions {
    /// The data to serve, in the fixture JSON format; default the demo dataset.
    pub fixture_json: Option<String>,
    /// A fixture file to read instead.
    pub fixture_file: Option<String>,
    /// The port on 127.0.0.1 (default any free port).
    pub port: Option<u32>,
    /// A delay added to every response, in milliseconds.
    pub latency_ms: Option<f64>,
    /// Whether listings carry `link` headers (default true).
    pub link_headers: Option<bool>,
    /// The secondary rate limit, points per minute per token and endpoint (default 900).
    pub secondary_points_per_minute: Option<u32>,
    /// Whether a registry manifest `HEAD` adds a download like a `GET` (default false).
    pub head_counts_as_download: Option<bool>,
    /// Whether restored container versions get their tags back (default true).
    pub restore_reattaches_tags: Option<bool>,
}

/// One request the emulator received.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct LoggedRequest {
    pub method: String,
    /// The path as received, still percent-encoded.
    pub path: String,
    /// The raw query string without `?`.
    pub query: Option<String>,
    /// Header names in lower case.
    #[napi(ts_type = "Record<string, string>")]
    pub headers: Map<String, Value>,
    /// The answer's status; 0 when the connection was dropped or no answer was sent yet.
    pub status: u32,
}

/// The demo dataset's tokens by camelCase name (`demo`, `readOnly`, ...),
/// from the emulator's one table of demo tokens.
#[napi(ts_return_type = "Record<string, string>")]
pub fn emulator_tokens() -> Map<String, Value> {
    DEMO_TOKENS
        .iter()
        .map(|t| (camel_case(t.name), Value::String(t.token.to_owned())))
        .collect()
}

/// `read_only` -> `readOnly`.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

fn bad(message: impl std::fmt::Display) -> Error {
    Error::from_reason(message.to_string())
}

fn duration_ms(v: f64, what: &str) -> Result<Duration> {
    match Duration::try_from_secs_f64(v / 1000.0) {
        Ok(d) if v.is_finite() => Ok(d),
        _ => Err(bad(format!(
            "{what} must be a non-negative number of milliseconds, got {v}"
        ))),
    }
}

type Handle = Arc<Mutex<Option<ghpkg_emulator::Emulator>>>;

/// The native half of `Emulator`; use `Emulator` from `ghpkg` instead.
#[napi]
pub struct NativeEmulator {
    handle: Handle,
    url: String,
    registry_url: String,
    token: Option<String>,
}

impl NativeEmulator {
    fn with<R>(&self, f: impl FnOnce(&ghpkg_emulator::Emulator) -> R) -> Result<R> {
        let guard: MutexGuard<'_, _> = self.handle.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(emu) => Ok(f(emu)),
            None => Err(Error::from_reason("the emulator has been shut down")),
        }
    }
}

#[napi]
impl NativeEmulator {
    /// Starts an emulator on 127.0.0.1. Rejects on an invalid fixture or a
    /// port that cannot be bound.
    #[napi]
    pub async fn start(options: Option<EmulatorOptions>) -> Result<NativeEmulator> {
        let o = options.unwrap_or(EmulatorOptions {
            fixture_json: None,
            fixture_file: None,
            port: None,
            latency_ms: None,
            link_headers: None,
            secondary_points_per_minute: None,
            head_counts_as_download: None,
            restore_reattaches_tags: None,
        });
        let fixture = match (o.fixture_json, o.fixture_file) {
            (Some(_), Some(_)) => return Err(bad("give fixture or fixtureFile, not both")),
            (Some(json), None) => Fixture::from_json(&json).map_err(bad)?,
            (None, Some(path)) => Fixture::from_file(path).map_err(bad)?,
            (None, None) => Fixture::demo(),
        };
        let token = fixture.default_token().map(str::to_owned);
        let mut b = ghpkg_emulator::Emulator::builder().fixture(fixture);
        if let Some(p) = o.port {
            b = b.port(u16::try_from(p).map_err(|_| bad(format!("port {p} is out of range")))?);
        }
        if let Some(ms) = o.latency_ms {
            b = b.latency(duration_ms(ms, "latencyMs")?);
        }
        if let Some(on) = o.link_headers {
            b = b.link_headers(on);
        }
        if let Some(points) = o.secondary_points_per_minute {
            b = b.secondary_points_per_minute(points);
        }
        if let Some(on) = o.head_counts_as_download {
            b = b.head_counts_as_download(on);
        }
        if let Some(on) = o.restore_reattaches_tags {
            b = b.restore_reattaches_tags(on);
        }
        // Loading a large fixture and binding take a moment: off the event loop.
        let emu = tokio::task::spawn_blocking(move || b.start_blocking())
            .await
            .map_err(|e| Error::from_reason(format!("emulator start failed: {e}")))?
            .map_err(|e| Error::from_reason(format!("emulator start failed: {e}")))?;
        Ok(NativeEmulator {
            url: emu.url(),
            registry_url: emu.registry_url(),
            token,
            handle: Arc::new(Mutex::new(Some(emu))),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The container registry origin, `http://127.0.0.1:PORT2` (`/v2/...`, `/token`).
    #[napi(getter)]
    pub fn registry_url(&self) -> String {
        self.registry_url.clone()
    }

    /// The fixture's default token: the demo token for the demo dataset, else
    /// the fixture's first classic token, else null.
    #[napi(getter)]
    pub fn token(&self) -> Option<String> {
        self.token.clone()
    }

    /// Every request received so far, in arrival order.
    #[napi(catch_unwind)]
    pub fn requests(&self) -> Result<Vec<LoggedRequest>> {
        let log = self.with(|e| e.requests())?;
        Ok(log
            .into_iter()
            .map(|r| {
                let mut headers = Map::new();
                for (name, value) in r.headers {
                    match headers.get_mut(&name) {
                        Some(Value::String(prev)) => {
                            prev.push_str(", ");
                            prev.push_str(&value);
                        }
                        _ => {
                            headers.insert(name, Value::String(value));
                        }
                    }
                }
                LoggedRequest {
                    method: r.method,
                    path: r.path,
                    query: r.query,
                    headers,
                    status: u32::from(r.status),
                }
            })
            .collect())
    }

    #[napi(catch_unwind)]
    pub fn clear_requests(&self) -> Result<()> {
        self.with(|e| e.clear_requests())
    }

    /// Adds a fault rule given in the emulator's JSON vocabulary
    /// (`{"kind":"status","status":502,"path":"/orgs/acme","times":2}`); the
    /// emulator parses and validates it. Rules apply in the order they were added.
    #[napi(catch_unwind)]
    pub fn inject(&self, rule_json: String) -> Result<()> {
        let rule = FaultRule::from_json(&rule_json).map_err(bad)?;
        self.with(|e| e.inject(rule))
    }

    #[napi(catch_unwind)]
    pub fn clear_faults(&self) -> Result<()> {
        self.with(|e| e.clear_faults())
    }

    #[napi(catch_unwind)]
    pub fn set_latency(&self, ms: f64) -> Result<()> {
        let d = duration_ms(ms, "latency")?;
        self.with(|e| e.set_latency(d))
    }

    /// `false` pages listings without `link` headers, like GitHub sometimes does.
    #[napi(catch_unwind)]
    pub fn set_link_headers(&self, on: bool) -> Result<()> {
        self.with(|e| e.set_link_headers(on))
    }

    #[napi(catch_unwind)]
    pub fn set_secondary_points_per_minute(&self, points: u32) -> Result<()> {
        self.with(|e| e.set_secondary_points_per_minute(points))
    }

    /// Whether a registry manifest `HEAD` adds a download like a `GET`.
    #[napi(catch_unwind)]
    pub fn set_head_counts_as_download(&self, on: bool) -> Result<()> {
        self.with(|e| e.set_head_counts_as_download(on))
    }

    /// Whether restored container versions get their tags back.
    #[napi(catch_unwind)]
    pub fn set_restore_reattaches_tags(&self, on: bool) -> Result<()> {
        self.with(|e| e.set_restore_reattaches_tags(on))
    }

    #[napi(catch_unwind)]
    pub fn reset_rate_limits(&self) -> Result<()> {
        self.with(|e| e.reset_rate_limits())
    }

    /// Moves the emulated clock forward (restore windows, rate-limit windows).
    #[napi(catch_unwind)]
    pub fn advance_clock(&self, ms: f64) -> Result<()> {
        let d = duration_ms(ms, "advanceClock")?;
        self.with(|e| e.advance_clock(d))
    }

    /// The emulated time, ISO 8601.
    #[napi(catch_unwind)]
    pub fn now(&self) -> Result<String> {
        self.with(|e| timestamp(&e.now()))
    }

    /// Adds a package (fixture format) while running; returns its id.
    #[napi(catch_unwind)]
    pub fn add_package(
        &self,
        #[napi(ts_arg_type = "Record<string, unknown>")] spec: Value,
    ) -> Result<i64> {
        let spec: PackageSpec = serde_json::from_value(spec).map_err(bad)?;
        let id = self
            .with(|e| e.with_state(|s| s.add_package(spec)))?
            .map_err(bad)?;
        Ok(i64::try_from(id).unwrap_or(i64::MAX))
    }

    /// Adds a token (fixture format) while running.
    #[napi(catch_unwind)]
    pub fn add_token(
        &self,
        #[napi(ts_arg_type = "Record<string, unknown>")] spec: Value,
    ) -> Result<()> {
        let spec: TokenSpec = serde_json::from_value(spec).map_err(bad)?;
        self.with(|e| e.with_state(|s| s.add_token(spec)))
    }

    /// Stops the server and waits until its port is closed. Idempotent.
    #[napi]
    pub async fn shutdown(&self) -> Result<()> {
        let emu = self.handle.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(emu) = emu {
            emu.shutdown().await;
        }
        Ok(())
    }
}
