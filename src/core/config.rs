//! Settings: the table of every `dsgvo.*` php.ini directive, and their validation into a [`Config`].
//!
//! One table drives the php.ini registration, the constructor options (same name without the prefix),
//! `php --ri dsgvo` and the error messages, so a setting is added in exactly one place.

use std::ffi::CStr;
use std::fmt;
use std::time::Duration;

use crate::core::datamap::{self, Entry, Erase, Owner};
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues, printable};
use crate::core::store::target::DbTarget;

/// One `dsgvo.*` setting.
pub struct Setting {
    /// Constructor option name.
    pub name: &'static str,
    /// php.ini directive (`dsgvo.` + name).
    pub ini: &'static CStr,
    /// php.ini default.
    pub default: &'static CStr,
    /// One line for `php --ri dsgvo` and the README.
    pub help: &'static str,
}

pub const SETTINGS: [Setting; 16] = [
    Setting {
        name: "dsn",
        ini: c"dsgvo.dsn",
        default: c"",
        help: "mysql://user:password@host:port/database of the shop's database",
    },
    Setting {
        name: "table_prefix",
        ini: c"dsgvo.table_prefix",
        default: c"dsgvo_",
        help: "prefix of the extension's own tables",
    },
    Setting {
        name: "shop",
        ini: c"dsgvo.shop",
        default: c"none",
        help: "shop preset: oscommerce, zencart, modified, gambio or none",
    },
    Setting {
        name: "shop_table_prefix",
        ini: c"dsgvo.shop_table_prefix",
        default: c"",
        help: "prefix of the shop's tables (Zen Cart often uses zen_)",
    },
    Setting {
        name: "secret",
        ini: c"dsgvo.secret",
        default: c"",
        help: "HMAC key for tokens and the suppression list, at least 32 bytes",
    },
    Setting {
        name: "query_timeout_ms",
        ini: c"dsgvo.query_timeout_ms",
        default: c"5000",
        help: "longest wait for one statement, in milliseconds",
    },
    Setting {
        name: "connect_timeout_ms",
        ini: c"dsgvo.connect_timeout_ms",
        default: c"2000",
        help: "longest wait for a connection, in milliseconds",
    },
    Setting {
        name: "consent_token_ttl_days",
        ini: c"dsgvo.consent_token_ttl_days",
        default: c"7",
        help: "days a double opt-in confirmation link stays valid",
    },
    Setting {
        name: "truncate_ip",
        ini: c"dsgvo.truncate_ip",
        default: c"0",
        help: "store proof IP addresses shortened (IPv4 /24, IPv6 /48)",
    },
    Setting {
        name: "existing_customer_max_age_days",
        ini: c"dsgvo.existing_customer_max_age_days",
        default: c"730",
        help: "default age limit of the purchase that makes a customer 'existing' (§ 7 Abs. 3 UWG)",
    },
    Setting {
        name: "previous_secrets",
        ini: c"dsgvo.previous_secrets",
        default: c"",
        help: "comma-separated former secrets: still verify tokens and find suppressed addresses",
    },
    Setting {
        name: "retention_send_log_days",
        ini: c"dsgvo.retention_send_log_days",
        default: c"0",
        help: "purgeExpired() deletes sends (with their ratings and archived copies) older than this; 0 keeps them",
    },
    Setting {
        name: "retention_archive_days",
        ini: c"dsgvo.retention_archive_days",
        default: c"0",
        help: "purgeExpired() deletes archived mail copies older than this; 0 keeps them",
    },
    Setting {
        name: "retention_pending_consent_days",
        ini: c"dsgvo.retention_pending_consent_days",
        default: c"0",
        help: "purgeExpired() blanks the personal fields of unconfirmed double opt-in requests older than this; 0 keeps them",
    },
    Setting {
        name: "erase_strategies",
        ini: c"dsgvo.erase_strategies",
        default: c"",
        help: "erase() per shop table: table=delete|anonymize|retain, comma-separated (option: an array)",
    },
    Setting {
        name: "recommend_min_customers",
        ini: c"dsgvo.recommend_min_customers",
        default: c"5",
        help: "a product pair is published only when at least this many distinct customers bought both (k)",
    },
];

/// Positions in [`SETTINGS`], checked by a test.
mod index {
    pub const DSN: usize = 0;
    pub const TABLE_PREFIX: usize = 1;
    pub const SHOP: usize = 2;
    pub const SHOP_TABLE_PREFIX: usize = 3;
    pub const SECRET: usize = 4;
    pub const QUERY_TIMEOUT_MS: usize = 5;
    pub const CONNECT_TIMEOUT_MS: usize = 6;
    pub const CONSENT_TOKEN_TTL_DAYS: usize = 7;
    pub const TRUNCATE_IP: usize = 8;
    pub const EXISTING_CUSTOMER_MAX_AGE_DAYS: usize = 9;
    pub const PREVIOUS_SECRETS: usize = 10;
    pub const RETENTION_SEND_LOG_DAYS: usize = 11;
    pub const RETENTION_ARCHIVE_DAYS: usize = 12;
    pub const RETENTION_PENDING_CONSENT_DAYS: usize = 13;
    pub const ERASE_STRATEGIES: usize = 14;
    pub const RECOMMEND_MIN_CUSTOMERS: usize = 15;
}

pub const MAX_PREFIX_LEN: usize = 32;
const QUERY_TIMEOUT_MS: (i64, i64) = (1, 600_000);
const CONNECT_TIMEOUT_MS: (i64, i64) = (1, 60_000);
const CONSENT_TOKEN_TTL_DAYS: (i64, i64) = (1, 365);
pub const MAX_AGE_DAYS: (i64, i64) = (1, 3650);
const RETENTION_DAYS: (i64, i64) = (0, 36_500);
/// k = 1 would publish what single customers bought.
const MIN_CUSTOMERS: (i64, i64) = (2, 1_000_000);
pub const MIN_SECRET_LEN: usize = 32;

/// Where a value came from, so a message names what the developer has to change.
#[derive(Clone, Copy)]
enum Source {
    Option,
    Ini,
}

struct Raw<'a> {
    setting: &'a Setting,
    source: Source,
    value: InputValue,
}

impl Raw<'_> {
    fn origin(&self) -> String {
        match self.source {
            Source::Option => format!("option '{}'", self.setting.name),
            Source::Ini => format!("ini setting {}", ini_name(self.setting)),
        }
    }

    fn string(&self) -> Result<&str> {
        match &self.value {
            InputValue::Str(s) => Ok(s),
            other => Err(Error::config(format!(
                "{} must be a string, got {}",
                self.origin(),
                other.type_name()
            ))),
        }
    }

    /// A switch: PHP booleans, 0/1, or the php.ini words on/off, yes/no, true/false ("" is off).
    fn flag(&self) -> Result<bool> {
        let parsed = match &self.value {
            InputValue::Bool(b) => Some(*b),
            InputValue::Int(0) => Some(false),
            InputValue::Int(1) => Some(true),
            InputValue::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "" | "0" | "off" | "no" | "false" => Some(false),
                "1" | "on" | "yes" | "true" => Some(true),
                _ => None,
            },
            _ => None,
        };
        parsed.ok_or_else(|| {
            Error::config(format!(
                "{} must be on or off (true/false, 1/0), got {}",
                self.origin(),
                describe(&self.value)
            ))
        })
    }

    fn int_in(&self, (min, max): (i64, i64), unit: &str) -> Result<i64> {
        let parsed = match &self.value {
            InputValue::Int(i) => Some(*i),
            InputValue::Str(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            Some(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(Error::config(format!(
                "{} must be an integer from {min} to {max} ({unit}), got {}",
                self.origin(),
                describe(&self.value)
            ))),
        }
    }
}

fn describe(value: &InputValue) -> String {
    match value {
        InputValue::Str(s) if s.chars().count() <= 40 => format!("'{}'", printable(s, 40)),
        InputValue::Str(_) => "a long string".into(),
        InputValue::Int(i) => i.to_string(),
        other => other.type_name().into(),
    }
}

pub fn ini_name(setting: &Setting) -> &'static str {
    setting.ini.to_str().unwrap_or(setting.name)
}

/// The shop whose tables the extension reads and erases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shop {
    None,
    OsCommerce,
    ZenCart,
    Modified,
    Gambio,
}

impl Shop {
    pub const ALL: [Shop; 5] = [
        Shop::None,
        Shop::OsCommerce,
        Shop::ZenCart,
        Shop::Modified,
        Shop::Gambio,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Shop::None => "none",
            Shop::OsCommerce => "oscommerce",
            Shop::ZenCart => "zencart",
            Shop::Modified => "modified",
            Shop::Gambio => "gambio",
        }
    }
}

/// The HMAC key. Never printed: `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Unvalidated, for tests; configuration goes through `Config::resolve`.
    #[cfg(test)]
    pub(crate) fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

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
    pub retention: Retention,
    /// Shop tables (unprefixed) whose erasure strategy the shop chose instead of the data map's.
    pub erase_strategies: Vec<(String, Erase)>,
    pub recommend_min_customers: u32,
}

/// How long records are kept, in days; 0 keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub send_log_days: u32,
    pub archive_days: u32,
    pub pending_consent_days: u32,
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
        let existing_customer_max_age_days =
            raw(index::EXISTING_CUSTOMER_MAX_AGE_DAYS).int_in(MAX_AGE_DAYS, "days")?;
        let previous_secrets = previous_secrets(&raw(index::PREVIOUS_SECRETS))?;
        let days = |i: usize| -> Result<u32> {
            Ok(u32::try_from(raw(i).int_in(RETENTION_DAYS, "days, 0 keeps")?).unwrap_or(0))
        };
        let retention = Retention {
            send_log_days: days(index::RETENTION_SEND_LOG_DAYS)?,
            archive_days: days(index::RETENTION_ARCHIVE_DAYS)?,
            pending_consent_days: days(index::RETENTION_PENDING_CONSENT_DAYS)?,
        };
        let erase_strategies = erase_strategies(&raw(index::ERASE_STRATEGIES), shop)?;
        let recommend_min_customers =
            raw(index::RECOMMEND_MIN_CUSTOMERS).int_in(MIN_CUSTOMERS, "customers")?;
        let dsn = raw(index::DSN);
        let database = DbTarget::parse(dsn.string()?).map_err(|why| {
            Error::config(format!(
                "{} is not a usable mysql URL: {why} (expected mysql://user:password@host:3306/database)",
                dsn.origin()
            ))
        })?;

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
            retention,
            erase_strategies,
            recommend_min_customers: u32::try_from(recommend_min_customers).unwrap_or(5),
        })
    }

    /// The current secret first, then the previous ones: every key a token or a suppression entry
    /// may have been made with.
    pub fn keyring(&self) -> Vec<&Secret> {
        self.secret
            .iter()
            .chain(self.previous_secrets.iter())
            .collect()
    }

    /// The HMAC key, for the calls that sign or hash.
    pub fn require_secret(&self) -> Result<&Secret> {
        self.secret.as_ref().ok_or_else(|| {
            Error::config(
                "no secret configured: set php.ini dsgvo.secret or the option 'secret' (at least 32 bytes, e.g. from random_bytes(32))",
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

fn previous_secrets(raw: &Raw) -> Result<Vec<Secret>> {
    let value = raw.string()?;
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(i, s)| {
            if s.len() < MIN_SECRET_LEN {
                Err(Error::config(format!(
                    "{}: entry {} is {} bytes, each former secret must be at least {MIN_SECRET_LEN}",
                    raw.origin(),
                    i + 1,
                    s.len()
                )))
            } else {
                Ok(Secret(s.as_bytes().to_vec()))
            }
        })
        .collect()
}

/// `table=strategy` pairs (php.ini) or `[table => strategy]` (option), checked against the shop's
/// data map: only shop tables, and `anonymize` only where the map knows what to overwrite.
fn erase_strategies(raw: &Raw, shop: Shop) -> Result<Vec<(String, Erase)>> {
    let pairs: Vec<(String, String)> = match &raw.value {
        InputValue::Array(items) => items
            .iter()
            .map(|(k, v)| match v {
                InputValue::Str(s) => Ok((k.clone(), s.clone())),
                other => Err(Error::config(format!(
                    "{}: the strategy for '{}' must be a string, got {}",
                    raw.origin(),
                    printable(k, 64),
                    other.type_name()
                ))),
            })
            .collect::<Result<_>>()?,
        InputValue::Str(text) => text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => Ok((k.trim().to_owned(), v.trim().to_owned())),
                None => Err(Error::config(format!(
                    "{} must be table=strategy pairs separated by commas, got '{}'",
                    raw.origin(),
                    printable(pair, 64)
                ))),
            })
            .collect::<Result<_>>()?,
        other => {
            return Err(Error::config(format!(
                "{} must be an array of table => strategy, got {}",
                raw.origin(),
                other.type_name()
            )));
        }
    };
    let shop_tables: Vec<&Entry> = datamap::entries(shop)
        .into_iter()
        .filter(|e| matches!(e.owner, Owner::Shop(_)))
        .collect();
    pairs
        .into_iter()
        .map(|(table, strategy)| {
            let Some(entry) = shop_tables.iter().find(|e| e.table == table) else {
                let known: Vec<&str> = shop_tables.iter().map(|e| e.table).collect();
                return Err(Error::config(format!(
                    "{}: '{}' is not a table of the {} preset's data map (known: {})",
                    raw.origin(),
                    printable(&table, 64),
                    shop.name(),
                    if known.is_empty() { "none: set dsgvo.shop".to_owned() } else { known.join(", ") }
                )));
            };
            let erase = match strategy.as_str() {
                "delete" => Erase::Delete,
                "anonymize" if !entry.anonymize.is_empty() => Erase::Anonymize,
                "anonymize" => {
                    return Err(Error::config(format!(
                        "{}: '{table}' cannot be anonymised (the data map has no plan for it); choose delete or retain",
                        raw.origin()
                    )));
                }
                "retain" => Erase::Retain("kept as the shop chose (erase_strategies)"),
                other => {
                    return Err(Error::config(format!(
                        "{}: the strategy for '{table}' must be delete, anonymize or retain, got '{}'",
                        raw.origin(),
                        printable(other, 40)
                    )));
                }
            };
            Ok((table, erase))
        })
        .collect()
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

fn secret(raw: &Raw) -> Result<Option<Secret>> {
    let value = raw.string()?;
    match value.len() {
        0 => Ok(None),
        n if n < MIN_SECRET_LEN => Err(Error::config(format!(
            "{} must be at least {MIN_SECRET_LEN} bytes, got {n} (generate one with bin2hex(random_bytes(32)))",
            raw.origin()
        ))),
        _ => Ok(Some(Secret(value.as_bytes().to_vec()))),
    }
}

/// The value of a setting as `php --ri dsgvo` may show it: the secret and the DSN password masked.
pub fn display_value(setting: &Setting, value: Option<&str>) -> String {
    let value = value.unwrap_or("");
    match setting.name {
        "secret" if value.is_empty() => "(not set)".into(),
        "secret" => format!("(set, {} bytes)", value.len()),
        "previous_secrets" => {
            let n = value.split(',').filter(|s| !s.trim().is_empty()).count();
            if n == 0 {
                "(none)".into()
            } else {
                format!("({n} set)")
            }
        }
        "dsn" if value.is_empty() => "(not set)".into(),
        "erase_strategies" if value.is_empty() => "(data map defaults)".into(),
        "dsn" => DbTarget::mask_url(value),
        _ if value.is_empty() => "no value".into(),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, InputValue)]) -> Vec<(String, InputValue)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn s(v: &str) -> InputValue {
        InputValue::Str(v.into())
    }

    fn resolve(pairs: &[(&str, InputValue)]) -> Result<Config> {
        let mut all = vec![("dsn", s("mysql://root@127.0.0.1:3306/test"))];
        all.extend(pairs.iter().cloned());
        Config::resolve(|_| None, opts(&all))
    }

    fn config_error(pairs: &[(&str, InputValue)]) -> String {
        match resolve(pairs) {
            Err(Error::Config(m)) => m,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn every_ini_name_is_the_option_name_with_the_prefix() {
        for setting in &SETTINGS {
            assert_eq!(ini_name(setting), format!("dsgvo.{}", setting.name));
        }
    }

    #[test]
    fn indexes_point_at_their_settings() {
        let names = [
            (index::DSN, "dsn"),
            (index::TABLE_PREFIX, "table_prefix"),
            (index::SHOP, "shop"),
            (index::SHOP_TABLE_PREFIX, "shop_table_prefix"),
            (index::SECRET, "secret"),
            (index::QUERY_TIMEOUT_MS, "query_timeout_ms"),
            (index::CONNECT_TIMEOUT_MS, "connect_timeout_ms"),
            (index::CONSENT_TOKEN_TTL_DAYS, "consent_token_ttl_days"),
            (index::TRUNCATE_IP, "truncate_ip"),
            (
                index::EXISTING_CUSTOMER_MAX_AGE_DAYS,
                "existing_customer_max_age_days",
            ),
            (index::PREVIOUS_SECRETS, "previous_secrets"),
            (index::RETENTION_SEND_LOG_DAYS, "retention_send_log_days"),
            (index::RETENTION_ARCHIVE_DAYS, "retention_archive_days"),
            (
                index::RETENTION_PENDING_CONSENT_DAYS,
                "retention_pending_consent_days",
            ),
            (index::ERASE_STRATEGIES, "erase_strategies"),
            (index::RECOMMEND_MIN_CUSTOMERS, "recommend_min_customers"),
        ];
        assert_eq!(names.len(), SETTINGS.len());
        for (i, name) in names {
            assert_eq!(SETTINGS[i].name, name);
        }
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
        assert_eq!(config.retention, Retention::default());
    }

    #[test]
    fn previous_secrets_are_a_list_of_long_keys() {
        let two = format!("{}, {}", "a".repeat(32), "b".repeat(40));
        let config = resolve(&[
            ("previous_secrets", s(&two)),
            ("secret", s(&"c".repeat(32))),
        ])
        .unwrap();
        assert_eq!(config.previous_secrets.len(), 2);
        assert_eq!(config.keyring().len(), 3);
        assert_eq!(config.keyring()[0].bytes(), "c".repeat(32).as_bytes());
        let message = config_error(&[(
            "previous_secrets",
            s(&format!("{},short-old-key", "a".repeat(32))),
        )]);
        assert!(message.contains("entry 2"), "{message}");
        assert!(!message.contains("short-old-key"), "{message}");
        assert_eq!(
            display_value(&SETTINGS[index::PREVIOUS_SECRETS], Some(&two)),
            "(2 set)"
        );
    }

    #[test]
    fn erase_strategies_are_checked_against_the_data_map() {
        let zen = |v: InputValue| resolve(&[("shop", s("zencart")), ("erase_strategies", v)]);
        let ok = zen(s("orders=anonymize, reviews = delete")).unwrap();
        assert_eq!(
            ok.erase_strategies,
            vec![
                ("orders".into(), Erase::Anonymize),
                ("reviews".into(), Erase::Delete)
            ]
        );
        let array = InputValue::Array(vec![("orders".into(), s("anonymize"))]);
        assert_eq!(zen(array).unwrap().erase_strategies.len(), 1);
        for (bad, says) in [
            (s("orderz=delete"), "not a table"),
            (s("orders"), "table=strategy"),
            (s("orders=shred"), "delete, anonymize or retain"),
            (s("customers_basket=anonymize"), "cannot be anonymised"),
            (s("consent_events=delete"), "not a table"),
            (InputValue::Int(3), "must be an array"),
        ] {
            match zen(bad) {
                Err(Error::Config(m)) => assert!(m.contains(says), "{m}"),
                other => panic!("expected a config error, got {other:?}"),
            }
        }
        assert!(
            config_error(&[("erase_strategies", s("orders=delete"))]).contains("set dsgvo.shop")
        );
    }

    #[test]
    fn switches_accept_php_spellings() {
        for (value, expected) in [
            (s("On"), true),
            (s("1"), true),
            (s("yes"), true),
            (InputValue::Bool(true), true),
            (s(""), false),
            (s("off"), false),
            (InputValue::Int(0), false),
        ] {
            assert_eq!(
                resolve(&[("truncate_ip", value)]).unwrap().truncate_ip,
                expected
            );
        }
        assert!(config_error(&[("truncate_ip", s("maybe"))]).contains("'truncate_ip'"));
        assert!(
            config_error(&[("consent_token_ttl_days", InputValue::Int(0))])
                .contains("from 1 to 365")
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
    fn ini_values_are_named_as_ini_directives() {
        let ini = |s: &Setting| (s.name == "shop").then(|| "magento".to_string());
        let Err(Error::Config(message)) =
            Config::resolve(ini, opts(&[("dsn", s("mysql://u@h/db"))]))
        else {
            panic!("expected a config error")
        };
        assert!(message.contains("ini setting dsgvo.shop"), "{message}");
    }

    #[test]
    fn short_secret_is_refused_without_echoing_it() {
        let message = config_error(&[("secret", s("tooshort-secret-value"))]);
        assert!(message.contains("option 'secret'"));
        assert!(!message.contains("tooshort"), "{message}");
        let ok = resolve(&[("secret", s(&"k".repeat(32)))]).unwrap();
        assert_eq!(ok.secret.unwrap().bytes().len(), 32);
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

    #[test]
    fn bad_dsns_are_refused_without_the_password() {
        for bad in [
            "",
            "pgsql://u:hunter2secret@h/db",
            "mysql://u:hunter2secret@h",
            "mysql://u:hunter2secret@h/db?bogus=1",
            "hunter2secret",
        ] {
            let message = config_error(&[("dsn", s(bad))]);
            assert!(message.contains("option 'dsn'"), "{message}");
            assert!(!message.contains("hunter2secret"), "{message}");
        }
    }

    #[test]
    fn display_masks_secret_and_password() {
        let secret = &SETTINGS[index::SECRET];
        assert_eq!(display_value(secret, Some("")), "(not set)");
        assert_eq!(
            display_value(secret, Some(&"x".repeat(40))),
            "(set, 40 bytes)"
        );
        let dsn = &SETTINGS[index::DSN];
        let shown = display_value(dsn, Some("mysql://u:hunter2@h:3306/db"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("h:3306/db"), "{shown}");
    }
}
