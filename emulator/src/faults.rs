//! Scripted faults: rules that make matching requests misbehave.
//!
//! Rules are checked in the order they were injected; the first rule that
//! matches a request (method and raw-path substring) and still has uses left
//! applies to it and loses one use. A request matches at most one rule.

use std::time::Duration;

/// What a fault does to the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a GitHub-style error body (500 gives `{"message":"Server Error"}`).
    Status(u16),
    /// Delay this response, then answer normally.
    Latency(Duration),
    /// 403 `API rate limit exceeded for user ID N.` with `x-ratelimit-remaining: 0`
    /// and `x-ratelimit-reset` one second ahead.
    PrimaryRateLimit,
    /// Like [`Fault::PrimaryRateLimit`], with the reset this far ahead.
    PrimaryRateLimitFor(Duration),
    /// A secondary rate limit answer (403 or 429), with `retry-after` when given.
    SecondaryRateLimit {
        /// Seconds for the `retry-after` header; `None` sends no header.
        retry_after: Option<u64>,
        /// 403 or 429.
        status: u16,
    },
    /// Close the connection without sending any response.
    DropConnection,
    /// Send 200 headers with a `content-length` larger than the body, then close.
    TruncatedBody,
    /// 200 with a body that is not valid JSON.
    MalformedJson,
    /// A redirect to `location` with the given 3xx status.
    Redirect {
        /// The `location` header value.
        location: String,
        /// The status, e.g. 301, 302 or 307.
        status: u16,
    },
    /// Answer normally, but with a `link` whose `next` points back to page 1.
    LinkLoop,
}

/// A fault and the requests it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// Only requests with this method (case-insensitive); `None` matches any.
    pub method: Option<String>,
    /// Only requests whose raw, percent-encoded path contains this; `None` matches any.
    pub path_contains: Option<String>,
    /// How many matching requests the rule affects; `u32::MAX` means forever.
    pub times: u32,
    /// What happens to them.
    pub fault: Fault,
}

impl FaultRule {
    /// A rule that affects the next request on any route, once.
    pub fn new(fault: Fault) -> Self {
        FaultRule {
            method: None,
            path_contains: None,
            times: 1,
            fault,
        }
    }

    /// Restricts the rule to one method.
    pub fn method(mut self, m: impl Into<String>) -> Self {
        self.method = Some(m.into());
        self
    }

    /// Restricts the rule to raw paths containing `contains`.
    pub fn path(mut self, contains: impl Into<String>) -> Self {
        self.path_contains = Some(contains.into());
        self
    }

    /// Sets how many matching requests are affected (`u32::MAX` = forever).
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// Makes the rule apply to every matching request.
    pub fn forever(self) -> Self {
        self.times(u32::MAX)
    }

    fn matches(&self, method: &str, raw_path: &str) -> bool {
        self.times > 0
            && self
                .method
                .as_deref()
                .map_or(true, |m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .map_or(true, |p| raw_path.contains(p))
    }
}

/// Finds the first rule matching the request, uses it up once and returns its fault.
pub(crate) fn take(rules: &mut Vec<FaultRule>, method: &str, raw_path: &str) -> Option<Fault> {
    let pos = rules.iter().position(|r| r.matches(method, raw_path))?;
    let rule = &mut rules[pos];
    let fault = rule.fault.clone();
    if rule.times != u32::MAX {
        rule.times -= 1;
        if rule.times == 0 {
            rules.remove(pos);
        }
    }
    Some(fault)
}
