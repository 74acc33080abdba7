//! Time. The core never reads the system clock itself (`SystemTime::now` panics on
//! wasm32-unknown-unknown); the host injects a [`Clock`], and tests use [`ManualClock`].

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::EdgeError;

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

fn datetime(secs: i64) -> Result<OffsetDateTime, EdgeError> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| EdgeError::Time(secs))
}

/// `2025-01-31T12:00:00Z`.
pub fn rfc3339(secs: i64) -> Result<String, EdgeError> {
    datetime(secs)?
        .format(&Rfc3339)
        .map_err(|_| EdgeError::Time(secs))
}

/// The UTC calendar date, `YYYY-MM-DD`; its text order is its time order, which the
/// trial-end index relies on.
pub fn utc_date(secs: i64) -> Result<String, EdgeError> {
    let dt = datetime(secs)?;
    let year = dt.year();
    if !(0..=9999).contains(&year) {
        return Err(EdgeError::Time(secs));
    }
    Ok(format!(
        "{year:04}-{:02}-{:02}",
        u8::from(dt.month()),
        dt.day()
    ))
}

/// A date a person reads in an email: `31 January 2025`.
pub fn human_date(secs: i64) -> Result<String, EdgeError> {
    let dt = datetime(secs)?;
    Ok(format!("{} {} {}", dt.day(), dt.month(), dt.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() -> Result<(), EdgeError> {
        // 2025-01-31T23:59:59Z
        let secs = 1_738_367_999;
        assert_eq!(rfc3339(secs)?, "2025-01-31T23:59:59Z");
        assert_eq!(utc_date(secs)?, "2025-01-31");
        assert_eq!(utc_date(secs + 1)?, "2025-02-01");
        assert_eq!(human_date(secs)?, "31 January 2025");
        Ok(())
    }

    #[test]
    fn manual_clock_clones_share_time() {
        let a = ManualClock::at_secs(100);
        let b = a.clone();
        b.advance_secs(5);
        assert_eq!(a.now_ms(), 105_000);
    }
}
