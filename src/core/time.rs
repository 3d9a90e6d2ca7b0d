//! Points in time as the extension stores them: UTC, microsecond precision, written and read as
//! RFC 3339 (`2019-05-01T10:00:00.000000Z`).

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(PrimitiveDateTime);

impl Timestamp {
    /// Now, cut to microseconds (what DATETIME(6) keeps).
    pub fn now() -> Timestamp {
        Timestamp::from_offset(OffsetDateTime::now_utc())
    }

    fn from_offset(t: OffsetDateTime) -> Timestamp {
        let utc = t.to_offset(UtcOffset::UTC);
        let micros = utc.nanosecond() / 1_000;
        let cut = utc.replace_nanosecond(micros * 1_000).unwrap_or(utc);
        Timestamp(PrimitiveDateTime::new(cut.date(), cut.time()))
    }

    /// Parses an RFC 3339 time with any offset (`2019-05-01T10:00:00Z`, `2019-05-01T12:00:00+02:00`).
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(Timestamp::from_offset)
    }

    /// From the parts of a DATETIME(6) value, read as UTC.
    pub fn from_parts(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        micros: u32,
    ) -> Option<Timestamp> {
        let month = time::Month::try_from(month).ok()?;
        let date = time::Date::from_calendar_date(i32::from(year), month, day).ok()?;
        let clock = time::Time::from_hms_micro(hour, minute, second, micros).ok()?;
        Some(Timestamp(PrimitiveDateTime::new(date, clock)))
    }

    /// (year, month, day, hour, minute, second, microsecond), for a DATETIME(6) value.
    pub fn parts(&self) -> (u16, u8, u8, u8, u8, u8, u32) {
        let t = self.0;
        (
            u16::try_from(t.year()).unwrap_or(0),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.microsecond(),
        )
    }

    /// From a wall-clock time read as UTC.
    pub fn from_primitive(t: PrimitiveDateTime) -> Timestamp {
        Timestamp(t)
    }

    pub fn year(&self) -> i32 {
        self.0.year()
    }

    /// Seconds since 1970-01-01 UTC.
    pub fn unix_seconds(&self) -> i64 {
        self.0.assume_utc().unix_timestamp()
    }

    /// The earliest time there is, for dates that are none (a shop's '0000-00-00').
    pub fn earliest() -> Timestamp {
        Timestamp(PrimitiveDateTime::MIN)
    }

    /// This time `days` days earlier (calendar arithmetic on the wall clock, like MySQL's INTERVAL).
    pub fn minus_days(&self, days: u32) -> Timestamp {
        Timestamp(
            self.0
                .checked_sub(time::Duration::days(i64::from(days)))
                .unwrap_or(PrimitiveDateTime::MIN),
        )
    }

    pub fn from_unix_seconds(seconds: i64) -> Option<Timestamp> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .map(Timestamp::from_offset)
    }
}

/// RFC 3339 in UTC with six fractional digits, the form used in exports, history and hashes.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, us) = self.parts();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}Z")
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_into_utc_and_prints_microseconds() {
        let t = Timestamp::parse_rfc3339("2019-05-01T12:00:00.1234567+02:00").unwrap();
        assert_eq!(t.to_string(), "2019-05-01T10:00:00.123456Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2019-05-01T10:00:00Z")
                .unwrap()
                .to_string(),
            "2019-05-01T10:00:00.000000Z"
        );
        assert!(Timestamp::parse_rfc3339("2019-05-01 10:00:00").is_none());
        assert!(Timestamp::parse_rfc3339("yesterday").is_none());
    }

    #[test]
    fn round_trips_through_parts_and_unix_seconds() {
        let t = Timestamp::now();
        let (y, mo, d, h, mi, s, us) = t.parts();
        assert_eq!(Timestamp::from_parts(y, mo, d, h, mi, s, us), Some(t));
        let whole = Timestamp::from_unix_seconds(1_556_704_800).unwrap();
        assert_eq!(whole.to_string(), "2019-05-01T10:00:00.000000Z");
        assert_eq!(whole.unix_seconds(), 1_556_704_800);
    }
}
