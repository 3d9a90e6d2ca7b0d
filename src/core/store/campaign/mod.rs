//! A campaign: which customers of a list, or of the whole shop, may receive a type now.
//!
//! Every customer of a shop is read by table scans and judged in this process (everyone.rs). A list,
//! and everyone without a shop preset (the consents on record), is judged by the send decision
//! (rules/decision.rs) in its set form: one statement per chunk of ids that the database answers
//! with the allowed ids only, streamed.
//!
//! The set form decides `allowed` exactly as `decide` does, except where a row needs this process:
//! - the suppression list is keyed by an HMAC whose key never goes to the server, so the ids the
//!   statement allows are checked against this process's copy here (by id, and by address when the
//!   list holds addresses);
//! - `decide` compares the account's address with the one a consent was given for in Rust
//!   (`given_for_other_address`); the statement compares it in SQL only for plain printable ASCII,
//!   where both agree byte for byte. Any other address with a consent on record comes back marked
//!   `CHECK` and is judged by the single-customer statement and `decide` itself.
//!
//! DecisionPropertyTest holds both forms to the same answers on generated customers.

use std::collections::HashSet;

use mysql_async::Value;

use crate::core::config::Secret;
use crate::core::error::Result;
use crate::core::rules::decision::{self, Facts, TypeRules};
use crate::core::rules::email_type::{Basis, ConsentMode};
use crate::core::store::cache::{self, Cache, Defaults};
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error};
use crate::core::store::decision::{self as single, Ids, apply_address_entries};
use crate::core::store::sales;
use crate::core::store::tables::ShopTables;
use crate::core::store::walk::exact_address;

mod everyone;

use everyone::Scanned;

/// What a schema error names when a row does not fit.
const WHAT: &str = "a campaign query's answer";

/// Row kinds of the statement's second column.
const ALLOWED: u64 = 1;
const CHECK: u64 = 2;

/// Most ids one statement of a list carries. Lists are padded to a few sizes (powers of two) so that
/// the server and the connection keep one prepared statement per size.
const MOST_IDS: usize = 8192;
const FEWEST_IDS: usize = 16;

/// Ids per statement of the single-customer path for the rows marked `CHECK`.
const CHECK_CHUNK: usize = 1000;

/// Whom a campaign goes to.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// Every customer of the shop (without a shop preset: every customer with a consent on record for
    /// the type, the only ones that can be allowed without the shop's tables).
    Everyone,
    /// These ids (unique).
    Ids(&'a [u64]),
}

/// The ids of `audience` that may receive `email_type` now, in no particular order.
pub async fn sendable(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    email_type: &str,
    defaults: &Defaults<'_>,
    audience: Audience<'_>,
) -> Result<HashSet<u64>> {
    if let Audience::Ids([]) = audience {
        return Ok(HashSet::new());
    }
    // The shop's size decides how a large list and everyone are read (none without a shop preset).
    let estimate = match audience {
        Audience::Ids(ids) if ids.len() < MOST_IDS / 4 => None,
        _ => customers_estimate(session).await?,
    };
    // A list that covers much of the shop costs the server less as one pass over every customer than
    // as a lookup per id: judge everyone and keep the list's ids.
    let (audience, only) = match (audience, estimate) {
        (Audience::Ids(ids), Some(rows)) if (ids.len() as u64).saturating_mul(4) >= rows => (
            Audience::Everyone,
            Some(ids.iter().copied().collect::<HashSet<u64>>()),
        ),
        (other, _) => (other, None),
    };
    let wanted = |id: u64| only.as_ref().is_none_or(|only| only.contains(&id));
    let mut cache = cache::current(session).await?;
    // A changed copy may change the rules: read again (bounded; changes are rare).
    for _ in 0..3 {
        cache::ensure_sales(session, &cache, email_type, defaults).await?;
        let rules = cache.rules(email_type, defaults);
        if rules.basis == Basis::Transactional {
            return match &only {
                Some(ids) => Ok(ids.clone()),
                None => everyone_of(session, audience).await,
            };
        }
        cache.require_keys(keyring)?;
        let judged = match (audience, session.tables().shop) {
            // Every customer of a shop: scans joined here (everyone.rs).
            (Audience::Everyone, Some(_)) => {
                everyone::judge(session, keyring, &cache, email_type, &rules, &wanted).await?
            }
            _ => {
                by_statement(
                    session, keyring, &cache, email_type, &rules, audience, &wanted,
                )
                .await?
            }
        };
        if judged.version != cache.version {
            // Types or the suppression list changed meanwhile: judge again with the new copy.
            cache = cache::load(session).await?;
            continue;
        }
        let mut allowed = judged.allowed;
        for ids in judged.check.chunks(CHECK_CHUNK) {
            let judged = single::judge(
                session,
                keyring,
                ids,
                email_type,
                defaults,
                None,
                Ids::InShop,
            )
            .await?;
            allowed.extend(
                judged
                    .facts
                    .iter()
                    .filter(|(_, facts)| judged.decide(facts).allowed)
                    .map(|(id, _)| *id),
            );
        }
        return Ok(allowed);
    }
    Err(schema_error(
        "the email types changed three times while a campaign was read; try again",
    ))
}

/// Judges `audience` by the set statement: a list in chunks, or (without a shop preset) everyone
/// with a consent on record.
async fn by_statement(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    cache: &Cache,
    email_type: &str,
    rules: &TypeRules,
    audience: Audience<'_>,
    wanted: &dyn Fn(u64) -> bool,
) -> Result<Scanned> {
    let mut allowed = HashSet::new();
    let mut check = Vec::new();
    let mut version = None;
    for ids in chunks(audience) {
        let (sql, params) = statement(session, cache, email_type, rules, ids);
        session
            .exec_each(&sql, params, |mut row| {
                version = Some(values::take::<Option<u64>>(&mut row, 0, WHAT)?);
                let kind: u64 = values::take(&mut row, 1, WHAT)?;
                let id: u64 = values::take(&mut row, 2, WHAT)?;
                if !wanted(id) {
                    return Ok(());
                }
                match kind {
                    ALLOWED => {
                        let email: Option<Vec<u8>> = values::take(&mut row, 3, WHAT)?;
                        if !listed(cache, keyring, email_type, id, email) {
                            allowed.insert(id);
                        }
                    }
                    CHECK => check.push(id),
                    _ => return Err(schema_error("an unknown row kind")),
                }
                Ok(())
            })
            .await?;
    }
    if version.is_none() {
        // No row: the counter alone, to know the rules were current.
        version = Some(
            session
                .exec_first::<Option<u64>>(
                    &session.sql(&format!("SELECT {}", cache::version(session.cluster()))),
                    (),
                )
                .await?
                .flatten(),
        );
    }
    let version = version
        .flatten()
        .ok_or_else(|| schema_error("the catalog counter is missing; run migrate()"))?;
    Ok(Scanned {
        version,
        allowed,
        check,
    })
}

/// The server's estimate of the shop's customers (None without a shop preset).
async fn customers_estimate(session: &mut Session<'_>) -> Result<Option<u64>> {
    let Some(shop) = session.tables().shop else {
        return Ok(None);
    };
    let rows: Option<Option<u64>> = session
        .exec_first(
            "SELECT TABLE_ROWS FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            (format!("{}customers", shop.prefix),),
        )
        .await?;
    Ok(Some(rows.flatten().unwrap_or(0)))
}

/// Whether this process's copy of the suppression list holds the customer (by id, or by the
/// account's address) against the type.
fn listed(
    cache: &Cache,
    keyring: &[&Secret],
    email_type: &str,
    id: u64,
    email: Option<Vec<u8>>,
) -> bool {
    if cache.customer_suppressed(id) {
        return true;
    }
    let Some(email) = email else {
        return false;
    };
    let mut facts = Facts::default();
    apply_address_entries(
        cache,
        keyring,
        email_type,
        &mut facts,
        &String::from_utf8_lossy(&email),
    );
    decision::objection(&facts).is_some()
}

/// Transactional mail goes to everyone: the audience's ids, or every customer of the shop.
async fn everyone_of(session: &mut Session<'_>, audience: Audience<'_>) -> Result<HashSet<u64>> {
    match audience {
        Audience::Ids(ids) => Ok(ids.iter().copied().collect()),
        Audience::Everyone => {
            let shop = session.tables().require_shop()?;
            let mut out = HashSet::new();
            session
                .exec_each(
                    &format!("SELECT customers_id FROM {}", shop.table("customers")),
                    (),
                    |mut row| {
                        out.insert(values::take::<u64>(&mut row, 0, WHAT)?);
                        Ok(())
                    },
                )
                .await?;
            Ok(out)
        }
    }
}

/// The audience in statements: everyone at once, or the list in chunks of at most `MOST_IDS`.
fn chunks(audience: Audience<'_>) -> Vec<Option<&[u64]>> {
    match audience {
        Audience::Everyone => vec![None],
        Audience::Ids([]) => Vec::new(),
        Audience::Ids(ids) => ids.chunks(MOST_IDS).map(Some).collect(),
    }
}

/// How many placeholders a chunk of `n` ids takes: the next power of two (at least `FEWEST_IDS`).
fn padded(n: usize) -> usize {
    n.next_power_of_two().clamp(FEWEST_IDS, MOST_IDS)
}

/// An SQL text and its parameters, written in placeholder order.
#[derive(Default)]
struct Sql {
    text: String,
    params: Vec<Value>,
}

impl Sql {
    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn param(&mut self, text: &str, value: impl Into<Value>) -> &mut Self {
        self.params.push(value.into());
        self.push(text)
    }
}

/// Where a campaign's rows come from: the shop's customers, or (without a preset) the consents on
/// record for the type.
struct Driver<'a> {
    shop: Option<ShopTables<'a>>,
    /// The SQL expression of the customer id.
    id: &'static str,
}

/// The statement: one row per allowed customer (kind 1, with the address when the suppression list
/// holds addresses) and per customer to check (kind 2), each with the catalog's counter first.
fn statement(
    session: &Session<'_>,
    cache: &Cache,
    email_type: &str,
    rules: &TypeRules,
    ids: Option<&[u64]>,
) -> (String, Vec<Value>) {
    let shop = session.tables().shop;
    let driver = Driver {
        shop,
        id: if shop.is_some() {
            "c.customers_id"
        } else {
            "st.customer_id"
        },
    };
    let id = driver.id;
    let email = match shop {
        Some(_) if cache.has_addresses() => "c.customers_email_address",
        _ => "NULL",
    };
    let check = match shop {
        // A consent on record for an address that is not plain printable ASCII: the Rust comparison
        // decides whether it was given for the account's address.
        Some(_) => {
            "COALESCE(st.status = 'granted' AND st.email IS NOT NULL
                      AND CAST(c.customers_email_address AS BINARY) NOT REGEXP '^[ -~]*$', 0)"
        }
        None => "0",
    };
    let mut sql = Sql::default();
    // The catalog's counter in every row (the server reads it once): the copy the rules came from is
    // checked against the statement's own view.
    sql.push(&format!(
        "SELECT {}, IF({check}, {CHECK}, {ALLOWED}), {id}, {email} ",
        cache::version(session.cluster())
    ));
    match shop {
        Some(tables) => {
            sql.push(&format!("FROM {} c ", tables.table("customers")));
            sql.param(
                "LEFT JOIN `{p}consent_state` st ON st.customer_id = c.customers_id AND st.purpose = ? ",
                email_type,
            );
        }
        None => {
            sql.push("FROM `{p}consent_state` st ");
        }
    }
    if rules.consent == ConsentMode::DoubleOptIn {
        sql.push("LEFT JOIN `{p}consent_events` g ON g.id = st.grant_event_id ");
    }
    match shop {
        Some(_) => sql.push("WHERE 1 "),
        None => sql
            .param("WHERE st.purpose = ? ", email_type)
            .push("AND st.status = 'granted' "),
    };
    if let Some(ids) = ids {
        sql.push(&format!("AND {id} IN ("));
        let n = padded(ids.len());
        for i in 0..n {
            // Padding repeats the last id: IN ignores repeats.
            let value = ids[i.min(ids.len() - 1)];
            sql.param(if i == 0 { "?" } else { ",?" }, value);
        }
        sql.push(") ");
    }
    sql.push(&format!("AND ({check} OR ("));
    allowed(&mut sql, &driver, email_type, rules);
    sql.push("))");
    (session.sql(&sql.text), sql.params)
}

/// The condition that `decide` allows the type (the suppression list aside, see the module comment).
fn allowed(sql: &mut Sql, driver: &Driver<'_>, email_type: &str, rules: &TypeRules) {
    let id = driver.id;
    sql.push(&format!(
        "{} ",
        crate::core::store::restriction::not_restricted(id)
    ));
    // An objection of the customer stands unless a consent that counts is newer.
    sql.param(
        &format!(
            "AND NOT EXISTS(SELECT 1 FROM `{{p}}opt_outs` x
                 WHERE x.customer_id = {id} AND x.type IN ('*', ?) AND NOT COALESCE("
        ),
        email_type,
    );
    counting(sql, driver, email_type, rules);
    sql.push(" AND st.granted_at > x.created_at, 0)) ");
    if let Some(days) = rules.min_interval_days {
        sql.param(
            &format!(
                "AND NOT EXISTS(SELECT 1 FROM `{{p}}send_log` l
                     WHERE l.customer_id = {id} AND l.type = ?"
            ),
            email_type,
        )
        .param(" AND l.sent_at > UTC_TIMESTAMP(6) - INTERVAL ? DAY) ", days);
    }
    sql.push("AND (");
    counting(sql, driver, email_type, rules);
    if let (Basis::ExistingCustomer, Some(shop), Some(notice_since)) =
        (rules.basis, driver.shop, rules.notice_since)
    {
        // § 7 Abs. 3 UWG: unless the consent was revoked, one sale meeting every condition.
        sql.push(" OR (COALESCE(st.status, '') <> 'revoked' AND ");
        let mut params = Vec::new();
        let sale = sales::qualifying_sale(
            &shop,
            id,
            &rules.excluded_statuses,
            rules.similar_categories.as_deref(),
            rules.max_age_days,
            notice_since,
            &mut params,
        );
        sql.push(&sale).push(")");
        sql.params.extend(params);
    }
    sql.push(")");
}

/// The condition that the consent in force counts: granted, for the account's address (or none
/// recorded), confirmed where the type asks for a double opt-in, and used recently enough where it
/// lapses. Never NULL.
fn counting(sql: &mut Sql, driver: &Driver<'_>, email_type: &str, rules: &TypeRules) {
    let id = driver.id;
    sql.push("COALESCE(st.status = 'granted'");
    if driver.shop.is_some() {
        sql.push(&format!(
            " AND (st.email IS NULL OR c.customers_email_address IS NULL OR st.email = {})",
            exact_address("c.customers_email_address")
        ));
    }
    if rules.consent == ConsentMode::DoubleOptIn {
        sql.push(" AND g.action = 'confirmed'");
    }
    if let Some(days) = rules.consent_max_idle_days {
        sql.param(
            " AND (st.granted_at >= UTC_TIMESTAMP(6) - INTERVAL ? DAY",
            days,
        )
        .param(
            &format!(
                " OR EXISTS(SELECT 1 FROM `{{p}}send_log` l WHERE l.customer_id = {id} AND l.type = ?"
            ),
            email_type,
        )
        .param(" AND l.sent_at >= UTC_TIMESTAMP(6) - INTERVAL ? DAY))", days);
    }
    sql.push(", 0)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_padded_to_a_few_sizes() {
        assert_eq!(padded(1), 16);
        assert_eq!(padded(16), 16);
        assert_eq!(padded(17), 32);
        assert_eq!(padded(1000), 1024);
        assert_eq!(padded(8192), 8192);
    }

    #[test]
    fn a_list_goes_in_chunks_of_at_most_the_largest_size() {
        let ids: Vec<u64> = (1..=20_000).collect();
        let sizes: Vec<usize> = chunks(Audience::Ids(&ids))
            .iter()
            .map(|c| c.map_or(0, <[u64]>::len))
            .collect();
        assert_eq!(sizes, vec![8192, 8192, 3616]);
        assert!(chunks(Audience::Ids(&[])).is_empty());
        assert_eq!(chunks(Audience::Everyone).len(), 1);
    }
}
