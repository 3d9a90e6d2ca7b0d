//! The validated configuration ([`Config`]) built from the `dsgvo.*` settings; parsers live in submodules.

mod dsn;
mod erase_strategies;
mod export_information;
mod retention_years;
mod secret;
mod settings;

use std::time::Duration;

use crate::core::datamap::Erase;
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues, printable};
use erase_strategies::erase_strategies;
pub use export_information::ExportInformation;
use export_information::export_information;
use retention_years::retention_years;
use secret::{previous_secrets, secret};
use settings::{Raw, Source, describe, index};

// The paths `crate::core::config::{...}` predate the split; other modules keep using them.
pub use crate::core::shop::Shop;
pub use dsn::DbTarget;
pub use secret::{MIN_SECRET_LEN, Secret};
pub use settings::{SETTINGS, Setting, display_value, ini_name};

pub const MAX_PREFIX_LEN: usize = 32;
const QUERY_TIMEOUT_MS: (i64, i64) = (1, 600_000);
const CONNECT_TIMEOUT_MS: (i64, i64) = (1, 60_000);
const CONSENT_TOKEN_TTL_DAYS: (i64, i64) = (1, 365);
pub const MAX_AGE_DAYS: (i64, i64) = (1, 3650);
const RETENTION_DAYS: (i64, i64) = (0, 36_500);
/// k = 1 would publish what single customers bought.
const MIN_CUSTOMERS: (i64, i64) = (2, 1_000_000);

/// Validated settings of one `Dsgvo\Store`.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DbTarget,
    pub table_prefix: String,
    pub shop: Shop,
    pub shop_table_prefix: String,
    pub secret: Option<Secret>,
    pub query_timeout: Duration,
    pub connect_timeout: Duration,
    pub consent_token_ttl_days: u32,
    pub truncate_ip: bool,
    pub existing_customer_max_age_days: u32,
    /// Former secrets, newest first: they still verify tokens and find suppressed addresses.
    pub previous_secrets: Vec<Secret>,
    /// Former keys too weak to verify tokens, kept to find what was suppressed under them.
    pub weak_previous_secrets: Vec<Secret>,
    pub retention: Retention,
    /// Shop tables (unprefixed) whose erasure strategy the shop chose instead of the data map's.
    pub erase_strategies: Vec<(String, Erase)>,
    pub recommend_min_customers: u32,
    /// Shop order status ids that are no sale; None: the statuses named like a cancellation.
    pub excluded_order_statuses: Option<Vec<u64>>,
    /// Sessions make every read wait for the writes the cluster acknowledged before it
    /// (`wsrep_sync_wait` on Galera, `group_replication_consistency` on MySQL), where the server has it.
    pub read_your_writes: bool,
    /// The shop's texts for the Art. 15(1) part of the export.
    pub export_information: ExportInformation,
    /// Shop tables (unprefixed) whose legal retention period, in years, the shop chose instead of the
    /// data map's.
    pub retention_years: Vec<(String, u32)>,
}

/// How long records are kept, in days; 0 keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub send_log_days: u32,
    pub archive_days: u32,
    pub pending_consent_days: u32,
    /// Idempotency keys: a retry needs its key only for a while.
    pub idempotency_days: u32,
}

impl Config {
    /// Builds the configuration: each constructor option overrides the php.ini value of the same name.
    /// `ini` returns the current php.ini value of a directive. Nothing connects here.
    pub fn resolve(ini: impl Fn(&Setting) -> Option<String>, options: KeyValues) -> Result<Config> {
        let mut given: Vec<Option<InputValue>> = vec![None; SETTINGS.len()];
        for (key, value) in options {
            let Some(index) = SETTINGS.iter().position(|s| s.name == key) else {
                let known: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
                return Err(Error::config(format!(
                    "unknown option '{}'; known options: {}",
                    printable(&key, 64),
                    known.join(", ")
                )));
            };
            given[index] = Some(value);
        }
        let raw = |index: usize| -> Raw<'static> {
            let setting = &SETTINGS[index];
            match &given[index] {
                Some(value) => Raw {
                    setting,
                    source: Source::Option,
                    value: value.clone(),
                },
                None => Raw {
                    setting,
                    source: Source::Ini,
                    value: InputValue::Str(
                        ini(setting)
                            .unwrap_or_else(|| setting.default.to_string_lossy().into_owned()),
                    ),
                },
            }
        };

        let table_prefix = prefix(&raw(index::TABLE_PREFIX), 1)?;
        let shop = shop(&raw(index::SHOP))?;
        let shop_table_prefix = prefix(&raw(index::SHOP_TABLE_PREFIX), 0)?;
        let secret = secret(&raw(index::SECRET))?;
        let query_timeout_ms =
            raw(index::QUERY_TIMEOUT_MS).int_in(QUERY_TIMEOUT_MS, "milliseconds")?;
        let connect_timeout_ms =
            raw(index::CONNECT_TIMEOUT_MS).int_in(CONNECT_TIMEOUT_MS, "milliseconds")?;
        let consent_token_ttl_days =
            raw(index::CONSENT_TOKEN_TTL_DAYS).int_in(CONSENT_TOKEN_TTL_DAYS, "days")?;
        let truncate_ip = raw(index::TRUNCATE_IP).flag()?;
        let read_your_writes = raw(index::READ_YOUR_WRITES).flag()?;
        let existing_customer_max_age_days =
            raw(index::EXISTING_CUSTOMER_MAX_AGE_DAYS).int_in(MAX_AGE_DAYS, "days")?;
        let (previous_secrets, weak_previous_secrets) =
            previous_secrets(&raw(index::PREVIOUS_SECRETS))?;
        let days = |i: usize| -> Result<u32> {
            Ok(u32::try_from(raw(i).int_in(RETENTION_DAYS, "days, 0 keeps")?).unwrap_or(0))
        };
        let retention = Retention {
            send_log_days: days(index::RETENTION_SEND_LOG_DAYS)?,
            archive_days: days(index::RETENTION_ARCHIVE_DAYS)?,
            pending_consent_days: days(index::RETENTION_PENDING_CONSENT_DAYS)?,
            idempotency_days: days(index::RETENTION_IDEMPOTENCY_DAYS)?,
        };
        let erase_strategies = erase_strategies(&raw(index::ERASE_STRATEGIES), shop)?;
        let recommend_min_customers =
            raw(index::RECOMMEND_MIN_CUSTOMERS).int_in(MIN_CUSTOMERS, "customers")?;
        let excluded_order_statuses =
            excluded_order_statuses(&raw(index::EXCLUDED_ORDER_STATUSES))?;
        let export_information = export_information(&raw(index::EXPORT_INFORMATION))?;
        let retention_years = retention_years(&raw(index::RETENTION_YEARS), shop)?;
        let dsn = raw(index::DSN);
        let database = dsn::dsn(dsn.string()?, &dsn.origin())?;

        Ok(Config {
            database,
            table_prefix,
            shop,
            shop_table_prefix,
            secret,
            query_timeout: Duration::from_millis(query_timeout_ms.unsigned_abs()),
            connect_timeout: Duration::from_millis(connect_timeout_ms.unsigned_abs()),
            consent_token_ttl_days: u32::try_from(consent_token_ttl_days).unwrap_or(7),
            truncate_ip,
            existing_customer_max_age_days: u32::try_from(existing_customer_max_age_days)
                .unwrap_or(730),
            previous_secrets,
            weak_previous_secrets,
            retention,
            erase_strategies,
            recommend_min_customers: u32::try_from(recommend_min_customers).unwrap_or(5),
            excluded_order_statuses,
            read_your_writes,
            export_information,
            retention_years,
        })
    }

    /// What the settings add to the stored rules of an email type.
    pub(crate) fn type_defaults(&self) -> crate::core::store::cache::Defaults<'_> {
        crate::core::store::cache::Defaults {
            max_age_days: self.existing_customer_max_age_days,
            excluded_order_statuses: self.excluded_order_statuses.as_deref(),
        }
    }

    /// The current secret first, then the previous ones: every key a suppression entry may have been
    /// made with.
    pub fn keyring(&self) -> Vec<&Secret> {
        self.secret
            .iter()
            .chain(self.previous_secrets.iter())
            .chain(self.weak_previous_secrets.iter())
            .collect()
    }

    /// The keys a token is verified with: the current secret and the strong previous ones.
    pub fn token_keys(&self) -> Vec<&Secret> {
        self.secret
            .iter()
            .chain(self.previous_secrets.iter())
            .collect()
    }

    /// The HMAC key, for the calls that sign or hash.
    pub fn require_secret(&self) -> Result<&Secret> {
        self.secret.as_ref().ok_or_else(|| {
            Error::config(
                "no secret configured: set php.ini dsgvo.secret or the option 'secret' (at least 32 random bytes as 64 hex characters or base64, e.g. php -r 'echo bin2hex(random_bytes(32));')",
            )
        })
    }
}

/// Table prefixes are interpolated into SQL as identifiers, so only `[A-Za-z0-9_]` is accepted.
fn prefix(raw: &Raw, min_len: usize) -> Result<String> {
    let value = raw.string()?;
    let ok = (min_len..=MAX_PREFIX_LEN).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Error::config(format!(
            "{} must be {min_len} to {MAX_PREFIX_LEN} characters of A-Z, a-z, 0-9 and _, got {}",
            raw.origin(),
            describe(&raw.value)
        )))
    }
}

fn shop(raw: &Raw) -> Result<Shop> {
    let value = raw.string()?;
    Shop::ALL
        .into_iter()
        .find(|s| s.name() == value)
        .ok_or_else(|| {
            let names: Vec<&str> = Shop::ALL.iter().map(|s| s.name()).collect();
            Error::config(format!(
                "{} must be one of {}, got {}",
                raw.origin(),
                names.join(", "),
                describe(&raw.value)
            ))
        })
}

/// Order status ids that are no sale: a list (array, or comma-separated text; `none` or `[]`: none);
/// empty text or null: None (the statuses named like a cancellation).
fn excluded_order_statuses(raw: &Raw) -> Result<Option<Vec<u64>>> {
    match &raw.value {
        InputValue::Null => Ok(None),
        InputValue::Str(s) if s.trim().is_empty() => Ok(None),
        value => crate::core::rules::sales::ids("excluded_order_statuses", value)
            .map(Some)
            .map_err(|e| Error::config(format!("{}: {}", raw.origin(), e.message()))),
    }
}

/// Shared by the tests of this module and its submodules: most settings are checked through `resolve`.
#[cfg(test)]
mod testing {
    use super::*;

    pub fn opts(pairs: &[(&str, InputValue)]) -> Vec<(String, InputValue)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    pub fn s(v: &str) -> InputValue {
        InputValue::Str(v.into())
    }

    pub fn resolve(pairs: &[(&str, InputValue)]) -> Result<Config> {
        let mut all = vec![("dsn", s("mysql://root@127.0.0.1:3306/test"))];
        all.extend(pairs.iter().cloned());
        Config::resolve(|_| None, opts(&all))
    }

    pub fn config_error(pairs: &[(&str, InputValue)]) -> String {
        match resolve(pairs) {
            Err(Error::Config(m)) => m,
            other => panic!("expected a config error, got {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{config_error, opts, resolve, s};
    use super::*;

    #[test]
    fn excluded_order_statuses_are_a_list_none_or_the_names() {
        assert_eq!(resolve(&[]).unwrap().excluded_order_statuses, None);
        let list = |v: InputValue| {
            resolve(&[("excluded_order_statuses", v)])
                .unwrap()
                .excluded_order_statuses
        };
        assert_eq!(list(s("6, 99")), Some(vec![6, 99]));
        assert_eq!(list(s("none")), Some(vec![]));
        assert_eq!(list(InputValue::Array(vec![])), Some(vec![]));
        assert_eq!(list(s(" ")), None);
        assert!(
            config_error(&[("excluded_order_statuses", s("storniert"))])
                .contains("option 'excluded_order_statuses'")
        );
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = resolve(&[]).unwrap();
        assert_eq!(config.table_prefix, "dsgvo_");
        assert_eq!(config.shop, Shop::None);
        assert_eq!(config.shop_table_prefix, "");
        assert!(config.secret.is_none());
        assert_eq!(config.query_timeout, Duration::from_millis(5000));
        assert_eq!(config.connect_timeout, Duration::from_millis(2000));
        assert_eq!(config.consent_token_ttl_days, 7);
        assert!(!config.truncate_ip);
        assert_eq!(config.existing_customer_max_age_days, 730);
        assert!(config.previous_secrets.is_empty());
        // Everything is kept by default except idempotency keys, which serve a retry for 30 days.
        assert_eq!(
            config.retention,
            Retention {
                idempotency_days: 30,
                ..Retention::default()
            }
        );
    }

    #[test]
    fn options_override_ini_values() {
        let ini = |s: &Setting| (s.name == "table_prefix").then(|| "from_ini_".to_string());
        let from_ini = Config::resolve(ini, opts(&[("dsn", s("mysql://u@h/db"))])).unwrap();
        assert_eq!(from_ini.table_prefix, "from_ini_");
        let overridden = Config::resolve(
            ini,
            opts(&[("dsn", s("mysql://u@h/db")), ("table_prefix", s("opt_"))]),
        )
        .unwrap();
        assert_eq!(overridden.table_prefix, "opt_");
    }

    #[test]
    fn bad_prefixes_are_refused_naming_the_option() {
        for bad in ["x; DROP TABLE y", "a`b", "", &"p".repeat(33), "ä_"] {
            let message = config_error(&[("table_prefix", s(bad))]);
            assert!(message.contains("option 'table_prefix'"), "{message}");
        }
        assert!(config_error(&[("shop_table_prefix", s("zen-"))]).contains("'shop_table_prefix'"));
        assert_eq!(
            resolve(&[("shop_table_prefix", s(""))])
                .unwrap()
                .shop_table_prefix,
            ""
        );
    }

    #[test]
    fn unknown_keys_shops_and_types_are_refused() {
        assert!(config_error(&[("dns", s("x"))]).contains("unknown option 'dns'"));
        assert!(config_error(&[("shop", s("magento"))]).contains("option 'shop'"));
        assert!(config_error(&[("query_timeout_ms", s("fast"))]).contains("'query_timeout_ms'"));
        assert!(config_error(&[("query_timeout_ms", InputValue::Int(0))]).contains("from 1"));
        assert!(
            config_error(&[("connect_timeout_ms", InputValue::Other("array"))])
                .contains("got array")
        );
        assert!(config_error(&[("table_prefix", InputValue::Int(3))]).contains("must be a string"));
        assert_eq!(
            resolve(&[("query_timeout_ms", s("250"))])
                .unwrap()
                .query_timeout,
            Duration::from_millis(250)
        );
    }
}
