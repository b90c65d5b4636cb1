//! The running server: the [`Emulator`] handle, its builder, and the HTTP/1.1 transport.
//!
//! The server runs on its own thread with its own single-threaded tokio
//! runtime, so it keeps answering even when the test that started it blocks
//! its own thread (for example on a blocking client call). It listens on two
//! ports of 127.0.0.1: the REST API origin and the container registry origin
//! (see [`crate::registry`]), which share the state, the faults and the
//! request log.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, Limited, StreamBody};
use hyper::body::Frame;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::{oneshot, watch};

use crate::auth::{parse_authorization, Credentials};
use crate::clock::{lock, Clock};
use crate::faults::FaultRule;
use crate::fixture::Fixture;
use crate::log::{LoggedRequest, RequestLog};
use crate::pipeline::{Incoming, Payload, Shared};
use crate::ratelimit::RateLimiter;
use crate::registry::Registry;
use crate::state::State;

type Body = UnsyncBoxBody<Bytes, io::Error>;

/// The largest request body the registry origin reads (a manifest push).
const MAX_BODY_BYTES: usize = 4 << 20;

/// Which of the two listeners a connection came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Api,
    Registry,
}

/// A running emulator. Dropping it (or calling [`Emulator::shutdown`]) stops the server.
///
/// The handle is `Send + Sync`; every method takes `&self` and may be called
/// from any thread while requests are being served.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    registry_addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    done: Option<oneshot::Receiver<()>>,
}

/// Configures and starts an [`Emulator`].
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    fixture: Fixture,
    port: u16,
    latency: Duration,
    secondary_points_per_minute: u32,
    link_headers: bool,
    registry_port: u16,
    head_counts_as_download: bool,
    restore_reattaches_tags: bool,
    registry_token_lifetime: Duration,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            fixture: Fixture::empty(),
            port: 0,
            latency: Duration::ZERO,
            secondary_points_per_minute: 900,
            link_headers: true,
            registry_port: 0,
            head_counts_as_download: false,
            restore_reattaches_tags: true,
            registry_token_lifetime: Duration::from_secs(DEFAULT_REGISTRY_TOKEN_SECONDS),
        }
    }
}

/// How long a registry token lives by default, in seconds (`expires_in`).
pub const DEFAULT_REGISTRY_TOKEN_SECONDS: u64 = 300;

impl EmulatorBuilder {
    /// The data to serve (default: [`Fixture::empty`]).
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = fixture;
        self
    }

    /// The port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// A delay added to every response (default none).
    pub fn latency(mut self, d: Duration) -> Self {
        self.latency = d;
        self
    }

    /// The secondary rate limit in points per minute per token per endpoint
    /// (default 900; GET costs 1 point, DELETE and POST 5).
    pub fn secondary_points_per_minute(mut self, points: u32) -> Self {
        self.secondary_points_per_minute = points;
        self
    }

    /// Whether listings carry `link` headers (default true).
    pub fn link_headers(mut self, on: bool) -> Self {
        self.link_headers = on;
        self
    }

    /// The registry origin's port on 127.0.0.1 (default 0: any free port).
    pub fn registry_port(mut self, port: u16) -> Self {
        self.registry_port = port;
        self
    }

    /// Whether a registry manifest `HEAD` adds to the version's downloads
    /// like a `GET` does (default false; GitHub's behaviour is unmeasured).
    pub fn head_counts_as_download(mut self, on: bool) -> Self {
        self.head_counts_as_download = on;
        self
    }

    /// Whether a restored container version (or package) gets its tags back
    /// in the registry (default true); a tag another active version took
    /// meanwhile stays there either way. Off, restored versions are untagged.
    pub fn restore_reattaches_tags(mut self, on: bool) -> Self {
        self.restore_reattaches_tags = on;
        self
    }

    /// How long registry tokens from `/token` live, on the emulator's clock
    /// (default 300 s; whole seconds, the `expires_in` of the answer).
    pub fn registry_token_lifetime(mut self, d: Duration) -> Self {
        self.registry_token_lifetime = d;
        self
    }

    /// Binds the two ports and starts serving. Fails when the fixture is invalid
    /// (`InvalidInput`) or a port cannot be bound.
    pub async fn start(self) -> io::Result<Emulator> {
        self.start_blocking()
    }

    /// Like [`EmulatorBuilder::start`], for code that is not async. Does not
    /// need a tokio runtime; returns once the port is bound.
    pub fn start_blocking(self) -> io::Result<Emulator> {
        let clock = Clock::new();
        let state = State::from_fixture(&self.fixture, clock.clone())?;
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let registry_listener =
            std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, self.registry_port))?;
        registry_listener.set_nonblocking(true)?;
        let registry_addr = registry_listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            limits: Mutex::new(RateLimiter::new(self.secondary_points_per_minute)),
            faults: Mutex::new(Vec::new()),
            log: RequestLog::default(),
            clock,
            latency: Mutex::new(self.latency),
            link_headers: AtomicBool::new(self.link_headers),
            seq: AtomicU64::new(0),
            addr,
            registry_addr,
            registry: Registry::new(
                self.head_counts_as_download,
                self.restore_reattaches_tags,
                self.registry_token_lifetime,
            ),
            inflight: Mutex::new(HashMap::new()),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let (done_tx, done_rx) = oneshot::channel();
        let served = Arc::clone(&shared);
        std::thread::Builder::new()
            .name(format!("ghpkg-emulator-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listeners = (
                        tokio::net::TcpListener::from_std(listener),
                        tokio::net::TcpListener::from_std(registry_listener),
                    );
                    match listeners {
                        (Ok(api), Ok(registry)) => {
                            let api = serve(api, Arc::clone(&served), stop_rx.clone(), Origin::Api);
                            let registry = serve(registry, served, stop_rx, Origin::Registry);
                            tokio::join!(api, registry);
                        }
                        (Err(e), _) | (_, Err(e)) => {
                            eprintln!("ghpkg-emulator: cannot listen: {e}")
                        }
                    }
                });
                // Dropping the runtime cancels every connection task.
                drop(runtime);
                let _ = done_tx.send(());
            })?;
        Ok(Emulator {
            shared,
            addr,
            registry_addr,
            stop: Some(stop_tx),
            done: Some(done_rx),
        })
    }
}

impl Emulator {
    /// A builder with the defaults: empty fixture, any port, no latency, 900 points/minute.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Serves `fixture` on 127.0.0.1 on any free port.
    pub async fn start(fixture: Fixture) -> io::Result<Emulator> {
        Emulator::builder().fixture(fixture).start().await
    }

    /// Serves the demo dataset ([`Fixture::demo`]) on 127.0.0.1 on any free port.
    pub async fn demo() -> io::Result<Emulator> {
        Emulator::start(Fixture::demo()).await
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The container registry origin's base URL, `http://127.0.0.1:PORT2`
    /// (no trailing slash): `/v2/…` and `/token` (see the README).
    pub fn registry_url(&self) -> String {
        format!("http://{}", self.registry_addr)
    }

    /// The registry origin's bound address.
    pub fn registry_addr(&self) -> SocketAddr {
        self.registry_addr
    }

    /// Whether a registry manifest `HEAD` counts as a download (see
    /// [`EmulatorBuilder::head_counts_as_download`]).
    pub fn set_head_counts_as_download(&self, on: bool) {
        self.shared.registry.set_head_counts_as_download(on);
    }

    /// Whether restores give container versions their tags back (see
    /// [`EmulatorBuilder::restore_reattaches_tags`]).
    pub fn set_restore_reattaches_tags(&self, on: bool) {
        self.shared.registry.set_restore_reattaches_tags(on);
    }

    /// How long registry tokens issued from now on live (see
    /// [`EmulatorBuilder::registry_token_lifetime`]).
    pub fn set_registry_token_lifetime(&self, d: Duration) {
        self.shared.registry.set_token_lifetime(d);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.snapshot()
    }

    /// Forgets the logged requests.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    /// Adds a fault rule; rules are checked in the order they were added and
    /// the first match wins. The rule is not validated (see
    /// [`FaultRule::validate`]; rules from JSON or `--fault` already are).
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.shared.faults).push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Sets the delay added to every response.
    pub fn set_latency(&self, d: Duration) {
        *lock(&self.shared.latency) = d;
    }

    /// `false` makes listings page without any `link` header, like GitHub sometimes does.
    pub fn set_link_headers(&self, on: bool) {
        self.shared.link_headers.store(on, Ordering::Relaxed);
    }

    /// Changes the secondary rate limit (points per minute per token per endpoint).
    pub fn set_secondary_points_per_minute(&self, points: u32) {
        lock(&self.shared.limits).points_per_minute = points;
    }

    /// Forgets all primary and secondary rate-limit usage.
    pub fn reset_rate_limits(&self) {
        let mut limits = lock(&self.shared.limits);
        *limits = RateLimiter::new(limits.points_per_minute);
    }

    /// Moves the emulated clock forward (restore windows, `deleted_at`, rate-limit windows).
    pub fn advance_clock(&self, d: Duration) {
        self.shared.clock.advance(d);
    }

    /// The current emulated time.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }

    /// Runs `f` with exclusive access to the live state (requests wait meanwhile).
    ///
    /// Use it to add packages, versions and tokens, or to look a package up and
    /// check which versions are deleted. `f` must not call `with_state` again
    /// (the state lock is not re-entrant).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut lock(&self.shared.state))
    }

    /// Stops the server and waits until it has closed its port and connections.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("registry_addr", &self.registry_addr)
            .finish_non_exhaustive()
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    origin: Origin,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let service =
                            service_fn(move |req| answer(Arc::clone(&shared), req, peer, origin));
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                // Out of file descriptors or similar: back off briefly and keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

/// Counts a credential's request in flight until dropped.
struct InFlight {
    shared: Arc<Shared>,
    key: String,
}

impl InFlight {
    /// Enters one request; returns the guard and how many are now in flight.
    fn enter(shared: &Arc<Shared>, key: String) -> (InFlight, usize) {
        let count = {
            let mut map = lock(&shared.inflight);
            let n = map.entry(key.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let guard = InFlight {
            shared: Arc::clone(shared),
            key,
        };
        (guard, count)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut map = lock(&self.shared.inflight);
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// Serves one request. An `Err` makes hyper close the connection without answering.
async fn answer(
    shared: Arc<Shared>,
    req: Request<hyper::body::Incoming>,
    peer: SocketAddr,
    origin: Origin,
) -> Result<Response<Body>, io::Error> {
    let method = req.method().as_str().to_owned();
    let raw_path = req.uri().path().to_owned();
    let raw_query = req.uri().query().map(str::to_owned);
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    // Only the registry reads bodies (manifest pushes); the API has none.
    let body = match origin {
        Origin::Api => Some(Vec::new()),
        Origin::Registry => Limited::new(req.into_body(), MAX_BODY_BYTES)
            .collect()
            .await
            .ok()
            .map(|b| b.to_bytes().to_vec()),
    };
    let key = match parse_authorization(
        headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .map(|(_, v)| v.as_str()),
    ) {
        Credentials::Token(t) => format!("token:{t}"),
        Credentials::None | Credentials::Malformed => format!("ip:{}", peer.ip()),
    };
    let (_slot, concurrent) = InFlight::enter(&shared, key);
    let ticket = shared.log.push(LoggedRequest {
        method: method.clone(),
        path: raw_path.clone(),
        query: raw_query.clone(),
        headers: headers.clone(),
        status: 0,
    });
    let incoming = Incoming {
        method: &method,
        raw_path: &raw_path,
        raw_query: raw_query.as_deref(),
        headers: &headers,
        peer: peer.ip(),
        body: body.as_deref(),
        concurrent,
    };
    let outcome = match origin {
        Origin::Api => shared.respond(&incoming),
        Origin::Registry => shared.respond_registry(&incoming),
    };
    let delay = *lock(&shared.latency) + outcome.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    shared.log.complete(ticket, outcome.status);
    let declared = match &outcome.payload {
        Payload::Truncated { declared, .. } => Some(*declared),
        _ => None,
    };
    let body: Body = match outcome.payload {
        Payload::Drop => return Err(io::Error::other("fault: connection dropped")),
        Payload::Empty => Empty::new().map_err(|never| match never {}).boxed_unsync(),
        Payload::Full(bytes) => Full::new(Bytes::from(bytes))
            .map_err(|never| match never {})
            .boxed_unsync(),
        Payload::Truncated { sent, .. } => {
            let first = futures::stream::iter([Ok(Frame::data(Bytes::from(sent)))]);
            let cut = futures::stream::once(async {
                // Give the partial body time to reach the client before the connection closes.
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(io::Error::other("fault: body truncated"))
            });
            StreamBody::new(first.chain(cut)).boxed_unsync()
        }
    };
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (name, value) in &outcome.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(declared) = declared {
        builder = builder.header("content-length", declared.to_string());
    }
    builder.body(body).map_err(io::Error::other)
}
