//! Free text that names the customer, at erasure: who the person is (from the account, the address
//! book and the customer's orders, read before anything is deleted), and the review texts that name
//! them, replaced by `[removed]` when their review is anonymised. The rule is `rules::free_text`.

use mysql_async::{Row, Value};

use crate::core::datamap;
use crate::core::error::Result;
use crate::core::rules::free_text::{self, Person};
use crate::core::store::db::Session;
use crate::core::store::walk::{self, Columns, Scope, Subject, quote};

/// Columns of one kind.
type Cols = &'static [&'static str];

/// Where the person's name, street and phone are kept: (entry id, last-name columns, street columns,
/// phone columns). Columns a shop version lacks are left out.
const SOURCES: &[(&str, Cols, Cols, Cols)] = &[
    (
        "customers",
        &["customers_lastname"],
        &[],
        &["customers_telephone", "customers_fax"],
    ),
    (
        "address_book",
        &["entry_lastname"],
        &["entry_street_address"],
        &["entry_telephone"],
    ),
    (
        "orders",
        &[
            "customers_lastname",
            "delivery_lastname",
            "billing_lastname",
        ],
        &[
            "customers_street_address",
            "delivery_street_address",
            "billing_street_address",
        ],
        &["customers_telephone"],
    ),
];

/// What identifies the subject in free text.
pub(crate) async fn person(
    session: &mut Session<'_>,
    ctx: &Scope<'_>,
    columns: &Columns,
    subject: &Subject,
) -> Result<Person> {
    let mut person = Person {
        emails: subject.emails.clone(),
        ..Person::default()
    };
    let shop_entries = datamap::entries(ctx.shop());
    for (id, names, streets, phones) in SOURCES {
        let Some(entry) = shop_entries.iter().find(|e| e.id == *id) else {
            continue;
        };
        if walk::missing(ctx, entry, columns).is_some() {
            continue;
        }
        let present = &columns[&ctx.table(entry)];
        let wanted: Vec<(usize, &str)> = [(0, *names), (1, *streets), (2, *phones)]
            .into_iter()
            .flat_map(|(kind, cols)| cols.iter().map(move |c| (kind, *c)))
            .filter(|(_, c)| present.iter().any(|p| p == c))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let condition = walk::condition(ctx, entry, "t", subject);
        let select: Vec<String> = wanted
            .iter()
            .map(|(_, c)| format!("CAST(t.{} AS BINARY)", quote(c)))
            .collect();
        let rows: Vec<Row> = session
            .exec(
                &format!(
                    "SELECT DISTINCT {} FROM {} t WHERE {}",
                    select.join(", "),
                    quote(&ctx.table(entry)),
                    condition.sql
                ),
                condition.params,
            )
            .await?;
        for row in rows {
            for ((kind, _), value) in wanted.iter().zip(row.unwrap()) {
                let Value::Bytes(b) = value else { continue };
                let text = String::from_utf8_lossy(&b).trim().to_owned();
                if text.is_empty() {
                    continue;
                }
                let list = match kind {
                    0 => &mut person.last_names,
                    1 => &mut person.streets,
                    _ => &mut person.phones,
                };
                if !list.contains(&text) {
                    list.push(text);
                }
            }
        }
    }
    Ok(person)
}

/// What the review-text step found: texts that name the person (replaced unless a dry run) and
/// texts kept.
pub(crate) struct Reviewed {
    pub(crate) replaced: u64,
    pub(crate) kept: u64,
}

/// Replaces the subject's review texts that name them by [`free_text::REMOVED`] (counts only in a dry
/// run). `table` is `reviews_description` with its prefix; rows are keyed by review and language.
pub(crate) async fn review_texts(
    s: &mut Session<'_>,
    ctx: &Scope<'_>,
    entry: &datamap::Entry,
    table: &str,
    person: &Person,
    subject: &Subject,
    dry_run: bool,
) -> Result<Reviewed> {
    let condition = walk::condition(ctx, entry, "t", subject);
    let rows: Vec<(u64, Option<u64>, Option<Vec<u8>>)> = s
        .exec(
            &format!(
                "SELECT t.reviews_id, t.languages_id, CAST(t.reviews_text AS BINARY) FROM {} t WHERE {}",
                quote(table),
                condition.sql
            ),
            condition.params,
        )
        .await?;
    let mut reviewed = Reviewed {
        replaced: 0,
        kept: 0,
    };
    for (review, language, text) in rows {
        let text = text.map(|b| String::from_utf8_lossy(&b).into_owned());
        if !text.is_some_and(|t| free_text::names_person(&t, person)) {
            reviewed.kept += 1;
            continue;
        }
        reviewed.replaced += 1;
        if !dry_run {
            s.exec_drop(
                &format!(
                    "UPDATE {} SET reviews_text = ? WHERE reviews_id = ? AND languages_id <=> ?",
                    quote(table)
                ),
                (free_text::REMOVED, review, language),
            )
            .await?;
        }
    }
    Ok(reviewed)
}
