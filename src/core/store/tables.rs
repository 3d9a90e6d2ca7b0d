//! Table naming: the prefix of the extension's own tables and, with a shop preset, where the shop's
//! tables are. Both prefixes are validated identifiers (see `config`), so they may be spliced in.

use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::shop::Shop;
use crate::core::store::db::schema;

/// Where the shop keeps its customers, when a preset is set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShopTables<'a> {
    pub(crate) shop: Shop,
    pub(crate) prefix: &'a str,
}

impl ShopTables<'_> {
    /// A shop table's name, quoted.
    pub(crate) fn table(&self, name: &str) -> String {
        format!("`{}{name}`", self.prefix)
    }
}

/// The names a session's statements use: carried by the session, so no store function takes a prefix.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tables<'a> {
    /// `table_prefix` of the own tables.
    pub(crate) own: &'a str,
    /// The shop's tables; None without a shop preset.
    pub(crate) shop: Option<ShopTables<'a>>,
}

impl<'a> Tables<'a> {
    pub(crate) fn of(config: &'a Config) -> Self {
        Tables {
            own: &config.table_prefix,
            shop: (config.shop != Shop::None).then_some(ShopTables {
                shop: config.shop,
                prefix: &config.shop_table_prefix,
            }),
        }
    }

    /// An own-table statement with `{p}` (and the table options) filled in.
    pub(crate) fn render(&self, statement: &str) -> String {
        schema::render(statement, self.own)
    }

    /// The shop's tables, or the error that names the setting a shop-reading call needs.
    pub(crate) fn require_shop(&self) -> Result<ShopTables<'a>> {
        self.shop.ok_or_else(|| {
            Error::config("this call reads the shop's tables: set dsgvo.shop (oscommerce, zencart, modified, gambio)")
        })
    }

    /// The shop preset, `Shop::None` without one.
    pub(crate) fn shop_preset(&self) -> Shop {
        self.shop.map_or(Shop::None, |s| s.shop)
    }
}
