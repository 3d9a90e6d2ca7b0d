//! The `erase_strategies` option: the shop's own erasure choice per table, checked against the data map.

use super::settings::{Raw, table_pairs};
use crate::core::datamap::{self, Entry, Erase, Owner};
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, printable};
use crate::core::shop::Shop;

/// `table=strategy` pairs (php.ini) or `[table => strategy]` (option), checked against the shop's
/// data map: only shop tables, and `anonymize` only where the map knows what to overwrite.
pub(super) fn erase_strategies(raw: &Raw, shop: Shop) -> Result<Vec<(String, Erase)>> {
    let pairs: Vec<(String, String)> = table_pairs(raw, "strategy")?
        .into_iter()
        .map(|(k, v)| match v {
            InputValue::Str(s) => Ok((k, s)),
            other => Err(Error::config(format!(
                "{}: the strategy for '{}' must be a string, got {}",
                raw.origin(),
                printable(&k, 64),
                other.type_name()
            ))),
        })
        .collect::<Result<_>>()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::testing::{config_error, resolve, s};

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
}
