//! A campaign over every customer of the shop: the facts of all customers read by plain scans of the
//! tables they live in, joined by customer id in this process, and judged by `decide` itself, the
//! function maySend judges with.
//!
//! Why scans: one set statement over the customers asks the server for several key lookups per
//! customer (consent state, objections, the orders at the address), about a microsecond or two each;
//! over a million customers that is seconds on one core. A scan in key order costs the server a
//! fraction of that per row, and on a large shop the scans run on two connections at once, so the
//! server's second core works too (`db/parallel.rs`).
//!
//! What this process reads:
//! - the accounts (id and address), in id order; for a consent-based type only those with a consent in
//!   force on record;
//! - the consent state of the type (with whether its grant was confirmed, for double opt-in);
//! - the newest objection per customer, to all mail and to the type;
//! - the restricted customers; the newest send of the type, where the rules read it;
//! - the orders that can still make a sale count (status not excluded, placed since the later of the
//!   type's age limit and notice date, with goods of the chosen categories where chosen). Older orders
//!   cannot allow a mail; the facts say nothing about them.
//!
//! Where this process cannot compare addresses byte for byte as the database does (the set statement
//! compares `LOWER(TRIM(..))` of both), the customer is left to the single-customer statement: when
//! sales count, an account whose address is not plain printable ASCII, or one with a recent order
//! placed with such an address. For plain printable ASCII both sides agree exactly.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use mysql_async::Value;

use crate::core::config::Secret;
use crate::core::error::Result;
use crate::core::rules::consent::{Status, given_for_other_address};
use crate::core::rules::decision::{self, Clocks, ConsentFacts, Facts, TypeRules};
use crate::core::rules::email_type::Basis;
use crate::core::rules::sales::Purchases;
use crate::core::store::cache::Cache;
use crate::core::store::db::parallel::both;
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error, shop_time};
use crate::core::store::decision::{self as single, Needs, apply_address_entries};
use crate::core::store::restriction;
use crate::core::store::sales;
use crate::core::store::tables::ShopTables;
use crate::core::time::Timestamp;

/// What a schema error names when a row does not fit.
const WHAT: &str = "a campaign scan's answer";

/// Most accounts reserved room for before the scan (the highest id may be far above the count).
const MOST_RESERVED: u64 = 10_000_000;

/// From this customer id on (the highest id stands for the shop's size: a key lookup, where a count
/// would read the whole table) the scans use a second connection; below it one connection is as fast.
const PARALLEL_FROM: u64 = 5_000;

/// What a scan of everyone found.
pub(super) struct Scanned {
    /// The catalog counter after the scans (the caller compares it with its copy's).
    pub(super) version: u64,
    pub(super) allowed: HashSet<u64>,
    /// Customers to judge by the single-customer statement (see the module comment).
    pub(super) check: Vec<u64>,
}

/// Judges every customer of the shop for `email_type`, whose rules (`rules`, not transactional) come
/// from `cache`; `wanted` limits the result to some ids.
pub(super) async fn judge(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    cache: &Cache,
    email_type: &str,
    rules: &TypeRules,
    wanted: &dyn Fn(u64) -> bool,
) -> Result<Scanned> {
    let shop = session.tables().require_shop()?;
    let (version, clocks, last_id) = head(session, &shop).await?;
    if version != cache.version {
        // The caller reads its copy again first.
        return Ok(Scanned {
            version,
            allowed: HashSet::new(),
            check: Vec::new(),
        });
    }
    let plan = Plan {
        shop: &shop,
        email_type,
        rules,
        needs: Needs::of(rules),
        last_id,
    };
    let needs = plan.needs;
    // A server that refuses a second connection (max_user_connections on shared hosting) gets the
    // same reads one after another.
    let sibling = match last_id >= PARALLEL_FROM {
        true => session.open_sibling().await.ok(),
        false => None,
    };
    let facts = match sibling {
        Some(mut connection) => {
            let read = {
                let mut other = session.sibling(&mut connection);
                read_in_parallel(session, &mut other, &plan).await
            };
            connection.close().await;
            read?
        }
        None => read_in_turn(session, &plan).await?,
    };
    let mut allowed = HashSet::new();
    let mut check = Vec::new();
    for (i, account) in facts.accounts.rows.iter().enumerate() {
        if !wanted(account.id) {
            continue;
        }
        let sales = facts.sales.get(i).copied().unwrap_or_default();
        if sales.check || (needs.orders && account.kind == Kind::Other) {
            check.push(account.id);
            continue;
        }
        let customer = facts.customer(keyring, cache, email_type, i, sales);
        if decision::decide(rules, &customer, clocks).allowed {
            allowed.insert(account.id);
        }
    }
    let (version, ..) = head(session, &shop).await?;
    Ok(Scanned {
        version,
        allowed,
        check,
    })
}

/// The catalog counter, the clocks the decisions compare with, and the highest customer id.
async fn head(session: &mut Session<'_>, shop: &ShopTables<'_>) -> Result<(u64, Clocks, u64)> {
    let sql = session.sql(&format!(
        "SELECT {}, (SELECT MAX(customers_id) FROM {})",
        single::head_columns(session.cluster()),
        shop.table("customers")
    ));
    let mut row: mysql_async::Row = session
        .exec_first(&sql, ())
        .await?
        .ok_or_else(|| schema_error("no clock"))?;
    let (version, clocks) = single::head(&mut row)?;
    let last_id: Option<u64> = values::take(&mut row, 3, WHAT)?;
    Ok((version, clocks, last_id.unwrap_or(0)))
}

/// Everything read, joined by customer id.
#[derive(Default)]
struct Read {
    accounts: Accounts,
    records: Records,
    /// Per account (same index), what its recent orders say; empty when sales do not count.
    sales: Vec<Sales>,
}

impl Read {
    /// The facts of the account at `i`, as the single-customer statement would read them (sales:
    /// only the recent orders, see the module comment).
    fn customer(
        &self,
        keyring: &[&Secret],
        cache: &Cache,
        email_type: &str,
        i: usize,
        sales: Sales,
    ) -> Facts {
        let account = &self.accounts.rows[i];
        let id = account.id;
        let email = self.accounts.address(account);
        let records = &self.records;
        let (opted_out_all_at, opted_out_type_at) =
            records.objections.get(&id).copied().unwrap_or_default();
        let consent = records.consents.get(&id).map(|c| ConsentFacts {
            status: c.status,
            granted_at: c.granted_at,
            grant_event_id: c.grant_event_id,
            event_id: c.event_id,
            for_other_address: given_for_other_address(email, c.email.as_deref()),
            confirmed: c.confirmed,
        });
        let mut facts = Facts {
            in_shop: Some(true),
            restricted: records.restricted.contains(&id),
            suppressed: cache.customer_suppressed(id),
            opted_out_all_at,
            opted_out_type_at,
            address_opted_out_all: false,
            address_opted_out_type: false,
            consent,
            last_sent_at: records.sent.get(&id).copied(),
            purchases: Purchases {
                has_sale: sales.newest.is_some(),
                newest_at_address: sales.newest,
                newest_similar: sales.similar,
            },
        };
        if let Some(email) = email {
            apply_address_entries(cache, keyring, email_type, &mut facts, email);
        }
        facts
    }
}

/// What the reads are for.
struct Plan<'a> {
    shop: &'a ShopTables<'a>,
    email_type: &'a str,
    rules: &'a TypeRules,
    needs: Needs,
    /// The highest customer id (how many accounts to expect).
    last_id: u64,
}

/// The accounts on the main connection while the other reads the records; then the orders split
/// between both by order id.
async fn read_in_parallel(
    session: &mut Session<'_>,
    other: &mut Session<'_>,
    plan: &Plan<'_>,
) -> Result<Read> {
    let Plan {
        shop, rules, needs, ..
    } = *plan;
    let (accounts, records) = both(
        accounts(session, plan),
        records(other, plan.email_type, needs),
    )
    .await;
    let mut read = Read {
        accounts: accounts?,
        records: records?,
        sales: Vec::new(),
    };
    if needs.orders {
        let sales = RefCell::new(vec![Sales::default(); read.accounts.rows.len()]);
        let halves = match order_ids(session, shop).await? {
            Some((first, last)) => {
                let middle = first + (last - first) / 2;
                [Some((first, middle)), Some((middle + 1, last))]
            }
            None => [None, None],
        };
        if let [Some(low), Some(high)] = halves {
            let (a, b) = both(
                orders(session, shop, rules, Some(low), &read.accounts, &sales),
                orders(other, shop, rules, Some(high), &read.accounts, &sales),
            )
            .await;
            a?;
            b?;
        }
        read.sales = sales.into_inner();
    }
    Ok(read)
}

/// The same reads one after another on one connection (a small shop).
async fn read_in_turn(session: &mut Session<'_>, plan: &Plan<'_>) -> Result<Read> {
    let Plan {
        shop, rules, needs, ..
    } = *plan;
    let mut read = Read {
        accounts: accounts(session, plan).await?,
        records: records(session, plan.email_type, needs).await?,
        sales: Vec::new(),
    };
    if needs.orders {
        let sales = RefCell::new(vec![Sales::default(); read.accounts.rows.len()]);
        orders(session, shop, rules, None, &read.accounts, &sales).await?;
        read.sales = sales.into_inner();
    }
    Ok(read)
}

/// How an account's address can be compared here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No address (NULL).
    None,
    /// Plain printable ASCII, kept normalised (trimmed of spaces, lowercased): compared here exactly
    /// as the database compares it.
    Plain,
    /// Anything else, kept as read (lossy UTF-8): compared by the Rust rules only (consent), never
    /// with orders.
    Other,
}

/// An account: its id and where its address is in [`Accounts::text`].
#[derive(Debug, Clone, Copy)]
struct Account {
    id: u64,
    start: usize,
    len: u32,
    kind: Kind,
}

/// The shop's accounts in id order, their addresses in one buffer (a million accounts are some 50 MB
/// this way, not twice that as a string each).
#[derive(Default)]
struct Accounts {
    rows: Vec<Account>,
    text: String,
}

impl Accounts {
    fn push(&mut self, id: u64, raw: Option<Vec<u8>>) {
        let (kind, address) = match raw {
            None => (Kind::None, String::new()),
            Some(raw) => match plain(&raw) {
                Some(normal) => (Kind::Plain, normal),
                None => (Kind::Other, String::from_utf8_lossy(&raw).into_owned()),
            },
        };
        let start = self.text.len();
        self.text.push_str(&address);
        self.rows.push(Account {
            id,
            start,
            len: u32::try_from(address.len()).unwrap_or(u32::MAX),
            kind,
        });
    }

    fn address(&self, account: &Account) -> Option<&str> {
        if account.kind == Kind::None {
            return None;
        }
        self.text
            .get(account.start..account.start + account.len as usize)
    }

    /// The index of the account `id` (the rows are in id order).
    fn find(&self, id: u64) -> Option<usize> {
        self.rows.binary_search_by_key(&id, |a| a.id).ok()
    }
}

/// `raw` trimmed of spaces and lowercased, when it is plain printable ASCII (where MariaDB's
/// `LOWER(TRIM(..))` gives the same bytes under every collation); None otherwise.
fn plain(raw: &[u8]) -> Option<String> {
    if !raw.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    Some(text.trim_matches(' ').to_ascii_lowercase())
}

/// The accounts a campaign of the type can reach, in id order: every account, or for a consent-based
/// type only those with a consent in force on record (no other can be allowed).
async fn accounts(session: &mut Session<'_>, plan: &Plan<'_>) -> Result<Accounts> {
    let customers = plan.shop.table("customers");
    let every = plan.rules.basis != Basis::Consent;
    let (sql, params): (String, Vec<Value>) = if !every {
        (
            session.sql(&format!(
                "SELECT c.customers_id, c.customers_email_address FROM `{{p}}consent_state` st
                 JOIN {customers} c ON c.customers_id = st.customer_id
                 WHERE st.purpose = ? AND st.status = 'granted'"
            )),
            vec![plan.email_type.into()],
        )
    } else {
        (
            format!(
                "SELECT customers_id, customers_email_address FROM {customers} ORDER BY customers_id"
            ),
            Vec::new(),
        )
    };
    let mut accounts = Accounts::default();
    if every {
        // About as many accounts as the highest id (bounded: ids may have gaps): no growth by copies.
        let expected = usize::try_from(plan.last_id.min(MOST_RESERVED)).unwrap_or(0);
        accounts.rows.reserve_exact(expected);
        accounts.text.reserve(expected.saturating_mul(24));
    }
    let mut sorted = true;
    session
        .exec_each(&sql, params, |mut row| {
            let id: u64 = values::take(&mut row, 0, WHAT)?;
            let raw: Option<Vec<u8>> = values::take(&mut row, 1, WHAT)?;
            sorted &= accounts.rows.last().is_none_or(|last| last.id < id);
            accounts.push(id, raw);
            Ok(())
        })
        .await?;
    if !sorted {
        // Lookups need id order; a join need not keep it.
        accounts.rows.sort_unstable_by_key(|a| a.id);
    }
    Ok(accounts)
}

/// The consent state of one customer for the type.
struct Consent {
    status: Status,
    granted_at: Option<Timestamp>,
    grant_event_id: Option<u64>,
    event_id: u64,
    email: Option<String>,
    confirmed: bool,
}

/// The own tables' facts per customer, for the customers that have any.
#[derive(Default)]
struct Records {
    consents: HashMap<u64, Consent>,
    /// Newest objection to all mail, to the type.
    objections: HashMap<u64, (Option<Timestamp>, Option<Timestamp>)>,
    restricted: HashSet<u64>,
    /// Newest send of the type (read only where the rules use it).
    sent: HashMap<u64, Timestamp>,
}

async fn records(session: &mut Session<'_>, email_type: &str, needs: Needs) -> Result<Records> {
    let mut records = Records::default();
    let (confirmed_column, confirmed_join) = if needs.confirmed {
        (
            "g.action = 'confirmed'",
            "LEFT JOIN `{p}consent_events` g ON g.id = st.grant_event_id",
        )
    } else {
        ("0", "")
    };
    session
        .exec_each(
            &session.sql(&format!(
                "SELECT st.customer_id, st.status, st.granted_at, st.grant_event_id, st.event_id,
                        st.email, {confirmed_column}
                 FROM `{{p}}consent_state` st {confirmed_join} WHERE st.purpose = ?"
            )),
            (email_type,),
            |mut row| {
                let id: u64 = values::take(&mut row, 0, WHAT)?;
                let status: String = values::take(&mut row, 1, WHAT)?;
                let Some(status) = Status::from_name(&status) else {
                    return Ok(());
                };
                records.consents.insert(
                    id,
                    Consent {
                        status,
                        granted_at: values::timestamp(values::take(&mut row, 2, WHAT)?)?,
                        grant_event_id: values::take(&mut row, 3, WHAT)?,
                        event_id: values::take(&mut row, 4, WHAT)?,
                        email: values::take(&mut row, 5, WHAT)?,
                        confirmed: values::take::<Option<i64>>(&mut row, 6, WHAT)? == Some(1),
                    },
                );
                Ok(())
            },
        )
        .await?;
    session
        .exec_each(
            &session.sql(
                "SELECT x.customer_id, MAX(IF(x.type = '*', x.created_at, NULL)),
                        MAX(IF(x.type = ?, x.created_at, NULL))
                 FROM `{p}opt_outs` x WHERE x.customer_id IS NOT NULL AND x.type IN ('*', ?)
                 GROUP BY x.customer_id",
            ),
            (email_type, email_type),
            |mut row| {
                let id: u64 = values::take(&mut row, 0, WHAT)?;
                let all = values::timestamp(values::take(&mut row, 1, WHAT)?)?;
                let this = values::timestamp(values::take(&mut row, 2, WHAT)?)?;
                records.objections.insert(id, (all, this));
                Ok(())
            },
        )
        .await?;
    session
        .exec_each(
            &session.sql(restriction::restricted_ids()),
            (),
            |mut row| {
                records
                    .restricted
                    .insert(values::take::<u64>(&mut row, 0, WHAT)?);
                Ok(())
            },
        )
        .await?;
    if needs.send_log {
        session
            .exec_each(
                &session.sql(
                    "SELECT l.customer_id, MAX(l.sent_at) FROM `{p}send_log` l WHERE l.type = ?
                     GROUP BY l.customer_id",
                ),
                (email_type,),
                |mut row| {
                    let id: u64 = values::take(&mut row, 0, WHAT)?;
                    if let Some(at) = values::timestamp(values::take(&mut row, 1, WHAT)?)? {
                        records.sent.insert(id, at);
                    }
                    Ok(())
                },
            )
            .await?;
    }
    Ok(records)
}

/// What an account's recent orders say.
#[derive(Debug, Clone, Copy, Default)]
struct Sales {
    /// Newest recent sale placed with the account's address (shop-local time).
    newest: Option<Timestamp>,
    /// Newest of those with goods of the chosen categories.
    similar: Option<Timestamp>,
    /// A recent order was placed with an address this process cannot compare.
    check: bool,
}

/// The first and last order id, None without orders.
async fn order_ids(session: &mut Session<'_>, shop: &ShopTables<'_>) -> Result<Option<(u64, u64)>> {
    let s = sales::tables(shop);
    let row: Option<(Option<u64>, Option<u64>)> = session
        .exec_first(
            &format!(
                "SELECT MIN({id}), MAX({id}) FROM {}",
                shop.table(s.orders),
                id = s.order_id
            ),
            (),
        )
        .await?;
    Ok(match row {
        Some((Some(first), Some(last))) if first <= last => Some((first, last)),
        _ => None,
    })
}

/// Reads the recent orders (with ids in `range`, if given) into `into`, per account.
async fn orders(
    session: &mut Session<'_>,
    shop: &ShopTables<'_>,
    rules: &TypeRules,
    range: Option<(u64, u64)>,
    accounts: &Accounts,
    into: &RefCell<Vec<Sales>>,
) -> Result<()> {
    let Some(notice_since) = rules.notice_since else {
        return Ok(());
    };
    let mut params = Vec::new();
    let recent = sales::recent_sales(
        shop,
        "o",
        &rules.excluded_statuses,
        rules.similar_categories.as_deref(),
        rules.max_age_days,
        notice_since,
        &mut params,
    );
    let s = sales::tables(shop);
    let mut sql = format!(
        "SELECT o.{}, o.{}, o.{}, {} FROM {} o WHERE {}",
        s.customer_id,
        s.email,
        s.date,
        recent.similar,
        shop.table(s.orders),
        recent.condition
    );
    if let Some((first, last)) = range {
        sql.push_str(&format!(" AND o.{} BETWEEN ? AND ?", s.order_id));
        params.push(first.into());
        params.push(last.into());
    }
    session
        .exec_each(&sql, params, |mut row| {
            let id: u64 = values::take(&mut row, 0, WHAT)?;
            let Some(i) = accounts.find(id) else {
                // An order of an account that no longer exists (or a guest's, id 0).
                return Ok(());
            };
            let raw: Option<Vec<u8>> = values::take(&mut row, 1, WHAT)?;
            let at = shop_time(values::take(&mut row, 2, WHAT)?);
            let similar = values::take::<Option<i64>>(&mut row, 3, WHAT)? == Some(1);
            let account = &accounts.rows[i];
            let mut into = into.borrow_mut();
            let Some(sales) = into.get_mut(i) else {
                return Ok(());
            };
            let Some(raw) = raw else {
                return Ok(());
            };
            let Some(address) = plain(&raw) else {
                sales.check = true;
                return Ok(());
            };
            if account.kind != Kind::Plain || accounts.address(account) != Some(address.as_str()) {
                return Ok(());
            }
            sales.newest = sales.newest.max(at);
            if similar {
                sales.similar = sales.similar.max(at);
            }
            Ok(())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_printable_ascii_is_compared_here() {
        assert_eq!(
            plain(b"  Anna@Example.ORG ").as_deref(),
            Some("anna@example.org")
        );
        assert_eq!(plain(b"").as_deref(), Some(""));
        // MariaDB's TRIM removes spaces only; a tab stays and is not plain.
        assert_eq!(plain(b"\tanna@example.org"), None);
        assert_eq!(plain("jürgen@example.org".as_bytes()), None);
        // KELVIN SIGN lowercases to an ASCII k in Unicode: never compared here.
        assert_eq!(plain("\u{212a}@example.org".as_bytes()), None);
    }

    #[test]
    fn accounts_keep_their_addresses_in_one_buffer() {
        let mut accounts = Accounts::default();
        accounts.push(3, Some(b" A@B.org".to_vec()));
        accounts.push(7, None);
        accounts.push(9, Some("Jürgen@b.org".as_bytes().to_vec()));
        assert_eq!(accounts.find(3), Some(0));
        assert_eq!(accounts.find(8), None);
        let [a, b, c] = [accounts.rows[0], accounts.rows[1], accounts.rows[2]];
        assert_eq!(
            (a.kind, accounts.address(&a)),
            (Kind::Plain, Some("a@b.org"))
        );
        assert_eq!((b.kind, accounts.address(&b)), (Kind::None, None));
        assert_eq!(
            (c.kind, accounts.address(&c)),
            (Kind::Other, Some("Jürgen@b.org"))
        );
    }
}
