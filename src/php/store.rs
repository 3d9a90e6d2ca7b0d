//! `Dsgvo\Store`: converts PHP arguments, calls the engine, maps its errors. No rules and no SQL here.

use ext_php_rs::prelude::*;

use crate::core::config::Config;
use crate::core::engine::Engine;
use crate::php::ini;
use crate::php::options::Options;

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
    #[php(defaults(options = Options::default()))]
    pub fn __construct(options: Options) -> PhpResult<Self> {
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
}
