//! Reading the rows that name their customer only in their content (sessions, Zen Cart's admin log,
//! MailBeez's event log) page by page, and keeping the keys of the customer's rows: the rules in
//! `rules::traces` decide, row by row; export and erasure then select those rows by key.

use mysql_async::{Row, Value};

use crate::core::datamap::{Content, Entry, Find};
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::rules::traces::{self, AdminLogRow, Owner};
use crate::core::store::db::Session;
use crate::core::store::walk::{Scope, Subject, quote};

/// Rows per statement.
const PAGE: usize = 2000;

fn bytes(value: &Value) -> &[u8] {
    match value {
        Value::Bytes(b) => b,
        _ => &[],
    }
}

fn text(value: &Value) -> String {
    String::from_utf8_lossy(bytes(value)).into_owned()
}

/// Whether the row (content columns in [`Content::columns`] order) is the subject's.
fn is_owners(content: Content, values: &[Value], owner: Owner<'_>) -> bool {
    match content {
        Content::Session => traces::session_is_owners(bytes(&values[0]), owner),
        Content::AdminLog => {
            let texts: Vec<String> = [0, 1, 3, 4].iter().map(|&i| text(&values[i])).collect();
            traces::admin_log_is_owners(
                &AdminLogRow {
                    page_accessed: &texts[0],
                    page_parameters: &texts[1],
                    gzpost: bytes(&values[2]),
                    logmessage: &texts[2],
                    attention: &texts[3],
                },
                owner,
            )
        }
        Content::LogText => {
            let texts: Vec<String> = values.iter().map(text).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            traces::log_text_is_owners(&refs, owner)
        }
    }
}

/// A condition that leaves out rows that cannot be the subject's, so they never cross the wire:
/// free text without an `@` mentions no address.
fn prefilter(content: Content) -> Option<String> {
    match content {
        Content::LogText => Some(format!(
            "({})",
            content
                .columns()
                .iter()
                .map(|c| format!("{} LIKE '%@%'", quote(c)))
                .collect::<Vec<_>>()
                .join(" OR ")
        )),
        // Most admin page views post nothing (`gzdeflate('[]')`, 4 bytes) and name no one in their
        // parameters; a POST that holds an address deflates to more than 8 bytes.
        Content::AdminLog => Some(
            "(LENGTH(`gzpost`) > 8 OR `page_parameters` LIKE '%@%' OR `page_parameters` LIKE '%!%40%' ESCAPE '!'
              OR `page_parameters` LIKE '%cID=%' OR `logmessage` LIKE '%@%' OR `attention` LIKE '%@%')"
                .to_owned(),
        ),
        // Base64 hides the content from SQL.
        Content::Session => None,
    }
}

/// The keys of the entry's rows that are the subject's. A table the server refuses to read yields
/// none (its export section says why).
pub(crate) async fn keys(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    entry: &Entry,
    subject: &Subject,
) -> Result<Vec<Value>> {
    let Find::Scan { key, content } = entry.find else {
        return Ok(Vec::new());
    };
    let owner = Owner {
        customer_id: subject.customer_id,
        emails: &subject.emails,
    };
    // Content read as bytes: the columns are text in some shops, blobs in others.
    let select: Vec<String> = std::iter::once(quote(key))
        .chain(
            content
                .columns()
                .iter()
                .map(|c| format!("CAST({} AS BINARY)", quote(c))),
        )
        .collect();
    let table = quote(&ctx.table(entry));
    let mut found = Vec::new();
    let mut after: Option<Value> = None;
    loop {
        let mut conditions: Vec<String> = prefilter(content).into_iter().collect();
        let mut params = Vec::new();
        if let Some(last) = after.take() {
            conditions.push(format!("{} > ?", quote(key)));
            params.push(last);
        }
        let sql = format!(
            "SELECT {} FROM {table}{} ORDER BY {} LIMIT {PAGE}",
            select.join(", "),
            if conditions.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", conditions.join(" AND "))
            },
            quote(key)
        );
        let page: Vec<Row> = match session.exec(&sql, params).await {
            Ok(page) => page,
            Err(Error::Database(e)) if e.kind == DatabaseErrorKind::Server => return Ok(found),
            Err(e) => return Err(e),
        };
        let count = page.len();
        for row in page {
            let mut values = row.unwrap();
            let key_value = values.remove(0);
            if is_owners(content, &values, owner) {
                found.push(key_value.clone());
            }
            after = Some(key_value);
        }
        if count < PAGE {
            return Ok(found);
        }
    }
}
