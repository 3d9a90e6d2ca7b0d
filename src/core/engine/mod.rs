//! The engine behind `Dsgvo\Store`: one validated configuration and the operations on it, free of any
//! PHP type, so Rust tests drive it directly and the binding layer only converts.
//!
//! `Engine` is one type whose `impl` is split by capability, one file each (the way sqlx splits its
//! connection type across `executor/*.rs`): `consent`, `objection`, `decision`, `records`,
//! `retention`, `export`, `erase`, `requests`, `recommend`, `customers`. Each operation validates all
//! of its input first and only then touches the database, so bad input never leaves a partial write.

mod consent;
mod customers;
mod decision;
mod erase;
mod export;
mod objection;
mod opt_out_import;
mod recommend;
mod records;
mod requests;
mod restriction;
mod retention;
mod tagging;

use crate::core::config::{Config, Shop};
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::store::db::{Session, migrate};
use crate::runtime;

pub use export::ExportManifest;

#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
}

impl Engine {
    pub fn new(config: Config) -> Self {
        Engine { config }
    }

    /// Runs `work` on this process's held connection for this configuration.
    fn session<T>(&self, work: impl AsyncFnOnce(&mut Session<'_>) -> Result<T>) -> Result<T> {
        runtime::with_session(&self.config, work)
    }

    /// Refuses a call that reads the shop's tables when no shop preset is set.
    fn require_shop(&self, call: &str) -> Result<()> {
        if self.config.shop == Shop::None {
            return Err(Error::config(format!(
                "{call} reads the shop's tables: set dsgvo.shop (oscommerce, zencart, modified, gambio)"
            )));
        }
        Ok(())
    }

    /// Creates or upgrades the own tables; returns the schema version.
    pub fn migrate(&self) -> Result<u32> {
        self.session(async |session| migrate::migrate(session).await)
    }

    /// True when the database answers. False when it cannot be reached or does not answer in time;
    /// a server that answers with an error (wrong password, unknown database) is a configuration
    /// problem and raises it.
    pub fn ping(&self) -> Result<bool> {
        match self.session(async |session| session.ping().await) {
            Ok(()) => Ok(true),
            Err(Error::Database(e)) if e.code == 0 && e.kind != DatabaseErrorKind::Schema => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}
