//! SQL of importing a shop's existing newsletter subscriptions into the ledger: reading the flag and the
//! double opt-in list, and appending the planned events in batches under the chain lock, skipping every
//! customer who already has an event for the purpose (checked under the lock, so a grant or revocation
//! landing meanwhile is never overwritten and a second run adds nothing).

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use mysql_async::Value;

use crate::core::error::Result;
use crate::core::rules::consent::Action;
use crate::core::rules::email::normalise;
use crate::core::rules::import::{ListEntry, Planned, Subscription, plan};
use crate::core::rules::proof::{Proof, Source};
use crate::core::store::consent::{NewEvent, account_addresses, append_locked, lock_head};
use crate::core::store::db::schema::render;
use crate::core::store::db::session::Session;
use crate::core::store::db::values;
use crate::core::store::walk::columns;
use crate::core::time::Timestamp;

/// Customers per transaction: short enough that shop traffic waiting for the chain lock hardly notices.
const BATCH: usize = 200;
/// Addresses per lookup of list entries without an account id.
const LOOKUP_BATCH: usize = 500;

pub struct ImportRequest<'a> {
    pub purpose: &'a str,
    pub dry_run: bool,
    pub text: Option<&'a str>,
    pub text_version: Option<&'a str>,
    pub truncate_ip: bool,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// Customers the shop has as subscribed (flag or confirmed list entry with an account).
    pub subscribed: u64,
    /// Customers recorded with one `granted` event.
    pub granted: u64,
    /// Customers recorded with a `requested` and a `confirmed` event (confirmed double opt-in).
    pub confirmed: u64,
    /// Customers left alone because the ledger already has events of them for the purpose.
    pub already_in_ledger: u64,
    /// Confirmed list entries whose address belongs to no account (the ledger is per customer id).
    pub without_account: u64,
    /// List entries never confirmed: no consent, nothing imported.
    pub not_confirmed: u64,
    /// Events without a date the shop knew (recorded with the import time).
    pub undated: u64,
    pub seconds: f64,
}

/// A shop date as UTC: the shop wrote it in the server's time zone; zero dates read as none.
fn utc(column: &str) -> String {
    format!(
        "IF({column} > '1970-01-02', COALESCE(CONVERT_TZ({column}, @@global.time_zone, '+00:00'), {column}), NULL)"
    )
}

fn time(value: Value) -> Option<Timestamp> {
    values::timestamp(value).ok().flatten()
}

/// customers_id, account created (UTC)
type FlagRow = (u64, Value);
/// customers_id, normalised address, date added, ip added, date confirmed, ip confirmed, confirmed?
type ListRow = (
    u64,
    Option<String>,
    Value,
    Option<String>,
    Value,
    Option<String>,
    i64,
);

/// Reads every subscription the shop records, by customer id.
async fn subscriptions(
    session: &mut Session<'_>,
    counts: &mut Imported,
) -> Result<BTreeMap<u64, Subscription>> {
    let shop = &session.tables().require_shop()?;
    let name = |t: &str| format!("{}{t}", shop.prefix);
    let cols = columns(
        session,
        &[
            name("customers"),
            name("customers_info"),
            name("newsletter_recipients"),
        ],
    )
    .await?;
    let has = |t: &str, c: &str| {
        cols.get(&name(t))
            .is_some_and(|cs| cs.iter().any(|x| x == c))
    };
    let mut found: BTreeMap<u64, Subscription> = BTreeMap::new();

    if has("customers", "customers_newsletter") {
        let created = if has("customers_info", "customers_info_date_account_created") {
            format!(
                "(SELECT {} FROM {} ci WHERE ci.customers_info_id = c.customers_id)",
                utc("ci.customers_info_date_account_created"),
                shop.table("customers_info")
            )
        } else if has("customers", "customers_date_added") {
            utc("c.customers_date_added")
        } else {
            "NULL".to_owned()
        };
        let rows: Vec<FlagRow> = session
            .exec(
                &format!("SELECT c.customers_id, {created} FROM {} c WHERE c.customers_newsletter = '1' AND c.customers_id > 0", shop.table("customers")),
                (),
            )
            .await?;
        for (id, created) in rows {
            found.insert(
                id,
                Subscription {
                    customer_id: id,
                    flag: true,
                    account_created: time(created),
                    list: None,
                },
            );
        }
    }

    if has("newsletter_recipients", "mail_status") {
        let col = |c: &str, expr: String| {
            if has("newsletter_recipients", c) {
                expr
            } else {
                "NULL".to_owned()
            }
        };
        // The account id only when that account exists; else the address decides below.
        let sql = format!(
            "SELECT COALESCE(c.customers_id, 0), r.customers_email_address, {}, {}, {}, {}, r.mail_status = 1
             FROM {} r LEFT JOIN {} c ON r.customers_id > 0 AND c.customers_id = r.customers_id",
            col("date_added", utc("r.date_added")),
            col("ip_date_added", "r.ip_date_added".to_owned()),
            col("date_confirmed", utc("r.date_confirmed")),
            col("ip_date_confirmed", "r.ip_date_confirmed".to_owned()),
            shop.table("newsletter_recipients"),
            shop.table("customers"),
        );
        let rows: Vec<ListRow> = session.exec(&sql, ()).await?;
        let mut by_address: Vec<(String, ListEntry)> = Vec::new();
        for (id, email, added, added_ip, confirmed, confirmed_ip, is_confirmed) in rows {
            if is_confirmed != 1 {
                counts.not_confirmed += 1;
                continue;
            }
            let entry = ListEntry {
                added_at: time(added),
                added_ip,
                confirmed_at: time(confirmed),
                confirmed_ip,
            };
            if id > 0 {
                found
                    .entry(id)
                    .or_insert_with(|| Subscription {
                        customer_id: id,
                        ..Subscription::default()
                    })
                    .list = Some(entry);
            } else {
                by_address.push((normalise(&email.unwrap_or_default()), entry));
            }
        }
        // List entries made without an account: the account of the same address, if there is one.
        for chunk in by_address.chunks(LOOKUP_BATCH) {
            let marks = vec!["?"; chunk.len()].join(",");
            // The collation finds the candidates (case and accent variants among them); the address
            // decides exactly, byte for byte after normalising.
            let accounts: Vec<(u64, String)> = session
                .exec(
                    &format!(
                        "SELECT customers_id, customers_email_address FROM {} WHERE customers_email_address IN ({marks})
                         ORDER BY customers_id",
                        shop.table("customers")
                    ),
                    chunk.iter().map(|(e, _)| Value::from(e.as_str())).collect::<Vec<_>>(),
                )
                .await?;
            for (email, entry) in chunk {
                match accounts.iter().find(|(_, a)| normalise(a) == *email) {
                    Some(&(id, _)) => {
                        let s = found.entry(id).or_insert_with(|| Subscription {
                            customer_id: id,
                            ..Subscription::default()
                        });
                        if s.list.is_none() {
                            s.list = Some(entry.clone());
                        }
                    }
                    None => counts.without_account += 1,
                }
            }
        }
    }
    counts.subscribed = found.len() as u64;
    Ok(found)
}

/// Customers with any event for the purpose among `ids` (all of them when `ids` is empty).
async fn in_ledger(session: &mut Session<'_>, purpose: &str, ids: &[u64]) -> Result<HashSet<u64>> {
    let prefix = session.prefix();
    let mut params: Vec<Value> = vec![purpose.into()];
    let filter = if ids.is_empty() {
        String::new()
    } else {
        params.extend(ids.iter().map(|&id| Value::from(id)));
        format!(" AND customer_id IN ({})", vec!["?"; ids.len()].join(","))
    };
    let rows: Vec<u64> = session
        .exec(
            &render(&format!("SELECT DISTINCT customer_id FROM `{{p}}consent_events` WHERE purpose = ?{filter}"), prefix),
            params,
        )
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn import(session: &mut Session<'_>, request: &ImportRequest<'_>) -> Result<Imported> {
    let started = Instant::now();
    let mut counts = Imported::default();
    let found = subscriptions(session, &mut counts).await?;
    let planned: Vec<(u64, Vec<Planned>)> = found
        .values()
        .map(|s| (s.customer_id, plan(s, request.now, request.truncate_ip)))
        .filter(|(_, events)| !events.is_empty())
        .collect();

    if request.dry_run {
        let known = in_ledger(session, request.purpose, &[]).await?;
        for (id, events) in &planned {
            if known.contains(id) {
                counts.already_in_ledger += 1;
            } else {
                tally(&mut counts, events);
            }
        }
    } else {
        for chunk in planned.chunks(BATCH) {
            let batch = session
                .transaction(async |s| {
                    let mut head = lock_head(s, 0, request.purpose).await?;
                    let ids: Vec<u64> = chunk.iter().map(|(id, _)| *id).collect();
                    // Under the chain lock: nobody appends for these customers until the commit.
                    let known = in_ledger(s, request.purpose, &ids).await?;
                    // Each consent is recorded for the account's current address (the list's address
                    // belongs to that account, see `subscriptions`).
                    let addresses = account_addresses(s, &ids).await?;
                    let mut batch = Imported::default();
                    for (id, events) in chunk {
                        if known.contains(id) {
                            batch.already_in_ledger += 1;
                            continue;
                        }
                        head.status = None;
                        let mut request_id = None;
                        for event in events {
                            let proof = Proof {
                                source: Some(Source::Import),
                                text: request.text.map(str::to_owned),
                                text_version: Some(
                                    request.text_version.unwrap_or(event.origin).to_owned(),
                                ),
                                ip: event.ip.clone(),
                                occurred_at: event.occurred_at,
                                ..Proof::default()
                            };
                            let new = NewEvent {
                                customer_id: *id,
                                purpose: request.purpose,
                                action: event.action,
                                request_id: if event.action == Action::Confirmed {
                                    request_id
                                } else {
                                    None
                                },
                                email: addresses.get(id).map(String::as_str),
                                proof: &proof,
                                recorded_at: request.now,
                            };
                            let appended = append_locked(s, &mut head, &new).await?;
                            if event.action == Action::Requested {
                                request_id = Some(appended);
                            }
                        }
                        tally(&mut batch, events);
                    }
                    Ok(batch)
                })
                .await?;
            counts.granted += batch.granted;
            counts.confirmed += batch.confirmed;
            counts.already_in_ledger += batch.already_in_ledger;
            counts.undated += batch.undated;
        }
    }
    counts.seconds = started.elapsed().as_secs_f64();
    Ok(counts)
}

fn tally(counts: &mut Imported, events: &[Planned]) {
    if events.iter().any(|e| e.action == Action::Confirmed) {
        counts.confirmed += 1;
    } else {
        counts.granted += 1;
    }
    counts.undated += events.iter().filter(|e| e.occurred_at.is_none()).count() as u64;
}

/// Appends an imported consent that the shop's old records show as confirmed by double opt-in (proof
/// `confirmed_at`): its request, dated `occurred_at` (else the confirmation), and its confirmation, in
/// one transaction, as the shop-list import records them. Returns the confirmation's id.
pub async fn append_confirmed(session: &mut Session<'_>, event: &NewEvent<'_>) -> Result<u64> {
    session
        .transaction(async |s| {
            let current = match event.email {
                Some(_) => None,
                None => account_addresses(s, &[event.customer_id])
                    .await?
                    .remove(&event.customer_id),
            };
            let email = event.email.or(current.as_deref());
            let confirmed_at = event.proof.confirmed_at;
            let requested = Proof {
                occurred_at: event.proof.occurred_at.or(confirmed_at),
                confirmed_at: None,
                ..event.proof.clone()
            };
            let confirmation = Proof {
                occurred_at: confirmed_at,
                confirmed_at: None,
                ..event.proof.clone()
            };
            let mut head = lock_head(s, event.customer_id, event.purpose).await?;
            let request_id = append_locked(
                s,
                &mut head,
                &NewEvent {
                    action: Action::Requested,
                    email,
                    proof: &requested,
                    ..*event
                },
            )
            .await?;
            append_locked(
                s,
                &mut head,
                &NewEvent {
                    action: Action::Confirmed,
                    request_id: Some(request_id),
                    email,
                    proof: &confirmation,
                    ..*event
                },
            )
            .await
        })
        .await
}
