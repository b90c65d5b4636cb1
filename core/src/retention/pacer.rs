//! Pacing deletes and restores within GitHub's secondary rate limits: 900
//! points a minute per endpoint, 5 points a DELETE or POST. The pacer spaces
//! units evenly at a rate that starts at the configured one (150 a minute by
//! default: 750 points, headroom for other jobs on the same token), halves
//! on every secondary-limit hit and grows back by a tenth per minute without
//! one. It runs on tokio's clock, so tests drive it in paused time.

use std::time::Duration;

use tokio::time::Instant;

/// Units a minute by default: 750 of 900 points at 5 points each.
pub const DEFAULT_PER_MINUTE: u32 = 150;
/// The most units a minute GitHub's limit allows (900 / 5).
pub const MAX_PER_MINUTE: u32 = 180;
/// The pacer never slows below this.
const MIN_PER_MINUTE: f64 = 1.0;

/// Spaces units at an adaptive rate.
#[derive(Debug)]
pub struct Pacer {
    ceiling: f64,
    rate: f64,
    next: Option<Instant>,
    calm_since: Instant,
}

impl Pacer {
    /// A pacer at `per_minute` units a minute (clamped to 1..=180).
    pub fn new(per_minute: u32) -> Pacer {
        let ceiling = f64::from(per_minute.clamp(1, MAX_PER_MINUTE));
        Pacer {
            ceiling,
            rate: ceiling,
            next: None,
            calm_since: Instant::now(),
        }
    }

    /// The current rate, units a minute.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Reserves the next slot and says how long to wait for it.
    pub fn reserve(&mut self) -> Duration {
        let now = Instant::now();
        self.recover(now);
        let start = self.next.map_or(now, |n| n.max(now));
        self.next = Some(start + self.interval());
        start - now
    }

    /// A secondary limit was hit: halve the rate and wait at least `retry_after`.
    pub fn slow_down(&mut self, retry_after: Duration) {
        let now = Instant::now();
        self.rate = (self.rate / 2.0).max(MIN_PER_MINUTE);
        self.calm_since = now;
        let after = now + retry_after;
        self.next = Some(self.next.map_or(after, |n| n.max(after)));
    }

    fn interval(&self) -> Duration {
        Duration::from_secs_f64(60.0 / self.rate)
    }

    /// A tenth more per calm minute, up to the ceiling.
    fn recover(&mut self, now: Instant) {
        let calm = now.saturating_duration_since(self.calm_since).as_secs() / 60;
        if calm > 0 && self.rate < self.ceiling {
            self.rate = (self.rate * 1.1f64.powi(calm.min(60) as i32)).min(self.ceiling);
            self.calm_since = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_units_and_adapts() {
        let mut p = Pacer::new(150);
        assert_eq!(p.reserve(), Duration::ZERO);
        assert_eq!(p.reserve(), Duration::from_millis(400));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(p.reserve(), Duration::ZERO, "a late caller does not wait");
        p.slow_down(Duration::from_secs(30));
        assert_eq!(p.rate(), 75.0);
        let wait = p.reserve();
        assert!(wait >= Duration::from_secs(30), "{wait:?}");
        tokio::time::sleep(Duration::from_secs(125)).await;
        p.reserve();
        assert!(p.rate() > 75.0 && p.rate() <= 150.0, "{}", p.rate());
        assert_eq!(Pacer::new(10_000).rate(), 180.0);
    }

    /// 1,000 deletes at the default pace, in virtual time: no minute holds
    /// more than 750 points (GitHub allows 900), with or without secondary
    /// hits along the way.
    #[tokio::test(start_paused = true)]
    async fn a_thousand_deletes_stay_inside_the_window() {
        for hits in [vec![], vec![100, 400, 401]] {
            let mut p = Pacer::new(DEFAULT_PER_MINUTE);
            let start = Instant::now();
            let mut at = Vec::new();
            for n in 0..1000 {
                if hits.contains(&n) {
                    p.slow_down(Duration::from_secs(30));
                }
                tokio::time::sleep(p.reserve()).await;
                at.push(start.elapsed());
            }
            for (i, t) in at.iter().enumerate() {
                let in_window = at[i..]
                    .iter()
                    .take_while(|u| **u < *t + Duration::from_secs(60))
                    .count();
                assert!(
                    in_window * 5 <= 750,
                    "{in_window} deletes in the minute after {t:?}"
                );
            }
            let total = start.elapsed();
            // 1,000 at 150 a minute take at least 6 minutes 40 seconds.
            assert!(total >= Duration::from_secs(399), "{total:?}");
            if hits.is_empty() {
                assert!(total < Duration::from_secs(401), "{total:?}");
            }
        }
    }
}
