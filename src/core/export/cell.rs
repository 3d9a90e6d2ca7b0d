//! One value of an exported row, as every writer (JSON, CSV, HTML) needs it.

use std::fmt::Write as _;

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
    /// Text for CSV and HTML (the writers use [`Cell::display_in`]).
    #[cfg(test)]
    pub fn display(&self) -> String {
        self.display_in(&mut String::new()).to_owned()
    }

    /// The same text without allocating per cell: text is borrowed, anything else is formatted into
    /// `scratch` (which the writer keeps for the next cell).
    pub fn display_in<'a>(&'a self, scratch: &'a mut String) -> &'a str {
        scratch.clear();
        // Formatting into a String cannot fail.
        let _ = match self {
            Cell::Null => return "",
            Cell::Text(t) => return t,
            Cell::Secret => return SECRET_NOTE,
            Cell::Int(i) => write!(scratch, "{i}"),
            Cell::UInt(u) => write!(scratch, "{u}"),
            Cell::Float(f) => write!(scratch, "{f}"),
            Cell::Bytes(b) => {
                scratch.push_str("base64:");
                STANDARD.encode_string(b, scratch);
                Ok(())
            }
        };
        scratch
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
        let mut scratch = String::from("left over");
        assert_eq!(
            Cell::Bytes(vec![1, 2]).display_in(&mut scratch),
            "base64:AQI="
        );
        assert_eq!(Cell::Int(-7).display_in(&mut scratch), "-7");
        assert_eq!(Cell::UInt(7).display_in(&mut scratch), "7");
        assert_eq!(Cell::Float(1.5).display_in(&mut scratch), "1.5");
        assert_eq!(Cell::Null.display_in(&mut scratch), "");
        assert_eq!(Cell::Float(f64::NAN).json(), serde_json::Value::Null);
    }
}
