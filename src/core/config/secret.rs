//! [`Secret`], the HMAC key whose `Debug` never shows it, and parsing of the current and former keys.
//!
//! # What counts as a good key
//!
//! A key must be at least 32 random bytes, written as text one of two ways:
//! - **hex**: 64 or more characters `0-9a-f` (either case), e.g. `php -r 'echo bin2hex(random_bytes(32));'`;
//! - **base64**: standard (`+/`) or URL-safe (`-_`) alphabet, padding optional, decoding to 32 or more
//!   bytes, e.g. `php -r 'echo base64_encode(random_bytes(32));'`.
//!
//! and its decoded bytes must look random: at least half of them distinct (refuses repeated blocks
//! and long runs), at least a quarter of the steps between neighbouring bytes distinct (refuses
//! counting sequences such as 00 01 02 …), and the text must not contain a placeholder word
//! ([`PLACEHOLDER_WORDS`]). Real random keys pass these with overwhelming probability; the README's
//! placeholder, 32 spaces or NULs, a word plus digits do not. The key used for HMAC is still the text
//! as given (its bytes), so keys that pass keep the tokens and suppression entries made with them.

use std::fmt;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use super::settings::Raw;
use crate::core::error::{Error, Result};

/// Random bytes a key must hold at least.
pub const MIN_SECRET_LEN: usize = 32;

/// Words that mark a value as a placeholder or made up by hand (compared case-insensitively). Six
/// letters or more, so a random base64 key contains one by chance with a probability below 1e-7.
pub const PLACEHOLDER_WORDS: [&str; 8] = [
    "example",
    "changeme",
    "placeholder",
    "secret",
    "password",
    "random",
    "bin2hex",
    "insert",
];

/// How to make a good key, appended to every refusal.
pub const HOW_TO_MAKE_ONE: &str = "use at least 32 random bytes written as 64 hex characters or as base64, \
     e.g. php -r 'echo bin2hex(random_bytes(32));'";

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

/// Why a key is refused; never contains (a part of) the key.
pub fn weakness(text: &str) -> Option<String> {
    let bytes = match decode(text) {
        Ok(bytes) => bytes,
        Err(why) => return Some(why),
    };
    if bytes.len() < MIN_SECRET_LEN {
        return Some(format!(
            "it holds {} bytes, at least {MIN_SECRET_LEN} are needed",
            bytes.len()
        ));
    }
    let lower = text.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return Some(
            "it contains a placeholder word (example, changeme, secret, password, …)".into(),
        );
    }
    let distinct = |values: &mut dyn Iterator<Item = u8>| {
        let mut seen = [false; 256];
        values
            .filter(|&v| !std::mem::replace(&mut seen[v as usize], true))
            .count()
    };
    let n = bytes.len();
    if distinct(&mut bytes.iter().copied()) * 2 < n {
        return Some("it is not random: fewer than half of its bytes are distinct".into());
    }
    if distinct(&mut bytes.windows(2).map(|w| w[1].wrapping_sub(w[0]))) * 4 < n - 1 {
        return Some("it is not random: it follows a counting pattern".into());
    }
    None
}

/// The key's bytes from its hex or base64 text.
fn decode(text: &str) -> std::result::Result<Vec<u8>, String> {
    const NOT_ENCODED: &str = "it is not 64+ hex characters or base64";
    if text.is_empty() {
        return Err(NOT_ENCODED.into());
    }
    if text.bytes().all(|b| b.is_ascii_hexdigit()) {
        if text.len() < 2 * MIN_SECRET_LEN {
            return Err(format!(
                "it is {} hex characters, at least {} are needed",
                text.len(),
                2 * MIN_SECRET_LEN
            ));
        }
        let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
        return Ok(text
            .as_bytes()
            .chunks_exact(2)
            .map(|p| digit(p[0]) << 4 | digit(p[1]))
            .collect());
    }
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let alphabet = if text.contains(['-', '_']) {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, config)
        .decode(text)
        .map_err(|_| NOT_ENCODED.into())
}

fn refuse(origin: &str, why: &str) -> Error {
    Error::config(format!(
        "{origin} is not a strong key: {why}; {HOW_TO_MAKE_ONE}"
    ))
}

pub(super) fn secret(raw: &Raw) -> Result<Option<Secret>> {
    let value = raw.string()?;
    if value.is_empty() {
        return Ok(None);
    }
    match weakness(value) {
        Some(why) => Err(refuse(&raw.origin(), &why)),
        None => Ok(Some(Secret(value.as_bytes().to_vec()))),
    }
}

/// The former keys: (strong ones, weak ones). A weak former key (one this version would refuse as a
/// current key, but of at least 32 bytes, as earlier versions accepted) is still needed to find the
/// addresses suppressed under it, or rotating away from it would un-suppress them; it never verifies
/// a token, since anyone who guessed it could forge one.
pub(super) fn previous_secrets(raw: &Raw) -> Result<(Vec<Secret>, Vec<Secret>)> {
    let value = raw.string()?;
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    for (i, s) in value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        match weakness(s) {
            None => strong.push(Secret(s.as_bytes().to_vec())),
            Some(_) if s.len() >= MIN_SECRET_LEN => weak.push(Secret(s.as_bytes().to_vec())),
            Some(why) => {
                return Err(refuse(&format!("{}: entry {}", raw.origin(), i + 1), &why));
            }
        }
    }
    Ok((strong, weak))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::testing::{config_error, resolve, s};
    use crate::core::config::{SETTINGS, display_value, index};

    const GOOD: &str = "3f9a1c47d2e85b60a4c9e1f37b2d8a05c6e49f12b7d3a8e0f5c2b9d461a7e3c8";
    const GOOD_2: &str = "b71e04c9a3f25d8e6c0b94a7f1e3d52c8a6b0f49e2d7c1a53b8f6e0d94c2a7b1";
    /// base64 of 32 random bytes, with padding.
    const GOOD_B64: &str = "q3Vt8xZ0b1N7yLk2Wf9eR4pAj6sHd5Gc0uIoTmEnXvQ=";

    #[test]
    fn previous_secrets_are_a_list_of_keys_weak_ones_for_lookups_only() {
        let two = format!("{GOOD}, {GOOD_B64}");
        let config = resolve(&[("previous_secrets", s(&two)), ("secret", s(GOOD_2))]).unwrap();
        assert_eq!(config.previous_secrets.len(), 2);
        assert_eq!(config.keyring().len(), 3);
        assert_eq!(config.keyring()[0].bytes(), GOOD_2.as_bytes());
        let message = config_error(&[("previous_secrets", s(&format!("{GOOD},short-old-key")))]);
        assert!(message.contains("entry 2"), "{message}");
        assert!(!message.contains("short-old-key"), "{message}");
        // A weak former key of 32+ bytes still finds what was suppressed under it, but verifies no token.
        let weak_key = "ab".repeat(32);
        let config = resolve(&[
            ("previous_secrets", s(&format!("{GOOD},{weak_key}"))),
            ("secret", s(GOOD_2)),
        ])
        .unwrap();
        assert_eq!(config.keyring().len(), 3);
        assert_eq!(config.token_keys().len(), 2);
        assert!(
            config
                .token_keys()
                .iter()
                .all(|k| k.bytes() != weak_key.as_bytes())
        );
        let short = config_error(&[("previous_secrets", s("aaaa-too-short"))]);
        assert!(
            short.contains("entry 1") && short.contains("bin2hex(random_bytes(32))"),
            "{short}"
        );
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
        let ok = resolve(&[("secret", s(GOOD))]).unwrap();
        assert_eq!(ok.secret.unwrap().bytes(), GOOD.as_bytes());
    }

    #[test]
    fn random_hex_and_base64_keys_are_accepted() {
        for good in [
            GOOD,
            GOOD_2,
            &GOOD.to_ascii_uppercase(),
            GOOD_B64,
            GOOD_B64.trim_end_matches('='),
            "q3Vt8xZ0b1N7yLk2Wf9eR4pAj6sHd5Gc0uIoTmEnXv-_",
        ] {
            assert_eq!(weakness(good), None, "{good}");
        }
        // Keys made the documented way pass (a few hundred draws).
        for _ in 0..300 {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).unwrap();
            let hex = crate::core::ledger::hex(&key);
            assert_eq!(weakness(&hex), None, "{hex}");
            let b64 = base64::engine::general_purpose::STANDARD.encode(key);
            assert_eq!(weakness(&b64), None, "{b64}");
        }
    }

    #[test]
    fn weak_keys_are_refused_saying_how_to_make_one() {
        let weak = [
            "put-64-hex-chars-from-bin2hex(random_bytes(32))-here".to_owned(),
            " ".repeat(32),
            "\0".repeat(32),
            "\0".repeat(64),
            "k".repeat(32),
            "a".repeat(64),
            "0".repeat(64),
            "0123456789abcdef".repeat(4),
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f".into(),
            GOOD[..63].into(),
            "admin-page-secret-0123456789abcdef-01234567".into(),
            "test-secret-0123456789abcdef-0123456789".into(),
            format!("{}example", &GOOD_B64[..40]),
            format!("changeme{GOOD}"),
            "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=".into(), // base64 of 32 × 'A'
        ];
        for bad in &weak {
            assert!(weakness(bad).is_some(), "accepted {bad:?}");
            let message = config_error(&[("secret", s(bad))]);
            assert!(
                message.contains("option 'secret' is not a strong key"),
                "{message}"
            );
            assert!(
                message.contains("64 hex characters or as base64"),
                "{message}"
            );
            assert!(message.contains("bin2hex(random_bytes(32))"), "{message}");
            if bad.trim_matches(['\0', ' ']).len() > 4 {
                assert!(!message.contains(bad.as_str()), "{message}");
            }
        }
    }

    #[test]
    fn debug_shows_only_the_length() {
        let shown = format!("{:?}", Secret::new(b"do-not-print-this-key".to_vec()));
        assert_eq!(shown, "Secret(21 bytes)");
    }
}
