//! One value of an exported row, as every writer (JSON, CSV, HTML) needs it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The note that replaces a secret (password hash, token, card data): it exists, but is not exported.
pub const SECRET_NOTE: &str = "(present, not exported)";

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
    /// Bytes that are not UTF-8 (binary columns, hashes): exported as base64.
    Bytes(Vec<u8>),
    /// A secret column with a value: only the note is exported.
    Secret,
}

impl Cell {
    /// Text for CSV and HTML.
    pub fn display(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Int(i) => i.to_string(),
            Cell::UInt(u) => u.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Text(t) => t.clone(),
            Cell::Bytes(b) => format!("base64:{}", STANDARD.encode(b)),
            Cell::Secret => SECRET_NOTE.to_owned(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Int(i) => (*i).into(),
            Cell::UInt(u) => (*u).into(),
            Cell::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
            }
            Cell::Text(t) => t.clone().into(),
            Cell::Bytes(b) => format!("base64:{}", STANDARD.encode(b)).into(),
            Cell::Secret => SECRET_NOTE.into(),
        }
    }
}

/// A MySQL value as a cell. Dates keep the database's own notation (shop tables are in shop-local
/// time; the extension's own tables in UTC, see the section's `times` note).
pub fn from_mysql(value: mysql_async::Value) -> Cell {
    use mysql_async::Value;
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
        Value::Date(y, mo, d, h, mi, s, us) => Cell::Text(if us > 0 {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}")
        } else {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
        }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use mysql_async::Value;

    #[test]
    fn converts_mysql_values() {
        assert_eq!(
            from_mysql(Value::Bytes(b"M\xc3\xbcller".to_vec())),
            Cell::Text("Müller".into())
        );
        assert_eq!(
            from_mysql(Value::Bytes(vec![0xff, 0])),
            Cell::Bytes(vec![0xff, 0])
        );
        assert_eq!(
            from_mysql(Value::Date(2024, 1, 2, 3, 4, 5, 0)).display(),
            "2024-01-02 03:04:05"
        );
        assert_eq!(
            from_mysql(Value::Date(2024, 1, 2, 3, 4, 5, 7)).display(),
            "2024-01-02 03:04:05.000007"
        );
        assert_eq!(
            from_mysql(Value::Time(true, 1, 2, 3, 4, 0)).display(),
            "-26:03:04"
        );
        assert_eq!(
            Cell::Bytes(vec![1, 2]).json(),
            serde_json::json!("base64:AQI=")
        );
        assert_eq!(Cell::Secret.display(), SECRET_NOTE);
        assert_eq!(Cell::Float(f64::NAN).json(), serde_json::Value::Null);
    }
}
