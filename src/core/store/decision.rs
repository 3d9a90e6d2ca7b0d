//! SQL of the send decision: what one decision needs about a customer, for one customer or a chunk of a
//! campaign, in one statement. The type's rules and the suppression list come from this process's
//! copy (store/cache.rs); the statement reads the copy's change counter along, so a stale copy
//! is noticed in the same round trip.

use std::rc::Rc;

use mysql_async::{Row, Value};

use crate::core::config::Secret;
use crate::core::error::Result;
use crate::core::rules::consent::{Status, given_for_other_address};
use crate::core::rules::decision::{self, AddressEntry, Clocks, ConsentFacts, Facts, TypeRules};
use crate::core::rules::email::normalise;
use crate::core::rules::email_type::{Basis, ConsentMode};
use crate::core::rules::sales::Purchases;
use crate::core::store::cache::{self, Cache, Defaults};
use crate::core::store::db::schema::render;
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error, shop_time};
use crate::core::store::sales;
use crate::core::store::tables::ShopTables;

/// What a schema error names when a row does not fit.
const WHAT: &str = "a decision query's answer";

/// Which facts a decision of this type needs; what is not needed is not queried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// Everything about the customer (transactional mail needs nothing).
    pub customer: bool,
    pub orders: bool,
    pub send_log: bool,
    /// Whether the consent in force is a confirmed double opt-in.
    pub confirmed: bool,
}

impl Needs {
    /// The objections and consent only (isOptedOut).
    pub const OBJECTIONS: Needs = Needs {
        customer: true,
        orders: false,
        send_log: false,
        confirmed: false,
    };

    pub fn of(rules: &TypeRules) -> Needs {
        Needs {
            customer: rules.basis != Basis::Transactional,
            orders: rules.reads_orders(),
            send_log: rules.reads_send_log(),
            confirmed: rules.consent == ConsentMode::DoubleOptIn,
        }
    }
}

/// The facts of the requested customers, with the rules and clocks they are judged by.
pub struct Judged {
    pub rules: TypeRules,
    /// For a transactional type with an `advertising_type`: that type's rules, which `facts` are read
    /// for (a decision then says whether the mail may advertise).
    pub advertising: Option<TypeRules>,
    pub clocks: Clocks,
    /// One entry per requested id, in the order given.
    pub facts: Vec<(u64, Facts)>,
}

impl Judged {
    /// The decision for one customer's facts.
    pub fn decide(&self, facts: &Facts) -> decision::Decision {
        let advertising = self
            .advertising
            .as_ref()
            .map(|rules| decision::decide(rules, facts, self.clocks));
        decision::decide(&self.rules, facts, self.clocks).with_advertising(advertising.as_ref())
    }
}

/// The rules of `email_type` and, for a transactional type with an advertising type, that type's
/// rules; the shop's statuses and categories are read first when they are needed and not yet read.
async fn rules_of(
    session: &mut Session<'_>,
    cache: &Cache,
    email_type: &str,
    defaults: &Defaults<'_>,
    decision: bool,
) -> Result<(TypeRules, Option<TypeRules>)> {
    cache::ensure_sales(session, cache, email_type, defaults).await?;
    let rules = cache.rules(email_type, defaults);
    let advertising = match &rules.advertising_type {
        Some(other) if decision && rules.basis == Basis::Transactional => {
            cache::ensure_sales(session, cache, other, defaults).await?;
            Some(cache.rules(other, defaults))
        }
        _ => None,
    };
    Ok((rules, advertising))
}

/// Reads the facts of `ids` (unique) for `email_type`. `needs` forces what to read; by default the
/// type's rules decide.
#[allow(clippy::too_many_arguments)]
pub async fn judge(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    ids: &[u64],
    email_type: &str,
    defaults: &Defaults<'_>,
    needs: Option<Needs>,
    ids_from: Ids,
) -> Result<Judged> {
    let mut cache = cache::current(session).await?;
    // A changed copy may change what must be read: read again (bounded; changes are rare).
    for _ in 0..3 {
        let (rules, advertising) =
            rules_of(session, &cache, email_type, defaults, needs.is_none()).await?;
        // A transactional mail's facts are those of its advertising type.
        let advertising_type = rules.advertising_type.clone();
        let (facts_type, facts_rules) = match (&advertising, &advertising_type) {
            (Some(a), Some(name)) => (name.as_str(), a),
            _ => (email_type, &rules),
        };
        let wanted = needs.unwrap_or_else(|| Needs::of(facts_rules));
        let (rows, version, clocks) =
            read(session, ids, facts_type, facts_rules, wanted, ids_from).await?;
        if version != cache.version {
            cache = cache::load(session).await?;
            let again = rules_of(session, &cache, email_type, defaults, needs.is_none()).await?;
            if again != (rules.clone(), advertising.clone()) {
                continue;
            }
        }
        let in_shop = session.tables().shop.is_some();
        return finish(
            &cache,
            keyring,
            Asked {
                ids,
                email_type: facts_type,
                needs: wanted,
                in_shop,
            },
            (rules, advertising),
            rows,
            clocks,
        );
    }
    Err(schema_error(
        "the email types changed three times while a decision was read; try again",
    ))
}

/// What was asked of `judge`, for `finish`.
struct Asked<'a> {
    ids: &'a [u64],
    /// The type whose facts were read.
    email_type: &'a str,
    needs: Needs,
    /// A shop preset names the customers table: an id without a row there is unknown.
    in_shop: bool,
}

fn finish(
    cache: &Rc<Cache>,
    keyring: &[&Secret],
    asked: Asked<'_>,
    (rules, advertising): (TypeRules, Option<TypeRules>),
    rows: Vec<(u64, Facts, Option<String>)>,
    clocks: Clocks,
) -> Result<Judged> {
    let Asked {
        ids,
        email_type,
        needs,
        in_shop,
    } = asked;
    if !needs.customer {
        return Ok(Judged {
            rules,
            advertising,
            clocks,
            facts: ids.iter().map(|&id| (id, Facts::default())).collect(),
        });
    }
    cache.require_keys(keyring)?;
    let mut by_id: std::collections::HashMap<u64, (Facts, Option<String>)> = rows
        .into_iter()
        .map(|(id, facts, email)| (id, (facts, email)))
        .collect();
    let facts = ids
        .iter()
        .map(|&id| {
            // Only `Ids::InShop` leaves ids out: those the customers table does not hold.
            let (mut facts, email) = by_id.remove(&id).unwrap_or_else(|| {
                let facts = Facts {
                    in_shop: in_shop.then_some(false),
                    ..Facts::default()
                };
                (facts, None)
            });
            facts.suppressed |= cache.customer_suppressed(id);
            if let Some(email) = email {
                apply_address_entries(cache, keyring, email_type, &mut facts, &email);
            }
            (id, facts)
        })
        .collect();
    Ok(Judged {
        rules,
        advertising,
        clocks,
        facts,
    })
}

/// Adds what the suppression list says about the customer's address.
pub(super) fn apply_address_entries(
    cache: &Cache,
    keyring: &[&Secret],
    email_type: &str,
    facts: &mut Facts,
    email: &str,
) {
    // Most shops' lists hold no address: spare the normalising per customer.
    if !cache.has_addresses() {
        return;
    }
    let entries = cache.address_entries(keyring, &normalise(email));
    decision::apply_address_entries(
        facts,
        email_type,
        entries.iter().map(|e| AddressEntry {
            email_type: &e.email_type,
            kind: cache::entry_kind(&e.reason),
            created_at: e.created_at,
        }),
    );
}

/// The catalog counter and the clocks, as the first columns of every row.
pub(crate) fn head_columns(cluster: bool) -> String {
    format!("{}, UTC_TIMESTAMP(6), NOW()", cache::version(cluster))
}

type Rows = (Vec<(u64, Facts, Option<String>)>, u64, Clocks);

async fn read(
    session: &mut Session<'_>,
    ids: &[u64],
    email_type: &str,
    rules: &TypeRules,
    needs: Needs,
    ids_from: Ids,
) -> Result<Rows> {
    let shop = session.tables().shop;
    let shop = shop.as_ref();
    let prefix = session.prefix();
    let head_sql = head_columns(session.cluster());
    if !needs.customer {
        return head_alone(session, &head_sql).await;
    }
    let form = Form {
        prefix,
        head: &head_sql,
        shop,
        rules,
        ids_from,
        cluster: session.cluster(),
    };
    let asked = Asked {
        ids,
        email_type,
        needs,
        in_shop: shop.is_some(),
    };
    let (sql, params) = statement(&form, asked);
    let rows: Vec<Row> = session.exec(&sql, params).await?;
    if rows.is_empty() {
        // None of the ids is the shop's (`Ids::InShop`): the head alone, for the counter and clocks.
        return head_alone(session, &head_sql).await;
    }
    let mut version = None;
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        version = Some(head(&mut row)?);
        out.push(read_facts(&mut row, shop.is_some())?);
    }
    let (version, clocks) =
        version.ok_or_else(|| schema_error("no answer to the decision query"))?;
    Ok((out, version, clocks))
}

/// The counter and clocks without any customer row.
async fn head_alone(session: &mut Session<'_>, head_sql: &str) -> Result<Rows> {
    let sql = session.sql(&format!("SELECT {head_sql}"));
    let mut row: Row = session
        .exec_first(&sql, ())
        .await?
        .ok_or_else(|| schema_error("no answer"))?;
    let (version, clocks) = head(&mut row)?;
    Ok((Vec::new(), version, clocks))
}

/// The counter and clocks of [`head_columns`], read from the first columns of `row`.
pub(crate) fn head(row: &mut Row) -> Result<(u64, Clocks)> {
    let version: Option<u64> = values::take(row, 0, WHAT)?;
    let utc_now = values::timestamp(values::take(row, 1, WHAT)?)?
        .ok_or_else(|| schema_error("no UTC clock"))?;
    let db_now = values::timestamp(values::take(row, 2, WHAT)?)?
        .ok_or_else(|| schema_error("no database clock"))?;
    Ok((
        version.ok_or_else(|| schema_error("the catalog counter is missing; run migrate()"))?,
        Clocks { utc_now, db_now },
    ))
}

/// How the requested ids enter the decision statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ids {
    /// A row for every id, also for ids the shop does not know: their objections count without an
    /// account (maySend, isOptedOut).
    Each,
    /// Only the ids the shop's customers table holds, looked up by its primary key: a decision denies
    /// an unknown id anyway (`unknown_customer` comes first), and a key lookup costs the server less
    /// than a derived table of ids. Without a shop preset there is no such table: as `Each`.
    InShop,
}

/// What the text of a decision statement depends on: statements of the same shape differ only in their
/// parameters, so the text is built once per shape and process and kept (`TEXTS`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Shape {
    prefix: String,
    /// The shop's table prefix and preset, with one.
    shop: Option<(String, crate::core::shop::Shop)>,
    cluster: bool,
    needs: (bool, bool, bool),
    ids: usize,
    ids_from: Ids,
    excluded: usize,
    similar: Option<usize>,
}

/// Most statement texts a process keeps (a shop has a handful of types; a campaign's last chunk adds a
/// size now and then): beyond it the texts are dropped and built again.
const MOST_TEXTS: usize = 256;

thread_local! {
    static TEXTS: std::cell::RefCell<std::collections::HashMap<Shape, Rc<str>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Where a decision statement reads from and by which rules.
struct Form<'a> {
    prefix: &'a str,
    /// The head columns (counter and clocks).
    head: &'a str,
    shop: Option<&'a ShopTables<'a>>,
    rules: &'a TypeRules,
    ids_from: Ids,
    cluster: bool,
}

/// The statement and its parameters in the order of their placeholders.
fn statement(form: &Form<'_>, asked: Asked<'_>) -> (Rc<str>, Vec<Value>) {
    let Form {
        prefix,
        shop,
        rules,
        ids_from,
        cluster,
        ..
    } = *form;
    let Asked {
        ids,
        email_type,
        needs,
        ..
    } = asked;
    let orders = shop.is_some() && needs.orders;
    let shape = Shape {
        prefix: prefix.to_owned(),
        shop: shop.map(|t| (t.prefix.to_owned(), t.shop)),
        cluster,
        needs: (needs.orders, needs.send_log, needs.confirmed),
        ids: ids.len(),
        ids_from,
        excluded: if orders {
            rules.excluded_statuses.len()
        } else {
            0
        },
        similar: if orders {
            rules.similar_categories.as_ref().map(|c| c.len())
        } else {
            None
        },
    };
    let from_shop = shop.is_some() && ids_from == Ids::InShop;
    // Parameters in placeholder order: the type (opt-outs), the type (send log), the orders' statuses
    // and categories, then the ids and the type (consent state) in the order the FROM clause has them.
    let mut params: Vec<Value> = vec![email_type.into()];
    if needs.send_log {
        params.push(email_type.into());
    }
    if orders {
        let excluded = rules.excluded_statuses.iter().map(|&id| Value::from(id));
        // has_sale and newest_at_address: the statuses each; newest_similar: statuses, categories.
        params.extend(excluded.clone());
        params.extend(excluded.clone());
        if let Some(categories) = &rules.similar_categories {
            params.extend(excluded);
            params.extend(categories.iter().map(|&id| Value::from(id)));
        }
    }
    let id_params = ids.iter().map(|&id| Value::from(id));
    if from_shop {
        params.push(email_type.into());
        params.extend(id_params);
    } else {
        params.extend(id_params);
        params.push(email_type.into());
    }
    let kept = TEXTS.with(|t| t.borrow().get(&shape).cloned());
    let text = match kept {
        Some(text) => text,
        None => {
            let text: Rc<str> = Rc::from(text(form, asked));
            TEXTS.with(|t| {
                let mut t = t.borrow_mut();
                if t.len() >= MOST_TEXTS {
                    t.clear();
                }
                t.insert(shape, text.clone());
            });
            text
        }
    };
    (text, params)
}

/// The text of the statement (see `statement` for the order of its parameters).
fn text(form: &Form<'_>, asked: Asked<'_>) -> String {
    let Form {
        prefix,
        head,
        shop,
        rules,
        ids_from,
        ..
    } = *form;
    let Asked { ids, needs, .. } = asked;
    let placeholders = |first: &str, rest: &str| {
        std::iter::once(first.to_string())
            .chain(std::iter::repeat_n(
                rest.to_string(),
                ids.len().saturating_sub(1),
            ))
            .collect::<String>()
    };
    // `id`: the expression every per-customer column is correlated with.
    let (id, from, filter) = match (shop, ids_from) {
        // One customer: a key lookup (no row: the shop does not know the id).
        (Some(tables), Ids::InShop) if ids.len() == 1 => (
            "c.customers_id",
            format!("{} c", tables.table("customers")),
            "WHERE c.customers_id = ?".to_string(),
        ),
        (Some(tables), Ids::InShop) => (
            "c.customers_id",
            format!("{} c", tables.table("customers")),
            format!("WHERE c.customers_id IN ({})", placeholders("?", ",?")),
        ),
        (Some(tables), Ids::Each) => (
            "ids.id",
            format!(
                "({}) ids LEFT JOIN {} c ON c.customers_id = ids.id",
                placeholders("SELECT ? AS id", " UNION ALL SELECT ?"),
                tables.table("customers")
            ),
            String::new(),
        ),
        (None, _) => (
            "ids.id",
            format!(
                "({}) ids",
                placeholders("SELECT ? AS id", " UNION ALL SELECT ?")
            ),
            String::new(),
        ),
    };
    let customer_columns = if shop.is_some() {
        "c.customers_id IS NOT NULL, c.customers_email_address"
    } else {
        "NULL, NULL"
    };
    // The parameters these add are pushed by `statement` in the same order.
    let mut ignored = Vec::new();
    let order_columns = match shop {
        Some(tables) if needs.orders => sales::purchase_columns(
            tables,
            id,
            &rules.excluded_statuses,
            rules.similar_categories.as_deref(),
            &mut ignored,
        ),
        _ => "NULL, NULL, NULL".to_string(),
    };
    let (confirmed_column, confirmed_join) = if needs.confirmed {
        (
            "g.action = 'confirmed'",
            "LEFT JOIN `{p}consent_events` g ON g.id = st.grant_event_id",
        )
    } else {
        ("NULL", "")
    };
    let send_log = if needs.send_log {
        format!(
            "(SELECT MAX(l.sent_at) FROM `{{p}}send_log` l WHERE l.customer_id = {id} AND l.type = ?)"
        )
    } else {
        "NULL".to_string()
    };

    let restricted = crate::core::store::restriction::restricted_column(id);
    render(
        &format!(
            "SELECT {head}, {id}, {customer_columns},
               (SELECT MAX(x.created_at) FROM `{{p}}opt_outs` x WHERE x.customer_id = {id} AND x.type = '*'),
               (SELECT MAX(x.created_at) FROM `{{p}}opt_outs` x WHERE x.customer_id = {id} AND x.type = ?),
               st.status, st.granted_at, st.grant_event_id, st.event_id, st.email,
               {send_log},
               {order_columns},
               {confirmed_column},
               {restricted}
             FROM {from}
             LEFT JOIN `{{p}}consent_state` st ON st.customer_id = {id} AND st.purpose = ?
             {confirmed_join}
             {filter}"
        ),
        prefix,
    )
}

/// One customer row (after the head columns); the address is the account's current one, if known.
fn read_facts(row: &mut Row, shop: bool) -> Result<(u64, Facts, Option<String>)> {
    let id: u64 = values::take(row, 3, WHAT)?;
    let in_shop: Option<i64> = values::take(row, 4, WHAT)?;
    let email: Option<String> = values::take::<Option<Vec<u8>>>(row, 5, WHAT)?
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let opted_out_all_at = values::timestamp(values::take(row, 6, WHAT)?)?;
    let opted_out_type_at = values::timestamp(values::take(row, 7, WHAT)?)?;
    let status: Option<String> = values::take(row, 8, WHAT)?;
    let granted_at = values::timestamp(values::take(row, 9, WHAT)?)?;
    let grant_event_id: Option<u64> = values::take(row, 10, WHAT)?;
    let event_id: Option<u64> = values::take(row, 11, WHAT)?;
    let consent_email: Option<String> = values::take(row, 12, WHAT)?;
    let last_sent_at = values::timestamp(values::take(row, 13, WHAT)?)?;
    let has_sale: Option<i64> = values::take(row, 14, WHAT)?;
    let newest_at_address = shop_time(values::take(row, 15, WHAT)?);
    let newest_similar = shop_time(values::take(row, 16, WHAT)?);
    let confirmed: Option<i64> = values::take(row, 17, WHAT)?;
    let restricted: Option<i64> = values::take(row, 18, WHAT)?;
    let consent = match (status.as_deref().and_then(Status::from_name), event_id) {
        (Some(status), Some(event_id)) => Some(ConsentFacts {
            status,
            granted_at,
            grant_event_id,
            event_id,
            // Only with a shop preset is there an account address to compare with.
            for_other_address: shop
                && given_for_other_address(email.as_deref(), consent_email.as_deref()),
            confirmed: confirmed == Some(1),
        }),
        _ => None,
    };
    let facts = Facts {
        in_shop: shop.then_some(in_shop == Some(1)),
        restricted: restricted == Some(1),
        suppressed: false,
        opted_out_all_at,
        opted_out_type_at,
        address_opted_out_all: false,
        address_opted_out_type: false,
        consent,
        last_sent_at,
        purchases: Purchases {
            has_sale: has_sale == Some(1),
            newest_at_address,
            newest_similar,
        },
    };
    Ok((id, facts, email))
}
