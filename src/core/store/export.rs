//! Reading everything the data map says about one customer, table by table, and streaming it into the
//! export writers. A table the database lacks is skipped (and said so); a table the server refuses to
//! read becomes a section with an error, and the rest is exported; a lost connection aborts.

use std::collections::{BTreeSet, HashMap};

use mysql_async::{Row, Value};

use crate::core::address::address_hmacs;
use crate::core::config::{Secret, Shop};
use crate::core::datamap::{self, Entry, Find, Owner, own};
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::export::cell::{self, Cell};
use crate::core::export::document::{Head, Section, Skipped, Writer};
use crate::core::output::OutputValue;
use crate::core::store::records;
use crate::core::store::session::Session;
use crate::core::time::Timestamp;

/// Rows per statement when a table is read page by page.
const PAGE: u64 = 5000;

pub struct Context<'a> {
    pub prefix: &'a str,
    pub shop: Shop,
    pub shop_prefix: &'a str,
    pub keyring: &'a [&'a Secret],
}

impl Context<'_> {
    /// The table's name in the database (prefixes are validated identifiers).
    pub fn table(&self, entry: &Entry) -> String {
        match entry.owner {
            Owner::Own => format!("{}{}", self.prefix, entry.table),
            Owner::Shop(_) => format!("{}{}", self.shop_prefix, entry.table),
        }
    }
}

/// Who the export is about.
#[derive(Debug, Clone)]
pub struct Subject {
    pub customer_id: u64,
    /// Every address the customer used (normalised), from the account, orders and sends.
    pub emails: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SectionOutcome {
    pub id: &'static str,
    pub table: String,
    pub rows: u64,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub sections: Vec<SectionOutcome>,
    pub skipped: Vec<Skipped>,
}

/// The columns of each table that exists, in table order.
pub type Columns = HashMap<String, Vec<String>>;

pub async fn columns(session: &mut Session<'_>, tables: &[String]) -> Result<Columns> {
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
pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A WHERE condition on alias `t` and its parameters.
pub struct Condition {
    pub sql: String,
    pub params: Vec<Value>,
}

/// Why an entry cannot be read in this database.
fn missing(ctx: &Context<'_>, entry: &Entry, columns: &Columns) -> Option<String> {
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
pub fn condition(ctx: &Context<'_>, entry: &Entry, alias: &str, subject: &Subject) -> Condition {
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
pub async fn subject(
    session: &mut Session<'_>,
    ctx: &Context<'_>,
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

/// Streams the customer's data into `writer`.
pub async fn export(
    session: &mut Session<'_>,
    ctx: &Context<'_>,
    customer_id: u64,
    generated_at: Timestamp,
    writer: &mut dyn Writer,
) -> Result<Outcome> {
    let entries = datamap::entries(ctx.shop);
    let tables: Vec<String> = entries.iter().map(|e| ctx.table(e)).collect();
    let columns = columns(session, &tables).await?;
    let subject = subject(session, ctx, &entries, &columns, customer_id).await?;
    writer
        .begin(&Head {
            generated_at: generated_at.to_string(),
            customer_id,
            emails: subject.emails.clone(),
            shop: ctx.shop.name().to_owned(),
        })
        .map_err(file_error)?;

    let mut sections = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let table = ctx.table(entry);
        if let Some(reason) = missing(ctx, entry, &columns) {
            skipped.push(Skipped {
                id: entry.id.to_owned(),
                table,
                reason,
            });
            continue;
        }
        let table_columns = columns.get(&table).cloned().unwrap_or_default();
        let outcome = section(
            session,
            ctx,
            entry,
            &table,
            &table_columns,
            &subject,
            writer,
        )
        .await?;
        sections.push(outcome);
    }
    writer.end(&skipped).map_err(file_error)?;
    Ok(Outcome { sections, skipped })
}

async fn section(
    session: &mut Session<'_>,
    ctx: &Context<'_>,
    entry: &'static Entry,
    table: &str,
    table_columns: &[String],
    subject: &Subject,
    writer: &mut dyn Writer,
) -> Result<SectionOutcome> {
    let archive = entry.id == own::ARCHIVE;
    let mut header = table_columns.to_vec();
    if archive {
        header.push("body".into());
    }
    writer
        .section(
            &Section {
                id: entry.id.to_owned(),
                label_de: entry.label_de.to_owned(),
                label_en: entry.label_en.to_owned(),
                table: table.to_owned(),
                times: if matches!(entry.owner, Owner::Own) {
                    "UTC"
                } else {
                    "shop-local"
                },
            },
            &header,
        )
        .map_err(file_error)?;
    let secret: Vec<bool> = table_columns
        .iter()
        .map(|c| entry.secrets.contains(&c.as_str()))
        .collect();
    let select: Vec<String> = table_columns
        .iter()
        .map(|c| format!("t.{}", quote(c)))
        .collect();
    let where_ = condition(ctx, entry, "t", subject);
    let page_index = entry
        .page_by
        .and_then(|p| table_columns.iter().position(|c| c == p));
    let send_index = table_columns.iter().position(|c| c == "send_id");

    let mut rows = 0u64;
    let mut after: Option<Value> = None;
    let result: Result<()> = async {
        loop {
            let (sql, mut params) = (
                format!(
                    "SELECT {} FROM {} t WHERE {}",
                    select.join(", "),
                    quote(table),
                    where_.sql
                ),
                where_.params.clone(),
            );
            let sql = match (entry.page_by, &after) {
                (Some(page), Some(last)) => {
                    params.push(last.clone());
                    format!(
                        "{sql} AND t.{} > ? ORDER BY t.{} LIMIT {PAGE}",
                        quote(page),
                        quote(page)
                    )
                }
                (Some(page), None) => format!("{sql} ORDER BY t.{} LIMIT {PAGE}", quote(page)),
                (None, _) => sql,
            };
            let page: Vec<Row> = session.exec(&sql, params).await?;
            let count = page.len() as u64;
            for row in page {
                let values = row.unwrap();
                if let Some(i) = page_index {
                    after = values.get(i).cloned();
                }
                let send_id = send_index
                    .and_then(|i| values.get(i).cloned())
                    .and_then(|v| mysql_async::from_value_opt::<u64>(v).ok());
                let mut cells: Vec<Cell> = values
                    .into_iter()
                    .zip(&secret)
                    .map(
                        |(value, &is_secret)| match (is_secret, cell::from_mysql(value)) {
                            (true, Cell::Null) => Cell::Null,
                            (true, Cell::Text(t)) if t.is_empty() => Cell::Text(t),
                            (true, _) => Cell::Secret,
                            (false, c) => c,
                        },
                    )
                    .collect();
                if archive {
                    cells.push(archived_body(session, ctx.prefix, send_id).await?);
                }
                writer.row(&cells).map_err(file_error)?;
                rows += 1;
            }
            if entry.page_by.is_none() || count < PAGE {
                return Ok(());
            }
        }
    }
    .await;
    let error = match result {
        Ok(()) => None,
        // The server refused this table (privileges, a changed column): report it, export the rest.
        Err(Error::Database(e)) if e.kind == DatabaseErrorKind::Server => Some(e.message),
        Err(other) => return Err(other),
    };
    writer.section_end(error.as_deref()).map_err(file_error)?;
    Ok(SectionOutcome {
        id: entry.id,
        table: table.to_owned(),
        rows,
        error,
    })
}

async fn archived_body(
    session: &mut Session<'_>,
    prefix: &str,
    send_id: Option<u64>,
) -> Result<Cell> {
    let Some(send_id) = send_id else {
        return Ok(Cell::Null);
    };
    let record = records::archived_email(session, prefix, send_id).await?;
    Ok(record
        .and_then(|r| r.into_iter().find(|(k, _)| *k == "body").map(|(_, v)| v))
        .map_or(Cell::Null, |v| match v {
            OutputValue::Bytes(b) => match String::from_utf8(b) {
                Ok(text) => Cell::Text(text),
                Err(e) => Cell::Bytes(e.into_bytes()),
            },
            _ => Cell::Null,
        }))
}

pub fn file_error(e: std::io::Error) -> Error {
    Error::File(format!("writing the export failed: {e}"))
}
