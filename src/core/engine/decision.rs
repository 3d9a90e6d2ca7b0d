//! The send decision: email type definitions, `maySend` and `filterSendable`.

use super::Engine;
use crate::core::error::Result;
use crate::core::input::KeyValues;
use crate::core::rules::decision::Decision;
use crate::core::rules::{email_type, ident};
use crate::core::store::decision::{self as decision_store, Ids, Judged, Needs};
use crate::core::store::email_types::{self, DefinedType};
use crate::core::time::Timestamp;

/// Ids per statement of `filterSendable`: large enough to amortise the round trip, small enough to
/// keep one statement well under the query timeout.
const FILTER_CHUNK: usize = 1000;

impl Engine {
    /// Creates or replaces an email type definition.
    pub fn define_email_type(
        &self,
        type_name: &str,
        basis: &str,
        options: KeyValues,
    ) -> Result<()> {
        let definition = email_type::define(type_name, basis, options)?;
        let now = Timestamp::now();
        self.session(async |session| email_types::define(session, &definition, now).await)
    }

    /// Every defined email type with its basis and options, by name.
    pub fn email_types(&self) -> Result<Vec<DefinedType>> {
        self.session(async |session| email_types::list(session).await)
    }

    /// Reads what deciding `email_type` for `ids` needs, in one statement.
    pub(super) fn judge(
        &self,
        ids: &[u64],
        email_type: &str,
        needs: Option<Needs>,
        ids_from: Ids,
    ) -> Result<Judged> {
        let keyring = self.config.keyring();
        self.session(async |session| {
            decision_store::judge(
                session,
                &keyring,
                ids,
                email_type,
                &self.config.type_defaults(),
                needs,
                ids_from,
            )
            .await
        })
    }

    /// May this type of mail go to this customer now, and why. One database round trip.
    pub fn may_send(&self, customer_id: i64, email_type: &str) -> Result<Decision> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name(email_type)?;
        let judged = self.judge(&[customer_id], email_type, None, Ids::Each)?;
        let facts = judged
            .facts
            .first()
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        Ok(judged.decide(&facts))
    }

    /// The ids among `ids` that may receive the type now, in input order, each once. One statement
    /// per chunk of ids.
    pub fn filter_sendable(&self, ids: Vec<i64>, email_type: &str) -> Result<Vec<i64>> {
        let email_type = email_type::name(email_type)?;
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        let mut unique: Vec<u64> = Vec::with_capacity(ids.len());
        for id in ids {
            let id = ident::customer_id(id)?;
            if seen.insert(id) {
                unique.push(id);
            }
        }
        let mut allowed = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(FILTER_CHUNK) {
            let judged = self.judge(chunk, email_type, None, Ids::InShop)?;
            allowed.extend(
                judged
                    .facts
                    .iter()
                    .filter(|(_, facts)| judged.decide(facts).allowed)
                    .map(|(id, _)| i64::try_from(*id).unwrap_or(i64::MAX)),
            );
        }
        Ok(allowed)
    }
}
