//! Retention: deleting what the retention settings let go.

use super::Engine;
use crate::core::error::{Error, Result};
use crate::core::input::KeyValues;
use crate::core::options::Options;
use crate::core::output::TableCounts;
use crate::core::shop::Shop;
use crate::core::store::retained;
use crate::core::store::retention;
use crate::core::store::walk::Scope;
use crate::core::time::Timestamp;

impl Engine {
    /// Deletes (or counts, with `dry_run`) what the retention settings let go; rows per table name.
    /// Options: dry_run, limit (rows at most, for progress in steps), erasures (also finish the
    /// pending erasures: retained shop rows of erased customers whose legal period has ended).
    pub fn purge_expired(
        &self,
        options: KeyValues,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<TableCounts> {
        let mut options = Options::new("purgeExpired", options);
        let scope = retention::Scope {
            dry_run: options.flag("dry_run")?,
            limit: options.int("limit", 1, i64::MAX)?.map(i64::unsigned_abs),
        };
        let erasures = options.flag("erasures")?;
        options.finish()?;
        let now = Timestamp::now();
        let mut finished = None;
        if erasures {
            if self.config.shop == Shop::None {
                return Err(Error::config(
                    "purgeExpired with erasures needs a shop preset: set dsgvo.shop (oscommerce, zencart, modified, gambio)",
                ));
            }
            let keyring = self.config.keyring();
            finished = Some(self.session(async |session| {
                let ctx = Scope {
                    tables: session.tables(),
                    keyring: &keyring,
                };
                retained::finish_pending(
                    session,
                    &ctx,
                    &self.config.erase_strategies,
                    &self.config.retention_years,
                    scope.dry_run,
                    now,
                )
                .await
            })?);
        }
        let counts = self.session(async |session| {
            retention::purge(
                session,
                self.config.retention,
                self.config.consent_token_ttl_days,
                now,
                scope,
                progress,
            )
            .await
        })?;
        let mut counts: Vec<(String, u64)> = retention::TABLES
            .iter()
            .zip(counts)
            .map(|(table, n)| (format!("{}{table}", self.config.table_prefix), n))
            .collect();
        if let Some(finished) = finished {
            // The shop's tables by their names, then how many erased customers are done and wait.
            counts.extend(finished.removed);
            counts.push(("erasures_completed".into(), finished.completed));
            counts.push(("erasures_pending".into(), finished.pending));
            counts.push(("erasures_skipped".into(), finished.skipped));
        }
        Ok(TableCounts(counts))
    }
}
