//! Identifiers that arrive from PHP: customer ids and purposes (email types).

use crate::core::error::{Error, Result};
use crate::core::input::printable;

pub const MAX_PURPOSE_LEN: usize = 64;

/// A shop customer id: a positive integer.
pub fn customer_id(id: i64) -> Result<u64> {
    u64::try_from(id).ok().filter(|&id| id > 0).ok_or_else(|| {
        Error::invalid_input(format!("customer id must be a positive integer, got {id}"))
    })
}

/// A purpose / email type: 1 to 64 characters of `a-z 0-9 _ . -`, e.g. `newsletter`, `review.request`.
pub fn purpose(purpose: &str) -> Result<&str> {
    let ok = (1..=MAX_PURPOSE_LEN).contains(&purpose.len())
        && purpose.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        });
    if ok {
        Ok(purpose)
    } else {
        Err(Error::invalid_input(format!(
            "purpose must be 1 to {MAX_PURPOSE_LEN} characters of a-z, 0-9, _, . and -, got {}",
            shown(purpose)
        )))
    }
}

/// A result limit given by the caller: 1 to `max`.
pub fn limit(value: i64, max: u32) -> Result<u32> {
    u32::try_from(value)
        .ok()
        .filter(|l| (1..=max).contains(l))
        .ok_or_else(|| Error::invalid_input(format!("limit must be 1 to {max}, got {value}")))
}

/// What an admin looks a customer up by: an account id or an exact address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Id(u64),
    /// In normal form; the shops' address columns compare without case.
    Email(String),
}

/// Reads a search as typed into an admin page or given on the command line: digits are an account id,
/// anything with an `@` an address. Nothing fuzzy: a search must not list strangers' data.
pub fn lookup(query: &str) -> Result<Lookup> {
    let query = query.trim();
    if !query.is_empty() && query.bytes().all(|b| b.is_ascii_digit()) {
        let id = query.parse::<i64>().unwrap_or(0);
        return customer_id(id).map(Lookup::Id);
    }
    if query.contains('@') {
        return crate::core::rules::email::validate(query).map(Lookup::Email);
    }
    Err(Error::invalid_input(format!(
        "search for a customer id (digits) or an exact email address, got {}",
        shown(query)
    )))
}

/// Longest `idempotency_key`.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 64;

/// An `idempotency_key` (proof or meta key): 1 to 64 printable ASCII characters without spaces, e.g.
/// a UUID or the shop's own request id. `what` names it in the message.
pub fn idempotency_key(what: &str, value: &str) -> Result<String> {
    let ok = !value.is_empty()
        && value.len() <= MAX_IDEMPOTENCY_KEY_CHARS
        && value.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(Error::invalid_input(format!(
            "{what} must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters without spaces (e.g. a UUID), got {}",
            shown(value)
        )));
    }
    Ok(value.to_owned())
}

/// An argument as it may be quoted in a message: short, printable.
pub fn shown(value: &str) -> String {
    if value.is_empty() {
        "an empty string".into()
    } else {
        format!("'{}'", printable(value, 40))
    }
}

/// A one-line text: not blank, no control characters, at most `max` characters. `what` names it in
/// the message (e.g. "proof 'user_agent'").
pub fn one_line(what: &str, value: &str, max: usize) -> Result<String> {
    let chars = value.chars().count();
    if value.trim().is_empty() || chars > max || value.chars().any(char::is_control) {
        return Err(Error::invalid_input(format!(
            "{what} must be one line of 1 to {max} characters, got {}",
            if chars > max {
                format!("{chars} characters")
            } else {
                shown(value)
            }
        )));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_an_id_or_an_address() {
        assert_eq!(lookup(" 42 ").unwrap(), Lookup::Id(42));
        assert_eq!(
            lookup("Erika@Example.ORG").unwrap(),
            Lookup::Email("erika@example.org".into())
        );
        for bad in ["", "0", "99999999999999999999", "erika", "%@%", "-1", "4 2"] {
            assert!(lookup(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn customer_ids_are_positive() {
        assert_eq!(customer_id(1).unwrap(), 1);
        assert_eq!(customer_id(i64::MAX).unwrap(), i64::MAX as u64);
        assert!(customer_id(0).is_err());
        assert!(customer_id(-5).unwrap_err().message().contains("-5"));
    }

    #[test]
    fn purposes_are_lowercase_identifiers() {
        for ok in [
            "newsletter",
            "review.request",
            "win-back_2",
            &"a".repeat(64),
        ] {
            assert!(purpose(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Newsletter",
            "news letter",
            "a/b",
            "x;drop",
            "é",
            &"a".repeat(65),
            "*",
        ] {
            assert!(purpose(bad).is_err(), "{bad}");
        }
        assert!(purpose("a\0b").unwrap_err().message().contains("'a?b'"));
    }
}
