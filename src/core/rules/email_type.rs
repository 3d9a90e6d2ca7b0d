//! Email types and the legal basis they are sent on.

use crate::core::config::MAX_AGE_DAYS;
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues};
use crate::core::options::Options;
use crate::core::rules::{ident, sales};

/// Why a type of mail may be sent at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Advertising that needs the customer's explicit consent (Art. 6(1)(a) GDPR, § 7 Abs. 2 UWG).
    Consent,
    /// Advertising for similar goods to existing customers without consent (§ 7 Abs. 3 UWG).
    ExistingCustomer,
    /// Mail that is not advertising (order confirmation, shipping notice): always allowed.
    Transactional,
}

impl Basis {
    pub const ALL: [Basis; 3] = [
        Basis::Consent,
        Basis::ExistingCustomer,
        Basis::Transactional,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Basis::Consent => "consent",
            Basis::ExistingCustomer => "existing_customer",
            Basis::Transactional => "transactional",
        }
    }

    pub fn from_name(name: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// Which consent counts for a type (option `consent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConsentMode {
    /// A direct grant, a confirmed double opt-in or an import.
    #[default]
    Any,
    /// Only a confirmed double opt-in (or an import with its confirmation date).
    DoubleOptIn,
}

impl ConsentMode {
    pub fn name(self) -> &'static str {
        match self {
            ConsentMode::Any => "any",
            ConsentMode::DoubleOptIn => "double_opt_in",
        }
    }

    pub fn from_name(name: &str) -> Option<ConsentMode> {
        [ConsentMode::Any, ConsentMode::DoubleOptIn]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// A validated email type definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailType {
    pub name: String,
    pub basis: Basis,
    /// existing_customer only: the newest matching purchase must be at most this old.
    pub max_age_days: Option<u32>,
    /// existing_customer only: purchases before this shop-local date (`YYYY-MM-DD HH:MM:SS`) were made
    /// without the notice that the customer may object, and do not count.
    pub notice_since: Option<String>,
    /// Frequency cap: at most one mail of the type per this many days (read from the send log).
    pub min_interval_days: Option<u32>,
    /// The options below, which later versions added.
    pub more: MoreOptions,
}

/// The type options stored together (one JSON column of `email_types`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MoreOptions {
    /// existing_customer only: shop status ids of orders that are no sale; None: the default (the
    /// setting `excluded_order_statuses`, else the statuses named like a cancellation).
    pub excluded_order_statuses: Option<Vec<u64>>,
    /// existing_customer only: shop category ids (subcategories included) of the similar goods; None:
    /// any goods.
    pub similar_categories: Option<Vec<u64>>,
    pub consent: ConsentMode,
    /// A consent with no grant, confirmation or send of the type within this many days is stale.
    pub consent_max_idle_days: Option<u32>,
    /// transactional only: the type whose rules decide whether this mail may carry advertising.
    pub advertising_type: Option<String>,
}

/// The name of a type used in a call: a purpose identifier; `*` is not a type.
pub fn name(name: &str) -> Result<&str> {
    ident::purpose(name).map_err(|_| {
        Error::invalid_input(format!(
            "email type must be 1 to {} characters of a-z, 0-9, _, . and -, got {}",
            ident::MAX_PURPOSE_LEN,
            ident::shown(name)
        ))
    })
}

/// A type for opt-outs and unsubscribe tokens: a type name or `*` (all marketing mail).
pub fn name_or_all(name_or_star: &str) -> Result<&str> {
    if name_or_star == "*" {
        Ok(name_or_star)
    } else {
        name(name_or_star)
    }
}

/// Validates `defineEmailType(type, basis, options)`.
pub fn define(type_name: &str, basis: &str, options: KeyValues) -> Result<EmailType> {
    let type_name = name(type_name)?.to_owned();
    let basis = Basis::from_name(basis).ok_or_else(|| {
        Error::invalid_input(format!(
            "basis must be consent, existing_customer or transactional, got {}",
            ident::shown(basis)
        ))
    })?;
    let mut definition = EmailType {
        name: type_name,
        basis,
        max_age_days: None,
        notice_since: None,
        min_interval_days: None,
        more: MoreOptions::default(),
    };
    let mut options = Options::new("email type", options);
    let only = |keys: &[&str], wanted: Basis| -> Result<()> {
        match keys.iter().find(|k| basis != wanted && options.has(k)) {
            Some(key) => Err(Error::invalid_input(format!(
                "option '{key}' applies only to the basis {}",
                wanted.name()
            ))),
            None => Ok(()),
        }
    };
    only(
        &[
            "max_age_days",
            "notice_since",
            "excluded_order_statuses",
            "similar_categories",
        ],
        Basis::ExistingCustomer,
    )?;
    only(&["advertising_type"], Basis::Transactional)?;
    if basis == Basis::Transactional {
        if let Some(key) = ["consent", "consent_max_idle_days"]
            .into_iter()
            .find(|k| options.has(k))
        {
            return Err(Error::invalid_input(format!(
                "option '{key}' does not apply to the basis transactional (it needs no consent)"
            )));
        }
    }
    if let Some(value) = options.take("max_age_days") {
        definition.max_age_days = Some(days("max_age_days", &value)?);
    }
    if let Some(value) = options.take("notice_since") {
        definition.notice_since = Some(local_date(&value)?);
    }
    if let Some(value) = options.take("min_interval_days") {
        definition.min_interval_days = Some(days("min_interval_days", &value)?);
    }
    let more = &mut definition.more;
    if let Some(value) = options.take("excluded_order_statuses") {
        more.excluded_order_statuses = Some(sales::ids("excluded_order_statuses", &value)?);
    }
    if let Some(value) = options.take("similar_categories") {
        let ids = sales::ids("similar_categories", &value)?;
        if ids.is_empty() {
            return Err(Error::invalid_input(
                "option 'similar_categories' must name at least one category (leave it out for any goods)",
            ));
        }
        more.similar_categories = Some(ids);
    }
    if let Some(mode) = options.string("consent")? {
        more.consent = ConsentMode::from_name(&mode).ok_or_else(|| {
            Error::invalid_input(format!(
                "option 'consent' must be any or double_opt_in, got {}",
                ident::shown(&mode)
            ))
        })?;
    }
    if let Some(value) = options.take("consent_max_idle_days") {
        more.consent_max_idle_days = Some(days("consent_max_idle_days", &value)?);
    }
    if let Some(other) = options.string("advertising_type")? {
        if other == definition.name {
            return Err(Error::invalid_input(
                "option 'advertising_type' must name another type, one that may advertise",
            ));
        }
        more.advertising_type = Some(name(&other)?.to_owned());
    }
    options.finish()?;
    Ok(definition)
}

fn days(key: &str, value: &InputValue) -> Result<u32> {
    let (min, max) = MAX_AGE_DAYS;
    match value {
        InputValue::Int(n) if (min..=max).contains(n) => Ok(u32::try_from(*n).unwrap_or(1)),
        other => Err(Error::invalid_input(format!(
            "option '{key}' must be an integer number of days from {min} to {max}, got {}",
            match other {
                InputValue::Int(n) => n.to_string(),
                other => other.type_name().to_string(),
            }
        ))),
    }
}

/// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`, in the shop's own (database) time, as its orders are dated.
fn local_date(value: &InputValue) -> Result<String> {
    shop_date("notice_since", value)
}

/// A shop-local date option (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`), normalised to the latter.
pub fn shop_date(option: &str, value: &InputValue) -> Result<String> {
    let fail = || {
        Error::invalid_input(format!(
            "option '{option}' must be a date YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS) in the shop's local time"
        ))
    };
    let InputValue::Str(text) = value else {
        return Err(fail());
    };
    let full = if text.len() == 10 {
        format!("{text} 00:00:00")
    } else {
        text.clone()
    };
    let bytes = full.as_bytes();
    let shape = bytes.len() == 19
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b' ',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(fail());
    }
    let number = |range: std::ops::Range<usize>| full[range].parse::<u32>().unwrap_or(u32::MAX);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    let valid_date = time::Month::try_from(u8::try_from(month).unwrap_or(0))
        .ok()
        .and_then(|m| {
            time::Date::from_calendar_date(
                i32::try_from(year).unwrap_or(0),
                m,
                u8::try_from(day).unwrap_or(0),
            )
            .ok()
        })
        .is_some();
    if !valid_date || !(1990..=9999).contains(&year) || hour > 23 || minute > 59 || second > 59 {
        return Err(fail());
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::core::input::key_values as kv;

    #[test]
    fn defines_each_basis() {
        let t = define(
            "winback",
            "existing_customer",
            kv(&[
                ("max_age_days", InputValue::Int(365)),
                ("notice_since", InputValue::Str("2020-01-01".into())),
                ("min_interval_days", InputValue::Int(30)),
            ]),
        )
        .unwrap();
        assert_eq!(t.basis, Basis::ExistingCustomer);
        assert_eq!(t.max_age_days, Some(365));
        assert_eq!(t.notice_since.as_deref(), Some("2020-01-01 00:00:00"));
        assert_eq!(t.min_interval_days, Some(30));
        assert_eq!(
            define("order.confirmation", "transactional", vec![])
                .unwrap()
                .basis,
            Basis::Transactional
        );
    }

    #[test]
    fn refuses_bad_definitions() {
        let err = |t: &str, b: &str, o: &[(&str, InputValue)]| {
            define(t, b, kv(o)).unwrap_err().message().to_owned()
        };
        assert!(err("*", "consent", &[]).contains("email type"));
        assert!(err("News", "consent", &[]).contains("email type"));
        assert!(err("news", "opt_in", &[]).contains("basis"));
        assert!(
            err("news", "consent", &[("max_age_days", InputValue::Int(5))])
                .contains("existing_customer")
        );
        assert!(
            err(
                "news",
                "existing_customer",
                &[("max_age_days", InputValue::Int(0))]
            )
            .contains("max_age_days")
        );
        assert!(
            err(
                "news",
                "existing_customer",
                &[("max_age_days", InputValue::Str("30".into()))]
            )
            .contains("got string")
        );
        assert!(
            err(
                "news",
                "existing_customer",
                &[("notice_since", InputValue::Str("2020-02-30".into()))]
            )
            .contains("notice_since")
        );
        assert!(
            err(
                "news",
                "existing_customer",
                &[("notice_since", InputValue::Str("01.01.2020".into()))]
            )
            .contains("notice_since")
        );
        assert!(
            err("news", "consent", &[("interval", InputValue::Int(5))])
                .contains("unknown email type option 'interval'")
        );
    }

    #[test]
    fn star_is_only_for_opt_outs() {
        assert!(name("*").is_err());
        assert_eq!(name_or_all("*").unwrap(), "*");
        assert!(name_or_all("**").is_err());
    }
}
