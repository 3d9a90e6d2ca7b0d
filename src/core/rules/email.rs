//! Email addresses: validation and the normal form that is hashed (trim, lowercase).

use crate::core::error::{Error, Result};
use crate::core::rules::ident::shown;

pub const MAX_EMAIL_LEN: usize = 254;

/// The normal form of an address: surrounding white space removed, lowercased.
pub fn normalise(email: &str) -> String {
    email
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_lowercase()
}

/// Checks that `email` is a plausible address (what a shop would send to) and returns its normal form.
/// Deliberately simple: one `@`, a local part of 1 to 64 characters, a domain with a dot, no white space
/// or control characters, 254 characters at most.
pub fn validate(email: &str) -> Result<String> {
    let normal = normalise(email);
    let fail = || Error::invalid_input(format!("not a valid email address: {}", shown(email)));
    if normal.len() > MAX_EMAIL_LEN || normal.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(fail());
    }
    let (local, domain) = normal.split_once('@').ok_or_else(fail)?;
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains(['<', '>', ',', ';', '"', '(', ')', '[', ']', '\\']);
    let local_ok =
        (1..=64).contains(&local.len()) && !local.contains(['<', '>', ',', ';', '(', ')', '\\']);
    if local_ok && domain_ok {
        Ok(normal)
    } else {
        Err(fail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_accepts_ordinary_addresses() {
        assert_eq!(
            validate("  Jane.Doe+shop@Example.COM ").unwrap(),
            "jane.doe+shop@example.com"
        );
        assert_eq!(
            validate("müller@beispiel.de").unwrap(),
            "müller@beispiel.de"
        );
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "jane@@example.com",
            "ja ne@example.com",
            "jane@example..com",
            "jane@example.com\r\nBcc: x@y.z",
            "<jane@example.com>",
            &format!("{}@example.com", "a".repeat(65)),
        ] {
            assert!(validate(bad).is_err(), "{bad:?}");
        }
    }
}
