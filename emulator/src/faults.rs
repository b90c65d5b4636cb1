//! Scripted faults: rules that make matching requests misbehave, and their
//! one vocabulary (Rust, JSON and the `--fault` shorthand of the binary).
//!
//! Rules are checked in the order they were injected; the first rule that
//! matches a request (method and raw-path substring) and still has uses left
//! applies to it and loses one use. A request matches at most one rule, except
//! that the registry kinds (`digest_mismatch`, `foreign_realm`,
//! `token_expired`) are taken only at the moment they describe, so such a
//! request may get one of them besides another rule. Paths of both origins
//! match: the API's and the registry's (`/v2/…`, `/token`).
//!
//! The JSON form and its defaults are documented on [`FaultRule`].
//!
//! # The shorthand (`ghpkg-emulator --fault`)
//!
//! `KIND[:ARG]@PATH[xCOUNT]`, parsed by [`FaultRule::from_cli`]: see its docs.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

mod spec;

/// What a fault does to the response. The variants and their fields are the
/// JSON vocabulary of [`FaultRule`]: `Fault::SecondaryRateLimit {
/// retry_after_seconds, status }` is `{"kind": "secondary_rate_limit",
/// "retry_after_seconds": …, "status": …}`.
///
/// Serializes to and deserializes from the flat JSON object without the rule
/// fields (`method`, `path`, `times`); deserializing validates it like
/// [`Fault::validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "spec::Wire", into = "spec::Wire")]
pub enum Fault {
    /// `status`: answer with this status (100..=599) and a GitHub-style error
    /// body (500 gives `{"message":"Server Error"}`); 204, 304 and 1xx have no body.
    Status(u16),
    /// `latency`: delay this response by `delay_ms` milliseconds, then answer normally.
    Latency {
        /// The delay in milliseconds.
        delay_ms: u64,
    },
    /// `primary_rate_limit`: 403 `API rate limit exceeded for user ID N.` with
    /// `x-ratelimit-remaining: 0` and `x-ratelimit-reset` this far ahead.
    PrimaryRateLimit {
        /// Seconds until the reset (default 1, see [`Fault::primary_rate_limit`]).
        reset_in_seconds: u64,
    },
    /// `secondary_rate_limit`: a secondary rate limit answer.
    SecondaryRateLimit {
        /// Seconds for the `retry-after` header; `None` sends no header.
        retry_after_seconds: Option<u64>,
        /// 403 (the default, GitHub's usual answer) or 429.
        status: u16,
    },
    /// `drop_connection`: close the connection without sending any response.
    DropConnection,
    /// `truncated_body`: send 200 headers with a `content-length` larger than
    /// the body, then close.
    TruncatedBody,
    /// `malformed_json`: 200 with a body that is not valid JSON.
    MalformedJson,
    /// `redirect`: a redirect to `location`.
    Redirect {
        /// The `location` header value.
        location: String,
        /// A 3xx status (default 302).
        status: u16,
    },
    /// `link_loop`: answer normally, but with a `link` whose `next` points back to page 1
    /// (on the registry origin: a tags listing's `Link` points back to its first page).
    LinkLoop,
    /// `link_header`: answer normally, but with exactly this `link` header (any
    /// listing `link` is replaced), e.g. `<<not a url>>; rel=next; garbage`.
    LinkHeader {
        /// The header value, sent as is.
        value: String,
    },
    /// `digest_mismatch` (registry origin): the next manifest `GET` answered
    /// 200 sends a body that does not hash to the digest asked for, with the
    /// headers (`Docker-Content-Digest`, `Content-Length`) unchanged.
    DigestMismatch,
    /// `foreign_realm` (registry origin): the next `401` challenge names a
    /// token realm on another origin.
    ForeignRealm {
        /// The realm URL; `None` is the API origin's `/token`.
        realm: Option<String>,
    },
    /// `token_expired` (registry origin): the next request that presents a
    /// valid registry bearer token finds it expired (`401` with the
    /// challenge; the token stays expired). On `/token`, the token handed out
    /// is already expired.
    TokenExpired,
}

impl Fault {
    /// The reset of a primary rate limit fault when none is given, in seconds.
    pub const DEFAULT_RESET_IN_SECONDS: u64 = 1;
    /// The status of a secondary rate limit fault when none is given.
    pub const DEFAULT_SECONDARY_STATUS: u16 = 403;
    /// The status of a redirect fault when none is given.
    pub const DEFAULT_REDIRECT_STATUS: u16 = 302;

    /// A `latency` fault of `d` (whole milliseconds, rounded down).
    pub fn latency(d: Duration) -> Fault {
        Fault::Latency {
            delay_ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// A `primary_rate_limit` fault with the default reset (1 s ahead).
    pub fn primary_rate_limit() -> Fault {
        Fault::PrimaryRateLimit {
            reset_in_seconds: Fault::DEFAULT_RESET_IN_SECONDS,
        }
    }

    /// A `secondary_rate_limit` fault with the defaults: 403, no `retry-after`.
    pub fn secondary_rate_limit() -> Fault {
        Fault::SecondaryRateLimit {
            retry_after_seconds: None,
            status: Fault::DEFAULT_SECONDARY_STATUS,
        }
    }

    /// A `redirect` fault to `location` with the default status (302).
    pub fn redirect(location: impl Into<String>) -> Fault {
        Fault::Redirect {
            location: location.into(),
            status: Fault::DEFAULT_REDIRECT_STATUS,
        }
    }

    /// The snake_case `kind` of this fault, as in the JSON form.
    pub fn kind(&self) -> &'static str {
        self.kind_tag().name()
    }

    fn kind_tag(&self) -> spec::Kind {
        use spec::Kind;
        match self {
            Fault::Status(_) => Kind::Status,
            Fault::Latency { .. } => Kind::Latency,
            Fault::PrimaryRateLimit { .. } => Kind::PrimaryRateLimit,
            Fault::SecondaryRateLimit { .. } => Kind::SecondaryRateLimit,
            Fault::DropConnection => Kind::DropConnection,
            Fault::TruncatedBody => Kind::TruncatedBody,
            Fault::MalformedJson => Kind::MalformedJson,
            Fault::Redirect { .. } => Kind::Redirect,
            Fault::LinkLoop => Kind::LinkLoop,
            Fault::LinkHeader { .. } => Kind::LinkHeader,
            Fault::DigestMismatch => Kind::DigestMismatch,
            Fault::ForeignRealm { .. } => Kind::ForeignRealm,
            Fault::TokenExpired => Kind::TokenExpired,
        }
    }

    /// A `link_header` fault sending exactly `value`.
    pub fn link_header(value: impl Into<String>) -> Fault {
        Fault::LinkHeader {
            value: value.into(),
        }
    }

    /// A `foreign_realm` fault with the default realm (the API origin's `/token`).
    pub fn foreign_realm() -> Fault {
        Fault::ForeignRealm { realm: None }
    }

    /// Whether the fault waits for the moment it describes (a 200 manifest
    /// answer, a challenge, a registry token) instead of taking the next
    /// matching request: `digest_mismatch`, `foreign_realm`, `token_expired`.
    pub(crate) fn is_deferred(&self) -> bool {
        matches!(
            self,
            Fault::DigestMismatch | Fault::ForeignRealm { .. } | Fault::TokenExpired
        )
    }

    /// Checks the statuses and texts: a `status` fault needs 100..=599, a
    /// secondary rate limit 403 or 429, a redirect a 3xx and a non-empty
    /// `location`, a `foreign_realm` a non-empty `realm` when given; header
    /// texts (`location`, `value`, `realm`) cannot hold control characters.
    pub fn validate(&self) -> Result<(), FaultSpecError> {
        match self {
            Fault::Status(s) if !(100..=599).contains(s) => Err(FaultSpecError::new(format!(
                "a status fault needs an HTTP status between 100 and 599, got {s}"
            ))),
            Fault::SecondaryRateLimit { status, .. } if !matches!(status, 403 | 429) => {
                Err(FaultSpecError::new(format!(
                    "a secondary rate limit answers 403 or 429, got {status}"
                )))
            }
            Fault::Redirect { status, .. } if !(300..=399).contains(status) => Err(
                FaultSpecError::new(format!("a redirect needs a 3xx status, got {status}")),
            ),
            Fault::Redirect { location, .. } if location.is_empty() => {
                Err(FaultSpecError::new("a redirect needs a non-empty location"))
            }
            Fault::Redirect { location: text, .. }
            | Fault::LinkHeader { value: text }
            | Fault::ForeignRealm {
                realm: Some(text), ..
            } if text.bytes().any(|b| b.is_ascii_control() && b != b'\t') => {
                Err(FaultSpecError::new(format!(
                    "a `{}` fault's text cannot hold control characters (it is sent as a header)",
                    self.kind()
                )))
            }
            Fault::ForeignRealm { realm: Some(r) } if r.is_empty() => Err(FaultSpecError::new(
                "a foreign realm must not be empty (leave it out for the API origin's /token)",
            )),
            _ => Ok(()),
        }
    }
}

/// A fault and the requests it applies to, built in Rust
/// (`FaultRule::new(Fault::Status(502)).path("/orgs/acme").times(2)`) or
/// parsed from JSON ([`FaultRule::from_json`]) or the binary's `--fault`
/// shorthand ([`FaultRule::from_cli`]).
///
/// # The JSON form
///
/// A rule is one flat JSON object, tagged by `kind`:
///
/// ```json
/// {"kind": "status", "status": 502, "path": "/orgs/acme", "method": "GET", "times": 2}
/// ```
///
/// | `kind` | fields (defaults) | what matching requests get |
/// |---|---|---|
/// | `status` | `status` (required, 100..=599) | that status with a GitHub-style error body |
/// | `latency` | `delay_ms` (required) | the normal answer, this much later |
/// | `primary_rate_limit` | `reset_in_seconds` (1) | 403, `x-ratelimit-remaining: 0`, reset that far ahead |
/// | `secondary_rate_limit` | `retry_after_seconds` (absent: no header), `status` (403; or 429) | a secondary rate limit |
/// | `drop_connection` | | the connection closed without an answer |
/// | `truncated_body` | | 200 headers, half the body, then the connection closed |
/// | `malformed_json` | | 200 with a body that is not JSON |
/// | `redirect` | `location` (required), `status` (302; any 3xx) | a redirect |
/// | `link_loop` | | the normal answer, with a `link` whose `next` is page 1 |
/// | `link_header` | `value` (required) | the normal answer, with exactly this `link` header |
/// | `digest_mismatch` | | registry: the next 200 manifest `GET` sends a body that does not hash to its digest, headers unchanged |
/// | `foreign_realm` | `realm` (the API origin's `/token`) | registry: the next 401 challenge names this realm |
/// | `token_expired` | | registry: the next request with a valid registry token finds it expired (401 and the challenge); on `/token`, the token handed out is born expired |
///
/// Faults apply on both origins: `path` also matches the registry's `/v2/…`
/// and `/token`. There, error bodies are the registry's
/// (`{"errors":[{"code":…}]}`: 401 `UNAUTHORIZED`, 403 `DENIED`, 429
/// `TOOMANYREQUESTS`, others `UNKNOWN`), a secondary rate limit with status
/// 429 is a `TOOMANYREQUESTS` with `retry-after`, and a primary rate limit is
/// a 429 `TOOMANYREQUESTS` whose `retry-after` is the reset.
///
/// The three registry kinds wait for the moment they describe: they match a
/// request only when that request reaches it (a 200 manifest `GET`, a
/// challenge, a valid registry token), so a rule for the next manifest is not
/// used up by the 401 that precedes it in the challenge flow; such a request
/// may also get one other rule.
///
/// Every kind also takes the rule fields: `method` (only this method,
/// case-insensitive), `path` (only raw, percent-encoded paths containing this
/// substring) and `times` (absent: once; `null`: every matching request; a
/// number: that many, at least 1). Unknown fields and fields of other kinds
/// are errors.
///
/// Serializes to and deserializes from this JSON form; deserializing
/// validates it like [`FaultRule::validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "spec::Wire", into = "spec::Wire")]
pub struct FaultRule {
    /// What happens to matching requests.
    pub fault: Fault,
    /// Only requests with this method (case-insensitive); `None` matches any.
    pub method: Option<String>,
    /// Only requests whose raw, percent-encoded path contains this; `None` matches any.
    pub path: Option<String>,
    /// How many matching requests the rule affects; `None` means every one (forever).
    pub times: Option<u32>,
}

impl FaultRule {
    /// A rule that affects the next request on any route, once.
    pub fn new(fault: Fault) -> Self {
        FaultRule {
            fault,
            method: None,
            path: None,
            times: Some(1),
        }
    }

    /// Restricts the rule to one method (case-insensitive).
    pub fn method(mut self, m: impl Into<String>) -> Self {
        self.method = Some(m.into());
        self
    }

    /// Restricts the rule to raw (percent-encoded) paths containing `contains`.
    pub fn path(mut self, contains: impl Into<String>) -> Self {
        self.path = Some(contains.into());
        self
    }

    /// Sets how many matching requests are affected (at least 1).
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Makes the rule apply to every matching request.
    pub fn forever(mut self) -> Self {
        self.times = None;
        self
    }

    /// Checks the fault ([`Fault::validate`]), that `times` is at least 1 and
    /// that `method`, when given, is not empty. [`crate::Emulator::inject`]
    /// does not check: a rule built in Rust with a bad status answers with it.
    pub fn validate(&self) -> Result<(), FaultSpecError> {
        self.fault.validate()?;
        if self.times == Some(0) {
            return Err(FaultSpecError::new(
                "times must be at least 1 (leave it out for once, null for every matching request)",
            ));
        }
        if self.method.as_deref().is_some_and(str::is_empty) {
            return Err(FaultSpecError::new(
                "method must not be empty (leave it out to match any method)",
            ));
        }
        Ok(())
    }

    /// Parses and validates one rule in the JSON form of the module docs, e.g.
    /// `{"kind":"status","status":502,"path":"/orgs/acme","times":2}`.
    ///
    /// Errors: not JSON, an unknown field or kind, a missing field (`status`
    /// for `status`, `delay_ms` for `latency`, `location` for `redirect`), a
    /// field of another kind, or a value [`FaultRule::validate`] refuses.
    pub fn from_json(text: &str) -> Result<FaultRule, FaultSpecError> {
        spec::parse_json(text)
    }

    /// The rule in its JSON form (`times` is always present: a number, or
    /// `null` for forever).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses the `--fault` argument of the `ghpkg-emulator` binary: a JSON
    /// rule (when it starts with `{`), or the shorthand
    /// `KIND[:ARG]@PATH[xCOUNT]`:
    ///
    /// - `KIND` is a snake_case kind of the JSON form.
    /// - `ARG` is the status for `status`, milliseconds for `latency`, seconds
    ///   for `primary_rate_limit` (the reset) and `secondary_rate_limit` (the
    ///   `retry-after`), the location for `redirect`, the header value for
    ///   `link_header` and the realm for `foreign_realm` (these three:
    ///   everything after the first `:` up to the last `@`); the other kinds
    ///   take none. Without it the JSON defaults apply; `status`, `latency`,
    ///   `redirect` and `link_header` need it.
    /// - `@PATH` is the raw-path substring (registry paths `/v2/…` and
    ///   `/token` too); it may be empty (`@` matches every path) and cannot
    ///   contain `@` (clients send it as `%40`).
    /// - `xCOUNT` at the very end is how many requests (a number, one or
    ///   more) or `*` for every one; without it the rule applies once, like
    ///   the JSON form. A path that itself ends in `x` and digits needs an
    ///   explicit count.
    ///
    /// Examples: `status:502@/orgs/acme/packages/npm/ui-kitx2`,
    /// `secondary_rate_limit:42@/orgs/acme/packages/docker/x*`,
    /// `drop_connection@x*`, `redirect:http://127.0.0.1:1/x@/orgs`,
    /// `link_header:<<not a url>>; rel=next@/orgs/`, `digest_mismatch@/manifests/`,
    /// `foreign_realm:https://evil.invalid/token@/v2/`.
    pub fn from_cli(spec: &str) -> Result<FaultRule, FaultSpecError> {
        spec::parse_cli(spec)
    }

    fn matches(&self, method: &str, raw_path: &str) -> bool {
        self.times != Some(0)
            && self
                .method
                .as_deref()
                .map_or(true, |m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().map_or(true, |p| raw_path.contains(p))
    }
}

/// Why a fault rule or fault spec was refused; the message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultSpecError {
    message: String,
}

impl FaultSpecError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        FaultSpecError {
            message: message.into(),
        }
    }

    /// The explanation, e.g. `a redirect needs a 3xx status, got 200`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FaultSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FaultSpecError {}

/// Finds the first rule matching the request whose fault applies now (not a
/// deferred one), uses it up once and returns its fault.
pub(crate) fn take(rules: &mut Vec<FaultRule>, method: &str, raw_path: &str) -> Option<Fault> {
    take_where(rules, method, raw_path, |f| !f.is_deferred())
}

/// Like [`take`], for the first matching rule whose fault satisfies `wanted`
/// (a deferred fault, at its moment).
pub(crate) fn take_where(
    rules: &mut Vec<FaultRule>,
    method: &str,
    raw_path: &str,
    wanted: impl Fn(&Fault) -> bool,
) -> Option<Fault> {
    let pos = rules
        .iter()
        .position(|r| r.matches(method, raw_path) && wanted(&r.fault))?;
    let rule = &mut rules[pos];
    let fault = rule.fault.clone();
    if let Some(left) = &mut rule.times {
        *left -= 1;
        if *left == 0 {
            rules.remove(pos);
        }
    }
    Some(fault)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_used_up_in_order() {
        let mut rules = vec![
            FaultRule::new(Fault::Status(500)).path("/a").times(2),
            FaultRule::new(Fault::Status(502)).method("get"),
            FaultRule::new(Fault::LinkLoop).forever(),
        ];
        assert_eq!(take(&mut rules, "GET", "/a/b"), Some(Fault::Status(500)));
        assert_eq!(take(&mut rules, "POST", "/a"), Some(Fault::Status(500)));
        assert_eq!(rules.len(), 2, "used up");
        assert_eq!(take(&mut rules, "GET", "/a"), Some(Fault::Status(502)));
        for _ in 0..3 {
            assert_eq!(take(&mut rules, "GET", "/a"), Some(Fault::LinkLoop));
        }
        assert_eq!(rules.len(), 1);
    }

    #[test]
    fn deferred_rules_wait_for_their_moment() {
        let mut rules = vec![
            FaultRule::new(Fault::DigestMismatch).path("/v2/"),
            FaultRule::new(Fault::Status(500)).path("/v2/"),
        ];
        assert_eq!(
            take(&mut rules, "GET", "/v2/a/b/manifests/x"),
            Some(Fault::Status(500))
        );
        assert_eq!(
            take_where(&mut rules, "GET", "/v2/a/b/manifests/x", |f| matches!(
                f,
                Fault::TokenExpired
            )),
            None
        );
        assert_eq!(
            take_where(&mut rules, "GET", "/v2/a/b/manifests/x", |f| matches!(
                f,
                Fault::DigestMismatch
            )),
            Some(Fault::DigestMismatch)
        );
        assert!(rules.is_empty());
    }
}
