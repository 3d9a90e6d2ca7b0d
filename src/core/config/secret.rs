//! [`Secret`], the HMAC key whose `Debug` never shows it, and parsing of the current and former keys.

use std::fmt;

use super::settings::Raw;
use crate::core::error::{Error, Result};

pub const MIN_SECRET_LEN: usize = 32;

/// The HMAC key. Never printed: `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Unvalidated, for tests; configuration goes through `Config::resolve`.
    #[cfg(test)]
    pub(crate) fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

pub(super) fn secret(raw: &Raw) -> Result<Option<Secret>> {
    let value = raw.string()?;
    match value.len() {
        0 => Ok(None),
        n if n < MIN_SECRET_LEN => Err(Error::config(format!(
            "{} must be at least {MIN_SECRET_LEN} bytes, got {n} (generate one with bin2hex(random_bytes(32)))",
            raw.origin()
        ))),
        _ => Ok(Some(Secret(value.as_bytes().to_vec()))),
    }
}

pub(super) fn previous_secrets(raw: &Raw) -> Result<Vec<Secret>> {
    let value = raw.string()?;
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(i, s)| {
            if s.len() < MIN_SECRET_LEN {
                Err(Error::config(format!(
                    "{}: entry {} is {} bytes, each former secret must be at least {MIN_SECRET_LEN}",
                    raw.origin(),
                    i + 1,
                    s.len()
                )))
            } else {
                Ok(Secret(s.as_bytes().to_vec()))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::testing::{config_error, resolve, s};
    use crate::core::config::{SETTINGS, display_value, index};

    #[test]
    fn previous_secrets_are_a_list_of_long_keys() {
        let two = format!("{}, {}", "a".repeat(32), "b".repeat(40));
        let config = resolve(&[
            ("previous_secrets", s(&two)),
            ("secret", s(&"c".repeat(32))),
        ])
        .unwrap();
        assert_eq!(config.previous_secrets.len(), 2);
        assert_eq!(config.keyring().len(), 3);
        assert_eq!(config.keyring()[0].bytes(), "c".repeat(32).as_bytes());
        let message = config_error(&[(
            "previous_secrets",
            s(&format!("{},short-old-key", "a".repeat(32))),
        )]);
        assert!(message.contains("entry 2"), "{message}");
        assert!(!message.contains("short-old-key"), "{message}");
        assert_eq!(
            display_value(&SETTINGS[index::PREVIOUS_SECRETS], Some(&two)),
            "(2 set)"
        );
    }

    #[test]
    fn short_secret_is_refused_without_echoing_it() {
        let message = config_error(&[("secret", s("tooshort-secret-value"))]);
        assert!(message.contains("option 'secret'"));
        assert!(!message.contains("tooshort"), "{message}");
        let ok = resolve(&[("secret", s(&"k".repeat(32)))]).unwrap();
        assert_eq!(ok.secret.unwrap().bytes().len(), 32);
    }

    #[test]
    fn debug_shows_only_the_length() {
        let shown = format!("{:?}", Secret::new(b"do-not-print-this-key".to_vec()));
        assert_eq!(shown, "Secret(21 bytes)");
    }
}
