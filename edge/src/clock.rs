//! Time. The core never reads the system clock itself (`SystemTime::now` panics on
//! wasm32-unknown-unknown); the host injects a [`Clock`], and tests use [`ManualClock`].

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub use crate::dates::{human_date, rfc3339, utc_date};

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// Wall-clock time as Unix milliseconds.
pub trait Clock {
    fn now_ms(&self) -> i64;
}

/// A clock that only moves when told to. Clones share the same time, so a test can hand
/// one clone to the host (and the in-memory Kv) and keep another to advance.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    ms: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn at_secs(secs: i64) -> Self {
        let clock = Self::default();
        clock.set_secs(secs);
        clock
    }

    pub fn set_secs(&self, secs: i64) {
        self.ms.store(secs.saturating_mul(1000), Ordering::SeqCst);
    }

    pub fn advance_secs(&self, secs: i64) {
        self.ms
            .fetch_add(secs.saturating_mul(1000), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.ms.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_clones_share_time() {
        let a = ManualClock::at_secs(100);
        let b = a.clone();
        b.advance_secs(5);
        assert_eq!(a.now_ms(), 105_000);
    }
}
