//! Erasure (Art. 17): own tables always, the shop's with `shop_data`, suppression first.

use super::Engine;
use super::requests::answering;
use crate::core::error::{Error, Result};
use crate::core::input::KeyValues;
use crate::core::options::Options;
use crate::core::output::{self, Answered};
use crate::core::rules::ident;
use crate::core::shop::Shop;
use crate::core::store::erase::{self, Report};
use crate::core::store::walk::Scope;
use crate::core::time::Timestamp;

impl Engine {
    /// Erases the customer (Art. 17): own tables always, the shop's with `shop_data`; every address
    /// goes on the suppression list first. Options: dry_run, shop_data, received_at, request_id. Returns
    /// the report.
    pub fn erase(&self, customer_id: i64, options: KeyValues) -> Result<Answered<Report>> {
        let customer_id = ident::customer_id(customer_id)?;
        let mut options = Options::new("erase", options);
        let dry_run = options.flag("dry_run")?;
        let shop_data = options.flag("shop_data")?;
        let mut answering = answering(&mut options, Timestamp::now())?;
        options.finish()?;
        if shop_data && self.config.shop == Shop::None {
            return Err(Error::config(
                "erase with shop_data needs a shop preset: set dsgvo.shop (oscommerce, zencart, modified, gambio)",
            ));
        }
        let secret = self.config.require_secret()?;
        // A dry run checks the request too, and closes nothing.
        self.check_answering(&mut answering, "erasure", customer_id)?;
        let keyring = self.config.keyring();
        let started = Timestamp::now();
        let request = erase::Request {
            customer_id,
            shop_data,
            dry_run,
            strategies: &self.config.erase_strategies,
            retention_years: &self.config.retention_years,
            secret,
            now: started,
        };
        let result = self.session(async |session| {
            let scope = Scope {
                tables: session.tables(),
                keyring: &keyring,
            };
            erase::erase(session, &scope, &request).await
        });
        let request_id = answering.request_id;
        if dry_run {
            return result.map(|result| Answered { result, request_id });
        }
        self.logged(
            "erasure",
            &answering,
            started,
            result,
            |r| ("ok", output::erase_summary(r, shop_data)),
            serde_json::json!({ "shop_data": shop_data }),
        )
        .map(|result| Answered { result, request_id })
    }
}
