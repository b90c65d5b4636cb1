//! Primary (per hour) and secondary (points per minute per endpoint) rate limits.
//!
//! Windows are measured on the emulator's injectable clock, so a test can
//! advance the clock past `x-ratelimit-reset` to get a fresh window.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Timelike, Utc};

/// What the `x-ratelimit-*` headers report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub limit: u32,
    pub remaining: u32,
    pub used: u32,
    /// Epoch seconds when the window resets.
    pub reset: i64,
}

#[derive(Debug)]
struct Window {
    used: u32,
    reset: DateTime<Utc>,
}

#[derive(Debug)]
struct MinuteWindow {
    points: u32,
    ends: DateTime<Utc>,
}

/// Rate-limit bookkeeping for every caller (a token, or a client address when anonymous).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    primary: HashMap<String, Window>,
    secondary: HashMap<(String, String), MinuteWindow>,
    /// Secondary budget in points per minute per caller per endpoint.
    pub points_per_minute: u32,
}

/// Rounds up to a whole second, so a client that waits until the advertised
/// epoch second never arrives before the window really ends.
fn ceil_second(t: DateTime<Utc>) -> DateTime<Utc> {
    if t.nanosecond() == 0 {
        t
    } else {
        t.with_nanosecond(0).unwrap_or(t) + Duration::seconds(1)
    }
}

impl RateLimiter {
    pub(crate) fn new(points_per_minute: u32) -> Self {
        RateLimiter {
            primary: HashMap::new(),
            secondary: HashMap::new(),
            points_per_minute,
        }
    }

    fn window(&mut self, key: &str, now: DateTime<Utc>) -> &mut Window {
        let w = self
            .primary
            .entry(key.to_owned())
            .or_insert_with(|| Window {
                used: 0,
                reset: ceil_second(now + Duration::hours(1)),
            });
        if now >= w.reset {
            w.used = 0;
            w.reset = ceil_second(now + Duration::hours(1));
        }
        w
    }

    fn snapshot(w: &Window, limit: u32) -> Snapshot {
        Snapshot {
            limit,
            remaining: limit.saturating_sub(w.used),
            used: w.used,
            reset: w.reset.timestamp(),
        }
    }

    /// Counts one request against the caller's hourly budget. `Err` means the
    /// budget is exhausted (the request is not counted).
    pub(crate) fn hit(
        &mut self,
        key: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Snapshot, Snapshot> {
        let w = self.window(key, now);
        if w.used >= limit {
            return Err(Self::snapshot(w, limit));
        }
        w.used += 1;
        Ok(Self::snapshot(w, limit))
    }

    /// The caller's current standing without counting a request.
    pub(crate) fn peek(&mut self, key: &str, limit: u32, now: DateTime<Utc>) -> Snapshot {
        let w = self.window(key, now);
        Self::snapshot(w, limit)
    }

    /// Spends `cost` points of the caller's per-minute budget for `endpoint`.
    /// `Err(seconds)` means the budget is spent; retry after that many seconds.
    pub(crate) fn spend(
        &mut self,
        key: &str,
        endpoint: &str,
        cost: u32,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        let budget = self.points_per_minute;
        let w = self
            .secondary
            .entry((key.to_owned(), endpoint.to_owned()))
            .or_insert_with(|| MinuteWindow {
                points: 0,
                ends: now + Duration::minutes(1),
            });
        if now >= w.ends {
            w.points = 0;
            w.ends = now + Duration::minutes(1);
        }
        if w.points.saturating_add(cost) > budget {
            let left = (w.ends - now).num_milliseconds().max(0) as u64;
            return Err(left.div_ceil(1000).max(1));
        }
        w.points += cost;
        Ok(())
    }
}
