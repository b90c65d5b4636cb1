//! The registry origin: a fake `ghcr.io` on its own port, serving the
//! manifests of the REST state's container packages.
//!
//! Routes (`NAME` is `owner_lowercase/package/name`, with literal `/`):
//!
//! | route | answer |
//! |---|---|
//! | `GET /token?service=&scope=repository:NAME:pull[,push]` | a registry token (see [`tokens`]) |
//! | `GET /v2/` | `200 {}` with a valid registry token, else the challenge |
//! | `GET`/`HEAD /v2/NAME/manifests/REF` | the stored bytes, `Content-Type`, `Docker-Content-Digest` |
//! | `PUT /v2/NAME/manifests/REF` | stores the body, moves the tag (push scope) |
//! | `DELETE /v2/NAME/manifests/REF` | `405 UNSUPPORTED`, as ghcr |
//! | `GET /v2/NAME/tags/list?n=&last=` | tags, paged with a `Link` header |
//! | `GET /v2/NAME/referrers/DIGEST` | `303` to the API origin's `/-/v2/packages/…`, which is a 404 |
//! | `GET`/`HEAD /v2/NAME/blobs/DIGEST` | `404 BLOB_UNKNOWN` (no blobs are stored) |
//!
//! Every `/v2/` request needs a registry bearer token from `/token`; without
//! one (or with an expired one, on the emulator's clock) the answer is `401`
//! with `WWW-Authenticate: Bearer realm="<registry>/token",service="<host:port>"`
//! and, on repository routes, `scope="repository:NAME:pull"` (`pull,push` for
//! a `PUT`). A valid token without the route's access gets the same challenge
//! with `error="insufficient_scope"`. Checks run in this order: the name
//! (`400 NAME_INVALID`), the method (`405 UNSUPPORTED`), the token, the
//! repository (`404 NAME_UNKNOWN`), the reference (`404 MANIFEST_UNKNOWN`).
//! Errors are `{"errors":[{"code","message","detail":null}]}`.

mod manifests;
mod names;
mod tokens;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::clock::lock;
use crate::faults::{self, Fault};
use crate::pipeline::{
    secondary_message, set_link, status_message, truncate_body, Incoming, Outcome, Payload, Shared,
    MALFORMED_JSON,
};

pub(crate) use tokens::Tokens;

/// The registry's own state besides the packages: issued tokens and switches.
#[derive(Debug)]
pub(crate) struct Registry {
    pub tokens: Mutex<Tokens>,
    head_counts_as_download: AtomicBool,
    restore_reattaches_tags: AtomicBool,
    token_lifetime_secs: AtomicU64,
}

impl Registry {
    pub(crate) fn new(head_counts: bool, reattach: bool, lifetime: Duration) -> Registry {
        Registry {
            tokens: Mutex::new(Tokens::default()),
            head_counts_as_download: AtomicBool::new(head_counts),
            restore_reattaches_tags: AtomicBool::new(reattach),
            token_lifetime_secs: AtomicU64::new(lifetime.as_secs()),
        }
    }

    pub(crate) fn head_counts_as_download(&self) -> bool {
        self.head_counts_as_download.load(Ordering::Relaxed)
    }

    pub(crate) fn set_head_counts_as_download(&self, on: bool) {
        self.head_counts_as_download.store(on, Ordering::Relaxed);
    }

    pub(crate) fn restore_reattaches_tags(&self) -> bool {
        self.restore_reattaches_tags.load(Ordering::Relaxed)
    }

    pub(crate) fn set_restore_reattaches_tags(&self, on: bool) {
        self.restore_reattaches_tags.store(on, Ordering::Relaxed);
    }

    pub(crate) fn token_lifetime(&self) -> Duration {
        Duration::from_secs(self.token_lifetime_secs.load(Ordering::Relaxed))
    }

    pub(crate) fn set_token_lifetime(&self, d: Duration) {
        self.token_lifetime_secs
            .store(d.as_secs(), Ordering::Relaxed);
    }
}

/// A registry answer before the common headers are added.
#[derive(Debug)]
pub(crate) struct RegReply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Empty,
    Json(Value),
    Bytes {
        content_type: String,
        bytes: Vec<u8>,
    },
}

impl RegReply {
    fn json(status: u16, body: Value) -> RegReply {
        RegReply {
            status,
            headers: Vec::new(),
            body: Body::Json(body),
        }
    }

    fn empty(status: u16) -> RegReply {
        RegReply {
            status,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    fn bytes(status: u16, content_type: &str, bytes: Vec<u8>) -> RegReply {
        RegReply {
            status,
            headers: Vec::new(),
            body: Body::Bytes {
                content_type: content_type.to_owned(),
                bytes,
            },
        }
    }

    /// A registry error: `{"errors":[{"code","message","detail":null}]}`.
    fn error(status: u16, code: &str, message: &str) -> RegReply {
        RegReply::json(
            status,
            json!({"errors": [{"code": code, "message": message, "detail": null}]}),
        )
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> RegReply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// The registry error code of a scripted status.
fn code_for(status: u16) -> &'static str {
    match status {
        401 => "UNAUTHORIZED",
        403 => "DENIED",
        405 => "UNSUPPORTED",
        429 => "TOOMANYREQUESTS",
        503 => "UNAVAILABLE",
        _ => "UNKNOWN",
    }
}

/// What a registry request is.
#[derive(Debug, PartialEq, Eq)]
enum Route<'a> {
    Token,
    Base,
    Repository { name: String, what: What<'a> },
    Unknown,
}

/// The repository routes, by what follows `NAME`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum What<'a> {
    Manifest(&'a str),
    Tags,
    Referrers(&'a str),
    Blob(&'a str),
}

fn parse(raw_path: &str) -> Route<'_> {
    if raw_path == "/token" {
        return Route::Token;
    }
    if raw_path == "/v2" || raw_path == "/v2/" {
        return Route::Base;
    }
    let Some(rest) = raw_path.strip_prefix("/v2/") else {
        return Route::Unknown;
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let n = segs.len();
    let (cut, what) = match segs.as_slice() {
        [.., "manifests", r] if n >= 3 && !r.is_empty() => (n - 2, What::Manifest(r)),
        [.., "tags", "list"] if n >= 3 => (n - 2, What::Tags),
        [.., "referrers", d] if n >= 3 && !d.is_empty() => (n - 2, What::Referrers(d)),
        [.., "blobs", d] if n >= 3 && !d.is_empty() => (n - 2, What::Blob(d)),
        _ => return Route::Unknown,
    };
    Route::Repository {
        name: segs[..cut].join("/"),
        what,
    }
}

impl Shared {
    /// Answers one request to the registry origin.
    pub(crate) fn respond_registry(&self, req: &Incoming<'_>) -> Outcome {
        let now = self.clock.now();
        let request_id = self.request_id(now);
        let fault = faults::take(&mut lock(&self.faults), req.method, req.raw_path);
        let (mut delay, mut link_loop, mut truncate) = (Duration::ZERO, false, false);
        let mut link_override = None;
        let early = match fault {
            None
            | Some(Fault::DigestMismatch | Fault::ForeignRealm { .. } | Fault::TokenExpired) => {
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
            Some(Fault::LinkHeader { value }) => {
                link_override = Some(value);
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
            Some(Fault::MalformedJson) => Some(RegReply::bytes(
                200,
                "application/json",
                MALFORMED_JSON.as_bytes().to_vec(),
            )),
            Some(Fault::Status(code)) => Some(if matches!(code, 204 | 304) || code < 200 {
                RegReply::empty(code)
            } else {
                RegReply::error(code, code_for(code), status_message(code))
            }),
            Some(Fault::PrimaryRateLimit { reset_in_seconds }) => Some(
                RegReply::error(429, "TOOMANYREQUESTS", "rate limit exceeded")
                    .header("retry-after", reset_in_seconds.to_string()),
            ),
            Some(Fault::SecondaryRateLimit {
                retry_after_seconds,
                status,
            }) => {
                let reply =
                    RegReply::error(status, code_for(status), &secondary_message(&request_id));
                Some(match retry_after_seconds {
                    Some(s) => reply.header("retry-after", s.to_string()),
                    None => reply,
                })
            }
            Some(Fault::Redirect { location, status }) => {
                Some(RegReply::empty(status).header("location", location))
            }
        };
        let reply = match early {
            Some(r) => r,
            None => self.registry_route(req, now, link_loop),
        };
        let mut out = finish(reply, &request_id);
        out.delay = delay;
        if let Some(value) = link_override {
            set_link(&mut out, value);
        }
        if truncate {
            truncate_body(&mut out);
        }
        out
    }

    fn registry_route(&self, req: &Incoming<'_>, now: DateTime<Utc>, link_loop: bool) -> RegReply {
        match parse(req.raw_path) {
            Route::Token => tokens::token_endpoint(self, req, now),
            Route::Base => {
                if !matches!(req.method, "GET" | "HEAD") {
                    return unsupported();
                }
                match self.bearer(req, now) {
                    Some(_) => RegReply::json(200, json!({})),
                    None => self.challenge(req, None, false),
                }
            }
            Route::Repository { name, what } => {
                manifests::handle(self, req, &name, what, now, link_loop)
            }
            Route::Unknown => RegReply::error(404, "NOT_FOUND", "no such registry route"),
        }
    }

    /// The grants of the request's registry bearer token, when it is valid.
    /// A `token_expired` fault expires it here.
    fn bearer(&self, req: &Incoming<'_>, now: DateTime<Utc>) -> Option<Vec<tokens::Grant>> {
        let value = req.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let token = token.trim();
        let grants = lock(&self.registry.tokens).valid(token, now)?;
        let expire = faults::take_where(&mut lock(&self.faults), req.method, req.raw_path, |f| {
            matches!(f, Fault::TokenExpired)
        });
        if expire.is_some() {
            lock(&self.registry.tokens).expire(token, now);
            return None;
        }
        Some(grants)
    }

    /// The `401` with the `WWW-Authenticate` challenge. A `foreign_realm`
    /// fault moves the realm to another origin.
    fn challenge(&self, req: &Incoming<'_>, scope: Option<&str>, insufficient: bool) -> RegReply {
        let foreign = faults::take_where(&mut lock(&self.faults), req.method, req.raw_path, |f| {
            matches!(f, Fault::ForeignRealm { .. })
        });
        let realm = match foreign {
            Some(Fault::ForeignRealm { realm: Some(r) }) => r,
            Some(_) => format!("http://{}/token", self.addr),
            None => format!("http://{}/token", self.registry_addr),
        };
        let mut value = format!(
            "Bearer realm=\"{realm}\",service=\"{}\"",
            self.registry_addr
        );
        if let Some(scope) = scope {
            value.push_str(&format!(",scope=\"{scope}\""));
        }
        if insufficient {
            value.push_str(",error=\"insufficient_scope\"");
        }
        RegReply::error(401, "UNAUTHORIZED", "authentication required")
            .header("www-authenticate", value)
    }
}

fn unsupported() -> RegReply {
    RegReply::error(405, "UNSUPPORTED", "The operation is unsupported.")
}

/// Adds the headers every registry answer carries and serializes the body.
fn finish(reply: RegReply, request_id: &str) -> Outcome {
    let mut headers = vec![
        (
            "docker-distribution-api-version".to_owned(),
            "registry/2.0".to_owned(),
        ),
        ("x-github-request-id".to_owned(), request_id.to_owned()),
    ];
    headers.extend(reply.headers);
    let payload = match reply.body {
        Body::Empty => Payload::Empty,
        Body::Json(v) => {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
            Payload::Full(serde_json::to_vec(&v).unwrap_or_default())
        }
        Body::Bytes {
            content_type,
            bytes,
        } => {
            headers.push(("content-type".to_owned(), content_type));
            Payload::Full(bytes)
        }
    };
    Outcome {
        status: reply.status,
        headers,
        payload,
        delay: Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(parse("/token"), Route::Token);
        assert_eq!(parse("/v2/"), Route::Base);
        assert_eq!(
            parse("/v2/acme/org-repo/sub/image/manifests/latest"),
            Route::Repository {
                name: "acme/org-repo/sub/image".into(),
                what: What::Manifest("latest")
            }
        );
        assert_eq!(
            parse("/v2/acme/api/server/tags/list"),
            Route::Repository {
                name: "acme/api/server".into(),
                what: What::Tags
            }
        );
        assert_eq!(
            parse("/v2/acme/x/referrers/sha256:ab"),
            Route::Repository {
                name: "acme/x".into(),
                what: What::Referrers("sha256:ab")
            }
        );
        assert_eq!(parse("/v2/manifests/x"), Route::Unknown);
        assert_eq!(parse("/v2/acme/x/manifests/"), Route::Unknown);
        assert_eq!(parse("/orgs/acme"), Route::Unknown);
    }
}
