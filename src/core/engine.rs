//! The engine behind `Dsgvo\Store`: one validated configuration and the operations on it, free of any
//! PHP type, so Rust tests drive it directly and the binding layer only converts.

use crate::core::config::Config;
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::store::migrate;
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

    /// Creates or upgrades the own tables; returns the schema version.
    pub fn migrate(&self) -> Result<u32> {
        let prefix = &self.config.table_prefix;
        runtime::with_session(&self.config, async |session| {
            migrate::migrate(session, prefix).await
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

    /// The schema version the database is at (0 before the first `migrate()`).
    pub fn schema_version(&self) -> Result<u32> {
        let prefix = &self.config.table_prefix;
        runtime::with_session(&self.config, async |session| {
            migrate::current_version(session, prefix).await
        })
    }
}
