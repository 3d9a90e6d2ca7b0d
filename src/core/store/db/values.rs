//! Conversions between engine values and MySQL values.

use mysql_async::Value;

use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::export::cell::Cell;
use crate::core::ledger::Hash;
use crate::core::time::Timestamp;

impl From<Timestamp> for Value {
    fn from(t: Timestamp) -> Value {
        let (y, mo, d, h, mi, s, us) = t.parts();
        Value::Date(y, mo, d, h, mi, s, us)
    }
}

/// A DATETIME(6) column read back (binary protocol: `Value::Date`).
pub fn timestamp(value: Value) -> Result<Option<Timestamp>> {
    match value {
        Value::NULL => Ok(None),
        Value::Date(y, mo, d, h, mi, s, us) => Timestamp::from_parts(y, mo, d, h, mi, s, us)
            .map(Some)
            .ok_or_else(|| schema_error("a stored time is not a valid date")),
        _ => Err(schema_error(
            "a time column holds something else than a DATETIME",
        )),
    }
}

/// A BINARY(32) column read back.
pub fn hash(value: Value) -> Result<Option<Hash>> {
    match value {
        Value::NULL => Ok(None),
        Value::Bytes(bytes) => Hash::try_from(bytes.as_slice())
            .map(Some)
            .map_err(|_| schema_error("a stored hash is not 32 bytes")),
        _ => Err(schema_error(
            "a hash column holds something else than bytes",
        )),
    }
}

/// Column `index` of a row, converted; a NULL where a value was expected, or a value of another type,
/// is a schema error naming what was read.
pub fn take<T: mysql_async::prelude::FromValue>(
    row: &mut mysql_async::Row,
    index: usize,
    what: &str,
) -> Result<T> {
    row.take_opt::<T, usize>(index)
        .and_then(|v| v.ok())
        .ok_or_else(|| schema_error(&format!("{what} holds a value of an unexpected type")))
}

pub fn schema_error(message: &str) -> Error {
    Error::database(DatabaseErrorKind::Schema, message, 0)
}

/// A shop DATETIME: zero dates ('0000-00-00', which the shops' lax sql_mode lets in) count as the
/// earliest time, so they never make a purchase recent.
pub fn shop_time(value: Value) -> Option<Timestamp> {
    match value {
        Value::NULL => None,
        other => Some(
            timestamp(other)
                .ok()
                .flatten()
                .unwrap_or_else(Timestamp::earliest),
        ),
    }
}

/// A MySQL value as a cell. Dates keep the database's own notation (shop tables are in shop-local
/// time; the extension's own tables in UTC, see the section's `times` note).
pub fn cell(value: Value) -> Cell {
    match value {
        Value::NULL => Cell::Null,
        Value::Int(i) => Cell::Int(i),
        Value::UInt(u) => Cell::UInt(u),
        Value::Float(f) => Cell::Float(f64::from(f)),
        Value::Double(d) => Cell::Float(d),
        // Text is text; hashes, salts and other binary values (not UTF-8, or holding control
        // characters other than tab and line ends) are exported as base64.
        Value::Bytes(b) => match String::from_utf8(b) {
            Ok(text)
                if !text
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) =>
            {
                Cell::Text(text)
            }
            Ok(text) => Cell::Bytes(text.into_bytes()),
            Err(e) => Cell::Bytes(e.into_bytes()),
        },
        // The shops' "no date" sentinels: 0000-00-00, 0001-01-01 (Zen Cart), 1000-01-01 (Gambio).
        Value::Date(y, ..) if y <= 1000 => Cell::Null,
        Value::Date(y, mo, d, h, mi, s, us) => Cell::Text(date_time(y, mo, d, h, mi, s, us)),
        Value::Time(negative, days, h, mi, s, us) => {
            let hours = u64::from(days) * 24 + u64::from(h);
            let sign = if negative { "-" } else { "" };
            Cell::Text(if us > 0 {
                format!("{sign}{hours:02}:{mi:02}:{s:02}.{us:06}")
            } else {
                format!("{sign}{hours:02}:{mi:02}:{s:02}")
            })
        }
    }
}

/// `YYYY-MM-DD hh:mm:ss[.uuuuuu]`, digit by digit: an export formats one per row, and `format!`
/// costs several times as much.
fn date_time(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8, us: u32) -> String {
    if y > 9999 || mo > 99 || d > 99 || h > 99 || mi > 99 || s > 99 || us > 999_999 {
        // Not a date the server sends; kept readable all the same.
        return if us > 0 {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}")
        } else {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
        };
    }
    fn digits(out: &mut Vec<u8>, value: u32, width: u32) {
        for place in (0..width).rev() {
            out.push(b'0' + (value / 10u32.pow(place) % 10) as u8);
        }
    }
    let mut out = Vec::with_capacity(26);
    digits(&mut out, u32::from(y), 4);
    out.push(b'-');
    digits(&mut out, u32::from(mo), 2);
    out.push(b'-');
    digits(&mut out, u32::from(d), 2);
    out.push(b' ');
    digits(&mut out, u32::from(h), 2);
    out.push(b':');
    digits(&mut out, u32::from(mi), 2);
    out.push(b':');
    digits(&mut out, u32::from(s), 2);
    if us > 0 {
        out.push(b'.');
        digits(&mut out, us, 6);
    }
    // Only ASCII digits and separators were pushed.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_mysql_values_to_cells() {
        assert_eq!(
            cell(Value::Bytes(b"M\xc3\xbcller".to_vec())),
            Cell::Text("Müller".into())
        );
        assert_eq!(
            cell(Value::Bytes(vec![0xff, 0])),
            Cell::Bytes(vec![0xff, 0])
        );
        // Digit by digit, as `format!` would write them; out-of-range fields take the `format!` path.
        let dates = [
            ((2024, 1, 2, 3, 4, 5, 0), "2024-01-02 03:04:05"),
            ((2024, 1, 2, 3, 4, 5, 7), "2024-01-02 03:04:05.000007"),
            (
                (9999, 12, 31, 23, 59, 59, 999_999),
                "9999-12-31 23:59:59.999999",
            ),
            (
                (1001, 10, 1, 0, 0, 0, 120_000),
                "1001-10-01 00:00:00.120000",
            ),
            ((12345, 1, 1, 0, 0, 0, 0), "12345-01-01 00:00:00"),
        ];
        for ((y, mo, d, h, mi, s, us), text) in dates {
            assert_eq!(cell(Value::Date(y, mo, d, h, mi, s, us)).display(), text);
        }
        assert_eq!(
            cell(Value::Time(true, 1, 2, 3, 4, 0)).display(),
            "-26:03:04"
        );
    }
}
