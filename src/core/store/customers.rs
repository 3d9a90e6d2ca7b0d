//! SQL of finding shop accounts, for admin pages and the command-line tool.

use crate::core::error::Result;
use crate::core::rules::ident::Lookup;
use crate::core::store::db::session::Session;
use crate::core::store::walk::exact_address;

/// A shop account found by the admin search.
#[derive(Debug, Clone)]
pub struct Account {
    pub customer_id: u64,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
}

/// customers_id, address, first name, last name
type CustomerRow = (u64, Option<String>, Option<String>, Option<String>);

pub async fn find(session: &mut Session<'_>, lookup: &Lookup, limit: u32) -> Result<Vec<Account>> {
    let shop = &session.tables().require_shop()?;
    // An address is found exactly (never through the column's case- and accent-insensitive
    // collation): `müller@` finds neither `muller@` nor `MULLER@`.
    let (column, value) = match lookup {
        Lookup::Id(id) => ("customers_id".to_owned(), mysql_async::Value::from(*id)),
        Lookup::Email(email) => (
            exact_address("customers_email_address"),
            mysql_async::Value::Bytes(email.as_bytes().to_vec()),
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
        .map(|(id, email, first, last)| Account {
            customer_id: id,
            email: email.unwrap_or_default(),
            firstname: first.unwrap_or_default(),
            lastname: last.unwrap_or_default(),
        })
        .collect())
}
