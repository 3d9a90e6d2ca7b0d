//! Conversions between engine values and MySQL values.

use mysql_async::Value;

use crate::core::error::{DatabaseErrorKind, Error, Result};
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
