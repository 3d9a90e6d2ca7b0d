//! The table of every `dsgvo.*` setting, and the reader that turns one raw value into a typed one.

use std::ffi::CStr;

use super::dsn::DbTarget;
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, printable};

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

/// One table drives the php.ini registration, the constructor options (same name without the prefix),
/// `php --ri dsgvo` and the error messages, so a setting is added in exactly one place.
pub const SETTINGS: [Setting; 21] = [
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
        help: "HMAC key for tokens and the suppression list: at least 32 random bytes as 64+ hex characters or base64",
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
    Setting {
        name: "excluded_order_statuses",
        ini: c"dsgvo.excluded_order_statuses",
        default: c"",
        help: "shop order status ids that are no sale (§ 7 Abs. 3 UWG), comma-separated, or none; empty: the statuses named like a cancellation",
    },
    Setting {
        name: "read_your_writes",
        ini: c"dsgvo.read_your_writes",
        default: c"0",
        help: "on a Galera or Group Replication cluster, every read waits until this node has applied all writes acknowledged before it",
    },
    Setting {
        name: "export_information",
        ini: c"dsgvo.export_information",
        default: c"",
        help: "the shop's Art. 15 text in every export: JSON object of controller, contact, dpo, purposes, recipients, authority (option: an array)",
    },
    Setting {
        name: "retention_years",
        ini: c"dsgvo.retention_years",
        default: c"",
        help: "legal retention period per retained shop table in years, replacing the data map's: table=years, comma-separated (option: an array)",
    },
    Setting {
        name: "retention_idempotency_days",
        ini: c"dsgvo.retention_idempotency_days",
        default: c"30",
        help: "purgeExpired() deletes idempotency keys older than this (a retry with an older key writes again); 0 keeps them",
    },
];

/// Positions in [`SETTINGS`], checked by a test.
pub(super) mod index {
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
    pub const EXCLUDED_ORDER_STATUSES: usize = 16;
    pub const READ_YOUR_WRITES: usize = 17;
    pub const EXPORT_INFORMATION: usize = 18;
    pub const RETENTION_YEARS: usize = 19;
    pub const RETENTION_IDEMPOTENCY_DAYS: usize = 20;
}

/// Where a value came from, so a message names what the developer has to change.
#[derive(Clone, Copy)]
pub(super) enum Source {
    Option,
    Ini,
}

/// One setting's value as given, before it is checked.
pub(super) struct Raw<'a> {
    pub(super) setting: &'a Setting,
    pub(super) source: Source,
    pub(super) value: InputValue,
}

impl Raw<'_> {
    pub(super) fn origin(&self) -> String {
        match self.source {
            Source::Option => format!("option '{}'", self.setting.name),
            Source::Ini => format!("ini setting {}", ini_name(self.setting)),
        }
    }

    pub(super) fn string(&self) -> Result<&str> {
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
    pub(super) fn flag(&self) -> Result<bool> {
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

    pub(super) fn int_in(&self, (min, max): (i64, i64), unit: &str) -> Result<i64> {
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

/// `table=value` pairs separated by commas (php.ini) or `[table => value]` (option), with `what` naming
/// the value in messages (e.g. "strategy"). Values of the text form arrive as strings.
pub(super) fn table_pairs(raw: &Raw, what: &str) -> Result<Vec<(String, InputValue)>> {
    match &raw.value {
        InputValue::Null => Ok(Vec::new()),
        InputValue::Array(items) => Ok(items.clone()),
        InputValue::Str(text) => text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => Ok((k.trim().to_owned(), InputValue::Str(v.trim().to_owned()))),
                None => Err(Error::config(format!(
                    "{} must be table={what} pairs separated by commas, got '{}'",
                    raw.origin(),
                    printable(pair, 64)
                ))),
            })
            .collect(),
        other => Err(Error::config(format!(
            "{} must be an array of table => {what}, got {}",
            raw.origin(),
            other.type_name()
        ))),
    }
}

/// The value for a message: short strings quoted, long ones not repeated.
pub(crate) fn describe(value: &InputValue) -> String {
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
        "erase_strategies" | "retention_years" if value.is_empty() => "(data map defaults)".into(),
        "export_information" if value.is_empty() => {
            "(none: the export names what is missing)".into()
        }
        "excluded_order_statuses" if value.is_empty() => {
            "(statuses named like a cancellation)".into()
        }
        "dsn" => DbTarget::mask_url(value),
        _ if value.is_empty() => "no value".into(),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Config;
    use crate::core::config::testing::{config_error, opts, resolve, s};

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
            (index::EXCLUDED_ORDER_STATUSES, "excluded_order_statuses"),
            (index::READ_YOUR_WRITES, "read_your_writes"),
            (index::EXPORT_INFORMATION, "export_information"),
            (index::RETENTION_YEARS, "retention_years"),
            (
                index::RETENTION_IDEMPOTENCY_DAYS,
                "retention_idempotency_days",
            ),
        ];
        assert_eq!(names.len(), SETTINGS.len());
        for (i, name) in names {
            assert_eq!(SETTINGS[i].name, name);
        }
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
