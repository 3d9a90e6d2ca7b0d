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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_render_for_each_writer() {
        assert_eq!(
            Cell::Bytes(vec![1, 2]).json(),
            serde_json::json!("base64:AQI=")
        );
        assert_eq!(Cell::Secret.display(), SECRET_NOTE);
        assert_eq!(Cell::Float(f64::NAN).json(), serde_json::Value::Null);
    }
}
