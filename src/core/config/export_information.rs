//! The `export_information` option: the shop's own text for the Art. 15(1) part of every export
//! (controller, contact, data protection officer, purposes, recipients, supervisory authority).

use super::settings::Raw;
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, printable};

/// The keys the shop may provide, in the order the export shows them.
pub const KEYS: [&str; 6] = [
    "controller",
    "contact",
    "dpo",
    "purposes",
    "recipients",
    "authority",
];

/// Longest text per key, in characters (a page of text; an export is no place for a novel).
const MAX_CHARS: usize = 10_000;

/// The shop's texts, by key of [`KEYS`]; a key not given (or blank) is None.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportInformation(pub [Option<String>; 6]);

impl ExportInformation {
    pub fn get(&self, key: &str) -> Option<&str> {
        KEYS.iter()
            .position(|k| *k == key)
            .and_then(|i| self.0[i].as_deref())
    }

    /// The keys the shop has not provided, in [`KEYS`] order.
    pub fn not_provided(&self) -> Vec<&'static str> {
        KEYS.iter()
            .zip(&self.0)
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| *k)
            .collect()
    }
}

/// `[key => text]` (option) or a JSON object of the same (php.ini); empty text: nothing provided.
pub(super) fn export_information(raw: &Raw) -> Result<ExportInformation> {
    let pairs: Vec<(String, InputValue)> = match &raw.value {
        InputValue::Null => Vec::new(),
        InputValue::Str(s) if s.trim().is_empty() => Vec::new(),
        InputValue::Str(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => InputValue::Str(s),
                        serde_json::Value::Null => InputValue::Null,
                        serde_json::Value::Bool(_) => InputValue::Other("bool"),
                        serde_json::Value::Number(_) => InputValue::Other("number"),
                        serde_json::Value::Array(_) => InputValue::Other("array"),
                        serde_json::Value::Object(_) => InputValue::Other("object"),
                    };
                    (k, v)
                })
                .collect(),
            _ => {
                return Err(Error::config(format!(
                    "{} must be a JSON object of {} => text, e.g. {{\"controller\": \"Shop GmbH, Hauptstr. 1, 10115 Berlin\"}}",
                    raw.origin(),
                    KEYS.join(", ")
                )));
            }
        },
        InputValue::Array(items) => items.clone(),
        other => {
            return Err(Error::config(format!(
                "{} must be an array of {} => text, got {}",
                raw.origin(),
                KEYS.join(", "),
                other.type_name()
            )));
        }
    };
    let mut info = ExportInformation::default();
    for (key, value) in pairs {
        let Some(index) = KEYS.iter().position(|k| *k == key) else {
            return Err(Error::config(format!(
                "{}: unknown key '{}'; known keys: {}",
                raw.origin(),
                printable(&key, 64),
                KEYS.join(", ")
            )));
        };
        let text = match value {
            InputValue::Null => continue,
            InputValue::Str(text) => text,
            other => {
                return Err(Error::config(format!(
                    "{}: '{key}' must be a string, got {}",
                    raw.origin(),
                    other.type_name()
                )));
            }
        };
        let text = text.trim();
        if text.chars().count() > MAX_CHARS {
            return Err(Error::config(format!(
                "{}: '{key}' is longer than {MAX_CHARS} characters",
                raw.origin()
            )));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(Error::config(format!(
                "{}: '{key}' contains control characters (only line feeds and tabs are allowed)",
                raw.origin()
            )));
        }
        if !text.is_empty() {
            info.0[index] = Some(text.replace("\r\n", "\n"));
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::testing::{config_error, resolve, s};

    #[test]
    fn texts_by_key_from_an_array_or_json() {
        let array = InputValue::Array(vec![
            ("controller".into(), s("Shop GmbH, Berlin")),
            ("dpo".into(), s("  ")),
            ("authority".into(), InputValue::Null),
        ]);
        let info = resolve(&[("export_information", array)])
            .unwrap()
            .export_information;
        assert_eq!(info.get("controller"), Some("Shop GmbH, Berlin"));
        assert_eq!(
            info.not_provided(),
            vec!["contact", "dpo", "purposes", "recipients", "authority"]
        );
        let json = resolve(&[("export_information", s(r#"{"recipients": "DHL"}"#))])
            .unwrap()
            .export_information;
        assert_eq!(json.get("recipients"), Some("DHL"));
        assert_eq!(
            resolve(&[])
                .unwrap()
                .export_information
                .not_provided()
                .len(),
            6
        );
    }

    #[test]
    fn unknown_keys_and_non_strings_are_refused() {
        let bad = |pairs: Vec<(String, InputValue)>| {
            config_error(&[("export_information", InputValue::Array(pairs))])
        };
        assert!(bad(vec![("controler".into(), s("x"))]).contains("unknown key 'controler'"));
        assert!(bad(vec![("dpo".into(), InputValue::Int(3))]).contains("'dpo' must be a string"));
        assert!(
            bad(vec![("dpo".into(), s("a\u{0}b"))]).contains("control characters"),
            "NUL refused"
        );
        assert!(config_error(&[("export_information", s("controller=x"))]).contains("JSON object"));
        assert!(
            config_error(&[("export_information", s(r#"{"dpo": 1}"#))])
                .contains("must be a string")
        );
        assert!(config_error(&[("export_information", InputValue::Int(1))]).contains("an array"));
    }
}
