//! Importing another system's opt-out list (`importOptOuts`): MailBeez's block list becomes
//! objections, each entry once.

use super::Engine;
use crate::core::error::Result;
use crate::core::input::{InputValue, KeyValues};
use crate::core::options::Options;
use crate::core::output::OptOutImportReport;
use crate::core::rules::{opt_out_import, proof};
use crate::core::store::email_types;
use crate::core::store::objection::Keys;
use crate::core::store::opt_out_import::{self as store, Request};
use crate::core::time::Timestamp;

impl Engine {
    /// Options: source (`mailbeez`, required), dry_run, type_map (module => type or `*`). Returns the
    /// counts.
    pub fn import_opt_outs(&self, options: KeyValues) -> Result<OptOutImportReport> {
        let mut options = Options::new("importOptOuts", options);
        let source = opt_out_import::source(options.string("source")?)?;
        let dry_run = options.flag("dry_run")?;
        let type_map = opt_out_import::type_map(options.take("type_map"))?;
        options.finish()?;
        self.require_shop("importOptOuts")?;
        let secret = self.config.require_secret()?;
        let now = Timestamp::now();
        let proof = proof::validate(
            vec![("source".to_owned(), InputValue::Str("import".into()))],
            now,
            false,
        )?;
        let keyring = self.config.keyring();
        let keys = Keys {
            keyring: &keyring,
            secret: Some(secret),
        };
        let counts = self.session(async |session| {
            let defined: Vec<String> = email_types::list(session)
                .await?
                .into_iter()
                .map(|t| t.name)
                .collect();
            let request = Request {
                dry_run,
                defined: &defined,
                type_map: &type_map,
                proof: &proof,
                now,
            };
            store::import(session, keys, &request).await
        })?;
        Ok(OptOutImportReport {
            source,
            counts,
            dry_run,
        })
    }
}
