//! The request log: which exports and erasures were done, when, with what outcome. No personal data:
//! no customer id, no address, only counts, so it can be kept as long as the shop must prove it
//! answered requests in time.

use mysql_async::Value;

use crate::core::error::Result;
use crate::core::rules::request;
use crate::core::store::db::session::Session;
use crate::core::store::db::values;
use crate::core::time::Timestamp;

/// One answered (or attempted) request.
pub struct Entry<'a> {
    pub kind: &'a str,
    pub outcome: &'a str,
    pub received_at: Timestamp,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub summary: &'a serde_json::Value,
}

pub async fn record(session: &mut Session<'_>, entry: &Entry<'_>) -> Result<u64> {
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}request_log` (kind, outcome, received_at, started_at, finished_at, summary)
                 VALUES (?, ?, ?, ?, ?, ?)",
            ),
            (
                entry.kind,
                entry.outcome,
                entry.received_at,
                entry.started_at,
                entry.finished_at,
                entry.summary.to_string(),
            ),
        )
        .await?;
    Ok(session.last_insert_id().unwrap_or(0))
}

/// id, kind, outcome, received_at, started_at, finished_at, summary
type LogRow = (u64, String, String, Value, Value, Value, Option<String>);

/// A filter of `requestLog()`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: u32,
}

/// A request as the log shows it, with its deadline and whether it was answered in time.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub id: u64,
    pub kind: String,
    pub outcome: String,
    pub received_at: Option<Timestamp>,
    pub deadline: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// None while it cannot be said (a failed attempt answers nothing).
    pub in_time: Option<bool>,
    pub summary: serde_json::Value,
}

pub async fn list(session: &mut Session<'_>, filter: &Filter) -> Result<Vec<LoggedRequest>> {
    let far_past = Timestamp::from_unix_seconds(0).unwrap_or_else(Timestamp::earliest);
    let far_future = Timestamp::from_unix_seconds(253_402_300_799).unwrap_or_else(Timestamp::now);
    let rows: Vec<LogRow> = session
        .exec(
            &session.sql(
                "SELECT id, kind, outcome, received_at, started_at, finished_at, summary FROM `{p}request_log`
                 WHERE (? IS NULL OR kind = ?) AND started_at >= ? AND started_at < ?
                 ORDER BY started_at DESC, id DESC LIMIT ?",
            ),
            vec![
                Value::from(filter.kind.as_deref()),
                filter.kind.as_deref().into(),
                filter.since.unwrap_or(far_past).into(),
                filter.until.unwrap_or(far_future).into(),
                filter.limit.into(),
            ],
        )
        .await?;
    rows.into_iter()
        .map(
            |(id, kind, outcome, received, started, finished, summary)| {
                let received = values::timestamp(received)?;
                let started = values::timestamp(started)?;
                let finished = values::timestamp(finished)?;
                let deadline = received.map(request::deadline);
                // A failed attempt answers nothing: only a finished export or erasure can be in time.
                let in_time = finished
                    .zip(deadline)
                    .filter(|_| outcome != "failed")
                    .map(|(f, d)| f <= d);
                Ok(LoggedRequest {
                    id,
                    kind,
                    outcome,
                    received_at: received,
                    deadline,
                    started_at: started,
                    finished_at: finished,
                    in_time,
                    summary: summary
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .unwrap_or_default(),
                })
            },
        )
        .collect()
}
