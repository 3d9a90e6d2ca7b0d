//! Objection: opt-outs by customer or address, one-click unsubscribe tokens and their headers.

use super::Engine;
use crate::core::error::{Error, Result};
use crate::core::input::KeyValues;
use crate::core::output::Unsubscribed;
use crate::core::rules::decision;
use crate::core::rules::proof::{self, Source};
use crate::core::rules::{email, email_type, ident, notice, unsubscribe};
use crate::core::store::decision::{Ids, Needs};
use crate::core::store::idempotency;
use crate::core::store::objection::{self, Keys, Objection};
use crate::core::time::Timestamp;
use crate::core::token;

impl Engine {
    /// Records an objection of the customer to a type (`*`: all marketing mail): for the customer id,
    /// for the account's current address, and as a withdrawal of the consents it covers; true if new.
    pub fn opt_out(&self, customer_id: i64, email_type: &str, proof: KeyValues) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name_or_all(email_type)?;
        let now = Timestamp::now();
        let proof = objection_proof(proof, now, self.config.truncate_ip, "optOut")?;
        self.record_objection(customer_id, email_type, &proof, now, Some("optOut"))
    }

    /// `call`: the call whose `idempotency_key` the proof may carry (None: it takes none).
    fn record_objection(
        &self,
        customer_id: u64,
        email_type: &str,
        proof: &proof::Proof,
        now: Timestamp,
        call: Option<&'static str>,
    ) -> Result<bool> {
        let keyring = self.config.keyring();
        let keys = Keys {
            keyring: &keyring,
            secret: self.config.secret.as_ref(),
        };
        let objection = Objection {
            email_type,
            proof,
            now,
            key: idempotency_key(proof, call),
        };
        self.session(async |session| {
            objection::opt_out(session, keys, customer_id, objection).await
        })
    }

    /// Records an objection by address: for the shop's accounts with it and for the address itself.
    pub fn opt_out_email(&self, address: &str, email_type: &str, proof: KeyValues) -> Result<bool> {
        let normal = email::validate(address)?;
        let email_type = email_type::name_or_all(email_type)?;
        let now = Timestamp::now();
        let proof = objection_proof(proof, now, self.config.truncate_ip, "optOutEmail")?;
        let secret = self.config.require_secret()?;
        let keyring = self.config.keyring();
        let keys = Keys {
            keyring: &keyring,
            secret: Some(secret),
        };
        let objection = Objection {
            email_type,
            proof: &proof,
            now,
            key: idempotency_key(&proof, Some("optOutEmail")),
        };
        self.session(async |session| {
            objection::opt_out_email(session, keys, secret, &normal, objection).await
        })
    }

    /// Whether an objection (or a suppression) stands against the type for the customer.
    pub fn is_opted_out(&self, customer_id: i64, email_type: &str) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name_or_all(email_type)?;
        let judged = self.judge(
            &[customer_id],
            email_type,
            Some(Needs::OBJECTIONS),
            Ids::Each,
        )?;
        Ok(judged
            .facts
            .iter()
            .any(|(_, facts)| decision::objection(facts).is_some()))
    }

    /// A one-click unsubscribe token for the customer and type.
    pub fn unsubscribe_token(&self, customer_id: i64, email_type: &str) -> Result<String> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name_or_all(email_type)?;
        token::unsubscribe(
            customer_id,
            email_type,
            Timestamp::now(),
            self.config.require_secret()?,
        )
    }

    /// What a valid unsubscribe token says, without recording anything (for a confirmation page).
    pub fn read_unsubscribe_token(&self, token: &str) -> Result<token::Unsubscribe> {
        self.config.require_secret()?;
        let content = token::open_unsubscribe(token, &self.config.token_keys())?;
        email_type::name_or_all(&content.email_type)
            .map_err(|_| Error::Token("invalid token: malformed content".into()))?;
        Ok(content)
    }

    /// Records the objection a token carries.
    pub fn unsubscribe(&self, token: &str, proof: KeyValues) -> Result<Unsubscribed> {
        let now = Timestamp::now();
        let mut proof = objection_proof(proof, now, self.config.truncate_ip, "unsubscribe")?;
        // The token itself makes the link safe to follow twice: the second answers `new` false.
        proof::refuse_idempotency_key(&proof, "unsubscribe")?;
        let content = self.read_unsubscribe_token(token)?;
        let email_type = content.email_type;
        proof.source.get_or_insert(Source::Link);
        let customer_id = content.customer_id;
        let new = self.record_objection(customer_id, &email_type, &proof, now, None)?;
        Ok(Unsubscribed {
            customer_id,
            email_type,
            new,
        })
    }

    /// The RFC 8058 header pair for a mail to the customer.
    pub fn unsubscribe_headers(
        &self,
        customer_id: i64,
        email_type: &str,
        endpoint_url: &str,
        mailto: Option<&str>,
    ) -> Result<Vec<(&'static str, String)>> {
        let endpoint = unsubscribe::endpoint(endpoint_url)?;
        let mailto = mailto.map(unsubscribe::mailto).transpose()?;
        let token = self.unsubscribe_token(customer_id, email_type)?;
        Ok(unsubscribe::headers(&endpoint, mailto.as_deref(), &token))
    }

    /// The objection notice for a mail of `email_type` (`*`: all advertising), in `lang` (de, en), with
    /// the signed one-click link of the same form as `List-Unsubscribe`'s.
    pub fn objection_notice(
        &self,
        customer_id: i64,
        email_type: &str,
        endpoint_url: &str,
        lang: &str,
    ) -> Result<notice::Notice> {
        let lang = notice::Lang::from_code(lang)?;
        let endpoint = unsubscribe::endpoint(endpoint_url)?;
        let token = self.unsubscribe_token(customer_id, email_type)?;
        Ok(notice::notice(
            lang,
            email_type == "*",
            &unsubscribe::url(&endpoint, &token),
        ))
    }
}

/// The proof's idempotency key for `call`.
fn idempotency_key<'a>(
    proof: &'a proof::Proof,
    call: Option<&'static str>,
) -> Option<idempotency::Key<'a>> {
    proof
        .idempotency_key
        .as_deref()
        .zip(call)
        .map(|(key, call)| idempotency::Key { key, call })
}

/// The proof of an objection: validated like a consent's, without `email` (an objection of a customer
/// is for the account's current address; `optOutEmail` takes the address as its argument).
fn objection_proof(
    proof: KeyValues,
    now: Timestamp,
    truncate_ip: bool,
    call: &str,
) -> Result<proof::Proof> {
    let proof = proof::validate(proof, now, truncate_ip)?;
    proof::refuse_email(
        &proof,
        call,
        "an objection is recorded for the account's current address (optOutEmail takes an address)",
    )?;
    Ok(proof)
}
