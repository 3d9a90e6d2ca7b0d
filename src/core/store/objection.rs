//! SQL of objections: opt-outs per customer and type, objections by address, and the withdrawals of
//! consent an objection implies.
//!
//! An objection of a customer (`optOut`, `unsubscribe`) is recorded, in one transaction, for the
//! customer id, for the account's current address (an address entry, so every account with that
//! address, now or later, is covered) and, for a type that needs consent, as a revocation in the
//! consent ledger. Lock order in every transaction here and in `consent::confirm`: the chain head
//! first (only when something is revoked), the catalog counter's rows last.

use mysql_async::Value;

use crate::core::config::Secret;
use crate::core::error::Result;
use crate::core::rules::consent::{Action, Status};
use crate::core::rules::decision::EntryKind;
use crate::core::rules::email_type::Basis;
use crate::core::rules::proof::Proof;
use crate::core::store::cache::{self, REASON_OPT_OUT};
use crate::core::store::consent::{self, NewEvent};
use crate::core::store::db::session::Session;
use crate::core::store::db::values;
use crate::core::store::idempotency;
use crate::core::store::records;
use crate::core::store::walk::exact_address;
use crate::core::time::Timestamp;

/// One objection: the type objected to (`*`: all marketing mail), its proof and time.
#[derive(Clone, Copy)]
pub struct Objection<'a> {
    pub email_type: &'a str,
    pub proof: &'a Proof,
    pub now: Timestamp,
    /// The call's `idempotency_key` with the call's name.
    pub key: Option<idempotency::Key<'a>>,
}

/// The keys to recognise addresses with (current first) and the current key to write entries with;
/// None without a configured secret (then no address entry is written).
#[derive(Clone, Copy)]
pub struct Keys<'a> {
    pub keyring: &'a [&'a Secret],
    pub secret: Option<&'a Secret>,
}

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

/// Records the objection for the customer id, with the revocations it implies (for the account's
/// `address`), unless the same objection already stands. Whether it stands is judged before the
/// revocations, which would otherwise make every lifted objection look standing. True if anything was
/// recorded.
async fn record_for_customer(
    s: &mut Session<'_>,
    customer_id: u64,
    address: Option<&str>,
    objection: Objection<'_>,
) -> Result<bool> {
    let stands = objection_stands(s, customer_id, objection.email_type).await?;
    let revoked = revoke_for(s, customer_id, address, objection).await?;
    // Profiling for direct marketing ends with the objection (Art. 21(2), (3) GDPR).
    if records::ends_profiling(objection.email_type) {
        records::drop_tags(s, customer_id, objection.email_type, objection.now).await?;
    }
    if stands {
        return Ok(revoked > 0);
    }
    let proof = objection.proof;
    s.exec_drop(
        &s.sql(
            "INSERT INTO `{p}opt_outs` (customer_id, type, source, ip, user_agent, actor, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        ),
        vec![
            Value::from(customer_id),
            objection.email_type.into(),
            proof.source.map(|s| s.name()).into(),
            proof.ip.as_deref().into(),
            proof.user_agent.as_deref().into(),
            proof.actor.as_deref().into(),
            objection.now.into(),
        ],
    )
    .await?;
    Ok(true)
}

/// The purposes an objection withdraws consent for: for `*` every purpose the customer has granted;
/// for a type whose basis is consent (or that nobody defined: it needs consent), that purpose if
/// granted. Types on another basis keep their consent; the objection itself stops the mail.
async fn purposes_to_revoke(
    s: &mut Session<'_>,
    customer_id: u64,
    email_type: &str,
) -> Result<Vec<String>> {
    if email_type != "*" {
        let basis: Option<String> = s
            .exec_first(
                &s.sql("SELECT basis FROM `{p}email_types` WHERE type = ?"),
                (email_type,),
            )
            .await?;
        if basis.is_some_and(|b| b != Basis::Consent.name()) {
            return Ok(Vec::new());
        }
    }
    s.exec(
        &s.sql(
            "SELECT purpose FROM `{p}consent_state`
             WHERE customer_id = ? AND status = 'granted' AND (? = '*' OR purpose = ?) ORDER BY purpose",
        ),
        (customer_id, email_type, email_type),
    )
    .await
}

/// Appends the revocations the objection implies, for the customer's `address` (the account's current
/// one); returns how many. Takes the chain lock only when there is something to revoke.
async fn revoke_for(
    s: &mut Session<'_>,
    customer_id: u64,
    address: Option<&str>,
    objection: Objection<'_>,
) -> Result<u64> {
    let seen = purposes_to_revoke(s, customer_id, objection.email_type).await?;
    let Some(first) = seen.first() else {
        return Ok(0);
    };
    let mut head = consent::lock_head(s, customer_id, first).await?;
    // Under the lock: what another worker granted or revoked meanwhile is seen here.
    let purposes = purposes_to_revoke(s, customer_id, objection.email_type).await?;
    for purpose in &purposes {
        head.status = Some(Status::Granted);
        let event = NewEvent {
            customer_id,
            purpose,
            action: Action::Revoked,
            request_id: None,
            email: address,
            proof: objection.proof,
            recorded_at: objection.now,
        };
        consent::append_locked(s, &mut head, &event).await?;
    }
    Ok(purposes.len() as u64)
}

/// Records the objection for an address (an `opt_out` entry under the current key) and ends the lifts
/// it covers (of its type; all of them for `*`). Nothing new when the same objection stands or the
/// address is suppressed for good for the type. True if anything changed. Moves the change counter.
async fn record_for_address(
    s: &mut Session<'_>,
    keys: Keys<'_>,
    secret: &Secret,
    normal_email: &str,
    objection: Objection<'_>,
) -> Result<bool> {
    let email_type = objection.email_type;
    let entries = cache::address_entries_in_db(s, keys.keyring, normal_email).await?;
    let covers = |t: &str| t == "*" || t == email_type;
    let for_good = entries.iter().any(|e| {
        covers(&e.email_type)
            && matches!(cache::entry_kind(&e.reason), EntryKind::Suppression { .. })
    });
    let standing = entries
        .iter()
        .any(|e| e.reason == REASON_OPT_OUT && e.email_type == email_type);
    let dropped = cache::drop_lifts(s, keys.keyring, normal_email, email_type).await?;
    if for_good || standing {
        // The suppression or the objection holds again now that its lifts are gone.
        if dropped > 0 {
            cache::changed_address(s, normal_email).await?;
        }
        return Ok(dropped > 0);
    }
    cache::put_address(
        s,
        secret,
        normal_email,
        email_type,
        REASON_OPT_OUT,
        objection.proof,
        objection.now,
    )
    .await?;
    Ok(true)
}

/// Records a customer's objection (`optOut`, `unsubscribe`), in one transaction: the revocations it
/// implies, the objection by customer id, and the objection of the account's current address (skipped
/// without a secret or without a known address). True if anything was newly recorded.
pub async fn opt_out(
    session: &mut Session<'_>,
    keys: Keys<'_>,
    customer_id: u64,
    objection: Objection<'_>,
) -> Result<bool> {
    session
        .transaction(async |s| {
            if let Some(first) = idempotency::claim(s, objection.key, objection.now).await? {
                return Ok(first != 0);
            }
            let address = consent::account_address(s, customer_id).await?;
            let mut recorded =
                record_for_customer(s, customer_id, address.as_deref(), objection).await?;
            if let (Some(address), Some(secret)) = (address.as_deref(), keys.secret) {
                recorded |= record_for_address(s, keys, secret, address, objection).await?;
            }
            idempotency::record(s, objection.key, u64::from(recorded)).await?;
            Ok(recorded)
        })
        .await
}

/// Records an objection by address: for every account of the shop with that address (with the
/// revocations it implies) and for the address itself (so it holds for accounts made later, and
/// without a shop preset). An address suppressed for good for the type, with nothing lifting it, is
/// left alone. True if something was recorded. Needs the current key (`secret`).
pub async fn opt_out_email(
    session: &mut Session<'_>,
    keys: Keys<'_>,
    secret: &Secret,
    normal_email: &str,
    objection: Objection<'_>,
) -> Result<bool> {
    let shop = session.tables().shop;
    let shop = shop.as_ref();
    let email_type = objection.email_type;
    session
        .transaction(async |s| {
            if let Some(first) = idempotency::claim(s, objection.key, objection.now).await? {
                return Ok(first != 0);
            }
            let entries = cache::address_entries_in_db(s, keys.keyring, normal_email).await?;
            let covers = |t: &str| t == "*" || t == email_type;
            let for_good = entries.iter().any(|e| {
                covers(&e.email_type)
                    && matches!(cache::entry_kind(&e.reason), EntryKind::Suppression { .. })
            });
            let lifted = entries.iter().any(|e| {
                cache::entry_kind(&e.reason) == EntryKind::Lift
                    && (email_type == "*" || e.email_type == email_type)
            });
            if for_good && !lifted {
                idempotency::record(s, objection.key, 0).await?;
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
            for &customer in &customers {
                recorded |= record_for_customer(s, customer, Some(normal_email), objection).await?;
            }
            recorded |= record_for_address(s, keys, secret, normal_email, objection).await?;
            idempotency::record(s, objection.key, u64::from(recorded)).await?;
            Ok(recorded)
        })
        .await
}
