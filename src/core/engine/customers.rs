//! The shop's customers: the admin search and the import of the shop's existing subscriptions.

use super::Engine;
use crate::core::error::Result;
use crate::core::input::{InputValue, KeyValues};
use crate::core::options::Options;
use crate::core::output::ImportReport;
use crate::core::rules::{ident, proof};
use crate::core::store::customers::{self, Account};
use crate::core::store::import;
use crate::core::time::Timestamp;

impl Engine {
    /// Shop accounts by id or exact address (admin search).
    pub fn find_customers(&self, query: &str, limit: i64) -> Result<Vec<Account>> {
        let lookup = ident::lookup(query)?;
        let limit = ident::limit(limit, 1000)?;
        self.require_shop("findCustomers")?;
        self.session(async |session| customers::find(session, &lookup, limit).await)
    }

    /// Records the shop's existing newsletter subscriptions in the ledger, once (source `import`).
    /// Options: purpose (default `newsletter`), dry_run, text, text_version. Returns the counts.
    pub fn import_consents(&self, options: KeyValues) -> Result<ImportReport> {
        let mut options = Options::new("importConsents", options);
        let purpose = match options.string("purpose")? {
            Some(p) => ident::purpose(&p)?.to_owned(),
            None => "newsletter".to_owned(),
        };
        let dry_run = options.flag("dry_run")?;
        let mut wording: KeyValues = vec![("source".to_owned(), InputValue::Str("import".into()))];
        for key in ["text", "text_version"] {
            if let Some(value) = options.take(key) {
                wording.push((key.to_owned(), value));
            }
        }
        options.finish()?;
        let now = Timestamp::now();
        let wording = proof::validate(wording, now, false)?;
        self.require_shop("importConsents")?;
        let request = import::ImportRequest {
            purpose: &purpose,
            dry_run,
            text: wording.text.as_deref(),
            text_version: wording.text_version.as_deref(),
            truncate_ip: self.config.truncate_ip,
            now,
        };
        let counts = self.session(async |session| import::import(session, &request).await)?;
        Ok(ImportReport {
            purpose,
            counts,
            dry_run,
        })
    }
}
