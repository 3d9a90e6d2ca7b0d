//! The options cursor: every call that takes an options array reads it through [`Options`], one typed
//! getter per key, and [`Options::finish`] refuses whatever the call did not ask for. One parser, so
//! every call words a wrong type and an unknown key the same way.

use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues, printable};

/// An options array being read by one call. A key given as `null` counts as not given.
#[derive(Debug)]
pub(crate) struct Options {
    call: &'static str,
    entries: Vec<(String, InputValue)>,
    asked: Vec<&'static str>,
}

impl Options {
    /// `call` is the PHP method's name, as the messages show it.
    pub(crate) fn new(call: &'static str, values: KeyValues) -> Self {
        Options {
            call,
            entries: values
                .into_iter()
                .filter(|(_, v)| *v != InputValue::Null)
                .collect(),
            asked: Vec::new(),
        }
    }

    /// The value of `key`, removed from the cursor; None when absent or null.
    pub(crate) fn take(&mut self, key: &'static str) -> Option<InputValue> {
        self.asked.push(key);
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// Whether `key` was given (not null), without taking it.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// The message for a value of the wrong type or range.
    pub(crate) fn invalid(&self, key: &str, expected: &str, got: &InputValue) -> Error {
        Error::invalid_input(format!(
            "{} option '{key}' must be {expected}, got {}",
            self.call,
            shown(got)
        ))
    }

    pub(crate) fn bool(&mut self, key: &'static str) -> Result<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(InputValue::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.invalid(key, "a bool", &other)),
        }
    }

    /// A bool that defaults to false.
    pub(crate) fn flag(&mut self, key: &'static str) -> Result<bool> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    /// An integer within `min..=max`.
    pub(crate) fn int(&mut self, key: &'static str, min: i64, max: i64) -> Result<Option<i64>> {
        match self.take(key) {
            None => Ok(None),
            Some(InputValue::Int(n)) if (min..=max).contains(&n) => Ok(Some(n)),
            Some(other) => {
                let expected = if max == i64::MAX {
                    format!("an integer of at least {min}")
                } else {
                    format!("an integer from {min} to {max}")
                };
                Err(self.invalid(key, &expected, &other))
            }
        }
    }

    /// Option `timeout_ms` of a long set-wide statement (1 second to a day); default 10 minutes.
    pub(crate) fn long_timeout(&mut self) -> Result<std::time::Duration> {
        Ok(self
            .int("timeout_ms", 1000, 86_400_000)?
            .map_or(std::time::Duration::from_secs(600), |ms| {
                std::time::Duration::from_millis(ms.unsigned_abs())
            }))
    }

    pub(crate) fn string(&mut self, key: &'static str) -> Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(InputValue::Str(s)) => Ok(Some(s)),
            Some(other) => Err(self.invalid(key, "a string", &other)),
        }
    }

    /// Refuses every key the call did not ask for, naming the ones it knows.
    pub(crate) fn finish(self) -> Result<()> {
        match self.entries.first() {
            None => Ok(()),
            Some((key, _)) => Err(unknown_option(self.call, key, &self.asked)),
        }
    }
}

/// A value as a message shows it: its type, and short scalars themselves.
fn shown(value: &InputValue) -> String {
    match value {
        InputValue::Bool(b) => format!("bool {b}"),
        InputValue::Int(n) => format!("int {n}"),
        InputValue::Str(s) => format!("string '{}'", printable(s, 40)),
        other => other.type_name().to_owned(),
    }
}

/// The error for an option a call does not know, naming the ones it does.
pub(crate) fn unknown_option(call: &str, key: &str, known: &[&str]) -> Error {
    Error::invalid_input(format!(
        "unknown {call} option '{}'; known options: {}",
        printable(key, 64),
        known.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pairs: &[(&str, InputValue)]) -> Options {
        Options::new("erase", crate::core::input::key_values(pairs))
    }

    #[test]
    fn reads_typed_values_and_skips_nulls() {
        let mut o = options(&[
            ("dry_run", InputValue::Bool(true)),
            ("limit", InputValue::Int(5)),
            ("since", InputValue::Null),
        ]);
        assert_eq!(o.bool("dry_run").unwrap(), Some(true));
        assert_eq!(o.int("limit", 1, 10).unwrap(), Some(5));
        assert_eq!(o.string("since").unwrap(), None);
        o.finish().unwrap();
    }

    #[test]
    fn refuses_a_wrong_type_naming_call_key_and_value() {
        let mut o = options(&[("dry_run", InputValue::Str("yes".into()))]);
        let message = o.bool("dry_run").unwrap_err().to_string();
        assert!(
            message.contains("erase option 'dry_run' must be a bool, got string 'yes'"),
            "{message}"
        );
        let mut o = options(&[("limit", InputValue::Int(0))]);
        assert!(o.int("limit", 1, 10).is_err());
    }

    #[test]
    fn finish_refuses_leftovers_and_lists_what_was_asked() {
        let mut o = options(&[("dryrun", InputValue::Bool(true))]);
        assert!(!o.flag("dry_run").unwrap());
        let message = o.finish().unwrap_err().to_string();
        assert!(
            message.contains("unknown erase option 'dryrun'; known options: dry_run"),
            "{message}"
        );
    }
}
