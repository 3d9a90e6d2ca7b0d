//! Retention: deleting what the retention settings let go.

use super::Engine;
use crate::core::error::Result;
use crate::core::input::KeyValues;
use crate::core::options::Options;
use crate::core::output::TableCounts;
use crate::core::store::retention;
use crate::core::time::Timestamp;

impl Engine {
    /// Deletes (or counts, with `dry_run`) what the retention settings let go; rows per table name.
    /// Options: dry_run, limit (rows at most, for progress in steps).
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
        options.finish()?;
        let now = Timestamp::now();
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
        Ok(TableCounts(
            retention::TABLES
                .iter()
                .zip(counts)
                .map(|(table, n)| (format!("{}{table}", self.config.table_prefix), n))
                .collect(),
        ))
    }
}
