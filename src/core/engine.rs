//! The engine behind `Dsgvo\Store`: one validated configuration and the operations on it, free of any
//! PHP type, so Rust tests drive it directly and the binding layer only converts.
//!
//! Each operation validates all of its input first and only then touches the database, so bad input
//! never leaves a partial write.

use crate::core::config::Config;
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::input::KeyValues;
use crate::core::output::Record;
use crate::core::rules::consent::Action;
use crate::core::rules::{ident, proof};
use crate::core::store::consent::{self, NewEvent, Verification};
use crate::core::store::migrate;
use crate::core::time::Timestamp;
use crate::core::token;
use crate::runtime;

#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
}

impl Engine {
    pub fn new(config: Config) -> Self {
        Engine { config }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn prefix(&self) -> &str {
        &self.config.table_prefix
    }

    /// Creates or upgrades the own tables; returns the schema version.
    pub fn migrate(&self) -> Result<u32> {
        runtime::with_session(&self.config, async |session| {
            migrate::migrate(session, self.prefix()).await
        })
    }

    /// True when the database answers. False when it cannot be reached or does not answer in time;
    /// a server that answers with an error (wrong password, unknown database) is a configuration
    /// problem and raises it.
    pub fn ping(&self) -> Result<bool> {
        let answered = runtime::with_session(&self.config, async |session| session.ping().await);
        match answered {
            Ok(()) => Ok(true),
            Err(Error::Database(e)) if e.code == 0 && e.kind != DatabaseErrorKind::Schema => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    // --- consent ----------------------------------------------------------------------------------

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
        let event = NewEvent {
            customer_id,
            purpose,
            action,
            request_id: None,
            proof: &proof,
            recorded_at: now,
        };
        runtime::with_session(&self.config, async |session| {
            consent::append(session, self.prefix(), &event).await
        })
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

    /// Confirms a double opt-in request by its token; returns the `confirmed` event id.
    pub fn confirm_consent(&self, token: &str, proof: KeyValues) -> Result<u64> {
        let secret = self.config.require_secret()?;
        let now = Timestamp::now();
        let proof = proof::validate(proof, now, self.config.truncate_ip)?;
        let request_id = token::open_consent_confirmation(token, now, &[secret])?;
        runtime::with_session(&self.config, async |session| {
            consent::confirm(session, self.prefix(), request_id, &proof, now).await
        })
    }

    /// Whether consent for the purpose is in force (granted, or confirmed after double opt-in).
    pub fn has_consent(&self, customer_id: i64, purpose: &str) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let purpose = ident::purpose(purpose)?;
        runtime::with_session(&self.config, async |session| {
            consent::has_consent(session, self.prefix(), customer_id, purpose).await
        })
    }

    /// The customer's consent events, oldest first, with their proof.
    pub fn consent_history(&self, customer_id: i64) -> Result<Vec<Record>> {
        let customer_id = ident::customer_id(customer_id)?;
        runtime::with_session(&self.config, async |session| {
            consent::history(session, self.prefix(), customer_id).await
        })
    }

    /// Walks the hash chain.
    pub fn verify_ledger(&self) -> Result<Verification> {
        runtime::with_session(&self.config, async |session| {
            consent::verify(session, self.prefix()).await
        })
    }
}
