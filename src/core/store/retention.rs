//! Retention: deleting (or blanking) records older than the retention settings, in small batches so no
//! statement holds locks for long and shop traffic goes on. Proof is never deleted: consent grants and
//! revocations and opt-outs stay; unconfirmed double opt-in requests lose only their personal fields.

use mysql_async::Value;

use crate::core::config::Retention;
use crate::core::error::Result;
use crate::core::store::db::schema::render;
use crate::core::store::db::session::Session;
use crate::core::time::Timestamp;

/// Sends deleted per transaction (each with its ratings and archived copy).
const SEND_BATCH: usize = 5000;
/// Archived copies deleted per statement (they are large).
const ARCHIVE_BATCH: usize = 200;
/// Requests blanked per statement.
const REQUEST_BATCH: usize = 1000;
/// Idempotency keys deleted per statement.
const KEY_BATCH: usize = 5000;

/// What purging removes or blanks, by table, in this order.
pub const TABLES: [&str; 5] = [
    "send_log",
    "email_ratings",
    "email_archive",
    "consent_events",
    "idempotency_keys",
];

#[derive(Debug, Clone, Copy)]
struct Cutoffs {
    send_log: Option<Timestamp>,
    archive: Option<Timestamp>,
    pending_consent: Option<Timestamp>,
    idempotency: Option<Timestamp>,
}

fn cutoffs(retention: Retention, token_ttl_days: u32, now: Timestamp) -> Cutoffs {
    let cut = |days: u32| (days > 0).then(|| now.minus_days(days));
    Cutoffs {
        send_log: cut(retention.send_log_days),
        archive: cut(retention.archive_days),
        // A request whose token is still valid may yet be confirmed: never blank it.
        pending_consent: (retention.pending_consent_days > 0)
            .then(|| now.minus_days(retention.pending_consent_days.max(token_ttl_days))),
        idempotency: cut(retention.idempotency_days),
    }
}

/// How much one purge call may do.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub dry_run: bool,
    /// At most this many archived copies, sends and requests (a send's ratings and copy go with it and
    /// do not count), so a caller can purge in steps and show progress.
    pub limit: Option<u64>,
}

/// The batch size within what is left of the limit.
fn take(batch: usize, budget: u64) -> usize {
    usize::try_from(budget).map_or(batch, |b| b.min(batch))
}

/// Purges (or, with `dry_run`, counts) what the retention settings let go. Returns rows per table
/// (unprefixed names of TABLES, in that order). `progress` hears each batch.
pub async fn purge(
    session: &mut Session<'_>,
    retention: Retention,
    token_ttl_days: u32,
    now: Timestamp,
    scope: Scope,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<[u64; 5]> {
    let prefix = session.prefix();
    let cut = cutoffs(retention, token_ttl_days, now);
    if scope.dry_run {
        return count(session, cut).await;
    }
    let mut budget = scope.limit.unwrap_or(u64::MAX);
    let mut totals = [0u64; 5];
    if let Some(before) = cut.archive {
        loop {
            let batch = take(ARCHIVE_BATCH, budget);
            if batch == 0 {
                break;
            }
            let select = render(
                &format!(
                    "SELECT send_id FROM `{{p}}email_archive` WHERE archived_at < ? ORDER BY archived_at LIMIT {batch}"
                ),
                prefix,
            );
            let ids: Vec<u64> = session.exec(&select, (before,)).await?;
            if ids.is_empty() {
                break;
            }
            let n = delete_by_ids(
                session,
                &[
                    ("email_archive", "send_id"),
                    ("email_archive_chunks", "send_id"),
                ],
                &ids,
            )
            .await?[0];
            totals[2] += n;
            budget = budget.saturating_sub(ids.len() as u64);
            progress("email_archive", n);
            if ids.len() < batch {
                break;
            }
        }
    }
    if let Some(before) = cut.send_log {
        loop {
            let batch = take(SEND_BATCH, budget);
            if batch == 0 {
                break;
            }
            let select = render(
                &format!(
                    "SELECT id FROM `{{p}}send_log` WHERE sent_at < ? ORDER BY sent_at LIMIT {batch}"
                ),
                prefix,
            );
            let ids: Vec<u64> = session.exec(&select, (before,)).await?;
            if ids.is_empty() {
                break;
            }
            // The send rows first: a rating arriving meanwhile waits for their lock, then finds no send.
            let counts = delete_by_ids(
                session,
                &[
                    ("send_log", "id"),
                    ("email_ratings", "send_id"),
                    ("email_archive", "send_id"),
                    ("email_archive_chunks", "send_id"),
                ],
                &ids,
            )
            .await?;
            totals[0] += counts[0];
            totals[1] += counts[1];
            totals[2] += counts[2];
            budget = budget.saturating_sub(ids.len() as u64);
            progress("send_log", counts[0]);
            if ids.len() < batch {
                break;
            }
        }
    }
    if let Some(before) = cut.pending_consent {
        loop {
            let batch = take(REQUEST_BATCH, budget);
            if batch == 0 {
                break;
            }
            let select = render(
                &format!(
                    "SELECT e.id FROM `{{p}}consent_events` e
                     WHERE e.action = 'requested' AND e.occurred_at < ? AND e.blanked_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM `{{p}}consent_events` c WHERE c.request_id = e.id AND c.action = 'confirmed')
                     ORDER BY e.id LIMIT {batch}"
                ),
                prefix,
            );
            let ids: Vec<u64> = session.exec(&select, (before,)).await?;
            if ids.is_empty() {
                break;
            }
            let marks = vec!["?"; ids.len()].join(",");
            let mut params: Vec<Value> = vec![now.into()];
            params.extend(ids.iter().map(|&id| Value::from(id)));
            // The chain hashes a digest of these fields, not the fields: it still verifies.
            session
                .exec_drop(
                    &render(
                        &format!(
                            "UPDATE `{{p}}consent_events` SET ip = NULL, user_agent = NULL, actor = NULL, email = NULL,
                               personal_salt = NULL, blanked_at = ? WHERE id IN ({marks}) AND blanked_at IS NULL"
                        ),
                        prefix,
                    ),
                    params,
                )
                .await?;
            let n = session.affected_rows();
            totals[3] += n;
            budget = budget.saturating_sub(ids.len() as u64);
            progress("consent_events", n);
            if ids.len() < batch {
                break;
            }
        }
    }
    if let Some(before) = cut.idempotency {
        loop {
            let batch = take(KEY_BATCH, budget);
            if batch == 0 {
                break;
            }
            // Keys are independent rows: each statement deletes the oldest batch on its own (index `created`).
            session
                .exec_drop(
                    &render(
                        &format!(
                            "DELETE FROM `{{p}}idempotency_keys` WHERE created_at < ? ORDER BY created_at LIMIT {batch}"
                        ),
                        prefix,
                    ),
                    (before,),
                )
                .await?;
            let n = session.affected_rows();
            totals[4] += n;
            budget = budget.saturating_sub(n);
            progress("idempotency_keys", n);
            if n < batch as u64 {
                break;
            }
        }
    }
    Ok(totals)
}

/// Deletes the rows of `ids` from each (table, id column), in that order, in one transaction; rows
/// deleted per table.
async fn delete_by_ids(
    session: &mut Session<'_>,
    tables: &[(&str, &str)],
    ids: &[u64],
) -> Result<Vec<u64>> {
    let prefix = session.prefix();
    let marks = vec!["?"; ids.len()].join(",");
    let params: Vec<Value> = ids.iter().map(|&id| Value::from(id)).collect();
    session
        .transaction(async |s| {
            let mut counts = Vec::with_capacity(tables.len());
            for (table, column) in tables {
                s.exec_drop(
                    &render(
                        &format!("DELETE FROM `{{p}}{table}` WHERE {column} IN ({marks})"),
                        prefix,
                    ),
                    params.clone(),
                )
                .await?;
                counts.push(s.affected_rows());
            }
            Ok(counts)
        })
        .await
}

/// What a real run would remove now.
async fn count(session: &mut Session<'_>, cut: Cutoffs) -> Result<[u64; 5]> {
    // A disabled retention counts nothing older than 1970.
    let far_past = Timestamp::from_unix_seconds(0).unwrap_or_else(Timestamp::earliest);
    let send = cut.send_log.unwrap_or(far_past);
    let archive = cut.archive.unwrap_or(far_past);
    let sql = session.sql(
        "SELECT
           (SELECT COUNT(*) FROM `{p}send_log` WHERE sent_at < ?),
           (SELECT COUNT(*) FROM `{p}email_ratings` r JOIN `{p}send_log` s ON s.id = r.send_id WHERE s.sent_at < ?),
           (SELECT COUNT(*) FROM `{p}email_archive` a LEFT JOIN `{p}send_log` s ON s.id = a.send_id
              WHERE a.archived_at < ? OR s.sent_at < ?),
           (SELECT COUNT(*) FROM `{p}consent_events` e
              WHERE ? AND e.action = 'requested' AND e.occurred_at < ? AND e.blanked_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM `{p}consent_events` c WHERE c.request_id = e.id AND c.action = 'confirmed')),
           (SELECT COUNT(*) FROM `{p}idempotency_keys` WHERE created_at < ?)",
    );
    let pending = cut.pending_consent.unwrap_or(far_past);
    let keys = cut.idempotency.unwrap_or(far_past);
    let row: Option<(u64, u64, u64, u64, u64)> = session
        .exec_first(
            &sql,
            vec![
                Value::from(send),
                send.into(),
                archive.into(),
                send.into(),
                cut.pending_consent.is_some().into(),
                pending.into(),
                keys.into(),
            ],
        )
        .await?;
    let (a, b, c, d, e) = row.unwrap_or_default();
    Ok([a, b, c, d, e])
}
