//! Recommendations from anonymised orders: k-anonymous "also bought" pairs.

use super::Engine;
use crate::core::error::{Error, Result};
use crate::core::input::KeyValues;
use crate::core::options::Options;
use crate::core::output::RefreshReport;
use crate::core::rules::{email_type, ident};
use crate::core::store::recommend::{self, AlsoBought, Recommendation};
use crate::core::time::Timestamp;

impl Engine {
    /// Counts, for every product pair, the distinct customers who bought both, and publishes the
    /// pairs with at least `recommend_min_customers`. Options: since (shop-local date), dry_run,
    /// timeout_ms (the one long read of all order lines; default 10 minutes).
    pub fn refresh_recommendations(&self, options: KeyValues) -> Result<RefreshReport> {
        let mut options = Options::new("refreshRecommendations", options);
        let since = match options.take("since") {
            None => None,
            Some(v) => {
                // The shop's wall clock, compared with its own DATETIME columns as is.
                let text = email_type::shop_date("since", &v)?;
                Some(
                    Timestamp::parse_rfc3339(&format!("{}Z", text.replace(' ', "T"))).ok_or_else(
                        || Error::invalid_input(format!("option 'since' is not a date: {text}")),
                    )?,
                )
            }
        };
        let dry_run = options.flag("dry_run")?;
        let limit = options.long_timeout()?;
        options.finish()?;
        self.require_shop("refreshRecommendations")?;
        let keyring = self.config.keyring();
        let request = recommend::RefreshRequest {
            since,
            min_customers: self.config.recommend_min_customers,
            dry_run,
            keyring: &keyring,
            limit,
        };
        let stats = self.session(async |session| recommend::refresh(session, &request).await)?;
        Ok(RefreshReport {
            stats,
            min_customers: self.config.recommend_min_customers,
            dry_run,
        })
    }

    /// Products bought together with `product_id` by at least k customers, best first.
    pub fn also_bought(&self, product_id: i64, limit: i64) -> Result<Vec<AlsoBought>> {
        let product = u64::try_from(product_id)
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "product id must be a positive integer, got {product_id}"
                ))
            })?;
        let limit = ident::limit(limit, 100)?;
        self.session(async |session| recommend::also_bought(session, product, limit).await)
    }

    /// What the customer's own purchases lead to, without what they bought; nothing for a customer
    /// who objected to personalisation (or to all marketing) or whose processing is restricted.
    pub fn recommend_for(&self, customer_id: i64, limit: i64) -> Result<Vec<Recommendation>> {
        let customer = ident::customer_id(customer_id)?;
        let limit = ident::limit(limit, 100)?;
        self.require_shop("recommendFor")?;
        if self.profiling_stopped(customer)? {
            return Ok(Vec::new());
        }
        self.session(async |session| recommend::recommend_for(session, customer, limit).await)
    }
}
