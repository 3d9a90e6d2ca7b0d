//! Erasure (Art. 17 GDPR): walks the same data map as the export and deletes, anonymises or retains
//! the customer's rows table by table, after putting every address the customer used on the
//! suppression list, so the objection outlives the data.
//!
//! Order matters because the shops' MyISAM tables cannot roll back: the suppression entries are
//! committed first; then tables found through a parent go before the parent, and the tables that hold
//! the customer's addresses (customers last) go after everything found by address. An interrupted run
//! therefore leaves only rows a re-run still finds, and a re-run completes it. Deleted rows are gone
//! and anonymised rows are no longer found (or marked), so `erase` is idempotent and a dry run counts
//! exactly what a real run then changes.

use mysql_async::Value;

use crate::core::address::address_hmacs;
use crate::core::config::Secret;
use crate::core::datamap::{self, Entry, Erase, Find, Owner, Period, Replacement, own};
use crate::core::error::{Error, Result};
use crate::core::store::cache;
use crate::core::store::db::session::Session;
use crate::core::store::free_text;
use crate::core::store::retained;
use crate::core::store::walk::{self, Columns, Scope, Subject, quote};
use crate::core::time::Timestamp;

/// What erasure did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub removed: Vec<(String, u64)>,
    pub anonymized: Vec<(String, u64)>,
    pub retained: Vec<Retained>,
    /// New suppression entries (addresses, or the customer id when no address is known).
    pub suppressed: u64,
    /// Rows found by one of the customer's addresses that another customer owns, left untouched
    /// (tables with at least one such row).
    pub skipped_other_owner: Vec<(String, u64)>,
    pub dry_run: bool,
}

/// A retained table's part of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retained {
    pub table: String,
    /// Rows kept.
    pub count: u64,
    pub reason: String,
    /// The legal period, where the table has one.
    pub period: Option<Period>,
    /// The last day the newest kept row must be kept (YYYY-MM-DD); None without a period or rows.
    pub until: Option<String>,
}

pub struct Request<'a> {
    pub customer_id: u64,
    pub shop_data: bool,
    pub dry_run: bool,
    pub strategies: &'a [(String, Erase)],
    /// `retention_years`: the shop's legal periods per table.
    pub retention_years: &'a [(String, u32)],
    pub secret: &'a Secret,
    pub now: Timestamp,
}

/// One table's part of the erasure.
pub(crate) struct Step {
    pub(crate) entry: &'static Entry,
    pub(crate) table: String,
    pub(crate) strategy: Erase,
    /// The anonymisation plan, limited to the columns this table has.
    columns: Vec<(&'static str, Replacement)>,
    /// A retained table's legal period and the SQL of its rows' date: expired rows are deleted.
    pub(crate) kept: Option<retained::Dating>,
}

fn order(entry: &Entry) -> u8 {
    match entry.find {
        Find::Via { .. } => 0,
        Find::Match { .. } if entry.addresses.is_empty() => 1,
        // Found by keys read before any change.
        Find::Scan { .. } => 1,
        Find::Suppression => 2,
        // Where the addresses come from, the account itself last.
        Find::Match { .. } if entry.table != "customers" => 3,
        Find::Match { .. } => 4,
    }
}

/// The steps of an erasure, in the order they run.
pub(crate) fn plan(
    ctx: &Scope<'_>,
    shop_data: bool,
    strategies: &[(String, Erase)],
    retention_years: &[(String, u32)],
    columns: &Columns,
) -> Vec<Step> {
    let mut steps: Vec<Step> = datamap::entries(ctx.shop())
        .into_iter()
        .filter(|e| shop_data || matches!(e.owner, Owner::Own))
        .filter_map(|entry| {
            let table = ctx.table(entry);
            let present = columns.get(&table)?;
            let strategy = datamap::strategy(entry, strategies);
            let kept = match strategy {
                Erase::Retain(_) => {
                    retained::dating(ctx, entry, strategies, retention_years, columns)
                }
                _ => None,
            };
            let columns = entry
                .anonymize
                .iter()
                .filter(|(c, _)| present.iter().any(|p| p == c))
                .copied()
                .collect();
            Some(Step {
                entry,
                table,
                strategy,
                columns,
                kept,
            })
        })
        .collect();
    steps.sort_by_key(|s| order(s.entry));
    steps
}

/// Refuses to erase a shop administrator (xtc, modified and Gambio keep them in `customers`).
async fn refuse_admin(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    columns: &Columns,
    customer_id: u64,
) -> Result<()> {
    let Some(customers) = datamap::entry("customers") else {
        return Ok(());
    };
    let table = ctx.table(customers);
    if !columns
        .get(&table)
        .is_some_and(|c| c.iter().any(|c| c == "customers_status"))
    {
        return Ok(());
    }
    let status: Option<Option<i64>> = session
        .exec_first(
            &format!(
                "SELECT customers_status FROM {} WHERE customers_id = ?",
                quote(&table)
            ),
            (customer_id,),
        )
        .await?;
    if status.flatten() == Some(0) {
        return Err(Error::invalid_input(format!(
            "customer {customer_id} is a shop administrator (customers_status 0); erase the admin account in the shop's admin area"
        )));
    }
    Ok(())
}

/// On a Galera node, refuses to change a shop table that is not InnoDB: Galera replicates InnoDB
/// only, so a MyISAM table would lose the customer on this node and keep it on every other one while
/// erase() reported success. Checked before anything is written (the suppression entries included).
async fn refuse_unreplicated(session: &mut Session<'_>, steps: &[Step]) -> Result<()> {
    let wsrep: Option<(String, String)> = session
        .exec_first("SHOW VARIABLES LIKE 'wsrep_on'", ())
        .await?;
    if !wsrep.is_some_and(|(_, on)| on.eq_ignore_ascii_case("ON")) {
        return Ok(());
    }
    // Retained tables with a legal period change too: their expired rows are deleted.
    let changed: Vec<&str> = steps
        .iter()
        .filter(|s| !matches!(s.strategy, Erase::Retain(_)) || s.kept.is_some())
        .map(|s| s.table.as_str())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let marks = vec!["?"; changed.len()].join(", ");
    let engines: Vec<(String, Option<String>)> = session
        .exec(
            &format!(
                "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ({marks}) ORDER BY TABLE_NAME"
            ),
            changed,
        )
        .await?;
    let unreplicated: Vec<String> = engines
        .into_iter()
        .filter(|(_, engine)| {
            !engine
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case("InnoDB"))
        })
        .map(|(table, engine)| format!("{table} ({})", engine.as_deref().unwrap_or("no engine")))
        .collect();
    if unreplicated.is_empty() {
        return Ok(());
    }
    Err(Error::config(format!(
        "erase() with shop_data refused: this database is a Galera cluster node, which replicates InnoDB tables only, and the shop table(s) {} are not InnoDB; the other nodes would keep the customer. Convert them (ALTER TABLE ... ENGINE=InnoDB) or set erase_strategies to retain them",
        unreplicated.join(", ")
    )))
}

pub async fn erase(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    request: &Request<'_>,
) -> Result<Report> {
    // Every mapped table is read for the addresses, also without shop_data: the suppression list
    // needs every address the customer used.
    let all = datamap::entries(ctx.shop());
    let tables: Vec<String> = all.iter().map(|e| ctx.table(e)).collect();
    let columns = walk::columns(session, &tables).await?;
    let steps = plan(
        ctx,
        request.shop_data,
        request.strategies,
        request.retention_years,
        &columns,
    );
    if request.shop_data {
        refuse_admin(session, ctx, &columns, request.customer_id).await?;
        refuse_unreplicated(session, &steps).await?;
    }
    let subject = walk::subject(session, ctx, &all, &columns, request.customer_id).await?;
    let mut report = Report {
        dry_run: request.dry_run,
        ..Report::default()
    };

    report.suppressed = if request.dry_run {
        suppress(session, ctx, request, &subject, true).await?
    } else {
        session
            .transaction(async |s| suppress(s, ctx, request, &subject, false).await)
            .await?
    };

    // Read before the account and its addresses go (and after the suppression is committed: nothing
    // read here may hold that up).
    let person = match steps.iter().any(|s| checks_review_texts(s, &steps)) {
        true => Some(free_text::person(session, ctx, &columns, &subject).await?),
        false => None,
    };

    let run = async |s: &mut Session<'_>| -> Result<Report> {
        let mut report = report.clone();
        for step in &steps {
            let others = count_others(s, ctx, &subject, step).await?;
            if others > 0 {
                report
                    .skipped_other_owner
                    .push((step.table.clone(), others));
            }
            if let (Some(person), true) = (&person, checks_review_texts(step, &steps)) {
                let reviewed = free_text::review_texts(
                    s,
                    ctx,
                    step.entry,
                    &step.table,
                    person,
                    &subject,
                    request.dry_run,
                )
                .await?;
                report
                    .anonymized
                    .push((step.table.clone(), reviewed.replaced));
                if let Erase::Retain(reason) = step.strategy {
                    report.retained.push(Retained {
                        table: step.table.clone(),
                        count: reviewed.kept,
                        reason: reason.to_owned(),
                        period: None,
                        until: None,
                    });
                }
                continue;
            }
            if let (Erase::Retain(reason), Some(dating)) = (step.strategy, &step.kept) {
                let kept = retained::apply(s, ctx, &subject, step, dating, request.dry_run).await?;
                report.removed.push((step.table.clone(), kept.expired));
                report.retained.push(Retained {
                    table: step.table.clone(),
                    count: kept.count,
                    reason: reason.to_owned(),
                    period: Some(dating.period),
                    until: kept.until,
                });
                continue;
            }
            let count = apply(s, ctx, request, &subject, step).await?;
            match step.strategy {
                Erase::Delete => report.removed.push((step.table.clone(), count)),
                Erase::Anonymize => report.anonymized.push((step.table.clone(), count)),
                Erase::Retain(reason) => report.retained.push(Retained {
                    table: step.table.clone(),
                    count,
                    reason: reason.to_owned(),
                    period: None,
                    until: None,
                }),
            }
        }
        if request.shop_data {
            let pending =
                retained::note_pending(s, &subject, &report.retained, request.now, request.dry_run)
                    .await?;
            // The note itself is retained data of the customer: the report counts it.
            if let Some(note) = datamap::entry(own::PENDING).map(|e| ctx.table(e)) {
                if let Some(entry) = report.retained.iter_mut().find(|r| r.table == note) {
                    entry.count = u64::from(pending.is_some());
                    entry.until = pending.flatten();
                }
            }
        }
        Ok(report)
    };
    if request.dry_run {
        run(session).await
    } else {
        // One transaction: the InnoDB tables change together; MyISAM ones as they go (see above).
        session.transaction(run).await
    }
}

/// Whether the step keeps review texts whose review is anonymised: then the texts that name the
/// person are replaced (the rest is kept with the review).
fn checks_review_texts(step: &Step, steps: &[Step]) -> bool {
    step.entry.id == "reviews_description"
        && matches!(step.strategy, Erase::Retain(_))
        && steps
            .iter()
            .any(|s| s.entry.id == "reviews" && s.strategy == Erase::Anonymize)
}

/// Rows of the step's table found by the customer's addresses but owned by someone else.
async fn count_others(
    s: &mut Session<'_>,
    ctx: &Scope<'_>,
    subject: &Subject,
    step: &Step,
) -> Result<u64> {
    let Some(others) = walk::others(ctx, step.entry, "t", subject) else {
        return Ok(0);
    };
    let count: Option<u64> = s
        .exec_first(
            &format!(
                "SELECT COUNT(*) FROM {} t WHERE {}",
                quote(&step.table),
                others.sql
            ),
            others.params,
        )
        .await?;
    Ok(count.unwrap_or(0))
}

/// Puts the addresses (or, with none known, the customer id) on the suppression list for good.
async fn suppress(
    s: &mut Session<'_>,
    ctx: &Scope<'_>,
    request: &Request<'_>,
    subject: &Subject,
    dry_run: bool,
) -> Result<u64> {
    let mut added = 0;
    let mut lifts_dropped = 0;
    for email in &subject.emails {
        if !dry_run {
            // A double opt-in's lift ends with the erasure: the address is suppressed for all mail again.
            lifts_dropped += cache::drop_lifts(s, ctx.keyring, email, "*").await?;
        }
        let mut for_good = false;
        for (hmac, key_id) in address_hmacs(ctx.keyring, email) {
            let found: Option<u8> = s
                .exec_first(
                    &s.sql(
                        "SELECT 1 FROM `{p}suppressions` WHERE email_hmac = ? AND key_id = ? AND type = '*' AND reason <> 'opt_out'",
                                            ),
                    (hmac.to_vec(), key_id.to_vec()),
                )
                .await?;
            for_good |= found.is_some();
        }
        if for_good {
            continue;
        }
        added += 1;
        if !dry_run {
            let Some((hmac, key_id)) = address_hmacs(&[request.secret], email).into_iter().next()
            else {
                continue;
            };
            s.exec_drop(
                &s.sql(
                    "INSERT INTO `{p}suppressions` (email_hmac, key_id, type, reason, created_at) VALUES (?, ?, '*', 'erased', ?)
                     ON DUPLICATE KEY UPDATE reason = 'erased', source = NULL, ip = NULL, user_agent = NULL, actor = NULL",
                                    ),
                (hmac.to_vec(), key_id.to_vec(), request.now),
            )
            .await?;
        }
    }
    if subject.emails.is_empty() {
        let found: Option<u8> = s
            .exec_first(
                &s.sql(
                    "SELECT 1 FROM `{p}suppressions` WHERE customer_id = ? AND email_hmac IS NULL",
                ),
                (subject.customer_id,),
            )
            .await?;
        if found.is_none() {
            added += 1;
            if !dry_run {
                s.exec_drop(
                    &s.sql(
                        "INSERT INTO `{p}suppressions` (customer_id, type, reason, created_at) VALUES (?, '*', 'erased', ?)",
                                            ),
                    (subject.customer_id, request.now),
                )
                .await?;
            }
        }
    }
    if (added > 0 || lifts_dropped > 0) && !dry_run {
        cache::changed(s).await?;
    }
    Ok(added)
}

/// Counts (retain, dry run) or changes one table; returns the number of rows.
async fn apply(
    s: &mut Session<'_>,
    ctx: &Scope<'_>,
    request: &Request<'_>,
    subject: &Subject,
    step: &Step,
) -> Result<u64> {
    let condition = walk::condition(ctx, step.entry, "t", subject);
    let mut sql_where = condition.sql.clone();
    if step.strategy == Erase::Anonymize {
        if let Some(done) = step.entry.erased_when {
            sql_where = format!("{sql_where} AND NOT ({done})");
        }
    }
    let table = quote(&step.table);
    if request.dry_run || matches!(step.strategy, Erase::Retain(_)) {
        let count: Option<u64> = s
            .exec_first(
                &format!("SELECT COUNT(*) FROM {table} t WHERE {sql_where}"),
                condition.params,
            )
            .await?;
        return Ok(count.unwrap_or(0));
    }
    match step.strategy {
        Erase::Delete => {
            if step.entry.id == own::ARCHIVE {
                // The archived bodies live in their own table, keyed by send.
                s.exec_drop(
                    &s.sql(
                        &format!(
                            "DELETE FROM `{{p}}email_archive_chunks` WHERE send_id IN (SELECT t.send_id FROM {table} t WHERE {sql_where})"
                        ),
                                            ),
                    condition.params.clone(),
                )
                .await?;
            }
            s.exec_drop(
                &format!("DELETE t FROM {table} AS t WHERE {sql_where}"),
                condition.params,
            )
            .await?;
            Ok(s.affected_rows())
        }
        Erase::Anonymize => {
            let mut params: Vec<Value> = Vec::new();
            let sets: Vec<String> = step
                .columns
                .iter()
                .map(|(column, replacement)| {
                    let value = match replacement {
                        Replacement::Null => Value::NULL,
                        Replacement::Text(t) => Value::from(*t),
                        Replacement::Zero => Value::from(0),
                        Replacement::Now => Value::from(request.now),
                    };
                    params.push(value);
                    format!("t.{} = ?", quote(column))
                })
                .collect();
            if sets.is_empty() {
                return Ok(0);
            }
            params.extend(condition.params);
            s.exec_drop(
                &format!(
                    "UPDATE {table} AS t SET {} WHERE {sql_where}",
                    sets.join(", ")
                ),
                params,
            )
            .await?;
            Ok(s.affected_rows())
        }
        Erase::Retain(_) => Ok(0),
    }
}
