//! The emulator's injectable clock.
//!
//! Every time the emulator reasons about (the 30-day restore window,
//! `deleted_at`, rate-limit windows and `x-ratelimit-reset`) comes from this
//! clock: the real wall clock plus an offset that tests move forward with
//! [`crate::Emulator::advance_clock`]. Latency faults use real time instead.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Wall-clock time shifted by an adjustable offset; cheap to clone (shared).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<Mutex<chrono::Duration>>,
}

impl Clock {
    /// A clock that starts at the real current time.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// The current emulated time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *lock(&self.offset)
    }

    /// Moves the emulated time forward by `d`.
    pub fn advance(&self, d: Duration) {
        let step = chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        let mut offset = lock(&self.offset);
        *offset = offset.checked_add(&step).unwrap_or(chrono::Duration::MAX);
    }
}

/// Locks a mutex, ignoring poisoning: emulator state stays usable after a
/// panicking test closure.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
