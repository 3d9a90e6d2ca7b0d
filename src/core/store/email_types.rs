//! SQL of the email type definitions.

use mysql_async::Value;
use serde_json::json;

use crate::core::error::{Error, Result};
use crate::core::rules::email_type::{Basis, ConsentMode, EmailType, MoreOptions};
use crate::core::store::cache;
use crate::core::store::db::session::Session;
use crate::core::store::db::values::schema_error;
use crate::core::time::Timestamp;

/// Creates or replaces a definition and moves the catalog counter (in one transaction).
pub async fn define(session: &mut Session<'_>, t: &EmailType, now: Timestamp) -> Result<()> {
    session
        .transaction(async |s| define_in(s, t, now).await)
        .await
}

async fn define_in(session: &mut Session<'_>, t: &EmailType, now: Timestamp) -> Result<()> {
    if let Some(other) = &t.more.advertising_type {
        match basis(session, other).await? {
            None => {
                return Err(Error::invalid_input(format!(
                    "option 'advertising_type' must name a defined email type; define '{other}' first"
                )));
            }
            Some(Basis::Transactional) => {
                return Err(Error::invalid_input(format!(
                    "option 'advertising_type' must name a type that may advertise, '{other}' is transactional"
                )));
            }
            Some(_) => {}
        }
    }
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}email_types` (type, basis, max_age_days, notice_since, min_interval_days, options, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON DUPLICATE KEY UPDATE basis = VALUES(basis), max_age_days = VALUES(max_age_days),
                   notice_since = VALUES(notice_since), min_interval_days = VALUES(min_interval_days),
                   options = VALUES(options), updated_at = VALUES(updated_at)",
            ),
            vec![
                Value::from(t.name.as_str()),
                t.basis.name().into(),
                t.max_age_days.into(),
                t.notice_since.as_deref().into(),
                t.min_interval_days.into(),
                encode(&t.more).into(),
                now.into(),
            ],
        )
        .await?;
    cache::changed(session).await
}

/// The basis of a defined type, straight from the database (for writes, which must not trust a copy).
pub async fn basis(session: &mut Session<'_>, email_type: &str) -> Result<Option<Basis>> {
    let basis: Option<String> = session
        .exec_first(
            &session.sql("SELECT basis FROM `{p}email_types` WHERE type = ?"),
            (email_type,),
        )
        .await?;
    Ok(basis.as_deref().and_then(Basis::from_name))
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
    pub more: MoreOptions,
}

/// type, basis, max_age_days, notice_since (shop-local), min_interval_days, options
type TypeRow = (
    String,
    String,
    Option<u32>,
    Option<String>,
    Option<u32>,
    Option<String>,
);

/// Every defined type, by name.
pub async fn list(session: &mut Session<'_>) -> Result<Vec<DefinedType>> {
    let rows: Vec<TypeRow> = session
        .exec(
            &session.sql(
                "SELECT type, basis, max_age_days, DATE_FORMAT(notice_since, '%Y-%m-%d %H:%i:%s'), min_interval_days,
                   options
                 FROM `{p}email_types` ORDER BY type",
            ),
            (),
        )
        .await?;
    rows.into_iter()
        .map(|(name, basis, max_age, notice, interval, options)| {
            Ok(DefinedType {
                name,
                basis,
                max_age_days: max_age,
                // A notice date given as a day reads back as that day.
                notice_since: notice
                    .map(|n| n.strip_suffix(" 00:00:00").map_or(n.clone(), str::to_owned)),
                min_interval_days: interval,
                more: decode(options.as_deref())?,
            })
        })
        .collect()
}

/// The `options` column: the options that are set, as one JSON object; None when none is.
fn encode(more: &MoreOptions) -> Option<String> {
    let mut object = serde_json::Map::new();
    if let Some(ids) = &more.excluded_order_statuses {
        object.insert("excluded_order_statuses".into(), json!(ids));
    }
    if let Some(ids) = &more.similar_categories {
        object.insert("similar_categories".into(), json!(ids));
    }
    if more.consent != ConsentMode::Any {
        object.insert("consent".into(), json!(more.consent.name()));
    }
    if let Some(days) = more.consent_max_idle_days {
        object.insert("consent_max_idle_days".into(), json!(days));
    }
    if let Some(other) = &more.advertising_type {
        object.insert("advertising_type".into(), json!(other));
    }
    (!object.is_empty()).then(|| serde_json::Value::Object(object).to_string())
}

/// Reads the `options` column back.
pub(crate) fn decode(text: Option<&str>) -> Result<MoreOptions> {
    let bad = || schema_error("an email type's options column is malformed");
    let Some(text) = text else {
        return Ok(MoreOptions::default());
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
    let ids = |key: &str| -> Result<Option<Vec<u64>>> {
        value
            .get(key)
            .map(|list| {
                list.as_array()
                    .ok_or_else(bad)?
                    .iter()
                    .map(|id| id.as_u64().ok_or_else(bad))
                    .collect()
            })
            .transpose()
    };
    Ok(MoreOptions {
        excluded_order_statuses: ids("excluded_order_statuses")?,
        similar_categories: ids("similar_categories")?,
        consent: match value.get("consent") {
            None => ConsentMode::Any,
            Some(mode) => mode
                .as_str()
                .and_then(ConsentMode::from_name)
                .ok_or_else(bad)?,
        },
        consent_max_idle_days: value
            .get("consent_max_idle_days")
            .map(|d| {
                d.as_u64()
                    .and_then(|d| u32::try_from(d).ok())
                    .ok_or_else(bad)
            })
            .transpose()?,
        advertising_type: value
            .get("advertising_type")
            .map(|t| t.as_str().map(str::to_owned).ok_or_else(bad))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_survive_the_column() {
        assert_eq!(encode(&MoreOptions::default()), None);
        assert_eq!(decode(None).unwrap(), MoreOptions::default());
        let more = MoreOptions {
            excluded_order_statuses: Some(vec![]),
            similar_categories: Some(vec![3, 7]),
            consent: ConsentMode::DoubleOptIn,
            consent_max_idle_days: Some(730),
            advertising_type: Some("winback".into()),
        };
        assert_eq!(decode(encode(&more).as_deref()).unwrap(), more);
        assert!(decode(Some("{\"consent\": \"maybe\"}")).is_err());
    }
}
