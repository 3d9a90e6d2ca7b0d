//! SQL of restriction of processing (Art. 18 GDPR): the events, the state the decision and the tag
//! rules read from them (the newest event per customer), and the history the export shows.

use mysql_async::Value;

use crate::core::error::Result;
use crate::core::rules::proof::Proof;
use crate::core::rules::restriction::{self, Action, Newest};
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error};
use crate::core::time::Timestamp;

/// An SQL expression that is 1 when the customer `id` (an SQL expression) is restricted now, else 0:
/// its newest event is `restrict`. Two key lookups: the newest id from the index on (customer_id, id),
/// then that row. (`ORDER BY id DESC LIMIT 1` let the optimizer walk the primary key backwards, over
/// every customer's events, whenever its statistics made the table look small.) Holds `{p}` for
/// `render`.
pub fn restricted_column(id: &str) -> String {
    format!(
        "COALESCE((SELECT r.action = 'restrict' FROM `{{p}}restrictions` r
                   WHERE r.id = (SELECT MAX(r2.id) FROM `{{p}}restrictions` r2 WHERE r2.customer_id = {id})), 0)"
    )
}

/// The set form of [`restricted_column`] for statements over many customers: the condition that the
/// customer `id` is not restricted now, as `id NOT IN (the restricted ids)`, which the server
/// materialises once per statement instead of two lookups per customer. Holds `{p}` for `render`.
pub fn not_restricted(id: &str) -> String {
    format!("{id} NOT IN ({})", restricted_ids())
}

/// The customers restricted now (their newest event is `restrict`), for a scan of everyone
/// (store/campaign/everyone.rs). Holds `{p}` for `render`.
pub fn restricted_ids() -> &'static str {
    "SELECT r.customer_id FROM `{p}restrictions` r WHERE r.action = 'restrict'
       AND r.id = (SELECT MAX(r2.id) FROM `{p}restrictions` r2 WHERE r2.customer_id = r.customer_id)"
}

async fn newest(s: &mut Session<'_>, customer_id: u64) -> Result<Option<Newest>> {
    let row: Option<(u64, String)> = s
        .exec_first(
            &s.sql(
                "SELECT id, action FROM `{p}restrictions` WHERE customer_id = ?
                 ORDER BY id DESC LIMIT 1 FOR UPDATE",
            ),
            (customer_id,),
        )
        .await?;
    row.map(|(id, action)| {
        let action = match action.as_str() {
            "restrict" => Action::Restrict,
            "unrestrict" => Action::Unrestrict,
            _ => return Err(schema_error("a restriction event has an unknown action")),
        };
        Ok(Newest { id, action })
    })
    .transpose()
}

/// Records `action` for the customer unless the plan (rules/restriction.rs) says otherwise; returns the
/// id of the event recorded, or of the restriction already in force.
pub async fn record(
    session: &mut Session<'_>,
    customer_id: u64,
    action: Action,
    proof: &Proof,
    now: Timestamp,
) -> Result<u64> {
    session
        .transaction(async |s| {
            let found = newest(s, customer_id).await?;
            if let Some(id) = restriction::plan(action, found, customer_id)? {
                return Ok(id);
            }
            s.exec_drop(
                &s.sql(
                    "INSERT INTO `{p}restrictions` (customer_id, action, source, ip, user_agent, actor, created_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                ),
                vec![
                    Value::from(customer_id),
                    action.name().into(),
                    proof.source.map(|s| s.name()).into(),
                    proof.ip.as_deref().into(),
                    proof.user_agent.as_deref().into(),
                    proof.actor.as_deref().into(),
                    now.into(),
                ],
            )
            .await?;
            s.last_insert_id()
                .ok_or_else(|| schema_error("no id for the restriction event"))
        })
        .await
}

/// Whether the customer is restricted now.
pub async fn is_restricted(session: &mut Session<'_>, customer_id: u64) -> Result<bool> {
    let sql = session.sql(&format!("SELECT {}", restricted_column("?")));
    let value: Option<i64> = session.exec_first(&sql, (customer_id,)).await?;
    Ok(value == Some(1))
}

/// One restriction event.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: u64,
    pub action: String,
    pub source: Option<String>,
    pub actor: Option<String>,
    pub created_at: Option<Timestamp>,
}

/// id, action, source, actor, created_at.
type EventRow = (u64, String, Option<String>, Option<String>, Value);

/// The customer's restriction events, oldest first.
pub async fn history(session: &mut Session<'_>, customer_id: u64) -> Result<Vec<Event>> {
    let rows: Vec<EventRow> = session
        .exec(
            &session.sql(
                "SELECT id, action, source, actor, created_at FROM `{p}restrictions`
                 WHERE customer_id = ? ORDER BY id",
            ),
            (customer_id,),
        )
        .await?;
    rows.into_iter()
        .map(|(id, action, source, actor, created_at)| {
            Ok(Event {
                id,
                action,
                source,
                actor,
                created_at: values::timestamp(created_at)?,
            })
        })
        .collect()
}
