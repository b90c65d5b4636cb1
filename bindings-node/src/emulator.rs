//! The GitHub Packages emulator, started in-process for tests: a real HTTP
//! server on 127.0.0.1 with its own thread, so it keeps answering whatever
//! the JavaScript thread does.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ghpkg_emulator::{Fault, FaultRule as CoreRule, Fixture, PackageSpec, TokenSpec};
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
}

/// What a fault does to the requests it matches.
#[napi(string_enum = "camelCase")]
pub enum FaultKind {
    /// Answer `status` with a GitHub-style error body.
    Status,
    /// Delay the answer by `latencyMs`, then answer normally.
    Latency,
    /// 403 with `x-ratelimit-remaining: 0`, resetting in `resetInSeconds` (default 1).
    PrimaryRateLimit,
    /// A secondary limit: `status` 403 (default) or 429, `retryAfter` seconds if given.
    SecondaryRateLimit,
    /// Close the connection without answering.
    DropConnection,
    /// 200 with a body shorter than its `content-length`.
    TruncatedBody,
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// A `status` 3xx (default 302) redirect to `location`.
    Redirect,
    /// A `link` whose `next` points back to page 1.
    LinkLoop,
}

/// A scripted fault and the requests it applies to.
#[napi(object, object_to_js = false)]
pub struct FaultRule {
    pub fault: FaultKind,
    /// Only this method (`GET`, `DELETE`, ...).
    pub method: Option<String>,
    /// Only raw (percent-encoded) paths containing this.
    pub path: Option<String>,
    /// How many matching requests it affects (default 1; `Infinity` for all).
    pub times: Option<f64>,
    pub status: Option<u32>,
    pub latency_ms: Option<f64>,
    pub reset_in_seconds: Option<f64>,
    pub retry_after: Option<f64>,
    pub location: Option<String>,
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

/// The tokens of the demo dataset.
#[napi(object, object_from_js = false)]
pub struct EmulatorTokens {
    /// octocat's classic token with read, write and delete scopes and `repo`.
    pub demo: String,
    /// octocat's classic token with `read:packages` only.
    pub read_only: String,
    /// octocat's classic token with no scopes.
    pub no_scopes: String,
    /// hubot's classic token (a plain member of `acme`).
    pub hubot: String,
    /// octocat's OAuth token.
    pub oauth: String,
    /// A fine-grained token (refused by the Packages API).
    pub fine_grained: String,
    /// A GitHub App installation token (refused).
    pub app: String,
    /// An Actions `GITHUB_TOKEN` for `acme/api`.
    pub actions: String,
    /// A GitHub App user-to-server token (refused).
    pub user_to_server: String,
}

/// The demo dataset's tokens.
#[napi]
pub fn emulator_tokens() -> EmulatorTokens {
    use ghpkg_emulator as e;
    EmulatorTokens {
        demo: e::DEMO_TOKEN.into(),
        read_only: e::READ_ONLY_TOKEN.into(),
        no_scopes: e::NO_SCOPES_TOKEN.into(),
        hubot: e::HUBOT_TOKEN.into(),
        oauth: e::OAUTH_TOKEN.into(),
        fine_grained: e::FINE_GRAINED_TOKEN.into(),
        app: e::APP_TOKEN.into(),
        actions: e::ACTIONS_TOKEN.into(),
        user_to_server: e::USER_TO_SERVER_TOKEN.into(),
    }
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

fn seconds(v: f64, what: &str) -> Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1e12 {
        Ok(v as u64)
    } else {
        Err(bad(format!(
            "{what} must be a non-negative whole number of seconds"
        )))
    }
}

fn status(v: Option<u32>, default: u16) -> Result<u16> {
    match v {
        None => Ok(default),
        Some(s) if (100..=599).contains(&s) => Ok(s as u16),
        Some(s) => Err(bad(format!(
            "status must be an HTTP status (100-599), got {s}"
        ))),
    }
}

fn rule(r: FaultRule) -> Result<CoreRule> {
    let fault = match r.fault {
        FaultKind::Status => Fault::Status(status(r.status, 500)?),
        FaultKind::Latency => {
            Fault::Latency(duration_ms(r.latency_ms.unwrap_or(0.0), "latencyMs")?)
        }
        FaultKind::PrimaryRateLimit => match r.reset_in_seconds {
            None => Fault::PrimaryRateLimit,
            Some(s) => {
                Fault::PrimaryRateLimitFor(Duration::from_secs(seconds(s, "resetInSeconds")?))
            }
        },
        FaultKind::SecondaryRateLimit => Fault::SecondaryRateLimit {
            retry_after: r
                .retry_after
                .map(|s| seconds(s, "retryAfter"))
                .transpose()?,
            status: status(r.status, 403)?,
        },
        FaultKind::DropConnection => Fault::DropConnection,
        FaultKind::TruncatedBody => Fault::TruncatedBody,
        FaultKind::MalformedJson => Fault::MalformedJson,
        FaultKind::Redirect => Fault::Redirect {
            location: r
                .location
                .ok_or_else(|| bad("a redirect fault needs a location"))?,
            status: status(r.status, 302)?,
        },
        FaultKind::LinkLoop => Fault::LinkLoop,
    };
    let mut out = CoreRule::new(fault);
    if let Some(m) = r.method {
        out = out.method(m);
    }
    if let Some(p) = r.path {
        out = out.path(p);
    }
    out = match r.times {
        None => out,
        Some(t) if t == f64::INFINITY => out.forever(),
        Some(t) if t.is_finite() && t >= 1.0 && t.fract() == 0.0 && t < f64::from(u32::MAX) => {
            out.times(t as u32)
        }
        Some(t) => {
            return Err(bad(format!(
                "times must be a positive integer or Infinity, got {t}"
            )))
        }
    };
    Ok(out)
}

type Handle = Arc<Mutex<Option<ghpkg_emulator::Emulator>>>;

/// The native half of `Emulator`; use `Emulator` from `ghpkg` instead.
#[napi]
pub struct NativeEmulator {
    handle: Handle,
    url: String,
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
        });
        let fixture = match (o.fixture_json, o.fixture_file) {
            (Some(_), Some(_)) => return Err(bad("give fixture or fixtureFile, not both")),
            (Some(json), None) => Fixture::from_json(&json).map_err(bad)?,
            (None, Some(path)) => Fixture::from_file(path).map_err(bad)?,
            (None, None) => Fixture::demo(),
        };
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
        // Loading a large fixture and binding take a moment: off the event loop.
        let emu = tokio::task::spawn_blocking(move || b.start_blocking())
            .await
            .map_err(|e| Error::from_reason(format!("emulator start failed: {e}")))?
            .map_err(|e| Error::from_reason(format!("emulator start failed: {e}")))?;
        Ok(NativeEmulator {
            url: emu.url(),
            handle: Arc::new(Mutex::new(Some(emu))),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
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

    /// Adds a fault rule; rules apply in the order they were added.
    #[napi(catch_unwind)]
    pub fn inject(&self, rule_options: FaultRule) -> Result<()> {
        let r = rule(rule_options)?;
        self.with(|e| e.inject(r))
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
