//! Signed tokens for links in mails: URL-safe, HMAC-SHA256 over the payload, compared in constant time.
//!
//! Layout (before base64url without padding): version (1 byte), kind (1 byte), key id (4 bytes),
//! kind-specific body, then the 32-byte MAC over everything before it. The key id names the secret that
//! signed, so a rotated key can still verify. Nothing personal is inside: ids and times only.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::core::config::Secret;
use crate::core::error::{Error, Result};
use crate::core::time::Timestamp;

const VERSION: u8 = 1;
const MAC_LEN: usize = 32;
const HEADER_LEN: usize = 6;

/// What a token is for; each kind has its own body layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Double opt-in confirmation: body = request event id (u64), expiry (unix seconds, i64).
    ConsentConfirmation,
    /// One-click unsubscribe: body = customer id (u64), issued (unix seconds, i64), type length (u8),
    /// type. No expiry: an objection must work from any old mail.
    Unsubscribe,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Kind::ConsentConfirmation => b'C',
            Kind::Unsubscribe => b'U',
        }
    }

    /// The body length, when every token of the kind has the same.
    fn fixed_body_len(self) -> Option<usize> {
        match self {
            Kind::ConsentConfirmation => Some(16),
            Kind::Unsubscribe => None,
        }
    }
}

/// 4 bytes naming a secret without revealing anything about it.
pub fn key_id(secret: &Secret) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(b"dsgvo.key-id.v1")
        .chain_update(secret.bytes())
        .finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

fn mac(secret: &Secret) -> Result<Hmac<Sha256>> {
    // HMAC takes keys of any length; the error exists only in the trait's signature.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.bytes())
        .map_err(|_| Error::config("the secret cannot be used as an HMAC key"))
}

fn sign(kind: Kind, body: &[u8], secret: &Secret) -> Result<String> {
    let mut payload = Vec::with_capacity(HEADER_LEN + body.len() + MAC_LEN);
    payload.push(VERSION);
    payload.push(kind.byte());
    payload.extend_from_slice(&key_id(secret));
    payload.extend_from_slice(body);
    let mut m = mac(secret)?;
    m.update(&payload);
    payload.extend_from_slice(&m.finalize().into_bytes());
    Ok(URL_SAFE_NO_PAD.encode(payload))
}

/// The body of a valid token of `kind`, signed by one of `keys`.
fn open(token: &str, kind: Kind, keys: &[&Secret]) -> Result<Vec<u8>> {
    let invalid = |why: &str| Error::Token(format!("invalid token: {why}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| invalid("malformed or incomplete (was the link cut off or altered?)"))?;
    let length_ok = match kind.fixed_body_len() {
        Some(body) => bytes.len() == HEADER_LEN + body + MAC_LEN,
        None => bytes.len() > HEADER_LEN + MAC_LEN,
    };
    if !length_ok {
        return Err(invalid(
            "incomplete or altered (wrong length; was the link cut off?)",
        ));
    }
    if bytes[0] != VERSION || bytes[1] != kind.byte() {
        return Err(invalid("not a token of this kind"));
    }
    let (payload, tag) = bytes.split_at(bytes.len() - MAC_LEN);
    let key = keys
        .iter()
        .find(|k| key_id(k) == payload[2..HEADER_LEN])
        .ok_or_else(|| {
            invalid("signed with a key this shop does not have (altered, or the secret changed)")
        })?;
    let mut m = mac(key)?;
    m.update(payload);
    // Constant-time comparison.
    m.verify_slice(tag)
        .map_err(|_| invalid("the signature does not match (the link was altered)"))?;
    Ok(payload[HEADER_LEN..].to_vec())
}

/// A double opt-in token for the `requested` event `request_id`, valid until `expires`.
pub fn consent_confirmation(
    request_id: u64,
    expires: Timestamp,
    secret: &Secret,
) -> Result<String> {
    let mut body = Vec::with_capacity(16);
    body.extend_from_slice(&request_id.to_be_bytes());
    body.extend_from_slice(&expires.unix_seconds().to_be_bytes());
    sign(Kind::ConsentConfirmation, &body, secret)
}

/// The request event id of a valid, unexpired double opt-in token.
pub fn open_consent_confirmation(token: &str, now: Timestamp, keys: &[&Secret]) -> Result<u64> {
    let body = open(token, Kind::ConsentConfirmation, keys)?;
    let (id, expires) = body.split_at(8);
    let id = u64::from_be_bytes(
        id.try_into()
            .map_err(|_| Error::Token("invalid token".into()))?,
    );
    let expires = i64::from_be_bytes(
        expires
            .try_into()
            .map_err(|_| Error::Token("invalid token".into()))?,
    );
    if now.unix_seconds() > expires {
        let when = Timestamp::from_unix_seconds(expires)
            .map_or_else(|| expires.to_string(), |t| t.to_string());
        return Err(Error::Token(format!(
            "token expired at {when}; ask the customer to request a new confirmation mail"
        )));
    }
    Ok(id)
}

/// What an unsubscribe token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub customer_id: u64,
    pub email_type: String,
    pub issued_at: Timestamp,
}

/// A one-click unsubscribe token for a customer and an email type (`*` for all marketing mail).
pub fn unsubscribe(
    customer_id: u64,
    email_type: &str,
    issued_at: Timestamp,
    secret: &Secret,
) -> Result<String> {
    let type_len = u8::try_from(email_type.len())
        .map_err(|_| Error::invalid_input("email type too long for a token"))?;
    let mut body = Vec::with_capacity(17 + email_type.len());
    body.extend_from_slice(&customer_id.to_be_bytes());
    body.extend_from_slice(&issued_at.unix_seconds().to_be_bytes());
    body.push(type_len);
    body.extend_from_slice(email_type.as_bytes());
    sign(Kind::Unsubscribe, &body, secret)
}

/// The content of a valid unsubscribe token signed by one of `keys`.
pub fn open_unsubscribe(token: &str, keys: &[&Secret]) -> Result<Unsubscribe> {
    let body = open(token, Kind::Unsubscribe, keys)?;
    let malformed = || Error::Token("invalid token: malformed content".into());
    if body.len() < 17 {
        return Err(malformed());
    }
    let (customer, rest) = body.split_at(8);
    let (issued, rest) = rest.split_at(8);
    let (len, email_type) = rest.split_at(1);
    if email_type.len() != usize::from(len[0]) {
        return Err(malformed());
    }
    Ok(Unsubscribe {
        customer_id: u64::from_be_bytes(customer.try_into().map_err(|_| malformed())?),
        issued_at: Timestamp::from_unix_seconds(i64::from_be_bytes(
            issued.try_into().map_err(|_| malformed())?,
        ))
        .ok_or_else(malformed)?,
        email_type: String::from_utf8(email_type.to_vec()).map_err(|_| malformed())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Secret;

    fn secret(fill: u8) -> Secret {
        Secret::new(vec![fill; 32])
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-29T12:00:00Z").unwrap()
    }

    fn later(days: i64) -> Timestamp {
        Timestamp::from_unix_seconds(now().unix_seconds() + days * 86_400).unwrap()
    }

    #[test]
    fn round_trips_and_is_url_safe() {
        let key = secret(1);
        let token = consent_confirmation(42, later(7), &key).unwrap();
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{token}"
        );
        assert_eq!(
            open_consent_confirmation(&token, now(), &[&key]).unwrap(),
            42
        );
    }

    fn token_error(token: &str, keys: &[&Secret]) -> String {
        match open_consent_confirmation(token, now(), keys) {
            Err(Error::Token(m)) => m,
            other => panic!("expected a token error, got {other:?}"),
        }
    }

    #[test]
    fn refuses_forged_altered_truncated_expired_and_foreign_tokens() {
        let key = secret(1);
        let token = consent_confirmation(42, later(7), &key).unwrap();
        // Altered: flip one character of the body.
        let mut altered: Vec<char> = token.chars().collect();
        altered[12] = if altered[12] == 'A' { 'B' } else { 'A' };
        let altered: String = altered.into_iter().collect();
        assert!(token_error(&altered, &[&key]).contains("invalid token"));
        // Truncated.
        assert!(token_error(&token[..token.len() - 3], &[&key]).contains("incomplete"));
        assert!(token_error(&token[..token.len() - 4], &[&key]).contains("incomplete"));
        assert!(token_error("", &[&key]).contains("invalid token"));
        assert!(token_error("not a token!", &[&key]).contains("malformed"));
        // Signed with another key.
        let foreign = consent_confirmation(42, later(7), &secret(2)).unwrap();
        assert!(token_error(&foreign, &[&key]).contains("key"));
        // Forged: right key id, MAC from another key.
        let mut forged = URL_SAFE_NO_PAD.decode(&foreign).unwrap();
        forged[2..6].copy_from_slice(&key_id(&key));
        assert!(token_error(&URL_SAFE_NO_PAD.encode(forged), &[&key]).contains("signature"));
        // Expired.
        let old = consent_confirmation(42, later(-1), &key).unwrap();
        assert!(token_error(&old, &[&key]).contains("expired"));
    }

    #[test]
    fn unsubscribe_tokens_round_trip_and_refuse_tampering() {
        let key = secret(3);
        let token = unsubscribe(77, "review.request", now(), &key).unwrap();
        let opened = open_unsubscribe(&token, &[&key]).unwrap();
        assert_eq!(opened.customer_id, 77);
        assert_eq!(opened.email_type, "review.request");
        assert_eq!(opened.issued_at, now());
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[13] ^= 1;
        assert!(open_unsubscribe(&URL_SAFE_NO_PAD.encode(&bytes), &[&key]).is_err());
        assert!(open_unsubscribe(&token[..token.len() - 2], &[&key]).is_err());
        // A consent token is not an unsubscribe token, even when validly signed.
        let consent = consent_confirmation(77, later(1), &key).unwrap();
        assert!(
            open_unsubscribe(&consent, &[&key])
                .unwrap_err()
                .message()
                .contains("kind")
        );
        assert!(open_unsubscribe(&token, &[&secret(4)]).is_err());
    }

    #[test]
    fn any_of_several_keys_verifies() {
        let old = secret(1);
        let new = secret(2);
        let token = consent_confirmation(9, later(1), &old).unwrap();
        assert_eq!(
            open_consent_confirmation(&token, now(), &[&new, &old]).unwrap(),
            9
        );
    }
}
