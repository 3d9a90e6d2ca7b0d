//! Where personal data lives: one map, as data, that drives the export (what is shown) and erasure
//! (what is deleted, anonymised or retained). What is exported is exactly what erasure handles.
//!
//! Each entry names a table (the shop's, with `shop_table_prefix`, or the extension's own, with
//! `table_prefix`), how one customer's rows are found, which columns are secrets (never exported), and
//! the erasure strategy. The shop entries cover osCommerce 2.3, Zen Cart 1.5/2.x, modified 2.x/3.x
//! (and xtcModified 1.0.6), and Gambio GX 3; a table a shop version lacks is reported as skipped.

pub mod mailbeez;
pub mod own;
pub mod period;
pub mod sales;
pub mod shops;

pub use period::{Dated, Period};

use crate::core::shop::Shop;

/// How the rows of one customer are found in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Find {
    /// By the customer id in `id` and/or any of the customer's addresses in `emails` (compared trimmed
    /// and case-insensitively).
    Match {
        id: Option<&'static str>,
        emails: &'static [&'static str],
    },
    /// Through the rows found in another entry: `this.key = parent.parent_key`.
    Via {
        parent: &'static str,
        parent_key: &'static str,
        key: &'static str,
    },
    /// The extension's suppression list: by customer id, or by the HMAC of any of the addresses.
    Suppression,
    /// Rows whose content names the customer, judged row by row (compressed or encoded columns SQL
    /// cannot search): the rows found are then selected by `key`.
    Scan { key: &'static str, content: Content },
}

/// The kinds of content a [`Find::Scan`] reads, each with the rule that says whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// PHP session data (`customer_id|i:5;...`), as the shops store it: base64-encoded or plain.
    Session,
    /// Zen Cart's admin activity log: URL-encoded GET parameters, raw-deflated JSON of the POST data.
    AdminLog,
    /// Free-text log columns (MailBeez's event log) that may mention an address.
    LogText,
}

impl Content {
    /// The columns the rule reads (beside the key).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Content::Session => &["value"],
            Content::AdminLog => &[
                "page_accessed",
                "page_parameters",
                "gzpost",
                "logmessage",
                "attention",
            ],
            Content::LogText => &["log_entry", "parameters", "query_string"],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Content::Session => "php_session",
            Content::AdminLog => "zencart_admin_log",
            Content::LogText => "log_text",
        }
    }
}

/// What erasure does with the customer's rows of a table (by default; `erase_strategies` may choose
/// another for a shop table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    /// Rows are deleted.
    Delete,
    /// Rows stay; the entry's `anonymize` columns are overwritten.
    Anonymize,
    /// Rows stay untouched; the reason is reported.
    Retain(&'static str),
}

impl Erase {
    pub fn name(self) -> &'static str {
        match self {
            Erase::Delete => "delete",
            Erase::Anonymize => "anonymize",
            Erase::Retain(_) => "retain",
        }
    }
}

/// What an anonymised column becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    Null,
    Text(&'static str),
    Zero,
    /// The time of the erasure (UTC), e.g. `blanked_at`.
    Now,
}

/// Who owns a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The shop's table, named with `shop_table_prefix`.
    Shop(&'static [Shop]),
    /// The extension's own table, named with `table_prefix`.
    Own,
}

/// One table of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Section id in the export, unique in the map.
    pub id: &'static str,
    /// Table name without prefix.
    pub table: &'static str,
    pub label_de: &'static str,
    pub label_en: &'static str,
    pub owner: Owner,
    pub find: Find,
    /// Columns never exported (password hashes, tokens, card data): listed as present, not shown.
    pub secrets: &'static [&'static str],
    /// A fixed extra condition on the table's rows (static SQL of the map, never input), e.g. to leave
    /// out admin rows.
    pub condition: Option<&'static str>,
    /// Columns whose values are addresses of the customer (gathered by customer id before the
    /// email-only lookups).
    pub addresses: &'static [&'static str],
    /// A unique, ordered column to page through large tables with (backed by an index on
    /// (customer column, this)); None reads in one statement.
    pub page_by: Option<&'static str>,
    /// Email columns that cut addresses after this many characters: also matched by the prefix.
    pub email_prefix: Option<usize>,
    pub erase: Erase,
    /// What anonymising overwrites (columns a shop version lacks are left out). Empty: the table
    /// cannot be anonymised. The plan must make the rows no longer found (clear the customer id and
    /// address), or `erased_when` must say how an anonymised row is recognised, so a re-run is a no-op.
    pub anonymize: &'static [(&'static str, Replacement)],
    /// Rows matching this (static SQL of the map) are anonymised already.
    pub erased_when: Option<&'static str>,
    /// How long the law keeps a retained table, and from which date (None: no legal period).
    pub period: Option<Period>,
}

impl Entry {
    /// The entry as data for `Store::dataMap()` (table names as in the database).
    pub fn describe(&self, table: String) -> serde_json::Value {
        use serde_json::json;
        let find = match self.find {
            Find::Match { id, emails } => json!({ "customer_id": id, "emails": emails }),
            Find::Via {
                parent,
                parent_key,
                key,
            } => json!({ "via": parent, "parent_key": parent_key, "key": key }),
            Find::Suppression => {
                json!({ "customer_id": "customer_id", "email_hmac": "email_hmac" })
            }
            Find::Scan { key, content } => {
                json!({ "scan": content.name(), "columns": content.columns(), "key": key })
            }
        };
        let columns: serde_json::Map<String, serde_json::Value> = self
            .anonymize
            .iter()
            .map(|(c, r)| {
                let value = match r {
                    Replacement::Null => serde_json::Value::Null,
                    Replacement::Text(t) => json!(t),
                    Replacement::Zero => json!(0),
                    Replacement::Now => json!("(time of erasure)"),
                };
                (c.to_string(), value)
            })
            .collect();
        let erase = match self.erase {
            Erase::Retain(reason) => {
                json!({ "strategy": "retain", "reason": reason, "anonymize": columns })
            }
            other => json!({ "strategy": other.name(), "anonymize": columns }),
        };
        let period = self.period.map(|p| p.describe());
        json!({
            "id": self.id,
            "table": table,
            "label": { "de": self.label_de, "en": self.label_en },
            "owner": match self.owner { Owner::Own => "dsgvo", Owner::Shop(_) => "shop" },
            "find": find,
            "condition": self.condition,
            "secrets": self.secrets,
            "erase": erase,
            "period": period,
        })
    }
}

/// The entries that apply to a shop preset: the shop's tables, the MailBeez tables (with every
/// preset: they are found by existence), then the extension's own.
pub fn entries(shop: Shop) -> Vec<&'static Entry> {
    shops::ENTRIES
        .iter()
        .chain(mailbeez::ENTRIES.iter())
        .filter(|e| matches!(e.owner, Owner::Shop(presets) if presets.contains(&shop)))
        .chain(own::ENTRIES.iter())
        .collect()
}

/// The erasure strategy of an entry: the shop's choice (`erase_strategies`) for a shop table, else the
/// map's.
pub fn strategy(entry: &Entry, chosen: &[(String, Erase)]) -> Erase {
    match entry.owner {
        Owner::Shop(_) => chosen
            .iter()
            .find(|(t, _)| t == entry.table)
            .map_or(entry.erase, |(_, s)| *s),
        Owner::Own => entry.erase,
    }
}

/// The legal period that ends a table's retention in this shop: the map's (with `retention_years`
/// applied) while the map's own `retain` applies; None when the shop chose a strategy for the table
/// (a `retain` chosen by the shop keeps the rows until it says otherwise: its duty then).
pub fn ending(
    entry: &Entry,
    chosen: &[(String, Erase)],
    retention_years: &[(String, u32)],
) -> Option<Period> {
    let overridden =
        matches!(entry.owner, Owner::Shop(_)) && chosen.iter().any(|(t, _)| t == entry.table);
    if overridden || !matches!(entry.erase, Erase::Retain(_)) {
        return None;
    }
    let period = period::effective(entry, retention_years)?;
    if let (Dated::Parent, Find::Via { parent, .. }) = (period.dated_by, entry.find) {
        // Rows dated by their parent end with it, or not at all.
        ending(self::entry(parent)?, chosen, retention_years)?;
    }
    Some(period)
}

/// The entry with this id.
pub fn entry(id: &str) -> Option<&'static Entry> {
    shops::ENTRIES
        .iter()
        .chain(mailbeez::ENTRIES.iter())
        .chain(own::ENTRIES.iter())
        .find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_parents_come_first() {
        for shop in Shop::ALL {
            let list = entries(shop);
            let mut seen = HashSet::new();
            for e in &list {
                assert!(seen.insert(e.id), "duplicate id {}", e.id);
                if let Find::Via { parent, .. } = e.find {
                    assert!(
                        seen.contains(parent),
                        "{}: parent {parent} must come earlier for {shop:?}",
                        e.id
                    );
                    let p = entry(parent).unwrap();
                    assert!(
                        matches!(p.find, Find::Match { .. }),
                        "{}: parents are found directly",
                        e.id
                    );
                }
                assert!(
                    e.table
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{}",
                    e.table
                );
            }
        }
    }

    #[test]
    fn every_shop_maps_the_core_tables() {
        for shop in [
            Shop::OsCommerce,
            Shop::ZenCart,
            Shop::Modified,
            Shop::Gambio,
        ] {
            let tables: HashSet<&str> = entries(shop).iter().map(|e| e.table).collect();
            for table in [
                "customers",
                "customers_info",
                "address_book",
                "orders",
                "orders_products",
                "orders_total",
                "orders_status_history",
                "reviews",
                "reviews_description",
                "customers_basket",
                "products_notifications",
                "whos_online",
                "send_log",
                "consent_events",
                "email_archive",
            ] {
                assert!(tables.contains(table), "{shop:?} lacks {table}");
            }
        }
        assert_eq!(
            entries(Shop::None)
                .iter()
                .filter(|e| matches!(e.owner, Owner::Shop(_)))
                .count(),
            0
        );
    }

    #[test]
    fn every_shop_maps_the_mailbeez_tables_and_scans_sessions() {
        for shop in [
            Shop::OsCommerce,
            Shop::ZenCart,
            Shop::Modified,
            Shop::Gambio,
        ] {
            let list = entries(shop);
            for table in [
                "mailbeez_tracking",
                "mailbeez_block",
                "mailbeez_event_log",
                "mailbeez_bounces",
                "mailbeez_bounces_msg_log",
                "mailbeez_opens_log",
                "mailbeez_tracking_clicks",
                "mailbeez_tracking_orders",
            ] {
                let e = list.iter().find(|e| e.table == table);
                assert!(
                    e.is_some_and(|e| e.erase == Erase::Delete),
                    "{shop:?} {table}"
                );
            }
            let sessions = list.iter().find(|e| e.table == "sessions");
            assert!(
                shop == Shop::Gambio
                    || sessions.is_some_and(|e| matches!(e.find, Find::Scan { .. })),
                "{shop:?}"
            );
        }
        assert!(
            entries(Shop::ZenCart)
                .iter()
                .any(|e| e.table == "admin_activity_log" && e.erase == Erase::Anonymize)
        );
    }

    #[test]
    fn orders_are_retained_and_accounts_deleted() {
        for id in ["orders", "orders_products", "orders_total"] {
            assert!(matches!(entry(id).unwrap().erase, Erase::Retain(_)), "{id}");
        }
        assert_eq!(entry("customers").unwrap().erase, Erase::Delete);
        assert_eq!(entry("reviews").unwrap().erase, Erase::Anonymize);
    }

    #[test]
    fn order_tables_carry_their_legal_period_dated_by_the_order() {
        for e in shops::ENTRIES {
            let tax = matches!(e.erase, Erase::Retain(r) if r.contains("§ 147"));
            assert_eq!(
                tax,
                e.period.is_some(),
                "{}: a tax-law table has a period",
                e.id
            );
            let Some(period) = e.period else { continue };
            assert_eq!(period.years, 8, "{}", e.id);
            match period.dated_by {
                Dated::Column(c) => assert_eq!((e.id, c), ("orders", "date_purchased")),
                Dated::Parent => {
                    let Find::Via { parent, .. } = e.find else {
                        panic!("{} follows a parent it does not have", e.id)
                    };
                    assert!(
                        matches!(
                            entry(parent).and_then(|p| p.period),
                            Some(Period {
                                dated_by: Dated::Column(_),
                                ..
                            })
                        ),
                        "{}: its parent is dated",
                        e.id
                    );
                }
            }
        }
    }

    #[test]
    fn anonymisation_plans_unlink_or_mark_the_rows() {
        for e in shops::ENTRIES
            .iter()
            .chain(mailbeez::ENTRIES.iter())
            .chain(own::ENTRIES.iter())
        {
            if e.erase == Erase::Anonymize {
                assert!(!e.anonymize.is_empty(), "{} anonymises nothing", e.id);
            }
            if e.anonymize.is_empty() {
                continue;
            }
            let unlinks = match e.find {
                Find::Match { id, emails } => {
                    id.is_some_and(|c| e.anonymize.iter().any(|(a, _)| *a == c))
                        && emails
                            .iter()
                            .all(|c| e.anonymize.iter().any(|(a, _)| a == c))
                }
                _ => false,
            };
            assert!(
                // A scanned row is found by its content, which anonymising removes.
                unlinks
                    || e.erased_when.is_some()
                    || matches!(e.find, Find::Via { .. } | Find::Scan { .. }),
                "{} stays findable after anonymisation",
                e.id
            );
        }
    }
}
