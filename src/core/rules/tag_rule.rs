//! Tag rules (`defineTagRule`): a named rule sets a tag on every customer meeting all its conditions.
//! What a rule may say, validated once; the statements that apply it are in store/tag_rules.rs.
//!
//! Settled (DESIGN.md): orders count as in § 7(3) (the account's own, status not excluded);
//! `min_spent` compares the sum of the counted orders' grand totals (`ot_total`), in the shop's default
//! currency; `no_order_for_days` needs at least one counted order and none within N days;
//! `bought_categories` matches any listed category or a subcategory of one.

use serde_json::{Map, Value, json};

use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues};
use crate::core::options::Options;
use crate::core::rules::sales;

/// The conditions of one rule; every one that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    pub min_orders: Option<u32>,
    /// A decimal with at most 4 places, as text ("150.5"): compared by the database exactly.
    pub min_spent: Option<String>,
    /// Category ids as given (subcategories are added when the rule is applied).
    pub bought_categories: Option<Vec<u64>>,
    pub ordered_within_days: Option<u32>,
    pub no_order_for_days: Option<u32>,
    pub account_age_days: Option<u32>,
    /// An email rating of at least this (1..5) given by the customer.
    pub min_rating: Option<u8>,
}

/// The condition keys, in the order they are listed.
pub const KEYS: [&str; 7] = [
    "min_orders",
    "min_spent",
    "bought_categories",
    "ordered_within_days",
    "no_order_for_days",
    "account_age_days",
    "min_rating",
];

/// Most days a day count may say (about 100 years).
const MAX_DAYS: i64 = 36_500;

/// Validates a rule's conditions: known keys only, each in range, at least one.
pub fn conditions(input: KeyValues) -> Result<Conditions> {
    let mut o = Options::new("defineTagRule", input);
    let days = |o: &mut Options, key| -> Result<Option<u32>> {
        Ok(o.int(key, 0, MAX_DAYS)?.map(|n| n as u32))
    };
    let min_orders = o.int("min_orders", 0, 1_000_000)?.map(|n| n as u32);
    let min_spent = match o.take("min_spent") {
        None => None,
        Some(v) => Some(decimal(&v).ok_or_else(|| {
            o.invalid(
                "min_spent",
                "a decimal of at least 0 with at most 4 places (int, float or numeric string)",
                &v,
            )
        })?),
    };
    let bought_categories = match o.take("bought_categories") {
        None => None,
        Some(v) => {
            let ids = sales::ids("bought_categories", &v)?;
            if ids.is_empty() {
                return Err(o.invalid("bought_categories", "a non-empty list of category ids", &v));
            }
            Some(ids)
        }
    };
    let ordered_within_days = days(&mut o, "ordered_within_days")?;
    let no_order_for_days = days(&mut o, "no_order_for_days")?;
    let account_age_days = days(&mut o, "account_age_days")?;
    let min_rating = o.int("min_rating", 1, 5)?.map(|n| n as u8);
    o.finish()?;
    let c = Conditions {
        min_orders,
        min_spent,
        bought_categories,
        ordered_within_days,
        no_order_for_days,
        account_age_days,
        min_rating,
    };
    if c == Conditions::default() {
        return Err(Error::invalid_input(format!(
            "defineTagRule needs at least one condition: {}",
            KEYS.join(", ")
        )));
    }
    Ok(c)
}

/// A non-negative decimal with at most 4 places and 11 integer digits (DECIMAL(15,4), the shops'
/// order-total column), as canonical text.
fn decimal(value: &InputValue) -> Option<String> {
    let text = match value {
        InputValue::Int(n) if *n >= 0 => n.to_string(),
        InputValue::Float(f) if f.is_finite() && *f >= 0.0 => {
            let t = format!("{f:.4}");
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        InputValue::Str(s) => s.trim().to_string(),
        _ => return None,
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 11 || frac.len() > 4 || !digits(int) || !digits(frac) {
        return None;
    }
    if text.contains('.') && frac.is_empty() {
        return None;
    }
    Some(text)
}

/// The conditions as the JSON object stored and listed (only the keys set).
pub fn to_json(c: &Conditions) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    if let Some(n) = c.min_orders {
        put("min_orders", json!(n));
    }
    if let Some(s) = &c.min_spent {
        put("min_spent", json!(s));
    }
    if let Some(ids) = &c.bought_categories {
        put("bought_categories", json!(ids));
    }
    if let Some(n) = c.ordered_within_days {
        put("ordered_within_days", json!(n));
    }
    if let Some(n) = c.no_order_for_days {
        put("no_order_for_days", json!(n));
    }
    if let Some(n) = c.account_age_days {
        put("account_age_days", json!(n));
    }
    if let Some(n) = c.min_rating {
        put("min_rating", json!(n));
    }
    Value::Object(m)
}

/// The stored JSON back into conditions (validated again, so a damaged row is a schema error).
pub fn from_json(text: &str) -> Option<Conditions> {
    let Value::Object(map) = serde_json::from_str::<Value>(text).ok()? else {
        return None;
    };
    let input: KeyValues = map
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Number(n) => InputValue::Int(n.as_i64()?),
                Value::String(s) => InputValue::Str(s),
                Value::Array(items) => InputValue::Array(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| Some((i.to_string(), InputValue::Int(v.as_i64()?))))
                        .collect::<Option<_>>()?,
                ),
                _ => return None,
            };
            Some((k, v))
        })
        .collect::<Option<_>>()?;
    conditions(input).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::key_values as kv;

    #[test]
    fn every_condition_round_trips_through_json() {
        let c = conditions(kv(&[
            ("min_orders", InputValue::Int(3)),
            ("min_spent", InputValue::Float(150.5)),
            (
                "bought_categories",
                InputValue::Array(vec![
                    ("0".into(), InputValue::Int(7)),
                    ("1".into(), InputValue::Int(2)),
                ]),
            ),
            ("ordered_within_days", InputValue::Int(90)),
            ("no_order_for_days", InputValue::Int(30)),
            ("account_age_days", InputValue::Int(365)),
            ("min_rating", InputValue::Int(4)),
        ]))
        .unwrap();
        assert_eq!(c.min_spent.as_deref(), Some("150.5"));
        assert_eq!(c.bought_categories, Some(vec![2, 7]));
        let text = to_json(&c).to_string();
        assert_eq!(from_json(&text), Some(c));
    }

    #[test]
    fn refuses_unknown_keys_bad_values_and_no_condition() {
        let err = |pairs: &[(&str, InputValue)]| conditions(kv(pairs)).unwrap_err().to_string();
        assert!(err(&[("min_order", InputValue::Int(1))]).contains("min_order"));
        assert!(err(&[]).contains("at least one condition"));
        assert!(err(&[("min_rating", InputValue::Int(6))]).contains("min_rating"));
        assert!(err(&[("min_orders", InputValue::Int(-1))]).contains("min_orders"));
        for bad in ["-1", "1.23456", "abc", "1e3", "", ".5", "5."] {
            assert!(
                err(&[("min_spent", InputValue::Str(bad.into()))]).contains("min_spent"),
                "{bad}"
            );
        }
        assert!(err(&[("bought_categories", InputValue::Array(vec![]))]).contains("non-empty"));
        assert_eq!(
            conditions(kv(&[("min_spent", InputValue::Str(" 99.90 ".into()))]))
                .unwrap()
                .min_spent
                .as_deref(),
            Some("99.90")
        );
    }
}
