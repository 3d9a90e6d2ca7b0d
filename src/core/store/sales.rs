//! SQL of the sales rules (rules/sales.rs): the shop's status names and category tree, read once per
//! copy of the catalog (store/cache.rs), and the conditions that select an account's sales, which the
//! decision statement (and the tag rules) put into their own statements.

use mysql_async::Value;

use crate::core::datamap::sales::{Sales, sales};
use crate::core::error::Result;
use crate::core::rules::sales::{excluded_by_name, with_subcategories};
use crate::core::store::db::session::Session;
use crate::core::store::tables::ShopTables;
use crate::core::store::walk::exact_address;
use crate::core::time::Timestamp;

/// What the shop's tables say about statuses and categories, as one process keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesCatalog {
    /// The statuses whose name, in any language, marks a cancellation (sorted).
    pub cancelled: Vec<u64>,
    /// (category, parent) pairs.
    pub tree: Vec<(u64, u64)>,
}

impl SalesCatalog {
    /// `roots` with their subcategories.
    pub fn with_subcategories(&self, roots: &[u64]) -> Vec<u64> {
        with_subcategories(&self.tree, roots)
    }
}

/// The preset's sales tables.
pub(crate) fn tables(shop: &ShopTables<'_>) -> &'static Sales {
    sales(shop.shop)
}

/// Reads the status names and, with `tree`, the category tree (one or two statements).
pub async fn load(
    session: &mut Session<'_>,
    shop: &ShopTables<'_>,
    tree: bool,
) -> Result<SalesCatalog> {
    let s = tables(shop);
    let names: Vec<(u64, Option<Vec<u8>>)> = session
        .exec(
            &format!(
                "SELECT {}, {} FROM {}",
                s.status_id,
                s.status_name,
                shop.table(s.statuses)
            ),
            (),
        )
        .await?;
    let names: Vec<(u64, String)> = names
        .into_iter()
        .map(|(id, name)| {
            (
                id,
                String::from_utf8_lossy(&name.unwrap_or_default()).into_owned(),
            )
        })
        .collect();
    if !tree {
        return Ok(SalesCatalog {
            cancelled: excluded_by_name(names.iter().map(|(id, name)| (*id, name.as_str()))),
            tree: Vec::new(),
        });
    }
    let tree: Vec<(u64, u64)> = session
        .exec(
            &format!(
                "SELECT {}, {} FROM {}",
                s.category_id,
                s.category_parent,
                shop.table(s.categories)
            ),
            (),
        )
        .await?;
    Ok(SalesCatalog {
        cancelled: excluded_by_name(names.iter().map(|(id, name)| (*id, name.as_str()))),
        tree,
    })
}

/// The conditions on an order `o` (an alias of the orders table) that make it one of the account's
/// sales: its own (`customer` is the SQL expression of the account's id) and not of an excluded
/// status. Appends the parameters in placeholder order.
pub(crate) fn sale_of(
    shop: &ShopTables<'_>,
    o: &str,
    customer: &str,
    excluded: &[u64],
    params: &mut Vec<Value>,
) -> String {
    let s = tables(shop);
    format!(
        "{o}.{} = {customer}{}",
        s.customer_id,
        not_excluded(shop, o, excluded, params)
    )
}

/// ` AND` the condition that `o`'s status is none of `excluded` (nothing when none is).
fn not_excluded(
    shop: &ShopTables<'_>,
    o: &str,
    excluded: &[u64],
    params: &mut Vec<Value>,
) -> String {
    if excluded.is_empty() {
        return String::new();
    }
    params.extend(excluded.iter().map(|&id| Value::from(id)));
    format!(
        " AND {o}.{} NOT IN ({})",
        tables(shop).status,
        placeholders(excluded.len())
    )
}

/// The condition that `o` was placed since the later of `max_age_days` ago (the database's clock)
/// and `notice_since`.
fn placed_since(
    shop: &ShopTables<'_>,
    o: &str,
    max_age_days: u32,
    notice_since: Timestamp,
    params: &mut Vec<Value>,
) -> String {
    params.push(max_age_days.into());
    params.push(notice_since.into());
    format!(
        "{o}.{} >= GREATEST(NOW() - INTERVAL ? DAY, ?)",
        tables(shop).date
    )
}

/// The condition that `o` was placed with the address `account_email` (an SQL expression), compared
/// exactly.
pub(crate) fn at_address(shop: &ShopTables<'_>, o: &str, account_email: &str) -> String {
    format!(
        "{} = {}",
        exact_address(&format!("{o}.{}", tables(shop).email)),
        exact_address(account_email)
    )
}

/// The condition that `o` holds a product of one of `categories` (already with their subcategories).
pub(crate) fn with_goods_of(
    shop: &ShopTables<'_>,
    o: &str,
    categories: &[u64],
    params: &mut Vec<Value>,
) -> String {
    let s = tables(shop);
    params.extend(categories.iter().map(|&id| Value::from(id)));
    format!(
        "EXISTS(SELECT 1 FROM {} op JOIN {} pc ON pc.{} = op.{}
                WHERE op.{} = {o}.{} AND pc.{} IN ({}))",
        shop.table(s.order_products),
        shop.table(s.product_categories),
        s.product_categories_product,
        s.order_products_product,
        s.order_products_order,
        s.order_id,
        s.product_categories_category,
        placeholders(categories.len())
    )
}

/// The three columns of an account's sales (rules/sales.rs `Purchases`) for a statement over customers
/// `c` (with `customer` the SQL expression of the account's id): whether it has one, the newest placed
/// with its current address, and the newest of those with goods of `similar` (NULL without).
pub(crate) fn purchase_columns(
    shop: &ShopTables<'_>,
    customer: &str,
    excluded: &[u64],
    similar: Option<&[u64]>,
    params: &mut Vec<Value>,
) -> String {
    let s = tables(shop);
    let (orders, date) = (shop.table(s.orders), s.date);
    let address = at_address(shop, "o", "c.customers_email_address");
    let has_sale = format!(
        "EXISTS(SELECT 1 FROM {orders} o WHERE {})",
        sale_of(shop, "o", customer, excluded, params)
    );
    let newest = format!(
        "(SELECT MAX(o.{date}) FROM {orders} o WHERE {} AND {address})",
        sale_of(shop, "o", customer, excluded, params)
    );
    let similar = match similar {
        Some(categories) => {
            let sale = sale_of(shop, "o", customer, excluded, params);
            format!(
                "(SELECT MAX(o.{date}) FROM {orders} o WHERE {sale} AND {address} AND {})",
                with_goods_of(shop, "o", categories, params)
            )
        }
        None => "NULL".to_string(),
    };
    format!("{has_sale}, {newest}, {similar}")
}

/// The condition (for a campaign's set statement) that the account `customer` (an SQL expression, with
/// `c` its customer row) has one sale meeting every condition of § 7 Abs. 3 UWG at once: placed with
/// its current address, not older than `max_age_days` by the database's clock, not before
/// `notice_since`, and with goods of `similar` where given. `rules::sales::unmet` asks the same of the
/// newest such orders: one order meets all conditions exactly when the newest at the address (and the
/// newest with such goods) is recent enough and after the notice.
pub(crate) fn qualifying_sale(
    shop: &ShopTables<'_>,
    customer: &str,
    excluded: &[u64],
    similar: Option<&[u64]>,
    max_age_days: u32,
    notice_since: Timestamp,
    params: &mut Vec<Value>,
) -> String {
    let s = tables(shop);
    let sale = sale_of(shop, "o", customer, excluded, params);
    let since = placed_since(shop, "o", max_age_days, notice_since, params);
    let goods = match similar {
        Some(categories) => format!(" AND {}", with_goods_of(shop, "o", categories, params)),
        None => String::new(),
    };
    format!(
        "EXISTS(SELECT 1 FROM {orders} o WHERE {sale} AND {address} AND {since}{goods})",
        orders = shop.table(s.orders),
        address = at_address(shop, "o", "c.customers_email_address"),
    )
}

/// The orders of anyone that can still make a sale count (for a campaign that reads the orders
/// themselves, store/campaign/everyone.rs): `condition`, that `o` is of a status not excluded and
/// placed since the later of `max_age_days` ago (the database's clock) and `notice_since`; `similar`,
/// an expression that is 1 when it holds goods of `similar` (0 without categories). The parameters
/// are appended in text order: those of `similar` first, as it goes into the select list.
pub(crate) fn recent_sales(
    shop: &ShopTables<'_>,
    o: &str,
    excluded: &[u64],
    similar: Option<&[u64]>,
    max_age_days: u32,
    notice_since: Timestamp,
    params: &mut Vec<Value>,
) -> Recent {
    let similar = match similar {
        Some(categories) => with_goods_of(shop, o, categories, params),
        None => "0".to_string(),
    };
    let since = placed_since(shop, o, max_age_days, notice_since, params);
    let condition = format!("{since}{}", not_excluded(shop, o, excluded, params));
    Recent { condition, similar }
}

/// See [`recent_sales`].
pub(crate) struct Recent {
    pub(crate) condition: String,
    pub(crate) similar: String,
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(",")
}
