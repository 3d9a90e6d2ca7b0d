//! The proof that goes with a consent event: where it was given, to which wording, from which IP
//! address, and for which email address.
//! Every key is optional and validated; unknown keys are refused so a typo never silently drops proof.

use std::net::IpAddr;

use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues, printable};
use crate::core::rules::email;
use crate::core::rules::ident::{one_line, shown};
use crate::core::time::Timestamp;

pub const MAX_TEXT_BYTES: usize = 1 << 20;
pub const MAX_TEXT_VERSION_CHARS: usize = 64;
pub const MAX_USER_AGENT_CHARS: usize = 512;
pub const MAX_ACTOR_CHARS: usize = 128;
/// Imported consents older than this are refused as implausible (a typo in the year, mostly).
pub const EARLIEST_YEAR: i32 = 1990;

/// Where a consent or objection was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Checkout,
    Account,
    NewsletterForm,
    Admin,
    Import,
    Api,
    Link,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::Checkout,
        Source::Account,
        Source::NewsletterForm,
        Source::Admin,
        Source::Import,
        Source::Api,
        Source::Link,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Checkout => "checkout",
            Source::Account => "account",
            Source::NewsletterForm => "newsletter_form",
            Source::Admin => "admin",
            Source::Import => "import",
            Source::Api => "api",
            Source::Link => "link",
        }
    }

    pub fn from_name(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Validated proof.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proof {
    pub source: Option<Source>,
    pub text: Option<String>,
    pub text_version: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub actor: Option<String>,
    /// Only for `source = import`: when the consent was given in the shop's old records.
    pub occurred_at: Option<Timestamp>,
    /// The email address the consent was given for, normalised (default: the account's current
    /// address). Consent events only; the objection calls refuse it.
    pub email: Option<String>,
    /// Only for `source = import` grants: when the address owner confirmed the consent by double
    /// opt-in in the shop's old records; the import is then recorded as a confirmed double opt-in.
    pub confirmed_at: Option<Timestamp>,
    /// The same key again returns the first call's result and writes nothing (store/idempotency.rs).
    pub idempotency_key: Option<String>,
}

const KEYS: [&str; 10] = [
    "idempotency_key",
    "source",
    "text",
    "text_version",
    "ip",
    "user_agent",
    "actor",
    "occurred_at",
    "email",
    "confirmed_at",
];

/// Validates a proof array. `null` values count as absent. With `truncate_ip` the address is stored
/// shortened (IPv4 to /24, IPv6 to /48), else exactly as given.
pub fn validate(input: KeyValues, now: Timestamp, truncate_ip: bool) -> Result<Proof> {
    let mut proof = Proof::default();
    let mut occurred_at: Option<String> = None;
    let mut confirmed_at: Option<String> = None;
    for (key, value) in input {
        let text = match value {
            InputValue::Null => continue,
            InputValue::Str(s) => s,
            other if KEYS.contains(&key.as_str()) => {
                return Err(Error::invalid_input(format!(
                    "proof '{key}' must be a string, got {}",
                    other.type_name()
                )));
            }
            _ => return Err(unknown_key(&key)),
        };
        match key.as_str() {
            "source" => {
                proof.source = Some(Source::from_name(&text).ok_or_else(|| {
                    let names: Vec<&str> = Source::ALL.iter().map(|s| s.name()).collect();
                    Error::invalid_input(format!(
                        "proof 'source' must be one of {}, got {}",
                        names.join(", "),
                        shown(&text)
                    ))
                })?);
            }
            "text" => {
                if text.trim().is_empty() || text.len() > MAX_TEXT_BYTES || text.contains('\0') {
                    return Err(Error::invalid_input(format!(
                        "proof 'text' must be the consent wording shown, 1 byte to {} MiB without NUL bytes",
                        MAX_TEXT_BYTES >> 20
                    )));
                }
                proof.text = Some(text);
            }
            "text_version" => {
                proof.text_version = Some(one_line(
                    &format!("proof '{key}'"),
                    &text,
                    MAX_TEXT_VERSION_CHARS,
                )?)
            }
            "user_agent" => {
                proof.user_agent = Some(one_line(
                    &format!("proof '{key}'"),
                    &text,
                    MAX_USER_AGENT_CHARS,
                )?)
            }
            "actor" => {
                proof.actor = Some(one_line(&format!("proof '{key}'"), &text, MAX_ACTOR_CHARS)?)
            }
            "ip" => proof.ip = Some(ip(&text, truncate_ip)?),
            "email" => {
                proof.email = Some(email::validate(&text).map_err(|_| {
                    Error::invalid_input(format!(
                        "proof 'email' must be the email address the consent was given for, got {}",
                        shown(&text)
                    ))
                })?)
            }
            "occurred_at" => occurred_at = Some(text),
            "confirmed_at" => confirmed_at = Some(text),
            "idempotency_key" => {
                proof.idempotency_key = Some(crate::core::rules::ident::idempotency_key(
                    "proof 'idempotency_key'",
                    &text,
                )?)
            }
            _ => return Err(unknown_key(&key)),
        }
    }
    proof.occurred_at = occurred_at
        .map(|text| import_time("occurred_at", &text, proof.source, now))
        .transpose()?;
    proof.confirmed_at = confirmed_at
        .map(|text| import_time("confirmed_at", &text, proof.source, now))
        .transpose()?;
    if let (Some(given), Some(confirmed)) = (proof.occurred_at, proof.confirmed_at) {
        if confirmed < given {
            return Err(Error::invalid_input(format!(
                "proof 'confirmed_at' ({confirmed}) is before 'occurred_at' ({given})"
            )));
        }
    }
    Ok(proof)
}

/// A time from a shop's old records (`occurred_at`, `confirmed_at`): imports only, RFC 3339, not in the
/// future, not before the ledger's earliest year.
fn import_time(key: &str, text: &str, source: Option<Source>, now: Timestamp) -> Result<Timestamp> {
    if source != Some(Source::Import) {
        return Err(Error::invalid_input(format!(
            "proof '{key}' is accepted only with 'source' => 'import' (for migrating a shop's old consent records); live events are timed by the extension"
        )));
    }
    let at = Timestamp::parse_rfc3339(text).ok_or_else(|| {
        Error::invalid_input(format!(
            "proof '{key}' must be an RFC 3339 time such as 2019-05-01T10:00:00Z, got {}",
            shown(text)
        ))
    })?;
    if at > now {
        return Err(Error::invalid_input(format!(
            "proof '{key}' ({at}) is in the future"
        )));
    }
    if at.year() < EARLIEST_YEAR {
        return Err(Error::invalid_input(format!(
            "proof '{key}' ({at}) is before {EARLIEST_YEAR}"
        )));
    }
    Ok(at)
}

fn unknown_key(key: &str) -> Error {
    Error::invalid_input(format!(
        "unknown proof key '{}'; known keys: {}",
        printable(key, 64),
        KEYS.join(", ")
    ))
}

/// Refuses proof key `email` where an address is not the caller's to choose: a confirmation is for the
/// address its request was mailed to, an objection for the account's current address.
/// Refuses proof key `idempotency_key` for a call that does not take one.
pub fn refuse_idempotency_key(proof: &Proof, call: &str) -> Result<()> {
    if proof.idempotency_key.is_some() {
        return Err(Error::invalid_input(format!(
            "proof 'idempotency_key' is not accepted by {call}; it is taken by grantConsent, requestConsent, revokeConsent, optOut, optOutEmail and logSend"
        )));
    }
    Ok(())
}

pub fn refuse_email(proof: &Proof, call: &str, why: &str) -> Result<()> {
    if proof.email.is_some() {
        return Err(Error::invalid_input(format!(
            "proof 'email' is not accepted by {call}: {why}"
        )));
    }
    Ok(())
}

/// An IPv4 or IPv6 address, shortened with `truncate`.
pub fn ip(value: &str, truncate: bool) -> Result<String> {
    let address: IpAddr = value.parse().map_err(|_| {
        Error::invalid_input(format!(
            "proof 'ip' must be an IPv4 or IPv6 address, got {}",
            shown(value)
        ))
    })?;
    if !truncate {
        return Ok(value.to_owned());
    }
    Ok(match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            std::net::Ipv4Addr::new(a, b, c, 0).to_string()
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0).to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(pairs: &[(&str, &str)]) -> KeyValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), InputValue::Str(v.to_string())))
            .collect()
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-29T12:00:00Z").unwrap()
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        validate(kv(pairs), now(), false)
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn accepts_full_proof() {
        let p = validate(
            kv(&[
                ("source", "checkout"),
                ("text", "Ja, ich möchte den Newsletter."),
                ("text_version", "2026-01"),
                ("ip", "2001:db8::1"),
                ("user_agent", "Mozilla/5.0"),
                ("actor", "admin:jane"),
            ]),
            now(),
            false,
        )
        .unwrap();
        assert_eq!(p.source, Some(Source::Checkout));
        assert_eq!(p.ip.as_deref(), Some("2001:db8::1"));
        assert!(p.occurred_at.is_none());
        assert!(p.email.is_none());
    }

    #[test]
    fn email_is_validated_and_normalised() {
        let p = validate(kv(&[("email", "  Erika@Example.ORG ")]), now(), false).unwrap();
        assert_eq!(p.email.as_deref(), Some("erika@example.org"));
        assert!(error(&[("email", "not an address")]).contains("proof 'email'"));
        assert!(error(&[("email", "")]).contains("proof 'email'"));
        assert!(
            error(&[("email", "a@example.org\r\nBcc: b@example.org")]).contains("proof 'email'")
        );
        assert!(
            refuse_email(&p, "optOut", "why")
                .unwrap_err()
                .message()
                .contains("optOut")
        );
        assert!(refuse_email(&Proof::default(), "optOut", "why").is_ok());
    }

    #[test]
    fn nulls_are_absent_and_empty_is_fine() {
        let input = vec![("ip".to_string(), InputValue::Null)];
        assert_eq!(validate(input, now(), false).unwrap(), Proof::default());
        assert_eq!(validate(vec![], now(), false).unwrap(), Proof::default());
    }

    #[test]
    fn refuses_each_invalid_value() {
        assert!(error(&[("source", "email")]).contains("'source'"));
        assert!(error(&[("ip", "300.1.1.1")]).contains("'ip'"));
        assert!(error(&[("ip", "")]).contains("'ip'"));
        assert!(error(&[("text_version", &"v".repeat(65))]).contains("65 characters"));
        assert!(error(&[("user_agent", &"u".repeat(513))]).contains("'user_agent'"));
        assert!(error(&[("user_agent", "a\nb")]).contains("'user_agent'"));
        assert!(error(&[("actor", " ")]).contains("'actor'"));
        assert!(error(&[("text", "")]).contains("'text'"));
        assert!(error(&[("text", "a\0b")]).contains("'text'"));
        assert!(error(&[("ipaddress", "1.2.3.4")]).contains("unknown proof key 'ipaddress'"));
        let typed = validate(vec![("ip".into(), InputValue::Int(1))], now(), false).unwrap_err();
        assert!(typed.message().contains("must be a string, got int"));
        let unknown = validate(vec![("0".into(), InputValue::Int(1))], now(), false).unwrap_err();
        assert!(unknown.message().contains("unknown proof key '0'"));
    }

    #[test]
    fn occurred_at_only_for_imports_and_never_in_the_future() {
        assert!(
            error(&[("occurred_at", "2019-05-01T10:00:00Z")])
                .contains("only with 'source' => 'import'")
        );
        assert!(
            error(&[
                ("source", "checkout"),
                ("occurred_at", "2019-05-01T10:00:00Z")
            ])
            .contains("import")
        );
        assert!(
            error(&[
                ("source", "import"),
                ("occurred_at", "2027-01-01T00:00:00Z")
            ])
            .contains("future")
        );
        assert!(error(&[("source", "import"), ("occurred_at", "2019-05-01")]).contains("RFC 3339"));
        assert!(
            error(&[
                ("source", "import"),
                ("occurred_at", "1970-01-01T00:00:00Z")
            ])
            .contains("before")
        );
        let p = validate(
            kv(&[
                ("source", "import"),
                ("occurred_at", "2019-05-01T12:00:00+02:00"),
            ]),
            now(),
            false,
        )
        .unwrap();
        assert_eq!(
            p.occurred_at.unwrap().to_string(),
            "2019-05-01T10:00:00.000000Z"
        );
    }

    #[test]
    fn truncation_shortens_addresses() {
        assert_eq!(ip("192.0.2.77", true).unwrap(), "192.0.2.0");
        assert_eq!(ip("2001:db8:abcd:12::1", true).unwrap(), "2001:db8:abcd::");
        assert_eq!(ip("192.0.2.77", false).unwrap(), "192.0.2.77");
    }
}
