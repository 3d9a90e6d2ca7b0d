//! Data-subject requests (access, portability, erasure): the day a request arrived and the deadline of its
//! answer, one month later (Art. 12(3) GDPR; a period in months ends on the same date of the next month, or
//! on its last day when it has no such date, as EU Regulation 1182/71 counts).

use time::{Date, Month, PrimitiveDateTime, Time};

use crate::core::error::{Error, Result};
use crate::core::input::InputValue;
use crate::core::rules::ident::shown;
use crate::core::time::Timestamp;

/// Reads the `received_at` option: `YYYY-MM-DD` (that day, from 00:00 UTC) or an RFC 3339 time; not in the
/// future (a date may be today's date anywhere on earth) and not before 2000.
pub fn received_at(value: &InputValue, now: Timestamp) -> Result<Timestamp> {
    let fail = |why: &str| Error::invalid_input(format!("option 'received_at' {why}"));
    let InputValue::Str(text) = value else {
        return Err(fail(&format!(
            "must be a date YYYY-MM-DD or an RFC 3339 time, got {}",
            value.type_name()
        )));
    };
    let parsed = if text.len() == 10 {
        Timestamp::parse_rfc3339(&format!("{text}T00:00:00Z"))
    } else {
        Timestamp::parse_rfc3339(text)
    };
    let at = parsed.ok_or_else(|| {
        fail(&format!(
            "must be a date YYYY-MM-DD or an RFC 3339 time, got {}",
            shown(text)
        ))
    })?;
    // A day is today somewhere until UTC+14 has left it: a shop east of UTC may give its local date.
    let latest = if text.len() == 10 {
        Timestamp::from_unix_seconds(now.unix_seconds() + 14 * 3600).unwrap_or(now)
    } else {
        now
    };
    if at > latest {
        return Err(fail(&format!("is in the future: {}", shown(text))));
    }
    if at.year() < 2000 {
        return Err(fail(&format!("is before 2000: {}", shown(text))));
    }
    Ok(at)
}

/// The last moment an answer to a request received at `received` is in time: the end of the day one
/// month later.
pub fn deadline(received: Timestamp) -> Timestamp {
    end_of_day_months_later(received, 1)
}

/// The deadline after the one extension Art. 12(3) allows: two further months added to the original
/// deadline.
pub fn extended_deadline(received: Timestamp) -> Timestamp {
    end_of_day_months_later(deadline(received), 2)
}

/// The end of the day `months` calendar months after `from`, or of that month's last day when it has no
/// such date.
fn end_of_day_months_later(from: Timestamp, months: u8) -> Timestamp {
    let (year, month, day, ..) = from.parts();
    let index = i32::from(month) - 1 + i32::from(months);
    let year = i32::from(year) + index / 12;
    let month = u8::try_from(index % 12 + 1).unwrap_or(1);
    let month = Month::try_from(month).unwrap_or(Month::January);
    let last = month.length(year);
    let date = Date::from_calendar_date(year, month, day.min(last)).unwrap_or(Date::MAX);
    let end = Time::from_hms_micro(23, 59, 59, 999_999).unwrap_or(Time::MIDNIGHT);
    Timestamp::from_primitive(PrimitiveDateTime::new(date, end))
}

/// The kinds of request a data subject can make (Art. 15 to 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Access,
    Portability,
    Erasure,
    Restriction,
    Objection,
    Rectification,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Access,
        Kind::Portability,
        Kind::Erasure,
        Kind::Restriction,
        Kind::Objection,
        Kind::Rectification,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Access => "access",
            Kind::Portability => "portability",
            Kind::Erasure => "erasure",
            Kind::Restriction => "restriction",
            Kind::Objection => "objection",
            Kind::Rectification => "rectification",
        }
    }

    pub fn parse(name: &str) -> Result<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "request kind must be one of access, portability, erasure, restriction, objection, rectification, got {}",
                    shown(name)
                ))
            })
    }

    /// Whether an answer of the log kind `answer` (`export`, `erasure`) answers a request of this kind.
    pub fn answered_by(self, answer: &str) -> bool {
        match self {
            Kind::Access | Kind::Portability => answer == "export",
            Kind::Erasure => answer == "erasure",
            Kind::Restriction | Kind::Objection | Kind::Rectification => false,
        }
    }
}

/// Whom a registered request is about: an account, or an address (someone without an account, or who
/// gives only an address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Customer(u64),
    /// Normalised.
    Address(String),
}

/// How a request was closed by hand (an export or erasure closes its request by itself).
pub fn closing_outcome(outcome: &str) -> Result<&'static str> {
    match outcome {
        "answered" => Ok("answered"),
        "refused" => Ok("refused"),
        other => Err(Error::invalid_input(format!(
            "a request is closed as 'answered' or 'refused', got {}",
            shown(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn one_month_later_or_the_last_day_of_that_month() {
        for (received, due) in [
            ("2026-01-15T10:00:00Z", "2026-02-15T23:59:59.999999Z"),
            ("2026-01-31T10:00:00Z", "2026-02-28T23:59:59.999999Z"),
            ("2028-01-31T00:00:00Z", "2028-02-29T23:59:59.999999Z"),
            ("2026-12-20T08:00:00Z", "2027-01-20T23:59:59.999999Z"),
            ("2026-03-31T08:00:00Z", "2026-04-30T23:59:59.999999Z"),
        ] {
            assert_eq!(deadline(at(received)), at(due), "{received}");
        }
    }

    #[test]
    fn an_extension_adds_two_months_to_the_original_deadline() {
        for (received, due) in [
            ("2026-01-15T10:00:00Z", "2026-04-15T23:59:59.999999Z"),
            // Original deadline 28 February; two months on: 28 April, not 30 April.
            ("2026-01-31T10:00:00Z", "2026-04-28T23:59:59.999999Z"),
            ("2026-11-20T08:00:00Z", "2027-02-20T23:59:59.999999Z"),
            ("2026-10-31T08:00:00Z", "2027-01-30T23:59:59.999999Z"),
        ] {
            assert_eq!(extended_deadline(at(received)), at(due), "{received}");
        }
    }

    #[test]
    fn kinds_and_their_answers() {
        assert_eq!(Kind::parse("access").unwrap(), Kind::Access);
        assert!(Kind::parse("Access").is_err());
        assert!(Kind::parse("export").is_err());
        assert!(Kind::Portability.answered_by("export"));
        assert!(!Kind::Access.answered_by("erasure"));
        assert!(Kind::Erasure.answered_by("erasure"));
        assert!(!Kind::Objection.answered_by("export"));
    }

    #[test]
    fn received_at_is_a_past_date_or_time() {
        let now = at("2026-11-29T12:00:00Z");
        let read = |v: &str| received_at(&InputValue::Str(v.into()), now);
        assert_eq!(read("2026-11-02").unwrap(), at("2026-11-02T00:00:00Z"));
        assert_eq!(
            read("2026-11-29T13:00:00+02:00").unwrap(),
            at("2026-11-29T11:00:00Z")
        );
        // 12:00 UTC: already 30 November in UTC+14, not yet 1 December anywhere.
        assert_eq!(read("2026-11-30").unwrap(), at("2026-11-30T00:00:00Z"));
        for bad in [
            "2026-12-01",
            "2026-11-29T12:00:01Z",
            "1999-12-31",
            "02.11.2026",
            "2026-02-30",
            "yesterday",
            "",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        assert!(received_at(&InputValue::Int(20261102), now).is_err());
    }
}
