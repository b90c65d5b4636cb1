//! What happens to one request before and after its operation runs:
//! scripted faults, the User-Agent rule, credentials, primary and secondary
//! rate limits, routing, and the headers every response carries.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use serde_json::json;

use crate::auth::{parse_authorization, required_scopes, Caller, Credentials};
use crate::clock::{lock, Clock};
use crate::faults::{self, Fault, FaultRule};
use crate::handlers::{self, Ctx, Reply};
use crate::log::RequestLog;
use crate::ratelimit::{RateLimiter, Snapshot};
use crate::render::DOCS;
use crate::routes::{self, parse_query};
use crate::state::{is_package_type, State};

const PRIMARY_DOCS: &str =
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit";
const SECONDARY_DOCS: &str =
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const USER_AGENT_MESSAGE: &str = "Request forbidden by administrative rules. Please make sure your request \
    has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). \
    Check https://developer.github.com for other possible causes.";
const SECONDARY_MESSAGE: &str =
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
/// The body sent by [`Fault::MalformedJson`].
pub(crate) const MALFORMED_JSON: &str =
    "{\"id\": 1, \"name\": \"hello-world\", \"package_type\": \"npm\", \"owner\": {\"login\": ";

/// The most requests one credential (a token, or an address without one) may
/// have in flight on the API origin; more get a secondary rate limit (403).
pub const MAX_CONCURRENT_REQUESTS: usize = 100;

/// Everything a running emulator shares between its connections and its handle.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub limits: Mutex<RateLimiter>,
    pub faults: Mutex<Vec<FaultRule>>,
    pub log: RequestLog,
    pub clock: Clock,
    pub latency: Mutex<Duration>,
    pub link_headers: AtomicBool,
    pub seq: AtomicU64,
    pub addr: SocketAddr,
    /// The registry origin's address.
    pub registry_addr: SocketAddr,
    /// Registry tokens and switches.
    pub registry: crate::registry::Registry,
    /// Requests in flight per credential (API origin).
    pub inflight: Mutex<HashMap<String, usize>>,
}

/// A request as the pipeline sees it.
pub(crate) struct Incoming<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: Option<&'a str>,
    /// Lower-case names.
    pub headers: &'a [(String, String)],
    pub peer: IpAddr,
    /// The request body (read for the registry origin only; `None` when it
    /// could not be read).
    pub body: Option<&'a [u8]>,
    /// Requests of the same credential in flight, this one included.
    pub concurrent: usize,
}

impl Incoming<'_> {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The body the transport should send.
pub(crate) enum Payload {
    /// No body.
    Empty,
    /// A complete body.
    Full(Vec<u8>),
    /// Announce `declared` bytes, send `sent`, then close the connection.
    Truncated { sent: Vec<u8>, declared: usize },
    /// Close the connection without answering.
    Drop,
}

/// The finished answer to one request.
pub(crate) struct Outcome {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub payload: Payload,
    /// Extra delay from a latency fault (global latency is added by the transport).
    pub delay: Duration,
}

/// Per-request facts needed to finish a reply.
struct Finish<'a> {
    request_id: &'a str,
    caller: &'a Caller,
    snapshot: Option<Snapshot>,
    accepted: Option<Vec<&'static str>>,
}

pub(crate) fn status_message(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Bad credentials",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        422 => "Validation Failed",
        429 => "Too Many Requests",
        500 | 502 => "Server Error",
        503 => "Service Unavailable",
        504 => {
            "We couldn't respond to your request in time. Sorry about that. Please try resubmitting \
             your request and contact us if the problem persists."
        }
        _ => "Error",
    }
}

pub(crate) fn redirect_message(code: u16) -> &'static str {
    match code {
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        308 => "Permanent Redirect",
        _ => "Temporary Redirect",
    }
}

/// Epoch seconds of `t`, rounded up.
pub(crate) fn ceil_epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp() + i64::from(t.nanosecond() > 0)
}

impl Shared {
    pub(crate) fn request_id(&self, now: DateTime<Utc>) -> String {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!(
            "{:04X}:{:04X}:{:06X}:{:07X}:{:08X}",
            fastrand::u16(..),
            fastrand::u16(..),
            fastrand::u32(..0x0100_0000),
            seq,
            now.timestamp() as u32
        )
    }

    /// Answers one request.
    pub(crate) fn respond(&self, req: &Incoming<'_>) -> Outcome {
        let now = self.clock.now();
        let request_id = self.request_id(now);
        let fault = faults::take(&mut lock(&self.faults), req.method, req.raw_path);
        let ip = req.peer.to_string();
        let (caller, bad_credentials) = {
            let state = lock(&self.state);
            match parse_authorization(req.header("authorization")) {
                Credentials::None => (Caller::Anonymous { ip }, false),
                Credentials::Token(t) => match state.token(&t) {
                    Some(spec) => (Caller::Token(spec.clone()), false),
                    None => (Caller::Anonymous { ip }, true),
                },
                Credentials::Malformed => (Caller::Anonymous { ip }, true),
            }
        };
        let peek = || lock(&self.limits).peek(&caller.limit_key(), caller.hourly_limit(), now);
        let mut fin = Finish {
            request_id: &request_id,
            caller: &caller,
            snapshot: None,
            accepted: None,
        };
        let (mut delay, mut link_loop, mut truncate) = (Duration::ZERO, false, false);
        let mut link_override = None;
        let early = match fault {
            // Deferred faults are never taken here; the others wait for their moment.
            None | Some(Fault::DigestMismatch | Fault::ForeignRealm { .. } | Fault::TokenExpired) => {
                None
            }
            Some(Fault::LinkHeader { value }) => {
                link_override = Some(value);
                None
            }
            Some(Fault::Latency { delay_ms }) => {
                delay = Duration::from_millis(delay_ms);
                None
            }
            Some(Fault::LinkLoop) => {
                link_loop = true;
                None
            }
            Some(Fault::TruncatedBody) => {
                truncate = true;
                None
            }
            Some(Fault::DropConnection) => {
                return Outcome {
                    status: 0,
                    headers: Vec::new(),
                    payload: Payload::Drop,
                    delay: Duration::ZERO,
                }
            }
            Some(Fault::MalformedJson) => {
                fin.snapshot = Some(peek());
                let mut out = self.finish(Reply::no_content(), &fin);
                out.status = 200;
                out.headers.push(("content-type".into(), "application/json; charset=utf-8".into()));
                out.payload = Payload::Full(MALFORMED_JSON.as_bytes().to_vec());
                return out;
            }
            Some(Fault::Status(code)) => {
                fin.snapshot = Some(peek());
                let reply = if matches!(code, 204 | 304) || code < 200 {
                    Reply { status: code, ..Reply::no_content() }
                } else {
                    Reply::generic_error(code, status_message(code))
                };
                Some(reply)
            }
            Some(Fault::PrimaryRateLimit { reset_in_seconds }) => Some(self.primary_fault(
                &caller,
                now,
                Duration::from_secs(reset_in_seconds),
                &mut fin,
            )),
            Some(Fault::SecondaryRateLimit { retry_after_seconds, status }) => {
                fin.snapshot = Some(peek());
                let reply = secondary_reply(status, &request_id);
                Some(match retry_after_seconds {
                    Some(s) => reply.header("retry-after", s.to_string()),
                    None => reply,
                })
            }
            Some(Fault::Redirect { location, status }) => Some(
                Reply::json(
                    status,
                    json!({"message": redirect_message(status), "url": location, "documentation_url": DOCS}),
                )
                .header("location", location),
            ),
        };
        let reply = match early {
            Some(r) => r,
            None => self.normal(req, &caller, bad_credentials, now, link_loop, &mut fin),
        };
        let mut out = self.finish(reply, &fin);
        out.delay = delay;
        if let Some(value) = link_override {
            set_link(&mut out, value);
        }
        if truncate {
            truncate_body(&mut out);
        }
        out
    }

    fn primary_fault(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
        d: Duration,
        fin: &mut Finish<'_>,
    ) -> Reply {
        let limit = caller.hourly_limit();
        let reset = chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        fin.snapshot = Some(Snapshot {
            limit,
            remaining: 0,
            used: limit,
            reset: ceil_epoch(reset),
        });
        let message = caller.rate_limited_message(&lock(&self.state));
        Reply::json(403, crate::render::error_body(403, &message, PRIMARY_DOCS))
    }

    /// The regular path: User-Agent, credentials, rate limits, routing, the operation.
    fn normal(
        &self,
        req: &Incoming<'_>,
        caller: &Caller,
        bad_credentials: bool,
        now: DateTime<Utc>,
        link_loop: bool,
        fin: &mut Finish<'_>,
    ) -> Reply {
        let key = caller.limit_key();
        if req.header("user-agent").is_none_or_empty() {
            fin.snapshot = Some(lock(&self.limits).peek(&key, caller.hourly_limit(), now));
            return Reply::generic_error(403, USER_AGENT_MESSAGE);
        }
        if bad_credentials {
            fin.snapshot = Some(lock(&self.limits).peek(&key, caller.hourly_limit(), now));
            return Reply::generic_error(401, "Bad credentials");
        }
        let route = routes::parse(req.method, req.raw_path);
        let query = parse_query(req.raw_query);
        if let Some(r) = &route {
            let ty = r
                .package_type
                .clone()
                .or_else(|| {
                    query
                        .iter()
                        .find(|(k, _)| k == "package_type")
                        .map(|(_, v)| v.clone())
                })
                .filter(|t| is_package_type(t));
            fin.accepted = Some(required_scopes(r.op, ty.as_deref()));
        }
        let hit = lock(&self.limits).hit(&key, caller.hourly_limit(), now);
        match hit {
            Ok(s) => fin.snapshot = Some(s),
            Err(s) => {
                fin.snapshot = Some(s);
                let message = caller.rate_limited_message(&lock(&self.state));
                return Reply::json(403, crate::render::error_body(403, &message, PRIMARY_DOCS));
            }
        }
        if req.concurrent > MAX_CONCURRENT_REQUESTS {
            return secondary_reply(403, fin.request_id).header("retry-after", "1");
        }
        let Some(route) = route else {
            return Reply::generic_error(404, "Not Found");
        };
        // Reads cost 1 point, changes (DELETE, POST) 5.
        let cost = if matches!(req.method, "GET" | "HEAD") {
            1
        } else {
            5
        };
        let spent = lock(&self.limits).spend(&key, &route.endpoint(req.method), cost, now);
        if let Err(retry) = spent {
            return secondary_reply(403, fin.request_id).header("retry-after", retry.to_string());
        }
        let host = req
            .header("host")
            .map_or_else(|| self.addr.to_string(), str::to_owned);
        let ctx = Ctx {
            caller,
            route: &route,
            query: &query,
            raw_query: req.raw_query,
            link_base: format!("http://{host}{}", req.raw_path),
            link_headers: self.link_headers.load(Ordering::Relaxed),
            link_loop,
            restore_reattaches_tags: self.registry.restore_reattaches_tags(),
            now,
        };
        handlers::handle(&mut lock(&self.state), &ctx)
    }

    /// Adds the headers every response carries and serializes the body.
    fn finish(&self, reply: Reply, fin: &Finish<'_>) -> Outcome {
        let mut headers = vec![
            ("x-github-request-id".to_owned(), fin.request_id.to_owned()),
            (
                "x-github-api-version-selected".to_owned(),
                "2022-11-28".to_owned(),
            ),
            (
                "x-github-media-type".to_owned(),
                "github.v3; format=json".to_owned(),
            ),
        ];
        if let Some(s) = fin.snapshot {
            headers.extend([
                ("x-ratelimit-limit".to_owned(), s.limit.to_string()),
                ("x-ratelimit-remaining".to_owned(), s.remaining.to_string()),
                ("x-ratelimit-used".to_owned(), s.used.to_string()),
                ("x-ratelimit-reset".to_owned(), s.reset.to_string()),
                ("x-ratelimit-resource".to_owned(), "core".to_owned()),
            ]);
        }
        if let (true, Caller::Token(t)) = (fin.caller.has_scopes(), fin.caller) {
            headers.push(("x-oauth-scopes".to_owned(), t.scopes.join(", ")));
            let accepted = fin.accepted.as_deref().unwrap_or_default().join(", ");
            headers.push(("x-accepted-oauth-scopes".to_owned(), accepted));
        }
        headers.extend(reply.headers);
        let payload = match reply.body {
            Some(body) => {
                headers.push((
                    "content-type".to_owned(),
                    "application/json; charset=utf-8".to_owned(),
                ));
                Payload::Full(body.to_json())
            }
            None => Payload::Empty,
        };
        Outcome {
            status: reply.status,
            headers,
            payload,
            delay: Duration::ZERO,
        }
    }
}

/// Sends exactly `value` as the `link` header, replacing any other.
pub(crate) fn set_link(out: &mut Outcome, value: String) {
    out.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("link"));
    out.headers.push(("link".to_owned(), value));
}

/// Turns a finished answer into 200 headers, half the body and a cut connection.
pub(crate) fn truncate_body(out: &mut Outcome) {
    let full = match std::mem::replace(&mut out.payload, Payload::Empty) {
        Payload::Full(b) if b.len() >= 2 => b,
        _ => br#"{"message":"this body is cut short"}"#.to_vec(),
    };
    out.status = 200;
    out.payload = Payload::Truncated {
        sent: full[..full.len() / 2].to_vec(),
        declared: full.len(),
    };
}

/// The message of a secondary rate limit answer.
pub(crate) fn secondary_message(request_id: &str) -> String {
    format!(
        "{SECONDARY_MESSAGE} If you reach out to GitHub Support for help, please include the request ID {request_id}."
    )
}

fn secondary_reply(status: u16, request_id: &str) -> Reply {
    let message = secondary_message(request_id);
    Reply::json(
        status,
        crate::render::error_body(status, &message, SECONDARY_DOCS),
    )
}

trait BlankExt {
    fn is_none_or_empty(&self) -> bool;
}

impl BlankExt for Option<&str> {
    fn is_none_or_empty(&self) -> bool {
        self.map_or(true, |s| s.trim().is_empty())
    }
}
