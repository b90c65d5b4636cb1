//! Rate-limit headers and the decision of how long to wait.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::header::HeaderMap;

/// A snapshot of GitHub's `x-ratelimit-*` headers from one response.
///
/// Serializes with `reset` as an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RateLimit {
    /// `x-ratelimit-limit`: requests allowed in the window.
    pub limit: u64,
    /// `x-ratelimit-remaining`: requests left in the window.
    pub remaining: u64,
    /// `x-ratelimit-used`: requests spent in the window.
    pub used: u64,
    /// `x-ratelimit-reset`: when the window resets.
    pub reset: DateTime<Utc>,
    /// `x-ratelimit-resource`, usually `core`.
    pub resource: Option<String>,
}

impl RateLimit {
    /// Reads the headers; `None` unless limit, remaining and reset are all present.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let num = |name: &str| -> Option<u64> { header_str(headers, name)?.trim().parse().ok() };
        let limit = num("x-ratelimit-limit")?;
        let remaining = num("x-ratelimit-remaining")?;
        let reset_epoch = num("x-ratelimit-reset")?;
        let reset = Utc
            .timestamp_opt(i64::try_from(reset_epoch).ok()?, 0)
            .single()?;
        Some(RateLimit {
            limit,
            remaining,
            used: num("x-ratelimit-used").unwrap_or(limit.saturating_sub(remaining)),
            reset,
            resource: header_str(headers, "x-ratelimit-resource").map(str::to_owned),
        })
    }

    /// Time from now until the window resets (zero if it already has).
    pub fn until_reset(&self) -> Duration {
        (self.reset - Utc::now()).to_std().unwrap_or(Duration::ZERO)
    }
}

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Which limit a refused response hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limited {
    /// The hourly quota is spent: wait until the reset time.
    Primary,
    /// Too many requests too fast: wait `retry-after`, else 60 s, then back off.
    Secondary,
}

/// Classifies a 403/429 as a rate limit, if it is one.
pub(crate) fn classify(status: u16, headers: &HeaderMap, message: &str) -> Option<Limited> {
    if status != 403 && status != 429 {
        return None;
    }
    let lower = message.to_ascii_lowercase();
    if lower.contains("secondary rate limit") || lower.contains("abuse") {
        return Some(Limited::Secondary);
    }
    if header_str(headers, "x-ratelimit-remaining").map(str::trim) == Some("0") {
        return Some(Limited::Primary);
    }
    if status == 429 || header_str(headers, "retry-after").is_some() {
        return Some(Limited::Secondary);
    }
    None
}

/// The `retry-after` header in seconds, if present and numeric.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_str(headers, "retry-after")?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// How long to wait before retrying a rate-limited request.
pub(crate) fn wait_for(limited: Limited, headers: &HeaderMap, rl: Option<&RateLimit>) -> Duration {
    match limited {
        Limited::Primary => match retry_after(headers) {
            Some(d) => d,
            // One extra second: GitHub's reset is whole seconds and clocks drift.
            None => rl.map_or(Duration::from_secs(60), |r| {
                r.until_reset() + Duration::from_secs(1)
            }),
        },
        Limited::Secondary => retry_after(headers).unwrap_or(Duration::from_secs(60)),
    }
}
