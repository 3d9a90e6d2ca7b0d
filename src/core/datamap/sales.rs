//! Where each shop preset keeps what makes an order a sale of certain goods: the order's status and
//! date, the status names, the ordered products, the category tree, the order totals and when an account
//! was made. § 7 Abs. 3 UWG (and the tag rules)
//! read these; the personal data of the same tables is in `shops.rs`.
//!
//! Verified against the CREATE TABLE statements of osCommerce 2.3.4.1, Zen Cart 2.2.2, modified
//! eCommerce 3.3.0, xtcModified 1.0.6 and Gambio GX 3.2 (`../shared/fixtures/shop-schemas`): all five
//! name them alike, but each preset says so itself, so a shop that differs changes one entry.

use crate::core::shop::Shop;

/// Table and column names (without the shop's table prefix) of one preset's sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sales {
    pub orders: &'static str,
    pub order_id: &'static str,
    pub customer_id: &'static str,
    pub email: &'static str,
    pub date: &'static str,
    /// The order's current status id.
    pub status: &'static str,
    /// Status names, one row per status and language.
    pub statuses: &'static str,
    pub status_id: &'static str,
    pub status_name: &'static str,
    /// The products of an order.
    pub order_products: &'static str,
    pub order_products_order: &'static str,
    pub order_products_product: &'static str,
    /// Which categories a product is in (a product may be in several).
    pub product_categories: &'static str,
    pub product_categories_product: &'static str,
    pub product_categories_category: &'static str,
    /// The category tree: each category with its parent (0 at the top).
    pub categories: &'static str,
    pub category_id: &'static str,
    pub category_parent: &'static str,
    /// The order-total rows: one per total line of an order (subtotal, shipping, tax, grand total).
    pub totals: &'static str,
    pub totals_order: &'static str,
    pub totals_value: &'static str,
    pub totals_class: &'static str,
    /// The `class` of the grand total row; its value is in the shop's default currency.
    pub grand_total_class: &'static str,
    /// When each account was made, keyed by the customer id.
    pub account_info: &'static str,
    pub account_info_customer: &'static str,
    pub account_created: &'static str,
}

/// osCommerce 2.3 and the shops built on it.
const OSCOMMERCE_FAMILY: Sales = Sales {
    orders: "orders",
    order_id: "orders_id",
    customer_id: "customers_id",
    email: "customers_email_address",
    date: "date_purchased",
    status: "orders_status",
    statuses: "orders_status",
    status_id: "orders_status_id",
    status_name: "orders_status_name",
    order_products: "orders_products",
    order_products_order: "orders_id",
    order_products_product: "products_id",
    product_categories: "products_to_categories",
    product_categories_product: "products_id",
    product_categories_category: "categories_id",
    categories: "categories",
    category_id: "categories_id",
    category_parent: "parent_id",
    totals: "orders_total",
    totals_order: "orders_id",
    totals_value: "value",
    totals_class: "class",
    grand_total_class: "ot_total",
    account_info: "customers_info",
    account_info_customer: "customers_info_id",
    account_created: "customers_info_date_account_created",
};

/// The sales tables of a preset (`Shop::None` has no shop tables; it gets osCommerce's names, which
/// nothing reads without a preset).
pub fn sales(shop: Shop) -> &'static Sales {
    match shop {
        // Zen Cart 2.2.2, modified 3.3.0 / xtcModified 1.0.6 and Gambio GX 3.2 kept osCommerce's names.
        Shop::None | Shop::OsCommerce | Shop::ZenCart | Shop::Modified | Shop::Gambio => {
            &OSCOMMERCE_FAMILY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table and column named here is in the fixture schema of each preset, when the fixtures are
    /// present (they are never copied into the project).
    #[test]
    fn every_preset_names_columns_its_schemas_have() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/shop-schemas");
        let files = [
            ("oscommerce2.sql", Shop::OsCommerce, ""),
            ("zencart.sql", Shop::ZenCart, ""),
            ("zencart_installed_zen_prefix.sql", Shop::ZenCart, "zen_"),
            ("modified.sql", Shop::Modified, ""),
            ("xtcmodified.sql", Shop::Modified, ""),
            ("gambio.sql", Shop::Gambio, ""),
        ];
        for (file, shop, prefix) in files {
            let Ok(sql) = std::fs::read_to_string(dir.join(file)) else {
                eprintln!("SKIPPED: {file} not found; the presets' sales tables were not checked");
                continue;
            };
            let s = sales(shop);
            let pairs = [
                (s.orders, s.order_id),
                (s.orders, s.customer_id),
                (s.orders, s.email),
                (s.orders, s.date),
                (s.orders, s.status),
                (s.statuses, s.status_id),
                (s.statuses, s.status_name),
                (s.order_products, s.order_products_order),
                (s.order_products, s.order_products_product),
                (s.product_categories, s.product_categories_product),
                (s.product_categories, s.product_categories_category),
                (s.categories, s.category_id),
                (s.categories, s.category_parent),
                (s.totals, s.totals_order),
                (s.totals, s.totals_value),
                (s.totals, s.totals_class),
                (s.account_info, s.account_info_customer),
                (s.account_info, s.account_created),
            ];
            for (table, column) in pairs {
                let body = create_table(&sql, &format!("{prefix}{table}"))
                    .unwrap_or_else(|| panic!("{file}: no table {prefix}{table}"));
                assert!(
                    body.lines().any(|l| {
                        let l = l.trim().trim_start_matches('`');
                        l.starts_with(&format!("{column} ")) || l.starts_with(&format!("{column}`"))
                    }),
                    "{file}: {table} has no column {column}"
                );
            }
        }
    }

    /// The body of `CREATE TABLE name (...)`.
    fn create_table<'a>(sql: &'a str, name: &str) -> Option<&'a str> {
        let start = [
            format!("CREATE TABLE {name} ("),
            format!("CREATE TABLE `{name}` ("),
        ]
        .iter()
        .find_map(|head| sql.find(head.as_str()))?;
        let rest = &sql[start..];
        Some(&rest[..rest.find(';').unwrap_or(rest.len())])
    }
}
