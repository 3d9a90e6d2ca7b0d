//! SQL of the email type definitions.

use mysql_async::Value;

use crate::core::error::Result;
use crate::core::rules::email_type::EmailType;
use crate::core::store::cache;
use crate::core::store::db::session::Session;
use crate::core::time::Timestamp;

/// Creates or replaces a definition and moves the catalog counter (in one transaction).
pub async fn define(session: &mut Session<'_>, t: &EmailType, now: Timestamp) -> Result<()> {
    session
        .transaction(async |s| define_in(s, t, now).await)
        .await
}

async fn define_in(session: &mut Session<'_>, t: &EmailType, now: Timestamp) -> Result<()> {
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}email_types` (type, basis, max_age_days, notice_since, min_interval_days, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON DUPLICATE KEY UPDATE basis = VALUES(basis), max_age_days = VALUES(max_age_days),
                   notice_since = VALUES(notice_since), min_interval_days = VALUES(min_interval_days),
                   updated_at = VALUES(updated_at)",
            ),
            vec![
                Value::from(t.name.as_str()),
                t.basis.name().into(),
                t.max_age_days.into(),
                t.notice_since.as_deref().into(),
                t.min_interval_days.into(),
                now.into(),
            ],
        )
        .await?;
    cache::changed(session).await
}

/// A defined email type as stored.
#[derive(Debug, Clone)]
pub struct DefinedType {
    pub name: String,
    pub basis: String,
    pub max_age_days: Option<u32>,
    /// Shop-local; a day given without a time reads back as that day.
    pub notice_since: Option<String>,
    pub min_interval_days: Option<u32>,
}

/// type, basis, max_age_days, notice_since (shop-local), min_interval_days
type TypeRow = (String, String, Option<u32>, Option<String>, Option<u32>);

/// Every defined type, by name.
pub async fn list(session: &mut Session<'_>) -> Result<Vec<DefinedType>> {
    let rows: Vec<TypeRow> = session
        .exec(
            &session.sql(
                "SELECT type, basis, max_age_days, DATE_FORMAT(notice_since, '%Y-%m-%d %H:%i:%s'), min_interval_days
                 FROM `{p}email_types` ORDER BY type",
            ),
            (),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(name, basis, max_age, notice, interval)| {
            DefinedType {
                name,
                basis,
                max_age_days: max_age,
                // A notice date given as a day reads back as that day.
                notice_since: notice
                    .map(|n| n.strip_suffix(" 00:00:00").map_or(n.clone(), str::to_owned)),
                min_interval_days: interval,
            }
        })
        .collect())
}
