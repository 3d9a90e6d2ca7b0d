//! Which orders are sales of which goods: the rules § 7 Abs. 3 UWG and the tag rules share. An order
//! counts when it is the account's own, its status is not excluded (a cancelled order is no sale), and,
//! where goods matter, one of its products is in the chosen categories or their subcategories.
//!
//! The shop's status names and category tree are read once per process (store/sales.rs); these
//! functions turn them into the lists the statements use.

use std::collections::{BTreeSet, HashMap};

use crate::core::error::{Error, Result};
use crate::core::input::InputValue;
use crate::core::time::Timestamp;

/// Parts of a status name that mark an order that is no sale, in the shops' languages (case-insensitive):
/// cancelled/canceled, storniert/Storno, void(ed), refund(ed), erstattet/Rückerstattung, abgebrochen.
pub const CANCELLATION_WORDS: [&str; 6] = [
    "cancel",
    "storn",
    "void",
    "refund",
    "erstatt",
    "abgebrochen",
];

/// Whether a status name marks an order that is no sale.
pub fn is_cancellation(name: &str) -> bool {
    let name = name.to_lowercase();
    CANCELLATION_WORDS.iter().any(|w| name.contains(w))
}

/// The default excluded statuses: those whose name, in any language, marks a cancellation. Sorted.
pub fn excluded_by_name<'a>(statuses: impl IntoIterator<Item = (u64, &'a str)>) -> Vec<u64> {
    statuses
        .into_iter()
        .filter(|(_, name)| is_cancellation(name))
        .map(|(id, _)| id)
        .collect::<BTreeSet<u64>>()
        .into_iter()
        .collect()
}

/// The categories `roots` with all their subcategories, sorted. `tree` holds (category, parent) pairs;
/// a cycle in a damaged tree ends the walk instead of looping.
pub fn with_subcategories(tree: &[(u64, u64)], roots: &[u64]) -> Vec<u64> {
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    for &(id, parent) in tree {
        if id != parent {
            children.entry(parent).or_default().push(id);
        }
    }
    let mut found: BTreeSet<u64> = BTreeSet::new();
    let mut todo: Vec<u64> = roots.to_vec();
    while let Some(id) = todo.pop() {
        if found.insert(id) {
            todo.extend(children.get(&id).into_iter().flatten().copied());
        }
    }
    found.into_iter().collect()
}

/// Most ids a list option may hold (a shop has a few dozen statuses and a few thousand categories).
pub const MAX_IDS: usize = 10_000;

/// A list of shop ids (status or category ids): an array of positive integers, or, from php.ini, the
/// same comma-separated (`none` or an empty array: no id). Sorted, without repeats.
pub fn ids(what: &str, value: &InputValue) -> Result<Vec<u64>> {
    let fail = || {
        Error::invalid_input(format!(
            "option '{what}' must be a list of shop ids (integers of at least 0), at most {MAX_IDS}"
        ))
    };
    let mut out = BTreeSet::new();
    match value {
        InputValue::Array(items) => {
            for (_, item) in items {
                match item {
                    InputValue::Int(n) if *n >= 0 => out.insert(n.unsigned_abs()),
                    _ => return Err(fail()),
                };
            }
        }
        InputValue::Str(text) if text.trim() == "none" => {}
        InputValue::Str(text) => {
            for part in text.split(',') {
                out.insert(part.trim().parse::<u64>().map_err(|_| fail())?);
            }
        }
        _ => return Err(fail()),
    }
    if out.len() > MAX_IDS {
        return Err(fail());
    }
    Ok(out.into_iter().collect())
}

/// What the database says about a customer's sales (see `Unmet` for how they are judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purchases {
    /// The account has an order of its own whose status is not excluded.
    pub has_sale: bool,
    /// The newest such order placed with the account's current address (shop-local time).
    pub newest_at_address: Option<Timestamp>,
    /// The newest such order at the address with a product of the chosen categories; read only when
    /// categories are chosen.
    pub newest_similar: Option<Timestamp>,
}

/// The conditions an order must meet, besides being a sale of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conditions {
    /// Not older than this (shop-local time, the database's clock minus the maximal age).
    pub placed_since: Timestamp,
    /// The objection notice was given from this time on (shop-local); orders before it do not count.
    pub notice_since: Timestamp,
    /// Only orders with a product of the chosen categories count.
    pub similar_goods: bool,
}

/// The condition that the orders that got furthest failed. The conditions are taken in this order and
/// one and the same order must meet all of them: the answer names the one at which the last orders
/// dropped out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmet {
    /// No order of the account, or only orders with an excluded status (cancelled).
    NoSale,
    /// No sale placed with the account's current address.
    OtherAddress,
    /// The newest sale at the address is older than the maximal age.
    TooOld,
    /// Every recent enough sale at the address is from before the notice.
    BeforeNotice,
    /// No recent sale at the address after the notice has a product of the chosen categories.
    NotSimilar,
}

/// None when some order meets every condition.
pub fn unmet(purchases: &Purchases, conditions: &Conditions) -> Option<Unmet> {
    if !purchases.has_sale {
        return Some(Unmet::NoSale);
    }
    let Some(newest) = purchases.newest_at_address else {
        return Some(Unmet::OtherAddress);
    };
    if newest < conditions.placed_since {
        return Some(Unmet::TooOld);
    }
    if newest < conditions.notice_since {
        return Some(Unmet::BeforeNotice);
    }
    if conditions.similar_goods {
        let since = conditions.placed_since.max(conditions.notice_since);
        if purchases.newest_similar.is_none_or(|at| at < since) {
            return Some(Unmet::NotSimilar);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn cancellation_names_in_the_shops_languages() {
        for name in [
            "Storniert",
            "STORNO",
            "Cancelled",
            "canceled",
            "Voided",
            "Refunded",
            "Rückerstattung",
            "Erstattet",
            "Abgebrochen",
            "Zahlung abgebrochen",
        ] {
            assert!(is_cancellation(name), "{name}");
        }
        for name in [
            "Offen",
            "Pending",
            "Versendet",
            "Delivered",
            "In Bearbeitung",
            "",
        ] {
            assert!(!is_cancellation(name), "{name}");
        }
        let statuses = [
            (1, "Offen"),
            (1, "Pending"),
            (99, "Storniert"),
            (99, "Cancelled"),
            (7, "Refund"),
        ];
        assert_eq!(excluded_by_name(statuses), vec![7, 99]);
    }

    #[test]
    fn subcategories_are_included_and_cycles_end() {
        let tree = [
            (1, 0),
            (2, 1),
            (3, 2),
            (4, 0),
            (5, 4),
            (6, 6),
            (7, 8),
            (8, 7),
        ];
        assert_eq!(with_subcategories(&tree, &[1]), vec![1, 2, 3]);
        assert_eq!(with_subcategories(&tree, &[2, 5]), vec![2, 3, 5]);
        assert_eq!(with_subcategories(&tree, &[7]), vec![7, 8]);
        assert_eq!(
            with_subcategories(&tree, &[42]),
            vec![42],
            "an unknown id stays itself"
        );
    }

    #[test]
    fn id_lists_from_arrays_and_ini_text() {
        let array = InputValue::Array(vec![
            ("0".into(), InputValue::Int(6)),
            ("1".into(), InputValue::Int(5)),
            ("2".into(), InputValue::Int(6)),
        ]);
        assert_eq!(ids("x", &array).unwrap(), vec![5, 6]);
        assert_eq!(
            ids("x", &InputValue::Array(vec![])).unwrap(),
            Vec::<u64>::new()
        );
        assert_eq!(
            ids("x", &InputValue::Str("none".into())).unwrap(),
            Vec::<u64>::new()
        );
        assert_eq!(
            ids("x", &InputValue::Str(" 5, 7".into())).unwrap(),
            vec![5, 7]
        );
        assert!(ids("x", &InputValue::Str("5;7".into())).is_err());
        assert!(ids("x", &InputValue::Int(5)).is_err());
        let negative = InputValue::Array(vec![("0".into(), InputValue::Int(-1))]);
        assert!(ids("x", &negative).is_err());
    }

    #[test]
    fn names_the_condition_the_last_orders_failed() {
        let conditions = Conditions {
            placed_since: t("2024-06-01T00:00:00Z"),
            notice_since: t("2025-01-01T00:00:00Z"),
            similar_goods: true,
        };
        let mut p = Purchases::default();
        assert_eq!(unmet(&p, &conditions), Some(Unmet::NoSale));
        p.has_sale = true;
        assert_eq!(unmet(&p, &conditions), Some(Unmet::OtherAddress));
        p.newest_at_address = Some(t("2024-05-31T23:59:59Z"));
        assert_eq!(unmet(&p, &conditions), Some(Unmet::TooOld));
        p.newest_at_address = Some(t("2024-12-31T00:00:00Z"));
        assert_eq!(unmet(&p, &conditions), Some(Unmet::BeforeNotice));
        p.newest_at_address = Some(t("2025-02-01T00:00:00Z"));
        assert_eq!(unmet(&p, &conditions), Some(Unmet::NotSimilar));
        p.newest_similar = Some(t("2024-12-31T00:00:00Z"));
        assert_eq!(
            unmet(&p, &conditions),
            Some(Unmet::NotSimilar),
            "the similar order must itself be after the notice"
        );
        p.newest_similar = Some(t("2025-01-01T00:00:00Z"));
        assert_eq!(unmet(&p, &conditions), None);
        let any_goods = Conditions {
            similar_goods: false,
            ..conditions
        };
        p.newest_similar = None;
        assert_eq!(unmet(&p, &any_goods), None);
    }
}
