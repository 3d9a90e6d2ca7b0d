//! The hash chain over consent events.
//!
//! `hash = SHA-256(prev_hash || canonical(event))`. The canonical form covers every field that proves
//! the consent (ids, purpose, action, source, the text's SHA-256, times) and, instead of the personal
//! fields (ip, user agent, actor and, from schema version 2, the address the consent was given for), a
//! salted digest of them. Erasure blanks the personal fields and the salt: the chain still verifies, and
//! the digest no longer reveals anything (an unsalted digest of an IPv4 address could be reversed by
//! trying all 2^32).

use sha2::{Digest, Sha256};

use crate::core::time::Timestamp;

pub type Hash = [u8; 32];
pub const GENESIS: Hash = [0; 32];
pub const SALT_LEN: usize = 16;

/// The fields of an event that the chain covers.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainFields<'a> {
    pub id: u64,
    pub customer_id: u64,
    pub purpose: &'a str,
    pub action: &'a str,
    pub request_id: Option<u64>,
    pub source: Option<&'a str>,
    pub text_hash: Option<Hash>,
    pub text_version: Option<&'a str>,
    pub personal_digest: Hash,
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
}

/// Length-prefixed fields: unambiguous whatever the values contain; `None` differs from "".
struct Canonical(Vec<u8>);

impl Canonical {
    fn new(domain: &str) -> Self {
        let mut c = Canonical(Vec::with_capacity(256));
        c.bytes(Some(domain.as_bytes()));
        c
    }

    fn bytes(&mut self, value: Option<&[u8]>) {
        match value {
            Some(v) => {
                self.0.extend_from_slice(
                    &u32::try_from(v.len()).unwrap_or(u32::MAX - 1).to_be_bytes(),
                );
                self.0.extend_from_slice(v);
            }
            None => self.0.extend_from_slice(&u32::MAX.to_be_bytes()),
        }
    }

    fn text(&mut self, value: Option<&str>) {
        self.bytes(value.map(str::as_bytes));
    }

    fn number(&mut self, value: Option<u64>) {
        self.bytes(value.map(|v| v.to_be_bytes()).as_ref().map(|b| &b[..]));
    }
}

pub fn canonical(event: &ChainFields) -> Vec<u8> {
    let mut c = Canonical::new("dsgvo.consent-event.v1");
    c.number(Some(event.id));
    c.number(Some(event.customer_id));
    c.text(Some(event.purpose));
    c.text(Some(event.action));
    c.number(event.request_id);
    c.text(event.source);
    c.bytes(event.text_hash.as_ref().map(|h| &h[..]));
    c.text(event.text_version);
    c.bytes(Some(&event.personal_digest));
    c.text(Some(&event.occurred_at.to_string()));
    c.text(Some(&event.recorded_at.to_string()));
    c.0
}

pub fn chain_hash(prev: &Hash, event: &ChainFields) -> Hash {
    let mut sha = Sha256::new();
    sha.update(prev);
    sha.update(canonical(event));
    sha.finalize().into()
}

/// The personal fields of an event, which the chain covers through a salted digest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Personal<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub actor: Option<&'a str>,
    /// The normalised address the consent was given for (events from schema version 2 on).
    pub email: Option<&'a str>,
}

/// Salted digest of the personal fields of an event. The address is appended only when the event has
/// one, so the digest of every event written before addresses were recorded is unchanged and the
/// chain still verifies; with an address the input is longer, so the two forms never collide.
pub fn personal_digest(salt: &[u8], personal: Personal<'_>) -> Hash {
    let mut c = Canonical::new("dsgvo.consent-personal.v1");
    c.bytes(Some(salt));
    c.text(personal.ip);
    c.text(personal.user_agent);
    c.text(personal.actor);
    if let Some(email) = personal.email {
        c.text(Some(email));
    }
    Sha256::digest(&c.0).into()
}

pub fn text_hash(text: &str) -> Hash {
    Sha256::digest(text.as_bytes()).into()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> ChainFields<'static> {
        let t = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        ChainFields {
            id: 1,
            customer_id: 7,
            purpose: "newsletter",
            action: "granted",
            request_id: None,
            source: Some("checkout"),
            text_hash: Some(text_hash("Ja")),
            text_version: None,
            personal_digest: personal_digest(b"salt", ip("192.0.2.1")),
            occurred_at: t,
            recorded_at: t,
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = chain_hash(&GENESIS, &event());
        let mut variants = vec![];
        let mut e = event();
        e.id = 2;
        variants.push(e);
        let mut e = event();
        e.customer_id = 8;
        variants.push(e);
        let mut e = event();
        e.purpose = "newsletters";
        variants.push(e);
        let mut e = event();
        e.action = "revoked";
        variants.push(e);
        let mut e = event();
        e.request_id = Some(1);
        variants.push(e);
        let mut e = event();
        e.source = None;
        variants.push(e);
        let mut e = event();
        e.text_version = Some("");
        variants.push(e);
        let mut e = event();
        e.personal_digest = personal_digest(b"salt", ip("192.0.2.2"));
        variants.push(e);
        let mut e = event();
        e.recorded_at = Timestamp::parse_rfc3339("2026-01-01T00:00:00.000001Z").unwrap();
        variants.push(e);
        for v in variants {
            assert_ne!(chain_hash(&GENESIS, &v), base, "{v:?}");
        }
        assert_ne!(chain_hash(&[1; 32], &event()), base);
        assert_eq!(chain_hash(&GENESIS, &event()), base);
    }

    fn ip(ip: &'static str) -> Personal<'static> {
        Personal {
            ip: Some(ip),
            ..Personal::default()
        }
    }

    fn personal(
        ip: Option<&'static str>,
        user_agent: Option<&'static str>,
        email: Option<&'static str>,
    ) -> Personal<'static> {
        Personal {
            ip,
            user_agent,
            actor: None,
            email,
        }
    }

    #[test]
    fn fields_cannot_shift_into_each_other() {
        // Without length prefixes "ab"+"c" and "a"+"bc" would hash alike.
        assert_ne!(
            personal_digest(b"s", personal(Some("ab"), Some("c"), None)),
            personal_digest(b"s", personal(Some("a"), Some("bc"), None))
        );
        assert_ne!(
            personal_digest(b"s", Personal::default()),
            personal_digest(b"s", personal(Some(""), None, None))
        );
        assert_ne!(
            personal_digest(b"s", Personal::default()),
            personal_digest(b"s", personal(None, None, Some("")))
        );
        assert_ne!(
            personal_digest(b"s", personal(None, None, Some("a@example.org"))),
            personal_digest(b"s", personal(None, None, Some("b@example.org")))
        );
    }

    #[test]
    fn events_without_an_address_keep_their_digest() {
        // The digest as schema version 1 computed it: salt, ip, user agent, actor.
        let mut v1 = Canonical::new("dsgvo.consent-personal.v1");
        v1.bytes(Some(b"salt"));
        v1.text(Some("192.0.2.1"));
        v1.text(Some("Mozilla/5.0"));
        v1.text(None);
        let v1: Hash = Sha256::digest(&v1.0).into();
        let p = personal(Some("192.0.2.1"), Some("Mozilla/5.0"), None);
        assert_eq!(personal_digest(b"salt", p), v1);
        let with_address = Personal {
            email: Some("erika@example.org"),
            ..p
        };
        assert_ne!(personal_digest(b"salt", with_address), v1);
    }
}
