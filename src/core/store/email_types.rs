//! SQL of the email type definitions.

use mysql_async::Value;

use crate::core::error::Result;
use crate::core::rules::email_type::EmailType;
use crate::core::store::catalog;
use crate::core::store::schema::render;
use crate::core::store::session::Session;
use crate::core::time::Timestamp;

/// Creates or replaces a definition and moves the catalog counter (in one transaction).
pub async fn define(
    session: &mut Session<'_>,
    prefix: &str,
    t: &EmailType,
    now: Timestamp,
) -> Result<()> {
    session
        .transaction(async |s| define_in(s, prefix, t, now).await)
        .await
}

async fn define_in(
    session: &mut Session<'_>,
    prefix: &str,
    t: &EmailType,
    now: Timestamp,
) -> Result<()> {
    session
        .exec_drop(
            &render(
                "INSERT INTO `{p}email_types` (type, basis, max_age_days, notice_since, min_interval_days, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON DUPLICATE KEY UPDATE basis = VALUES(basis), max_age_days = VALUES(max_age_days),
                   notice_since = VALUES(notice_since), min_interval_days = VALUES(min_interval_days),
                   updated_at = VALUES(updated_at)",
                prefix,
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
    catalog::changed(session, prefix).await
}
