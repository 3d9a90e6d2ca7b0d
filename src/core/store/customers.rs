//! SQL of finding shop accounts, for admin pages and the command-line tool.

use crate::core::error::Result;
use crate::core::output::Record;
use crate::core::rules::ident::Lookup;
use crate::core::store::objection::ShopTables;
use crate::core::store::session::Session;

/// customers_id, address, first name, last name
type CustomerRow = (u64, Option<String>, Option<String>, Option<String>);

pub async fn find(
    session: &mut Session<'_>,
    shop: &ShopTables<'_>,
    lookup: &Lookup,
    limit: u32,
) -> Result<Vec<Record>> {
    let (column, value) = match lookup {
        Lookup::Id(id) => ("customers_id", mysql_async::Value::from(*id)),
        Lookup::Email(email) => (
            "customers_email_address",
            mysql_async::Value::from(email.as_str()),
        ),
    };
    let rows: Vec<CustomerRow> = session
        .exec(
            &format!(
                "SELECT customers_id, customers_email_address, customers_firstname, customers_lastname
                 FROM {} WHERE {column} = ? ORDER BY customers_id LIMIT ?",
                shop.table("customers")
            ),
            (value, limit),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, first, last)| {
            vec![
                ("customer_id", id.into()),
                ("email", email.unwrap_or_default().into()),
                ("firstname", first.unwrap_or_default().into()),
                ("lastname", last.unwrap_or_default().into()),
            ]
        })
        .collect())
}
