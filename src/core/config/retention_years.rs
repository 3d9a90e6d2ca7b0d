//! The `retention_years` option: the shop's own retention period, in years, for retained tables that
//! have a legal period in the data map (e.g. longer, where another law asks for it).

use super::settings::{Raw, table_pairs};
use crate::core::datamap::{self, Owner};
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, printable};
use crate::core::shop::Shop;

pub const YEARS: (i64, i64) = (1, 30);

/// `table=years` pairs (php.ini) or `[table => years]` (option), checked against the shop's data map.
pub(super) fn retention_years(raw: &Raw, shop: Shop) -> Result<Vec<(String, u32)>> {
    let pairs = table_pairs(raw, "years")?;
    let dated: Vec<&str> = datamap::entries(shop)
        .into_iter()
        .filter(|e| matches!(e.owner, Owner::Shop(_)) && e.period.is_some())
        .map(|e| e.table)
        .collect();
    pairs
        .into_iter()
        .map(|(table, value)| {
            if !dated.contains(&table.as_str()) {
                return Err(Error::config(format!(
                    "{}: '{}' is not a table with a legal retention period in the {} preset's data map (known: {})",
                    raw.origin(),
                    printable(&table, 64),
                    shop.name(),
                    if dated.is_empty() { "none: set dsgvo.shop".to_owned() } else { dated.join(", ") }
                )));
            }
            let years = match &value {
                InputValue::Int(n) => Some(*n),
                InputValue::Str(s) => s.parse::<i64>().ok(),
                _ => None,
            };
            match years {
                Some(n) if (YEARS.0..=YEARS.1).contains(&n) => {
                    Ok((table, u32::try_from(n).unwrap_or(1)))
                }
                _ => Err(Error::config(format!(
                    "{}: the years for '{table}' must be an integer from {} to {}, got {}",
                    raw.origin(),
                    YEARS.0,
                    YEARS.1,
                    super::settings::describe(&value)
                ))),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::testing::{config_error, resolve, s};

    #[test]
    fn years_per_dated_table() {
        let zen = |v: InputValue| resolve(&[("shop", s("zencart")), ("retention_years", v)]);
        assert_eq!(
            zen(s("orders=10, orders_total = 10"))
                .unwrap()
                .retention_years,
            vec![("orders".into(), 10), ("orders_total".into(), 10)]
        );
        let array = InputValue::Array(vec![("orders".into(), InputValue::Int(6))]);
        assert_eq!(
            zen(array).unwrap().retention_years,
            vec![("orders".into(), 6)]
        );
        for (bad, says) in [
            (
                s("customers=3"),
                "not a table with a legal retention period",
            ),
            (s("orders"), "table=years"),
            (s("orders=0"), "from 1 to 30"),
            (s("orders=ten"), "from 1 to 30"),
            (InputValue::Int(3), "must be an array"),
        ] {
            match zen(bad) {
                Err(Error::Config(m)) => assert!(m.contains(says), "{m}"),
                other => panic!("expected a config error, got {other:?}"),
            }
        }
        assert!(config_error(&[("retention_years", s("orders=9"))]).contains("set dsgvo.shop"));
    }
}
