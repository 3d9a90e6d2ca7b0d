//! SQL of "customers also bought": streaming the shop's order lines customer by customer into the pair
//! counter, leaving out erased customers and those who objected to personalisation, and publishing the
//! pairs as a new generation (readers switch in one step; no DDL, no lock).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use mysql_async::Value;

use crate::core::config::Secret;
use crate::core::error::Result;
use crate::core::rules::consent::{Status, given_for_other_address};
use crate::core::rules::decision::{ConsentFacts, Facts};
use crate::core::rules::email::normalise;
use crate::core::rules::recommend::{self as rule, PairCounter};
use crate::core::store::cache::{self, Cache};
use crate::core::store::db::schema::render;
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error};
use crate::core::store::decision::apply_address_entries;
use crate::core::time::Timestamp;

/// The email type whose objection (or `*`) leaves a customer out of recommendations.
pub const PURPOSE: &str = "personalisation";
const INSERT_BATCH: usize = 500;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refresh {
    pub lines: u64,
    pub orders: u64,
    pub customers: u64,
    pub customers_left_out: u64,
    pub pairs_kept: u64,
    pub pairs_dropped: u64,
    pub seconds: f64,
}

/// customer, objection to all mail, to personalisation, consent status, granted at, grant event, event,
/// the consent's address, the account's current address.
type ObjectionRow = (
    u64,
    Value,
    Value,
    Option<String>,
    Value,
    Option<u64>,
    Option<u64>,
    Option<String>,
    Option<Vec<u8>>,
);

/// Customer-level objections to personalisation, with the consent that may lift them (one given for
/// another address than the account's current one lifts nothing, as in the decision), and the
/// restricted customers.
async fn objections(session: &mut Session<'_>) -> Result<HashMap<u64, Facts>> {
    let customers = session.tables().require_shop()?.table("customers");
    let rows: Vec<ObjectionRow> = session
        .exec(
            &session.sql(&format!(
                "SELECT o.customer_id, MAX(IF(o.type = '*', o.created_at, NULL)), MAX(IF(o.type = ?, o.created_at, NULL)),
                        MAX(st.status), MAX(st.granted_at), MAX(st.grant_event_id), MAX(st.event_id),
                        MAX(st.email), MAX(c.customers_email_address)
                 FROM `{{p}}opt_outs` o
                 LEFT JOIN `{{p}}consent_state` st ON st.customer_id = o.customer_id AND st.purpose = ?
                 LEFT JOIN {customers} c ON c.customers_id = o.customer_id
                 WHERE o.type IN ('*', ?) GROUP BY o.customer_id"
            )),
            (PURPOSE, PURPOSE, PURPOSE),
        )
        .await?;
    let mut facts: HashMap<u64, Facts> = rows
        .into_iter()
        .map(
            |(id, all, purpose, status, granted, grant_event, event, given_for, current)| {
                let current = current.map(|c| String::from_utf8_lossy(&c).into_owned());
                let consent = match (status.as_deref().and_then(Status::from_name), event) {
                    (Some(status), Some(event_id)) => Some(ConsentFacts {
                        status,
                        granted_at: values::timestamp(granted)?,
                        grant_event_id: grant_event,
                        event_id,
                        for_other_address: given_for_other_address(
                            current.as_deref(),
                            given_for.as_deref(),
                        ),
                        confirmed: false,
                    }),
                    _ => None,
                };
                Ok((
                    id,
                    Facts {
                        opted_out_all_at: values::timestamp(all)?,
                        opted_out_type_at: values::timestamp(purpose)?,
                        consent,
                        ..Facts::default()
                    },
                ))
            },
        )
        .collect::<Result<_>>()?;
    // Restricted customers (Art. 18 GDPR) are left out too: their newest restriction event is `restrict`.
    let restricted: Vec<u64> = session
        .exec(
            &session.sql(
                "SELECT r.customer_id FROM `{p}restrictions` r
                 WHERE r.action = 'restrict'
                   AND r.id = (SELECT MAX(n.id) FROM `{p}restrictions` n WHERE n.customer_id = r.customer_id)",
            ),
            (),
        )
        .await?;
    for id in restricted {
        facts.entry(id).or_default().restricted = true;
    }
    Ok(facts)
}

/// Whether a customer (account id, 0 for guests) with these order addresses is left out: the decision's
/// own rules for the type `personalisation`.
fn left_out(
    cache: &Cache,
    keyring: &[&Secret],
    objections: &HashMap<u64, Facts>,
    id: u64,
    emails: &HashSet<String>,
) -> bool {
    let mut facts = objections
        .get(&id)
        .filter(|_| id > 0)
        .cloned()
        .unwrap_or_default();
    facts.suppressed |= id > 0 && cache.customer_suppressed(id);
    for email in emails {
        apply_address_entries(cache, keyring, PURPOSE, &mut facts, email);
    }
    rule::left_out(&facts)
}

pub struct RefreshRequest<'a> {
    pub since: Option<Timestamp>,
    pub min_customers: u32,
    pub dry_run: bool,
    pub keyring: &'a [&'a Secret],
    pub limit: Duration,
}

/// Counts the pairs and publishes them as a new generation. Needs no lock: refreshes running at once
/// (on one server or on several cluster nodes) each succeed, and the newest generation stays
/// published.
pub async fn refresh(session: &mut Session<'_>, request: &RefreshRequest<'_>) -> Result<Refresh> {
    refresh_counted(session, request, Instant::now()).await
}

async fn refresh_counted(
    session: &mut Session<'_>,
    request: &RefreshRequest<'_>,
    started: Instant,
) -> Result<Refresh> {
    let shop = &session.tables().require_shop()?;
    let cache = cache::load(session).await?;
    cache.require_keys(request.keyring)?;
    let objections = objections(session).await?;
    let since = request.since.map_or(Value::NULL, Value::from);
    let sql = format!(
        "SELECT COALESCE(o.customers_id, 0), LOWER(TRIM(o.customers_email_address)), o.orders_id, op.products_id
         FROM {} o JOIN {} op ON op.orders_id = o.orders_id
         WHERE (? IS NULL OR o.date_purchased >= ?)
         ORDER BY COALESCE(o.customers_id, 0) = 0, COALESCE(o.customers_id, 0), LOWER(TRIM(o.customers_email_address))",
        shop.table("orders"),
        shop.table("orders_products"),
    );
    let mut counter = PairCounter::default();
    let mut stats = Refresh::default();
    let mut current: Option<(u64, String)> = None;
    let mut emails: HashSet<String> = HashSet::new();
    let mut orders: HashSet<u64> = HashSet::new();
    let close = |counter: &mut PairCounter,
                 stats: &mut Refresh,
                 id: u64,
                 emails: &mut HashSet<String>,
                 orders: &mut HashSet<u64>| {
        if left_out(&cache, request.keyring, &objections, id, emails) {
            counter.skip_customer();
            stats.customers_left_out += 1;
        } else {
            counter.next_customer();
        }
        stats.orders += orders.len() as u64;
        emails.clear();
        orders.clear();
    };
    session
        .with_statement_limit(request.limit, async |s| {
            s.exec_each(&sql, (since.clone(), since.clone()), |mut row| {
                let id: u64 = row.take_opt(0).and_then(|v| v.ok()).unwrap_or(0);
                let email: String = row
                    .take_opt::<Option<Vec<u8>>, usize>(1)
                    .and_then(|v| v.ok())
                    .flatten()
                    .map(|b| normalise(&String::from_utf8_lossy(&b)))
                    .unwrap_or_default();
                let order: u64 = row.take_opt(2).and_then(|v| v.ok()).unwrap_or(0);
                let product: Option<u64> = row.take_opt(3).and_then(|v| v.ok());
                // Accounts by id, guests by address.
                let key = (id, if id > 0 { String::new() } else { email.clone() });
                if current.as_ref() != Some(&key) {
                    if let Some((previous, _)) = current.take() {
                        close(&mut counter, &mut stats, previous, &mut emails, &mut orders);
                    }
                    current = Some(key);
                }
                stats.lines += 1;
                if !email.is_empty() {
                    emails.insert(email);
                }
                orders.insert(order);
                if let Some(product) = product
                    .and_then(|p| u32::try_from(p).ok())
                    .filter(|&p| p > 0)
                {
                    counter.bought(product);
                }
                Ok(())
            })
            .await
        })
        .await?;
    if let Some((previous, _)) = current.take() {
        close(&mut counter, &mut stats, previous, &mut emails, &mut orders);
    }
    stats.customers = counter.customers + stats.customers_left_out;
    let (pairs, dropped) = counter.finish(request.min_customers);
    stats.pairs_kept = pairs.len() as u64;
    stats.pairs_dropped = dropped;
    if !request.dry_run {
        publish(session, &pairs).await?;
    }
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// The generation readers use, as an SQL expression.
const PUBLISHED: &str = "(SELECT value FROM `{p}counters` WHERE name = 'recommend.published')";

/// Writes the pairs under a new generation number, publishes it unless a newer one was published
/// meanwhile, and deletes the generations older than the published one. Readers see the old pairs or
/// the new ones, never a half-written generation: they read the published number in the statement
/// that reads the pairs.
async fn publish(session: &mut Session<'_>, pairs: &[(u32, u32, u32)]) -> Result<()> {
    let generation = session
        .transaction(async |s| {
            s.exec_drop(
                &s.sql("UPDATE `{p}counters` SET value = LAST_INSERT_ID(value + 1) WHERE name = 'recommend.next'"),
                (),
            )
            .await?;
            match (s.affected_rows(), s.last_insert_id()) {
                (1, Some(generation)) => Ok(generation),
                _ => Err(schema_error("the recommendation counters are missing; run migrate()")),
            }
        })
        .await?;
    for chunk in pairs.chunks(INSERT_BATCH) {
        let marks = vec!["(?, ?, ?, ?), (?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = session.sql(&format!(
            "INSERT INTO `{{p}}recommendation_pairs` (generation, product_id, other_id, customers) VALUES {marks}"
        ));
        let mut params: Vec<Value> = Vec::with_capacity(chunk.len() * 8);
        for &(a, b, n) in chunk {
            params.extend([generation.into(), a.into(), b.into(), n.into()]);
            params.extend([generation.into(), b.into(), a.into(), n.into()]);
        }
        session
            .transaction(async |s| s.exec_drop(&sql, params.clone()).await)
            .await?;
    }
    let published = session
        .transaction(async |s| {
            s.exec_drop(
                &s.sql("UPDATE `{p}counters` SET value = GREATEST(value, ?) WHERE name = 'recommend.published'"),
                (generation,),
            )
            .await?;
            let published: Option<u64> = s
                .exec_first(&s.sql(&format!("SELECT {PUBLISHED}")), ())
                .await?
                .flatten();
            published.ok_or_else(|| schema_error("the recommendation counters are missing; run migrate()"))
        })
        .await?;
    // What no reader can reach any more; a reader that started before still sees it in its snapshot.
    session
        .transaction(async |s| {
            s.exec_drop(
                &s.sql("DELETE FROM `{p}recommendation_pairs` WHERE generation < ?"),
                (published,),
            )
            .await
        })
        .await
}

/// A product bought together with the asked one, by how many distinct customers.
#[derive(Debug, Clone)]
pub struct AlsoBought {
    pub product_id: u64,
    pub customers: u64,
}

/// A product the customer's purchases lead to, with its score (customers summed over the pairs).
#[derive(Debug, Clone)]
pub struct Recommendation {
    pub product_id: u64,
    pub score: u64,
}

pub async fn also_bought(
    session: &mut Session<'_>,
    product: u64,
    limit: u32,
) -> Result<Vec<AlsoBought>> {
    let rows: Vec<(u64, u64)> = session
        .exec(
            &session.sql(
                &format!("SELECT other_id, customers FROM `{{p}}recommendation_pairs`
                 WHERE generation = {PUBLISHED} AND product_id = ? ORDER BY customers DESC, other_id LIMIT ?"),
            ),
            (product, limit),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(product_id, customers)| AlsoBought {
            product_id,
            customers,
        })
        .collect())
}

/// Products the customer's own purchases lead to, best first, without what the customer bought.
pub async fn recommend_for(
    session: &mut Session<'_>,
    customer: u64,
    limit: u32,
) -> Result<Vec<Recommendation>> {
    let shop = &session.tables().require_shop()?;
    let prefix = session.prefix();
    let bought = format!(
        "SELECT op.products_id FROM {} o JOIN {} op ON op.orders_id = o.orders_id WHERE o.customers_id = ?",
        shop.table("orders"),
        shop.table("orders_products")
    );
    let rows: Vec<(u64, u64)> = session
        .exec(
            &render(
                &format!(
                    "SELECT r.other_id, SUM(r.customers) AS score FROM `{{p}}recommendation_pairs` r
                     WHERE r.generation = {PUBLISHED} AND r.product_id IN ({bought}) AND r.other_id NOT IN ({bought})
                     GROUP BY r.other_id ORDER BY score DESC, r.other_id LIMIT ?"
                ),
                prefix,
            ),
            (customer, customer, limit),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(product_id, score)| Recommendation { product_id, score })
        .collect())
}
