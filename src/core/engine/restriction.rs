//! Restriction of processing (Art. 18 GDPR): restrict, unrestrict, and whether a customer is restricted.

use super::Engine;
use crate::core::error::Result;
use crate::core::input::KeyValues;
use crate::core::rules::restriction::{self, Action};
use crate::core::rules::{ident, proof};
use crate::core::store::restriction::{self as store, Event};
use crate::core::time::Timestamp;

impl Engine {
    /// Restricts processing of the customer's data; returns the id of the restriction event recorded,
    /// or of the one already in force (then nothing is written).
    pub fn restrict(&self, customer_id: i64, proof: KeyValues) -> Result<u64> {
        self.record_restriction(customer_id, proof, Action::Restrict, "restrict")
    }

    /// Lifts the customer's restriction; returns the id of the event recorded. InvalidInput when the
    /// customer is not restricted.
    pub fn unrestrict(&self, customer_id: i64, proof: KeyValues) -> Result<u64> {
        self.record_restriction(customer_id, proof, Action::Unrestrict, "unrestrict")
    }

    fn record_restriction(
        &self,
        customer_id: i64,
        proof: KeyValues,
        action: Action,
        call: &str,
    ) -> Result<u64> {
        let customer_id = ident::customer_id(customer_id)?;
        let now = Timestamp::now();
        let proof =
            restriction::proof(proof::validate(proof, now, self.config.truncate_ip)?, call)?;
        self.session(async |session| store::record(session, customer_id, action, &proof, now).await)
    }

    /// Whether processing of the customer's data is restricted now.
    pub fn is_restricted(&self, customer_id: i64) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        self.session(async |session| store::is_restricted(session, customer_id).await)
    }

    /// The customer's restriction events, oldest first.
    pub fn restrictions(&self, customer_id: i64) -> Result<Vec<Event>> {
        let customer_id = ident::customer_id(customer_id)?;
        self.session(async |session| store::history(session, customer_id).await)
    }
}
