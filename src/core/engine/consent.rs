//! Consent: direct grants, double opt-in, revocation, and the ledger's own checks.

use super::Engine;
use crate::core::error::{Error, Result};
use crate::core::input::KeyValues;
use crate::core::rules::consent::Action;
use crate::core::rules::{ident, proof};
use crate::core::store::consent::{self, HistoryEvent, NewEvent};
use crate::core::store::import;
use crate::core::store::verification::{self, Verification};
use crate::core::time::Timestamp;
use crate::core::token;

impl Engine {
    fn append(
        &self,
        customer_id: i64,
        purpose: &str,
        action: Action,
        proof: KeyValues,
    ) -> Result<u64> {
        let customer_id = ident::customer_id(customer_id)?;
        let purpose = ident::purpose(purpose)?;
        let now = Timestamp::now();
        let proof = proof::validate(proof, now, self.config.truncate_ip)?;
        if proof.confirmed_at.is_some() && action != Action::Granted {
            return Err(Error::invalid_input(
                "proof 'confirmed_at' is accepted only by grantConsent (an imported consent that was confirmed by double opt-in)",
            ));
        }
        // Proof key `email` names the address the consent was given for; without it the store records
        // the account's current address.
        let event = NewEvent {
            customer_id,
            purpose,
            action,
            request_id: None,
            email: proof.email.as_deref(),
            proof: &proof,
            recorded_at: now,
        };
        if proof.confirmed_at.is_some() {
            return self.session(async |session| import::append_confirmed(session, &event).await);
        }
        self.session(async |session| consent::append(session, &event).await)
    }

    /// Records a consent given directly; returns the event id.
    pub fn grant_consent(&self, customer_id: i64, purpose: &str, proof: KeyValues) -> Result<u64> {
        self.append(customer_id, purpose, Action::Granted, proof)
    }

    /// Records a withdrawal; returns the event id.
    pub fn revoke_consent(&self, customer_id: i64, purpose: &str, proof: KeyValues) -> Result<u64> {
        self.append(customer_id, purpose, Action::Revoked, proof)
    }

    /// Starts double opt-in: records the request and returns the signed confirmation token.
    pub fn request_consent(
        &self,
        customer_id: i64,
        purpose: &str,
        proof: KeyValues,
    ) -> Result<String> {
        // Checked before anything is written: without a secret no token can be made.
        let secret = self.config.require_secret()?;
        let now = Timestamp::now();
        let id = self.append(customer_id, purpose, Action::Requested, proof)?;
        let ttl = i64::from(self.config.consent_token_ttl_days) * 86_400;
        let expires = Timestamp::from_unix_seconds(now.unix_seconds() + ttl).unwrap_or(now);
        token::consent_confirmation(id, expires, secret)
    }

    /// Confirms a double opt-in request by its token, for the address the request was mailed to;
    /// returns the `confirmed` event id. A stale request (withdrawn or objected to since) is refused.
    pub fn confirm_consent(&self, token: &str, proof: KeyValues) -> Result<u64> {
        let secret = self.config.require_secret()?;
        let now = Timestamp::now();
        let proof = proof::validate(proof, now, self.config.truncate_ip)?;
        // A token confirms once: a second confirmation is refused with a TokenException already.
        proof::refuse_idempotency_key(&proof, "confirmConsent")?;
        proof::refuse_email(
            &proof,
            "confirmConsent",
            "a confirmation is for the address its request was mailed to",
        )?;
        // Tokens open with the strong keys only; the address lookups use every key.
        let request_id = token::open_consent_confirmation(token, now, &self.config.token_keys())?;
        let keyring = self.config.keyring();
        self.session(async |session| {
            consent::confirm(session, secret, &keyring, request_id, &proof, now).await
        })
    }

    /// Whether consent for the purpose is in force (granted, or confirmed after double opt-in).
    pub fn has_consent(&self, customer_id: i64, purpose: &str) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let purpose = ident::purpose(purpose)?;
        self.session(async |session| consent::has_consent(session, customer_id, purpose).await)
    }

    /// The customer's consent events, oldest first, with their proof.
    pub fn consent_history(&self, customer_id: i64) -> Result<Vec<HistoryEvent>> {
        let customer_id = ident::customer_id(customer_id)?;
        self.session(async |session| consent::history(session, customer_id).await)
    }

    /// Walks the hash chain.
    pub fn verify_ledger(&self) -> Result<Verification> {
        self.session(async |session| verification::verify(session).await)
    }
}
