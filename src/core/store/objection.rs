//! SQL of objections: opt-outs per customer and type, and objections by address.

use mysql_async::Value;

use crate::core::config::Secret;
use crate::core::error::Result;
use crate::core::rules::proof::Proof;
use crate::core::store::cache::{self, REASON_OPT_OUT};
use crate::core::store::db::session::Session;
use crate::core::store::db::values;
use crate::core::store::walk::exact_address;
use crate::core::time::Timestamp;

/// Whether a standing objection of `customer_id` to `email_type` exists that no newer consent in force
/// lifts (for `*`: no consent in force of any purpose is newer).
async fn objection_stands(
    session: &mut Session<'_>,
    customer_id: u64,
    email_type: &str,
) -> Result<bool> {
    let sql = session.sql(
        "SELECT (SELECT MAX(created_at) FROM `{p}opt_outs` WHERE customer_id = ? AND type = ?),
                (SELECT MAX(granted_at) FROM `{p}consent_state`
                  WHERE customer_id = ? AND status = 'granted' AND (? = '*' OR purpose = ?))",
    );
    let row: Option<(Value, Value)> = session
        .exec_first(
            &sql,
            (customer_id, email_type, customer_id, email_type, email_type),
        )
        .await?;
    let Some((opted, granted)) = row else {
        return Ok(false);
    };
    let (opted, granted) = (values::timestamp(opted)?, values::timestamp(granted)?);
    Ok(match (opted, granted) {
        (None, _) => false,
        (Some(o), Some(g)) => g <= o,
        (Some(_), None) => true,
    })
}

/// Records an objection unless an identical one already stands; true if something was recorded.
pub async fn opt_out(
    session: &mut Session<'_>,
    customer_id: u64,
    email_type: &str,
    proof: &Proof,
    now: Timestamp,
) -> Result<bool> {
    if objection_stands(session, customer_id, email_type).await? {
        return Ok(false);
    }
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}opt_outs` (customer_id, type, source, ip, user_agent, actor, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            ),
            vec![
                Value::from(customer_id),
                email_type.into(),
                proof.source.map(|s| s.name()).into(),
                proof.ip.as_deref().into(),
                proof.user_agent.as_deref().into(),
                proof.actor.as_deref().into(),
                now.into(),
            ],
        )
        .await?;
    Ok(true)
}

/// Records an objection by address: for every account of the shop with that address, and for the
/// address itself (so it holds for accounts made later, and without a shop preset). An address
/// suppressed for good (e.g. erased) is left alone. True if something was recorded.
#[allow(clippy::too_many_arguments)]
pub async fn opt_out_email(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    normal_email: &str,
    email_type: &str,
    proof: &Proof,
    now: Timestamp,
) -> Result<bool> {
    let shop = session.tables().shop;
    let shop = shop.as_ref();
    let Some(current_key) = keyring.first() else {
        return Ok(false);
    };
    session
        .transaction(async |s| {
            let entries = cache::address_entries_in_db(s, keyring, normal_email).await?;
            if entries.iter().any(|e| e.reason != REASON_OPT_OUT) {
                return Ok(false);
            }
            let customers: Vec<u64> = match shop {
                Some(tables) => {
                    // Exactly this address, not its case or accent variants under the collation.
                    s.exec(
                        &format!(
                            "SELECT customers_id FROM {} WHERE {} = ?",
                            tables.table("customers"),
                            exact_address("customers_email_address")
                        ),
                        (Value::Bytes(normal_email.as_bytes().to_vec()),),
                    )
                    .await?
                }
                None => Vec::new(),
            };
            let mut recorded = false;
            let mut newest_consent: Option<Timestamp> = None;
            for &customer in &customers {
                recorded |= opt_out(s, customer, email_type, proof, now).await?;
                let granted: Option<Value> = s
                    .exec_first(
                        &s.sql(
                            "SELECT MAX(granted_at) FROM `{p}consent_state`
                             WHERE customer_id = ? AND status = 'granted' AND (? = '*' OR purpose = ?)",
                        ),
                        (customer, email_type, email_type),
                    )
                    .await?;
                if let Some(g) = granted.map(values::timestamp).transpose()?.flatten() {
                    newest_consent = newest_consent.max(Some(g));
                }
            }
            // The address entry stands unless a consent in force of one of its accounts is newer.
            let standing = entries
                .iter()
                .filter(|e| e.email_type == email_type)
                .map(|e| e.created_at)
                .max()
                .is_some_and(|at| newest_consent.is_none_or(|g| g <= at));
            if !standing {
                cache::put_address(s, current_key, normal_email, email_type, REASON_OPT_OUT, proof, now)
                    .await?;
                recorded = true;
            }
            Ok(recorded)
        })
        .await
}
