//! Addresses as the suppression list keeps them: HMAC-SHA256(key, normalised address) with the key's id.
//! The key never leaves the process; only the HMAC does.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::core::config::Secret;
use crate::core::ledger::Hash;
use crate::core::token::key_id;

/// The HMAC of a normalised address under one key, with that key's id.
pub fn address_hmac(secret: &Secret, normal_email: &str) -> Option<(Hash, [u8; 4])> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.bytes()).ok()?;
    mac.update(b"dsgvo.address.v1\0");
    mac.update(normal_email.as_bytes());
    Some((mac.finalize().into_bytes().into(), key_id(secret)))
}

/// The HMACs of a normalised address under every key of the ring (current first).
pub fn address_hmacs(keyring: &[&Secret], normal_email: &str) -> Vec<(Hash, [u8; 4])> {
    keyring
        .iter()
        .filter_map(|k| address_hmac(k, normal_email))
        .collect()
}
