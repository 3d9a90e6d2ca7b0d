//! SQL of the records of sent mail: send log, ratings, archive, tags.

use mysql_async::Value;

use crate::core::compress;
use crate::core::error::{Error, Result};
use crate::core::rules::mail_record::{SendMeta, require_notice};
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error};
use crate::core::store::idempotency;
use crate::core::store::request_log;
use crate::core::time::Timestamp;

/// Appends a send; returns its id.
pub async fn log_send(
    session: &mut Session<'_>,
    customer_id: u64,
    email_type: &str,
    meta: &SendMeta,
    now: Timestamp,
) -> Result<u64> {
    let Some(key) = meta.idempotency_key.as_deref() else {
        // One statement, no transaction: the common case stays one round trip.
        return insert_send(session, customer_id, email_type, meta, now).await;
    };
    let key = Some(idempotency::Key {
        key,
        call: "logSend",
    });
    session
        .transaction(async |s| {
            if let Some(first) = idempotency::claim(s, key, now).await? {
                return Ok(first);
            }
            let id = insert_send(s, customer_id, email_type, meta, now).await?;
            idempotency::record(s, key, id).await?;
            Ok(id)
        })
        .await
}

async fn insert_send(
    session: &mut Session<'_>,
    customer_id: u64,
    email_type: &str,
    meta: &SendMeta,
    now: Timestamp,
) -> Result<u64> {
    let mut params = vec![
        Value::from(customer_id),
        email_type.into(),
        meta.email.as_deref().into(),
        meta.subject.as_deref().into(),
        meta.message_id.as_deref().into(),
        meta.order_id.into(),
        meta.sent_at.unwrap_or(now).into(),
    ];
    // Without the notice the row is written only if the type is not sent to existing customers
    // (§ 7 Abs. 3 Nr. 4 UWG): checked in the same statement, so it costs no round trip.
    let sql = if meta.notice {
        "INSERT INTO `{p}send_log` (customer_id, type, email, subject, message_id, order_id, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)"
    } else {
        params.push(email_type.into());
        "INSERT INTO `{p}send_log` (customer_id, type, email, subject, message_id, order_id, sent_at)
         SELECT ?, ?, ?, ?, ?, ?, ? FROM DUAL WHERE NOT EXISTS
           (SELECT 1 FROM `{p}email_types` WHERE type = ? AND basis = 'existing_customer')"
    };
    session.exec_drop(&session.sql(sql), params).await?;
    if session.affected_rows() == 0 {
        // Refused (inside a transaction it rolls back, the key's claim with it).
        return Err(require_notice(meta, email_type)
            .err()
            .unwrap_or_else(|| schema_error("the send log did not take the row")));
    }
    session
        .last_insert_id()
        .ok_or_else(|| schema_error("the send log did not return an id"))
}

/// The customer of a send, or an InvalidInput error naming the unknown id.
async fn send_owner(session: &mut Session<'_>, send_id: u64) -> Result<u64> {
    let owner: Option<u64> = session
        .exec_first(
            &session.sql("SELECT customer_id FROM `{p}send_log` WHERE id = ? FOR UPDATE"),
            (send_id,),
        )
        .await?;
    owner.ok_or_else(|| Error::invalid_input(format!("unknown send id {send_id} (see logSend)")))
}

/// Replaced ratings kept per send.
const HISTORY_KEEP: usize = 50;

/// Rates a send; a second rating replaces the first and records the first in `history` (the latest
/// 50 replacements).
pub async fn rate_email(
    session: &mut Session<'_>,
    send_id: u64,
    rating: u8,
    comment: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    session
        .transaction(async |s| {
            let customer_id = send_owner(s, send_id).await?;
            let previous: Option<(u8, Option<String>, Value, Option<String>)> = s
                .exec_first(
                    &s.sql(
                        "SELECT rating, comment, rated_at, history FROM `{p}email_ratings` WHERE send_id = ? FOR UPDATE",
                    ),
                    (send_id,),
                )
                .await?;
            let history = match previous {
                None => None,
                Some((old_rating, old_comment, old_at, old_history)) => {
                    let mut entries: Vec<serde_json::Value> = old_history
                        .as_deref()
                        .and_then(|h| serde_json::from_str(h).ok())
                        .unwrap_or_default();
                    entries.push(serde_json::json!({
                        "rating": old_rating,
                        "comment": old_comment,
                        "rated_at": values::timestamp(old_at)?.map(|t| t.to_string()),
                        "replaced_at": now.to_string(),
                    }));
                    // A send rated over and over keeps its latest replacements, not an endless column.
                    let excess = entries.len().saturating_sub(HISTORY_KEEP);
                    entries.drain(..excess);
                    Some(serde_json::Value::Array(entries).to_string())
                }
            };
            s.exec_drop(
                &s.sql(
                    "INSERT INTO `{p}email_ratings` (send_id, customer_id, rating, comment, history, rated_at)
                     VALUES (?, ?, ?, ?, ?, ?)
                     ON DUPLICATE KEY UPDATE rating = VALUES(rating), comment = VALUES(comment),
                       history = VALUES(history), rated_at = VALUES(rated_at)",
                ),
                vec![
                    Value::from(send_id),
                    customer_id.into(),
                    rating.into(),
                    comment.into(),
                    history.into(),
                    now.into(),
                ],
            )
            .await
        })
        .await
}

/// Bytes of compressed body per chunk row: well under any server's max_allowed_packet (>= 1 MiB + a
/// little since MySQL 5.x defaults to 4 MiB and MariaDB to 16 MiB).
const CHUNK_BYTES: usize = 768 * 1024;

/// Stores (or replaces) the copy of a sent mail, compressed, in chunks.
pub async fn archive_email(
    session: &mut Session<'_>,
    send_id: u64,
    subject: &str,
    body: &[u8],
    now: Timestamp,
) -> Result<()> {
    let packed = compress::compress(body);
    let chunks: Vec<&[u8]> = if packed.is_empty() {
        vec![&[][..]]
    } else {
        packed.chunks(CHUNK_BYTES).collect()
    };
    session
        .transaction(async |s| {
            let customer_id = send_owner(s, send_id).await?;
            s.exec_drop(
                &s.sql("DELETE FROM `{p}email_archive_chunks` WHERE send_id = ?"),
                (send_id,),
            )
            .await?;
            s.exec_drop(
                &s.sql(
                    "INSERT INTO `{p}email_archive` (send_id, customer_id, subject, body_length, compression, chunks, archived_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?)
                     ON DUPLICATE KEY UPDATE subject = VALUES(subject), body_length = VALUES(body_length),
                       compression = VALUES(compression), chunks = VALUES(chunks), archived_at = VALUES(archived_at)",
                ),
                vec![
                    Value::from(send_id),
                    customer_id.into(),
                    subject.into(),
                    (body.len() as u64).into(),
                    compress::METHOD.into(),
                    (chunks.len() as u64).into(),
                    now.into(),
                ],
            )
            .await?;
            let insert = s.sql(
                "INSERT INTO `{p}email_archive_chunks` (send_id, seq, data) VALUES (?, ?, ?)",
            );
            for (seq, chunk) in chunks.iter().enumerate() {
                s.exec_drop(&insert, (send_id, seq as u64, *chunk)).await?;
            }
            Ok(())
        })
        .await
}

/// The archived copy of a send, decompressed; None if there is none.
/// The archived copy of a send, exactly as archived.
#[derive(Debug, Clone)]
pub struct ArchivedEmail {
    pub send_id: u64,
    pub customer_id: u64,
    pub subject: String,
    pub body: Vec<u8>,
    pub archived_at: Option<Timestamp>,
}

pub async fn archived_email(
    session: &mut Session<'_>,
    send_id: u64,
) -> Result<Option<ArchivedEmail>> {
    let head: Option<(u64, u64, String, u64, String, u64, Value)> = session
        .exec_first(
            &session.sql(
                "SELECT send_id, customer_id, subject, body_length, compression, chunks, archived_at
                 FROM `{p}email_archive` WHERE send_id = ?",
            ),
            (send_id,),
        )
        .await?;
    let Some((send, customer, subject, length, method, chunks, archived_at)) = head else {
        return Ok(None);
    };
    let mut packed = Vec::new();
    let mut seen = 0u64;
    for seq in 0..chunks {
        // One chunk per statement: each answer stays small whatever the body's size.
        let data: Option<Vec<u8>> = session
            .exec_first(
                &session.sql(
                    "SELECT data FROM `{p}email_archive_chunks` WHERE send_id = ? AND seq = ?",
                ),
                (send_id, seq),
            )
            .await?;
        let data = data.ok_or_else(|| schema_error("an archived mail body is missing a part"))?;
        packed.extend_from_slice(&data);
        seen += 1;
    }
    if seen != chunks {
        return Err(schema_error("an archived mail body is missing a part"));
    }
    let length =
        usize::try_from(length).map_err(|_| schema_error("an archived mail body is too long"))?;
    let body = compress::decompress(&method, &packed, length)?;
    Ok(Some(ArchivedEmail {
        send_id: send,
        customer_id: customer,
        subject,
        body,
        archived_at: values::timestamp(archived_at)?,
    }))
}

pub async fn tag(
    session: &mut Session<'_>,
    customer_id: u64,
    tag: &str,
    rule: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}tags` (customer_id, tag, rule, set_by, set_at) VALUES (?, ?, ?, 'hand', ?)
                 ON DUPLICATE KEY UPDATE rule = VALUES(rule), set_by = 'hand', set_at = VALUES(set_at)",
            ),
            (customer_id, tag, rule, now),
        )
        .await
}

/// The type whose objection stops profiling for recommendations and tags, besides `*`.
pub use crate::core::store::recommend::PURPOSE as PERSONALISATION;

/// Whether an objection to `email_type` ends the customer's tagging.
pub fn ends_profiling(email_type: &str) -> bool {
    email_type == "*" || email_type == PERSONALISATION
}

/// Deletes the customer's tags after an objection to `objection_type` (`*` or `personalisation`) and,
/// when there were any, records that it did in the request log: how many, not which, and not whose.
pub async fn drop_tags(
    session: &mut Session<'_>,
    customer_id: u64,
    objection_type: &str,
    now: Timestamp,
) -> Result<u64> {
    session
        .exec_drop(
            &session.sql("DELETE FROM `{p}tags` WHERE customer_id = ?"),
            (customer_id,),
        )
        .await?;
    let dropped = session.affected_rows();
    if dropped > 0 {
        let summary = serde_json::json!({ "tags": dropped, "objection": objection_type });
        request_log::record(
            session,
            &request_log::Entry {
                kind: TAGS_REMOVED,
                outcome: "done",
                received_at: now,
                started_at: now,
                finished_at: now,
                summary: &summary,
            },
        )
        .await?;
    }
    Ok(dropped)
}

/// The request-log kind of [`drop_tags`].
pub const TAGS_REMOVED: &str = "tags_removed";

pub async fn untag(session: &mut Session<'_>, customer_id: u64, tag: &str) -> Result<()> {
    session
        .exec_drop(
            &session.sql("DELETE FROM `{p}tags` WHERE customer_id = ? AND tag = ?"),
            (customer_id, tag),
        )
        .await
}

/// A tag of a customer.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    /// The rule named when it was set: a tag rule's name (`set_by` rule), or what tag() was given.
    pub rule: Option<String>,
    /// `hand` (tag()) or `rule` (applyTagRules).
    pub set_by: String,
    pub set_at: Option<Timestamp>,
}

pub async fn tags(session: &mut Session<'_>, customer_id: u64) -> Result<Vec<Tag>> {
    let rows: Vec<(String, Option<String>, String, Value)> = session
        .exec(
            &session.sql(
                "SELECT tag, rule, set_by, set_at FROM `{p}tags` WHERE customer_id = ? ORDER BY tag",
            ),
            (customer_id,),
        )
        .await?;
    rows.into_iter()
        .map(|(tag, rule, set_by, set_at)| {
            Ok(Tag {
                name: tag,
                rule,
                set_by,
                set_at: values::timestamp(set_at)?,
            })
        })
        .collect()
}

/// A logged send with its rating and whether a copy is archived.
#[derive(Debug, Clone)]
pub struct Send {
    pub id: u64,
    pub email_type: String,
    pub email: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub order_id: Option<u64>,
    pub sent_at: Option<Timestamp>,
    pub rating: Option<u8>,
    pub archived: bool,
}

/// id, type, email, subject, message_id, order_id, sent_at, rating, archived
type SendRow = (
    u64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<u64>,
    Value,
    Option<u8>,
    bool,
);

/// The customer's sends, newest first, with their rating and whether a copy is archived.
pub async fn sends(session: &mut Session<'_>, customer_id: u64, limit: u32) -> Result<Vec<Send>> {
    let rows: Vec<SendRow> = session
        .exec(
            &session.sql(
                "SELECT s.id, s.type, s.email, s.subject, s.message_id, s.order_id, s.sent_at, r.rating,
                        EXISTS (SELECT 1 FROM `{p}email_archive` a WHERE a.send_id = s.id)
                 FROM `{p}send_log` s LEFT JOIN `{p}email_ratings` r ON r.send_id = s.id
                 WHERE s.customer_id = ? ORDER BY s.sent_at DESC, s.id DESC LIMIT ?",
            ),
            (customer_id, limit),
        )
        .await?;
    rows.into_iter()
        .map(
            |(id, kind, email, subject, message_id, order_id, sent_at, rating, archived)| {
                Ok(Send {
                    id,
                    email_type: kind,
                    email,
                    subject,
                    message_id,
                    order_id,
                    sent_at: values::timestamp(sent_at)?,
                    rating,
                    archived,
                })
            },
        )
        .collect()
}

/// A recorded objection with its proof.
#[derive(Debug, Clone)]
pub struct Objection {
    pub email_type: String,
    pub source: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub actor: Option<String>,
    pub created_at: Option<Timestamp>,
}

/// type, source, ip, user_agent, actor, created_at
type ObjectionRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Value,
);

/// The customer's recorded objections with their proof, oldest first.
pub async fn objections(session: &mut Session<'_>, customer_id: u64) -> Result<Vec<Objection>> {
    let rows: Vec<ObjectionRow> = session
        .exec(
            &session.sql(
                "SELECT type, source, ip, user_agent, actor, created_at FROM `{p}opt_outs`
                 WHERE customer_id = ? ORDER BY created_at, id",
            ),
            (customer_id,),
        )
        .await?;
    rows.into_iter()
        .map(|(kind, source, ip, user_agent, actor, created_at)| {
            Ok(Objection {
                email_type: kind,
                source,
                ip,
                user_agent,
                actor,
                created_at: values::timestamp(created_at)?,
            })
        })
        .collect()
}
