//! The request log: which exports and erasures were done, when, with what outcome. No personal data:
//! no customer id, no address, only counts, so it can be kept as long as the shop must prove it
//! answered requests in time.

use mysql_async::Value;

use crate::core::error::Result;
use crate::core::output::{OutputValue, Record};
use crate::core::store::convert;
use crate::core::store::schema::render;
use crate::core::store::session::Session;
use crate::core::time::Timestamp;

/// The one month Art. 12(3) GDPR gives for an answer.
pub const ANSWER_WITHIN_DAYS: u32 = 30;

pub async fn record(
    session: &mut Session<'_>,
    prefix: &str,
    kind: &str,
    outcome: &str,
    started_at: Timestamp,
    finished_at: Timestamp,
    summary: &serde_json::Value,
) -> Result<u64> {
    session
        .exec_drop(
            &render(
                "INSERT INTO `{p}request_log` (kind, outcome, started_at, finished_at, summary) VALUES (?, ?, ?, ?, ?)",
                prefix,
            ),
            (kind, outcome, started_at, finished_at, summary.to_string()),
        )
        .await?;
    Ok(session.last_insert_id().unwrap_or(0))
}

/// A filter of `requestLog()`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: u32,
}

pub async fn list(session: &mut Session<'_>, prefix: &str, filter: &Filter) -> Result<Vec<Record>> {
    let far_past = Timestamp::from_unix_seconds(0).unwrap_or_else(Timestamp::earliest);
    let far_future = Timestamp::from_unix_seconds(253_402_300_799).unwrap_or_else(Timestamp::now);
    let rows: Vec<(u64, String, String, Value, Value, Option<String>)> = session
        .exec(
            &render(
                "SELECT id, kind, outcome, started_at, finished_at, summary FROM `{p}request_log`
                 WHERE (? IS NULL OR kind = ?) AND started_at >= ? AND started_at < ?
                 ORDER BY started_at DESC, id DESC LIMIT ?",
                prefix,
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
        .map(|(id, kind, outcome, started, finished, summary)| {
            let started = convert::timestamp(started)?;
            Ok(vec![
                ("id", OutputValue::from(id)),
                ("kind", kind.into()),
                ("outcome", outcome.into()),
                ("started_at", started.map(|t| t.to_string()).into()),
                (
                    "finished_at",
                    convert::timestamp(finished)?.map(|t| t.to_string()).into(),
                ),
                (
                    "summary",
                    OutputValue::Json(
                        summary
                            .and_then(|s| serde_json::from_str(&s).ok())
                            .unwrap_or_default(),
                    ),
                ),
            ])
        })
        .collect()
}
