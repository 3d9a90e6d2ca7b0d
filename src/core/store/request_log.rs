//! The request log: the requests registered and the exports and erasures done, when, with what
//! outcome. Answered entries hold no personal data (no customer id, no address, only counts), so they
//! can be kept as long as the shop must prove it answered in time; an open registered request names its
//! subject until it is answered.

use mysql_async::Value;

use crate::core::error::Result;
use crate::core::rules::request::{self, Subject};
use crate::core::store::db::session::Session;
use crate::core::store::db::values;
use crate::core::store::idempotency;
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

/// A request as registered (registerRequest).
pub struct NewRequest<'a> {
    pub kind: request::Kind,
    pub subject: &'a Subject,
    pub received_at: Timestamp,
    pub identity_verified: bool,
    pub note: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub now: Timestamp,
}

pub async fn register(session: &mut Session<'_>, new: &NewRequest<'_>) -> Result<u64> {
    let Some(key) = new.idempotency_key else {
        return insert(session, new).await;
    };
    let key = Some(idempotency::Key {
        key,
        call: "registerRequest",
    });
    session
        .transaction(async |s| {
            if let Some(first) = idempotency::claim(s, key, new.now).await? {
                return Ok(first);
            }
            let id = insert(s, new).await?;
            idempotency::record(s, key, id).await?;
            Ok(id)
        })
        .await
}

async fn insert(session: &mut Session<'_>, new: &NewRequest<'_>) -> Result<u64> {
    let (customer, email) = match new.subject {
        Subject::Customer(id) => (Some(*id), None),
        Subject::Address(email) => (None, Some(email.as_str())),
    };
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}request_log` (kind, outcome, received_at, started_at, subject_customer_id,
                   subject_email, identity_verified, note)
                 VALUES (?, 'open', ?, ?, ?, ?, ?, ?)",
            ),
            vec![
                Value::from(new.kind.name()),
                new.received_at.into(),
                new.now.into(),
                customer.into(),
                email.into(),
                new.identity_verified.into(),
                new.note.into(),
            ],
        )
        .await?;
    Ok(session.last_insert_id().unwrap_or(0))
}

/// Closes the open request `id` with the answer's outcome, time and summary, and forgets its subject.
/// False when it was not open any more (answered meanwhile by another process).
pub async fn answer(session: &mut Session<'_>, id: u64, entry: &Entry<'_>) -> Result<bool> {
    session
        .exec_drop(
            &session.sql(
                "UPDATE `{p}request_log` SET outcome = ?, finished_at = ?, summary = ?,
                   subject_customer_id = NULL, subject_email = NULL
                 WHERE id = ? AND outcome = 'open'",
            ),
            (
                entry.outcome,
                entry.finished_at,
                entry.summary.to_string(),
                id,
            ),
        )
        .await?;
    Ok(session.affected_rows() == 1)
}

/// Records the one extension of the open request `id`. False when it was not open or already extended.
pub async fn extend(
    session: &mut Session<'_>,
    id: u64,
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    session
        .exec_drop(
            &session.sql(
                "UPDATE `{p}request_log` SET extended_at = ?, extension_reason = ?
                 WHERE id = ? AND outcome = 'open' AND extended_at IS NULL",
            ),
            (now, reason, id),
        )
        .await?;
    Ok(session.affected_rows() == 1)
}

const COLUMNS: &str =
    "id, kind, outcome, received_at, started_at, finished_at, summary, subject_customer_id,
    subject_email, identity_verified, note, extended_at, extension_reason";

/// A filter of `requestLog()`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: u32,
    /// Only open registered requests, oldest deadline first.
    pub open: bool,
}

/// A request as the log shows it, with its deadline and whether it was answered in time.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub id: u64,
    pub kind: String,
    pub outcome: String,
    pub received_at: Option<Timestamp>,
    /// One month after receipt, or three after an extension.
    pub deadline: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// None while it cannot be said (a failed attempt answers nothing, an open request is not answered).
    pub in_time: Option<bool>,
    /// Open and past its deadline.
    pub overdue: bool,
    pub summary: serde_json::Value,
    /// Whom an open registered request is about.
    pub subject: Option<Subject>,
    pub identity_verified: Option<bool>,
    pub note: Option<String>,
    pub extended_at: Option<Timestamp>,
    pub extension_reason: Option<String>,
}

impl LoggedRequest {
    pub fn is_open(&self) -> bool {
        self.outcome == "open"
    }
}

pub async fn list(
    session: &mut Session<'_>,
    filter: &Filter,
    now: Timestamp,
) -> Result<Vec<LoggedRequest>> {
    let far_past = Timestamp::from_unix_seconds(0).unwrap_or_else(Timestamp::earliest);
    let far_future = Timestamp::from_unix_seconds(253_402_300_799).unwrap_or_else(Timestamp::now);
    let order = if filter.open {
        "received_at, id"
    } else {
        "started_at DESC, id DESC"
    };
    let rows: Vec<mysql_async::Row> = session
        .exec(
            &session.sql(&format!(
                "SELECT {COLUMNS} FROM `{{p}}request_log`
                 WHERE (? IS NULL OR kind = ?) AND started_at >= ? AND started_at < ?
                   AND (? = 0 OR outcome = 'open')
                 ORDER BY {order} LIMIT ?"
            )),
            vec![
                Value::from(filter.kind.as_deref()),
                filter.kind.as_deref().into(),
                filter.since.unwrap_or(far_past).into(),
                filter.until.unwrap_or(far_future).into(),
                filter.open.into(),
                filter.limit.into(),
            ],
        )
        .await?;
    rows.into_iter().map(|row| read(row, now)).collect()
}

/// One entry by id, if there is one.
pub async fn find(
    session: &mut Session<'_>,
    id: u64,
    now: Timestamp,
) -> Result<Option<LoggedRequest>> {
    let row: Option<mysql_async::Row> = session
        .exec_first(
            &session.sql(&format!(
                "SELECT {COLUMNS} FROM `{{p}}request_log` WHERE id = ?"
            )),
            (id,),
        )
        .await?;
    row.map(|row| read(row, now)).transpose()
}

const WHAT: &str = "a request log row";

fn read(mut row: mysql_async::Row, now: Timestamp) -> Result<LoggedRequest> {
    let id: u64 = values::take(&mut row, 0, WHAT)?;
    let kind: String = values::take(&mut row, 1, WHAT)?;
    let outcome: String = values::take(&mut row, 2, WHAT)?;
    let received = values::timestamp(values::take(&mut row, 3, WHAT)?)?;
    let started = values::timestamp(values::take(&mut row, 4, WHAT)?)?;
    let finished = values::timestamp(values::take(&mut row, 5, WHAT)?)?;
    let summary: Option<String> = values::take(&mut row, 6, WHAT)?;
    let customer: Option<u64> = values::take(&mut row, 7, WHAT)?;
    let email: Option<String> = values::take(&mut row, 8, WHAT)?;
    let identity_verified: Option<i64> = values::take(&mut row, 9, WHAT)?;
    let note: Option<String> = values::take(&mut row, 10, WHAT)?;
    let extended_at = values::timestamp(values::take(&mut row, 11, WHAT)?)?;
    let extension_reason: Option<String> = values::take(&mut row, 12, WHAT)?;
    let deadline = received.map(|r| {
        if extended_at.is_some() {
            request::extended_deadline(r)
        } else {
            request::deadline(r)
        }
    });
    // A failed attempt answers nothing: only a finished export or erasure can be in time.
    let in_time = finished
        .zip(deadline)
        .filter(|_| outcome != "failed")
        .map(|(f, d)| f <= d);
    let overdue = outcome == "open" && deadline.is_some_and(|d| now > d);
    let subject = match (customer, email) {
        (Some(id), _) => Some(Subject::Customer(id)),
        (None, Some(email)) => Some(Subject::Address(email)),
        (None, None) => None,
    };
    Ok(LoggedRequest {
        id,
        kind,
        outcome,
        received_at: received,
        deadline,
        started_at: started,
        finished_at: finished,
        in_time,
        overdue,
        // An open request has no summary yet: an empty one, so PHP always gets an array.
        summary: summary
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_else(|| serde_json::json!({})),
        subject,
        identity_verified: identity_verified.map(|v| v != 0),
        note,
        extended_at,
        extension_reason,
    })
}
