//! The data-map walk shared by export, erasure and import: which tables exist with which columns,
//! who the subject is (every address the customer used), and the condition that selects the subject's
//! rows in each table of the map.

use std::collections::{BTreeSet, HashMap};

use mysql_async::Value;

use crate::core::address::address_hmacs;
use crate::core::config::{Secret, Shop};
use crate::core::datamap::{self, Entry, Find, Owner};
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::rules::email::normalise;
use crate::core::store::db::Session;
use crate::core::store::scan;
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
    /// The customer's addresses (normalised): the account's current address and the addresses on the
    /// customer's own rows, less every address that is now another account's current address.
    pub(crate) emails: Vec<String>,
    /// Every address found on the customer's own rows, also those another account now has: the rows
    /// found by these but owned by someone else are what erasure reports as left to their owner.
    pub(crate) all_emails: Vec<String>,
    /// The keys of the rows found by reading their content ([`Find::Scan`]), per entry id.
    pub(crate) scanned: HashMap<&'static str, Vec<Value>>,
}

/// A column's address as the contract compares it: trimmed, lowercased, and then compared byte for
/// byte as UTF-8, never through the column's (case- and accent-insensitive) collation.
pub(crate) fn exact_address(expr: &str) -> String {
    format!("CAST(CONVERT(LOWER(TRIM({expr})) USING utf8mb4) AS BINARY)")
}

/// Normalised addresses as parameters of an [`exact_address`] comparison.
pub(crate) fn address_params<'a>(addresses: impl IntoIterator<Item = &'a String>) -> Vec<Value> {
    addresses
        .into_iter()
        .map(|a| Value::Bytes(a.as_bytes().to_vec()))
        .collect()
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
        Find::Scan { key, content } => {
            needed.push(key);
            needed.extend(content.columns());
        }
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
                let by_address: Vec<String> = emails
                    .iter()
                    .map(|column| {
                        params.extend(address_params(&addresses));
                        format!(
                            "{} IN ({marks})",
                            exact_address(&format!("{alias}.{}", quote(column)))
                        )
                    })
                    .collect();
                if !by_address.is_empty() {
                    let by_address = by_address.join(" OR ");
                    // A row found by address is the subject's only when no other account owns it.
                    parts.push(match id {
                        Some(id) => {
                            params.push(Value::from(subject.customer_id));
                            format!(
                                "(({by_address}) AND COALESCE({alias}.{}, 0) IN (0, ?))",
                                quote(id)
                            )
                        }
                        None => format!("({by_address})"),
                    });
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
        Find::Scan { key, .. } => match subject.scanned.get(entry.id) {
            Some(keys) if !keys.is_empty() => {
                params.extend(keys.iter().cloned());
                format!(
                    "{alias}.{} IN ({})",
                    quote(key),
                    vec!["?"; keys.len()].join(",")
                )
            }
            _ => "FALSE".to_owned(),
        },
    };
    let sql = match entry.condition {
        Some(extra) => format!("{sql} AND ({extra})"),
        None => sql,
    };
    Condition { sql, params }
}

/// The subject's addresses: those on the customer's own rows (found by customer id in the entries
/// that hold addresses), less those that are now another account's current address.
pub(crate) async fn subject(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    entries: &[&Entry],
    columns: &Columns,
    customer_id: u64,
) -> Result<Subject> {
    let mut all = BTreeSet::new();
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
                        "SELECT DISTINCT {} FROM {} WHERE {} = ?",
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
            all.extend(
                found
                    .into_iter()
                    .flatten()
                    .map(|b| normalise(&String::from_utf8_lossy(&b)))
                    .filter(|e| e.contains('@')),
            );
        }
    }
    // An erased customer whose retained rows wait: the addresses noted at the erasure still find
    // the guest orders once the account's own rows are gone.
    all.extend(
        crate::core::store::retained::pending_emails(session, ctx, columns, customer_id).await?,
    );
    let all: Vec<String> = all.into_iter().collect();
    let taken = others_current(session, ctx, columns, customer_id, &all).await?;
    let mut subject = Subject {
        customer_id,
        emails: all
            .iter()
            .filter(|e| !taken.contains(*e))
            .cloned()
            .collect(),
        all_emails: all,
        scanned: HashMap::new(),
    };
    for entry in entries {
        if matches!(entry.find, Find::Scan { .. }) && missing(ctx, entry, columns).is_none() {
            let keys = scan::keys(session, ctx, entry, &subject).await?;
            subject.scanned.insert(entry.id, keys);
        }
    }
    Ok(subject)
}

/// Which of `addresses` are the current address of an account other than `customer_id` in the shop's
/// customers table (none without a shop preset, or when the table is not readable).
async fn others_current(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    columns: &Columns,
    customer_id: u64,
    addresses: &[String],
) -> Result<BTreeSet<String>> {
    let Some(customers) = datamap::entries(ctx.shop())
        .into_iter()
        .find(|e| e.id == "customers" && matches!(e.owner, Owner::Shop(_)))
    else {
        return Ok(BTreeSet::new());
    };
    if addresses.is_empty() || missing(ctx, customers, columns).is_some() {
        return Ok(BTreeSet::new());
    }
    let exact = exact_address("customers_email_address");
    let marks = vec!["?"; addresses.len()].join(",");
    let mut params = address_params(addresses);
    params.push(Value::from(customer_id));
    let taken: Vec<Option<Vec<u8>>> = session
        .exec(
            &format!(
                "SELECT DISTINCT {exact} FROM {} WHERE {exact} IN ({marks}) AND customers_id <> ?",
                quote(&ctx.table(customers))
            ),
            params,
        )
        .await?;
    Ok(taken
        .into_iter()
        .flatten()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect())
}

/// The rows of `entry` found by the subject's addresses that the subject does not own: another
/// account's, or guest rows with an address that is now another account's. Erasure leaves them and
/// counts them.
pub(crate) fn others(
    ctx: &Scope<'_>,
    entry: &Entry,
    alias: &str,
    subject: &Subject,
) -> Option<Condition> {
    let Find::Match { emails, .. } = entry.find else {
        return None;
    };
    if emails.is_empty() || subject.all_emails.is_empty() {
        return None;
    }
    let marks = vec!["?"; subject.all_emails.len()].join(",");
    let mut params = Vec::new();
    let found: Vec<String> = emails
        .iter()
        .map(|column| {
            params.extend(address_params(&subject.all_emails));
            format!(
                "{} IN ({marks})",
                exact_address(&format!("{alias}.{}", quote(column)))
            )
        })
        .collect();
    let own = condition(ctx, entry, alias, subject);
    params.extend(own.params);
    Some(Condition {
        sql: format!(
            "({}) AND NOT COALESCE(({}), FALSE)",
            found.join(" OR "),
            own.sql
        ),
        params,
    })
}
