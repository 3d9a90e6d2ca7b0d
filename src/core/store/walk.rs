//! The data-map walk shared by export, erasure and import: which tables exist with which columns,
//! who the subject is (every address the customer used), and the condition that selects the subject's
//! rows in each table of the map.

use std::collections::{BTreeSet, HashMap};

use mysql_async::Value;

use crate::core::address::address_hmacs;
use crate::core::config::{Secret, Shop};
use crate::core::datamap::{self, Entry, Find, Owner};
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::store::db::Session;
use crate::core::store::tables::Tables;

/// What a walk over the data map needs besides the session: the table names and the keys that
/// find the subject's suppression entries.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub(crate) tables: Tables<'a>,
    pub(crate) keyring: &'a [&'a Secret],
}

impl Scope<'_> {
    /// The shop preset whose data map is walked.
    pub(crate) fn shop(&self) -> Shop {
        self.tables.shop_preset()
    }

    /// The table's name in the database (prefixes are validated identifiers).
    pub(crate) fn table(&self, entry: &Entry) -> String {
        match (&entry.owner, self.tables.shop) {
            (Owner::Own, _) => format!("{}{}", self.tables.own, entry.table),
            (Owner::Shop(_), Some(shop)) => format!("{}{}", shop.prefix, entry.table),
            (Owner::Shop(_), None) => entry.table.to_owned(),
        }
    }
}

/// Who the export is about.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub(crate) customer_id: u64,
    /// Every address the customer used (normalised), from the account, orders and sends.
    pub(crate) emails: Vec<String>,
}

/// The columns of each table that exists, in table order.
pub(crate) type Columns = HashMap<String, Vec<String>>;

pub(crate) async fn columns(session: &mut Session<'_>, tables: &[String]) -> Result<Columns> {
    if tables.is_empty() {
        return Ok(Columns::new());
    }
    let marks = vec!["?"; tables.len()].join(",");
    let rows: Vec<(String, String)> = session
        .exec(
            &format!(
                "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ({marks}) ORDER BY TABLE_NAME, ORDINAL_POSITION"
            ),
            tables.iter().map(|t| Value::from(t.as_str())).collect::<Vec<_>>(),
        )
        .await?;
    let mut out = Columns::new();
    for (table, column) in rows {
        out.entry(table).or_default().push(column);
    }
    Ok(out)
}

/// `name` quoted as an identifier. Names come from the data map or from information_schema.
pub(crate) fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A WHERE condition on alias `t` and its parameters.
pub(crate) struct Condition {
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
}

/// Why an entry cannot be read in this database.
pub(crate) fn missing(ctx: &Scope<'_>, entry: &Entry, columns: &Columns) -> Option<String> {
    let table = ctx.table(entry);
    let Some(present) = columns.get(&table) else {
        return Some("not in this shop's database (or not visible to its database user)".into());
    };
    let mut needed: Vec<&str> = Vec::new();
    match entry.find {
        Find::Match { id, emails } => {
            needed.extend(id);
            needed.extend(emails);
        }
        Find::Via {
            parent,
            parent_key,
            key,
        } => {
            needed.push(key);
            let Some(parent_entry) = datamap::entry(parent) else {
                return Some(format!("its parent {parent} is not mapped"));
            };
            if let Some(why) = missing(ctx, parent_entry, columns) {
                return Some(format!(
                    "its parent table {} is not readable: {why}",
                    ctx.table(parent_entry)
                ));
            }
            if !columns
                .get(&ctx.table(parent_entry))
                .is_some_and(|c| c.iter().any(|c| c == parent_key))
            {
                return Some(format!("its parent table lacks the column {parent_key}"));
            }
        }
        Find::Suppression => needed.extend(["customer_id", "email_hmac"]),
    }
    needed.extend(entry.page_by);
    needed
        .into_iter()
        .find(|c| !present.iter().any(|p| p == c))
        .map(|c| format!("the column {c} is missing"))
}

/// The rows of `entry` that belong to the subject.
pub(crate) fn condition(
    ctx: &Scope<'_>,
    entry: &Entry,
    alias: &str,
    subject: &Subject,
) -> Condition {
    let mut params = Vec::new();
    let sql = match entry.find {
        Find::Match { id, emails } => {
            let mut parts = Vec::new();
            if let Some(id) = id {
                parts.push(format!("{alias}.{} = ?", quote(id)));
                params.push(Value::from(subject.customer_id));
            }
            let mut addresses: BTreeSet<String> = subject.emails.iter().cloned().collect();
            if let Some(chars) = entry.email_prefix {
                addresses.extend(
                    subject
                        .emails
                        .iter()
                        .map(|e| e.chars().take(chars).collect::<String>()),
                );
            }
            if !addresses.is_empty() {
                let marks = vec!["?"; addresses.len()].join(",");
                for column in emails {
                    parts.push(format!(
                        "LOWER(TRIM({alias}.{})) IN ({marks})",
                        quote(column)
                    ));
                    params.extend(addresses.iter().map(|e| Value::from(e.as_str())));
                }
            }
            if parts.is_empty() {
                "FALSE".to_owned()
            } else {
                format!("({})", parts.join(" OR "))
            }
        }
        Find::Via {
            parent,
            parent_key,
            key,
        } => match datamap::entry(parent) {
            Some(parent_entry) => {
                let inner = condition(ctx, parent_entry, "p", subject);
                params = inner.params;
                format!(
                    "{alias}.{} IN (SELECT p.{} FROM {} p WHERE {})",
                    quote(key),
                    quote(parent_key),
                    quote(&ctx.table(parent_entry)),
                    inner.sql
                )
            }
            None => "FALSE".to_owned(),
        },
        Find::Suppression => {
            params.push(Value::from(subject.customer_id));
            let hmacs: Vec<Value> = subject
                .emails
                .iter()
                .flat_map(|e| address_hmacs(ctx.keyring, e))
                .map(|(hmac, _)| Value::from(hmac.to_vec()))
                .collect();
            if hmacs.is_empty() {
                format!("{alias}.customer_id = ?")
            } else {
                let marks = vec!["?"; hmacs.len()].join(",");
                params.extend(hmacs);
                format!("({alias}.customer_id = ? OR {alias}.email_hmac IN ({marks}))")
            }
        }
    };
    let sql = match entry.condition {
        Some(extra) => format!("{sql} AND ({extra})"),
        None => sql,
    };
    Condition { sql, params }
}

/// Every address the customer used, from the entries that hold the customer's addresses by id.
pub(crate) async fn subject(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    entries: &[&Entry],
    columns: &Columns,
    customer_id: u64,
) -> Result<Subject> {
    let mut emails = BTreeSet::new();
    for entry in entries {
        let Find::Match { id: Some(id), .. } = entry.find else {
            continue;
        };
        if entry.addresses.is_empty() || missing(ctx, entry, columns).is_some() {
            continue;
        }
        for column in entry.addresses {
            let found: Result<Vec<Option<Vec<u8>>>> = session
                .exec(
                    &format!(
                        "SELECT DISTINCT LOWER(TRIM({})) FROM {} WHERE {} = ?",
                        quote(column),
                        quote(&ctx.table(entry)),
                        quote(id)
                    ),
                    (customer_id,),
                )
                .await;
            let found = match found {
                Ok(found) => found,
                // A table the server refuses to read: its section will say so.
                Err(Error::Database(e)) if e.kind == DatabaseErrorKind::Server => continue,
                Err(e) => return Err(e),
            };
            emails.extend(
                found
                    .into_iter()
                    .flatten()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .filter(|e| e.contains('@')),
            );
        }
    }
    Ok(Subject {
        customer_id,
        emails: emails.into_iter().collect(),
    })
}
