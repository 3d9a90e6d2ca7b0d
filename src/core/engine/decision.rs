//! The send decision: email type definitions, `maySend` and `filterSendable`.

use std::collections::HashSet;
use std::time::Duration;

use super::Engine;
use crate::core::error::Result;
use crate::core::input::KeyValues;
use crate::core::rules::decision::Decision;
use crate::core::rules::{email_type, ident};
use crate::core::store::campaign::{self, Audience};
use crate::core::store::decision::{self as decision_store, Ids, Judged, Needs};
use crate::core::store::email_types::{self, DefinedType};
use crate::core::time::Timestamp;

/// Statement limit of a campaign over every customer (as `applyTagRules` and other whole-shop runs).
const CAMPAIGN_LIMIT: Duration = Duration::from_secs(600);

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
        let judged = self.judge(&[customer_id], email_type, None, Ids::InShop)?;
        let facts = judged
            .facts
            .first()
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        Ok(judged.decide(&facts))
    }

    /// The ids among `ids` that may receive the type now, in input order, each once; with None,
    /// every customer of the shop that may (in the order of their ids). Everyone is read by table scans
    /// and judged here (store/campaign/everyone.rs); a list by one set statement per chunk of ids
    /// (store/campaign/mod.rs).
    pub fn filter_sendable(&self, ids: Option<Vec<i64>>, email_type: &str) -> Result<Vec<i64>> {
        let email_type = email_type::name(email_type)?;
        let unique = match ids {
            Some(ids) => {
                let mut seen = HashSet::with_capacity(ids.len());
                let mut unique: Vec<u64> = Vec::with_capacity(ids.len());
                for id in ids {
                    let id = ident::customer_id(id)?;
                    if seen.insert(id) {
                        unique.push(id);
                    }
                }
                Some(unique)
            }
            None => None,
        };
        let audience = match &unique {
            Some(ids) => Audience::Ids(ids),
            None => Audience::Everyone,
        };
        let keyring = self.config.keyring();
        let defaults = self.config.type_defaults();
        let allowed = self.session(async |session| match audience {
            // A campaign over everyone may take a while on a large shop: the long limit, as other
            // whole-shop runs have.
            Audience::Everyone => {
                session
                    .with_statement_limit(CAMPAIGN_LIMIT, async |session| {
                        campaign::sendable(session, &keyring, email_type, &defaults, audience).await
                    })
                    .await
            }
            Audience::Ids(_) => {
                campaign::sendable(session, &keyring, email_type, &defaults, audience).await
            }
        })?;
        let as_php = |id: u64| i64::try_from(id).unwrap_or(i64::MAX);
        Ok(match unique {
            Some(ids) => ids
                .into_iter()
                .filter(|id| allowed.contains(id))
                .map(as_php)
                .collect(),
            None => {
                let mut ids: Vec<u64> = allowed.into_iter().collect();
                ids.sort_unstable();
                ids.into_iter().map(as_php).collect()
            }
        })
    }
}
