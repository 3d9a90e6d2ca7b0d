//! `importOptOuts`: reads another system's opt-out list (MailBeez's `mailbeez_block`) and records each
//! entry once as an objection of the customer (for the id and the account's current address, as
//! `optOut` does). Each entry carries an idempotency key of its own, so a second run, or a run after
//! the customer has since given consent again, records nothing for the entries already imported.

use mysql_async::Value;

use crate::core::datamap::mailbeez;
use crate::core::error::{Error, Result};
use crate::core::rules::opt_out_import;
use crate::core::rules::proof::Proof;
use crate::core::store::db::Session;
use crate::core::store::idempotency;
use crate::core::store::objection::{self, Keys, Objection};
use crate::core::time::Timestamp;

/// The call name the entries' keys are recorded under.
const CALL: &str = "importOptOuts";

pub struct Request<'a> {
    pub dry_run: bool,
    /// Defined email type names.
    pub defined: &'a [String],
    pub type_map: &'a [(String, String)],
    pub proof: &'a Proof,
    pub now: Timestamp,
}

/// What one run did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Block entries read.
    pub entries: u64,
    /// Entries recorded as a new objection.
    pub imported: u64,
    /// Entries an earlier run imported: nothing written.
    pub already_present: u64,
    /// Entries whose objection already stood (recorded by the shop or another entry): marked as
    /// imported, nothing else written.
    pub already_objected: u64,
    /// Test runs of MailBeez (`simulation` ≠ 0): skipped.
    pub skipped_simulation: u64,
    /// Entries without a customer id: skipped.
    pub skipped_no_customer: u64,
    /// Imported entries per objection type (`*`: all marketing mail).
    pub by_type: Vec<(String, u64)>,
}

// Signed: MailBeez's columns are INT, and a damaged row must not fail the run.
type BlockRow = (i64, Option<String>, Option<i64>, Option<i64>);

pub async fn import(
    session: &mut Session<'_>,
    keys: Keys<'_>,
    request: &Request<'_>,
) -> Result<Imported> {
    let shop = session.tables().require_shop()?;
    let table_name = format!("{}{}", shop.prefix, mailbeez::BLOCK);
    let columns: Vec<String> = session
        .exec(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            (table_name.as_str(),),
        )
        .await?;
    if columns.is_empty() {
        return Err(Error::config(format!(
            "importOptOuts: the table {table_name} does not exist in this database (is MailBeez installed, and is shop_table_prefix right?)"
        )));
    }
    // MailBeez before 2.x had no simulation column: every entry was real.
    let simulation = if columns.iter().any(|c| c == "simulation") {
        "simulation"
    } else {
        "0"
    };
    let rows: Vec<BlockRow> = session
        .exec(
            &format!(
                "SELECT autoemail_id, module, customers_id, {simulation} FROM {} ORDER BY autoemail_id",
                shop.table(mailbeez::BLOCK)
            ),
            (),
        )
        .await?;
    let mut out = Imported::default();
    for (entry_id, module, customer_id, simulated) in rows {
        out.entries += 1;
        if simulated.unwrap_or(0) != 0 {
            out.skipped_simulation += 1;
            continue;
        }
        let Some(customer_id) = customer_id
            .and_then(|c| u64::try_from(c).ok())
            .filter(|c| *c > 0)
        else {
            out.skipped_no_customer += 1;
            continue;
        };
        let key = opt_out_import::mailbeez_key(entry_id.unsigned_abs(), customer_id);
        let known: Option<u8> = session
            .exec_first(
                &session.sql("SELECT 1 FROM `{p}idempotency_keys` WHERE idem_key = ?"),
                (Value::from(key.as_str()),),
            )
            .await?;
        if known.is_some() {
            out.already_present += 1;
            continue;
        }
        let email_type = opt_out_import::objection_type(
            module.as_deref().unwrap_or(""),
            request.defined,
            request.type_map,
        );
        let recorded = if request.dry_run {
            true
        } else {
            objection::opt_out(
                session,
                keys,
                customer_id,
                Objection {
                    email_type: &email_type,
                    proof: request.proof,
                    now: request.now,
                    key: Some(idempotency::Key {
                        key: &key,
                        call: CALL,
                    }),
                },
            )
            .await?
        };
        if !recorded {
            out.already_objected += 1;
            continue;
        }
        out.imported += 1;
        match out.by_type.iter_mut().find(|(t, _)| *t == email_type) {
            Some((_, n)) => *n += 1,
            None => out.by_type.push((email_type, 1)),
        }
    }
    Ok(out)
}
