//! `Dsgvo\Store`: converts PHP arguments, calls the engine, maps its errors. No rules and no SQL here.

// Parameter names are PHP API (named arguments: `grantConsent(customerId: 5, ...)`), and ext-php-rs
// takes them from the Rust identifiers, so they are camelCase here.
#![allow(non_snake_case)]

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::core::config::Config;
use crate::core::engine::Engine;
use crate::php::array_arg::ArrayArg;
use crate::php::{convert, ini};

/// A shop's connection to its consent, objection and data-subject records.
#[php_class]
#[php(name = "Dsgvo\\Store")]
// Final and closed: its state lives in Rust, and a typo in a property name should fail loudly.
#[php(flags = ext_php_rs::flags::ClassFlags::Final.union(ext_php_rs::flags::ClassFlags::NoDynamicProperties))]
pub struct Store {
    engine: Engine,
}

#[php_impl]
impl Store {
    /// Options override the php.ini `dsgvo.*` settings of the same name. Validates everything and
    /// connects to nothing: the first call that needs the database connects.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn __construct(options: ArrayArg) -> PhpResult<Self> {
        let config = Config::resolve(|setting| ini::value(setting, false), options.0)?;
        Ok(Store {
            engine: Engine::new(config),
        })
    }

    /// Creates or upgrades the extension's own tables; idempotent. Returns the schema version.
    pub fn migrate(&self) -> PhpResult<i64> {
        Ok(i64::from(self.engine.migrate()?))
    }

    /// True when the database answers, false when it cannot be reached in time.
    pub fn ping(&self) -> PhpResult<bool> {
        Ok(self.engine.ping()?)
    }

    /// Records a consent given directly; returns the event id.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn grant_consent(&self, customerId: i64, purpose: &str, proof: ArrayArg) -> PhpResult<i64> {
        Ok(id(self
            .engine
            .grant_consent(customerId, purpose, proof.0)?))
    }

    /// Starts double opt-in; returns the token for the confirmation link.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn request_consent(
        &self,
        customerId: i64,
        purpose: &str,
        proof: ArrayArg,
    ) -> PhpResult<String> {
        Ok(self.engine.request_consent(customerId, purpose, proof.0)?)
    }

    /// Confirms a double opt-in request by its token; returns the event id.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn confirm_consent(&self, token: &str, proof: ArrayArg) -> PhpResult<i64> {
        Ok(id(self.engine.confirm_consent(token, proof.0)?))
    }

    /// Records a withdrawal of consent; returns the event id.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn revoke_consent(
        &self,
        customerId: i64,
        purpose: &str,
        proof: ArrayArg,
    ) -> PhpResult<i64> {
        Ok(id(self
            .engine
            .revoke_consent(customerId, purpose, proof.0)?))
    }

    /// Whether consent for the purpose is in force.
    pub fn has_consent(&self, customerId: i64, purpose: &str) -> PhpResult<bool> {
        Ok(self.engine.has_consent(customerId, purpose)?)
    }

    /// The customer's consent events, oldest first, with proof and consent text.
    pub fn consent_history(&self, customerId: i64) -> PhpResult<ZBox<ZendHashTable>> {
        convert::records(self.engine.consent_history(customerId)?)
    }

    /// Walks the consent ledger's hash chain: `['ok' => bool, 'events' => int, 'first_bad_id' => ?int]`.
    pub fn verify_ledger(&self) -> PhpResult<ZBox<ZendHashTable>> {
        let v = self.engine.verify_ledger()?;
        convert::record(vec![
            ("ok", v.ok.into()),
            ("events", v.events.into()),
            ("first_bad_id", v.first_bad_id.into()),
        ])
    }
}

/// Event ids are AUTO_INCREMENT values, far below i64::MAX.
fn id(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
