//! Calendar dates from Unix seconds, in the forms pages and emails show. Outside the
//! `core` gate because the generator dates its pages ("Last updated …") with the same
//! words the backend's emails use; `clock` re-exports them for the core.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A timestamp outside what a calendar date can show (before year 0 or after 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timestamp {0} is out of range")]
pub struct OutOfRange(pub i64);

fn datetime(secs: i64) -> Result<OffsetDateTime, OutOfRange> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| OutOfRange(secs))
}

/// `2025-01-31T12:00:00Z`.
pub fn rfc3339(secs: i64) -> Result<String, OutOfRange> {
    datetime(secs)?
        .format(&Rfc3339)
        .map_err(|_| OutOfRange(secs))
}

/// The UTC calendar date, `YYYY-MM-DD`; its text order is its time order, which the
/// trial-end index relies on.
pub fn utc_date(secs: i64) -> Result<String, OutOfRange> {
    let dt = datetime(secs)?;
    let year = dt.year();
    if !(0..=9999).contains(&year) {
        return Err(OutOfRange(secs));
    }
    Ok(format!(
        "{year:04}-{:02}-{:02}",
        u8::from(dt.month()),
        dt.day()
    ))
}

/// A date a person reads: `31 January 2025`.
pub fn human_date(secs: i64) -> Result<String, OutOfRange> {
    let dt = datetime(secs)?;
    Ok(format!("{} {} {}", dt.day(), dt.month(), dt.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() -> Result<(), OutOfRange> {
        // 2025-01-31T23:59:59Z
        let secs = 1_738_367_999;
        assert_eq!(rfc3339(secs)?, "2025-01-31T23:59:59Z");
        assert_eq!(utc_date(secs)?, "2025-01-31");
        assert_eq!(utc_date(secs + 1)?, "2025-02-01");
        assert_eq!(human_date(secs)?, "31 January 2025");
        Ok(())
    }

    #[test]
    fn refuses_years_past_9999() {
        assert_eq!(utc_date(253_402_300_800), Err(OutOfRange(253_402_300_800)));
    }
}
