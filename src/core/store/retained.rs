//! Retained rows with a legal period (orders: § 147 Abs. 1 Nr. 4 AO): a row is kept until the end of
//! the calendar year of its date plus the period, then erased. Erasure deletes the rows whose period
//! has ended and reports for the rest the day it ends; the customer then waits in `pending_erasures`
//! until `purgeExpired(['erasures' => true])` finds nothing kept any more.
//!
//! Dates are the shop's (`date_purchased`), compared with the database's own clock (`CURDATE()`), the
//! clock the shop writes them with. A row without a usable date (NULL, or a zero date of a non-strict
//! shop) is kept and never counted as expired: nobody can tell when its period ends.

use mysql_async::Value;

use crate::core::datamap::period::{Dated, kept_until};
use crate::core::datamap::{self, Entry, Find, Period, own};
use crate::core::error::Result;
use crate::core::store::db::session::Session;
use crate::core::store::erase::{Retained, Step};
use crate::core::store::walk::{self, Columns, Scope, Subject, quote};
use crate::core::time::Timestamp;

/// A retained table's period and the SQL of its rows' date on alias `t`.
#[derive(Debug, Clone)]
pub(crate) struct Dating {
    pub(crate) period: Period,
    date: String,
}

/// How a retained entry is dated in this database; None when it has no period (or the shop chose
/// its strategy) or its date column is missing (then every row is simply kept, as before).
pub(crate) fn dating(
    ctx: &Scope<'_>,
    entry: &Entry,
    strategies: &[(String, crate::core::datamap::Erase)],
    overrides: &[(String, u32)],
    columns: &Columns,
) -> Option<Dating> {
    let period = datamap::ending(entry, strategies, overrides)?;
    let has = |table: &str, column: &str| {
        columns
            .get(table)
            .is_some_and(|c| c.iter().any(|c| c == column))
    };
    let date = match period.dated_by {
        Dated::Column(column) => {
            if !has(&ctx.table(entry), column) {
                return None;
            }
            format!("t.{}", quote(column))
        }
        Dated::Parent => {
            let Find::Via {
                parent,
                parent_key,
                key,
            } = entry.find
            else {
                return None;
            };
            let parent_entry = datamap::entry(parent)?;
            // A parent the shop keeps by its own choice keeps its rows' rows too.
            let Some(Period {
                dated_by: Dated::Column(column),
                ..
            }) = datamap::ending(parent_entry, strategies, overrides)
            else {
                return None;
            };
            let parent_table = ctx.table(parent_entry);
            if !has(&parent_table, column) || !has(&parent_table, parent_key) {
                return None;
            }
            // An order's rows follow the order's date.
            format!(
                "(SELECT MIN(d.{}) FROM {} d WHERE d.{} = t.{})",
                quote(column),
                quote(&parent_table),
                quote(parent_key),
                quote(key)
            )
        }
    };
    Some(Dating { period, date })
}

impl Dating {
    /// Whether a row's period has ended (never for a row without a usable date); one parameter: the
    /// years.
    fn expired(&self) -> String {
        format!(
            "COALESCE({d} >= '1900-01-01' AND YEAR({d}) + ? < YEAR(CURDATE()), FALSE)",
            d = self.date
        )
    }
}

/// What one retained table holds after the expired rows went.
pub(crate) struct Kept {
    /// Rows whose period had ended: deleted (or, in a dry run, counted).
    pub(crate) expired: u64,
    /// Rows kept.
    pub(crate) count: u64,
    pub(crate) until: Option<String>,
}

/// Deletes (or counts) the subject's expired rows of the step's table and reads what stays.
pub(crate) async fn apply(
    s: &mut Session<'_>,
    ctx: &Scope<'_>,
    subject: &Subject,
    step: &Step,
    dating: &Dating,
    dry_run: bool,
) -> Result<Kept> {
    let condition = walk::condition(ctx, step.entry, "t", subject);
    let table = quote(&step.table);
    let years = Value::from(dating.period.years);
    let expired = dating.expired();
    let mut params = condition.params.clone();
    params.push(years.clone());
    let expired_rows = if dry_run {
        let n: Option<u64> = s
            .exec_first(
                &format!(
                    "SELECT COUNT(*) FROM {table} t WHERE {} AND {expired}",
                    condition.sql
                ),
                params,
            )
            .await?;
        n.unwrap_or(0)
    } else {
        s.exec_drop(
            &format!(
                "DELETE t FROM {table} AS t WHERE {} AND {expired}",
                condition.sql
            ),
            params,
        )
        .await?;
        s.affected_rows()
    };
    let mut params = condition.params;
    params.push(years);
    let (count, newest): (u64, Option<i64>) = s
        .exec_first(
            &format!(
                "SELECT COUNT(*), MAX(CASE WHEN {d} >= '1900-01-01' THEN YEAR({d}) END) FROM {table} t
                 WHERE {} AND NOT {expired}",
                condition.sql,
                d = dating.date
            ),
            params,
        )
        .await?
        .unwrap_or((0, None));
    Ok(Kept {
        expired: expired_rows,
        count,
        until: newest
            .and_then(|y| i32::try_from(y).ok())
            .map(|y| kept_until(y, dating.period.years)),
    })
}

/// The last day anything of `retained` is kept: the latest `until` of the tables with a period and
/// rows; Some("") when rows are kept without a usable date.
fn latest(retained: &[Retained]) -> Option<Option<String>> {
    let waiting: Vec<&Retained> = retained
        .iter()
        .filter(|r| r.period.is_some() && r.count > 0)
        .collect();
    if waiting.is_empty() {
        return None;
    }
    Some(waiting.iter().filter_map(|r| r.until.clone()).max())
}

/// After an erasure with shop data: the customer waits as a pending erasure while retained rows with a
/// period are left, and no longer once none is. Returns whether the customer waits, and until when
/// (a dry run only tells).
pub(crate) async fn note_pending(
    s: &mut Session<'_>,
    subject: &Subject,
    retained: &[Retained],
    now: Timestamp,
    dry_run: bool,
) -> Result<Option<Option<String>>> {
    let waits = latest(retained);
    if dry_run {
        return Ok(waits);
    }
    match waits.clone() {
        Some(until) => {
            let emails = serde_json::to_string(&subject.emails).unwrap_or_else(|_| "[]".into());
            s.exec_drop(
                &s.sql(
                    "INSERT INTO `{p}pending_erasures` (customer_id, emails, erased_at, retained_until) VALUES (?, ?, ?, ?)
                     ON DUPLICATE KEY UPDATE emails = VALUES(emails), retained_until = VALUES(retained_until)",
                ),
                (subject.customer_id, emails, now, until),
            )
            .await?
        }
        None => {
            s.exec_drop(
                &s.sql("DELETE FROM `{p}pending_erasures` WHERE customer_id = ?"),
                (subject.customer_id,),
            )
            .await?
        }
    }
    Ok(waits)
}

/// The addresses a pending erasure kept for the customer (none when there is no such row or table).
pub(crate) async fn pending_emails(
    s: &mut Session<'_>,
    ctx: &Scope<'_>,
    columns: &Columns,
    customer_id: u64,
) -> Result<Vec<String>> {
    let Some(entry) = datamap::entry(own::PENDING) else {
        return Ok(Vec::new());
    };
    if !columns.contains_key(&ctx.table(entry)) {
        return Ok(Vec::new());
    }
    let stored: Option<String> = s
        .exec_first(
            &s.sql("SELECT emails FROM `{p}pending_erasures` WHERE customer_id = ?"),
            (customer_id,),
        )
        .await?;
    Ok(stored
        .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
        .unwrap_or_default())
}

/// What finishing the pending erasures did.
#[derive(Debug, Clone, Default)]
pub struct Finished {
    /// Rows erased, per table (as named in the database), in plan order.
    pub removed: Vec<(String, u64)>,
    /// Customers with nothing kept any more (their pending row is gone).
    pub completed: u64,
    /// Customers whose retained rows still wait.
    pub pending: u64,
    /// Customers left alone: an account with their id exists again in the shop.
    pub skipped: u64,
}

/// Re-reads the retained rows of every pending erasure and erases those whose period has ended.
pub(crate) async fn finish_pending(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    strategies: &[(String, crate::core::datamap::Erase)],
    retention_years: &[(String, u32)],
    dry_run: bool,
    now: Timestamp,
) -> Result<Finished> {
    let all = datamap::entries(ctx.shop());
    let tables: Vec<String> = all.iter().map(|e| ctx.table(e)).collect();
    let columns = walk::columns(session, &tables).await?;
    let mut finished = Finished::default();
    let pending_table = datamap::entry(own::PENDING).map(|e| ctx.table(e));
    if !pending_table.is_some_and(|t| columns.contains_key(&t)) {
        return Ok(finished);
    }
    let steps: Vec<Step> =
        crate::core::store::erase::plan(ctx, true, strategies, retention_years, &columns)
            .into_iter()
            .filter(|s| s.kept.is_some())
            .collect();
    let customers: Vec<u64> = session
        .exec(
            &session.sql("SELECT customer_id FROM `{p}pending_erasures` ORDER BY customer_id"),
            (),
        )
        .await?;
    for customer_id in customers {
        if account_exists(session, ctx, &columns, customer_id).await? {
            finished.skipped += 1;
            continue;
        }
        let subject = walk::subject(session, ctx, &all, &columns, customer_id).await?;
        let run = async |s: &mut Session<'_>| -> Result<Vec<(Retained, u64)>> {
            let mut kept_tables = Vec::new();
            for step in &steps {
                let Some(dating) = &step.kept else { continue };
                let kept = apply(s, ctx, &subject, step, dating, dry_run).await?;
                kept_tables.push((
                    Retained {
                        table: step.table.clone(),
                        count: kept.count,
                        reason: String::new(),
                        period: Some(dating.period),
                        until: kept.until,
                    },
                    kept.expired,
                ));
            }
            let kept: Vec<Retained> = kept_tables.iter().map(|(r, _)| r.clone()).collect();
            note_pending(s, &subject, &kept, now, dry_run).await?;
            Ok(kept_tables)
        };
        let results = if dry_run {
            run(session).await?
        } else {
            session.transaction(run).await?
        };
        let mut kept_tables = Vec::with_capacity(results.len());
        for (kept, expired) in results {
            match finished.removed.iter_mut().find(|(t, _)| *t == kept.table) {
                Some((_, n)) => *n += expired,
                None => finished.removed.push((kept.table.clone(), expired)),
            }
            kept_tables.push(kept);
        }
        if latest(&kept_tables).is_some() {
            finished.pending += 1;
        } else {
            finished.completed += 1;
        }
    }
    Ok(finished)
}

/// Whether the shop has an account with this id (again): its rows are not the erased customer's.
async fn account_exists(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    columns: &Columns,
    customer_id: u64,
) -> Result<bool> {
    let Some(customers) = datamap::entries(ctx.shop())
        .into_iter()
        .find(|e| e.id == "customers" && matches!(e.owner, crate::core::datamap::Owner::Shop(_)))
    else {
        return Ok(false);
    };
    let table = ctx.table(customers);
    if !columns.contains_key(&table) {
        return Ok(false);
    }
    let found: Option<u8> = session
        .exec_first(
            &format!(
                "SELECT 1 FROM {} WHERE customers_id = ? LIMIT 1",
                quote(&table)
            ),
            (customer_id,),
        )
        .await?;
    Ok(found.is_some())
}
