//! SQL of the tag rules: defining, listing and dropping them, and applying each as set statements over
//! the shop's customers — a DELETE of the rule's tags that no longer match and an INSERT … SELECT of
//! the tags it now sets — with no per-customer round trip.
//!
//! A tag row says who set it (`set_by`: `hand` or `rule`, with `rule` naming the tag rule). A run
//! removes only its own rule's `rule` rows, and adds a tag only where the customer has no tag of that
//! name at all, so a tag set by hand or by another rule is never touched or taken over.
//!
//! Never tagged, and losing rule tags on the next run: customers who object to all mail or to
//! `personalisation` (no newer consent to personalisation in force lifting it, as in the decision),
//! customers suppressed by id (erased), restricted customers (Art. 18), customers whose address the
//! suppression list holds for all mail or personalisation (checked in this process, since the list's
//! key never leaves it), and ids the shop's customers table no longer holds.

use std::time::Duration;

use mysql_async::Value;

use crate::core::config::Secret;
use crate::core::error::{Error, Result};
use crate::core::rules::decision::{self, Facts};
use crate::core::rules::tag_rule::{self, Conditions};
use crate::core::store::cache;
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error};
use crate::core::store::decision::apply_address_entries;
use crate::core::store::records::PERSONALISATION;
use crate::core::store::restriction::not_restricted;
use crate::core::store::sales::{self, SalesCatalog, sale_of, with_goods_of};
use crate::core::store::tables::ShopTables;
use crate::core::store::walk::exact_address;
use crate::core::time::Timestamp;

/// A defined rule with the counts of its last run.
#[derive(Debug, Clone)]
pub struct TagRule {
    pub rule: String,
    pub tag: String,
    pub conditions: Conditions,
    pub defined_at: Option<Timestamp>,
    pub last_run_at: Option<Timestamp>,
    pub last_added: Option<u64>,
    pub last_removed: Option<u64>,
    pub last_matching: Option<u64>,
}

/// What one rule's run did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRun {
    pub rule: String,
    pub tag: String,
    pub added: u64,
    pub removed: u64,
    /// Customers the rule matches now (eligible and meeting every condition), including those who hold
    /// the tag by hand or from another rule.
    pub matching: u64,
}

impl RuleRun {
    fn of(rule: &TagRule, added: u64, removed: u64, matching: u64) -> RuleRun {
        RuleRun {
            rule: rule.rule.clone(),
            tag: rule.tag.clone(),
            added,
            removed,
            matching,
        }
    }
}

/// Defines or redefines a rule (its conditions replaced; its tags follow on the next run).
pub async fn define(
    session: &mut Session<'_>,
    rule: &str,
    tag: &str,
    conditions: &Conditions,
    now: Timestamp,
) -> Result<()> {
    let json = tag_rule::to_json(conditions).to_string();
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}tag_rules` (rule, tag, conditions, defined_at) VALUES (?, ?, ?, ?)
                 ON DUPLICATE KEY UPDATE tag = VALUES(tag), conditions = VALUES(conditions),
                   defined_at = VALUES(defined_at)",
            ),
            (rule, tag, json, now),
        )
        .await
}

type RuleRow = (
    String,
    String,
    String,
    Value,
    Value,
    Option<u64>,
    Option<u64>,
    Option<u64>,
);

/// The rules, by name; `only`: just these (all of them must exist).
pub async fn list(session: &mut Session<'_>, only: Option<&[String]>) -> Result<Vec<TagRule>> {
    let rows: Vec<RuleRow> = session
        .exec(
            &session.sql(
                "SELECT rule, tag, conditions, defined_at, last_run_at, last_added, last_removed, last_matching
                 FROM `{p}tag_rules` ORDER BY rule",
            ),
            (),
        )
        .await?;
    let rules = rows
        .into_iter()
        .map(
            |(rule, tag, conditions, defined, run, added, removed, matching)| {
                Ok(TagRule {
                    conditions: tag_rule::from_json(&conditions).ok_or_else(|| {
                        schema_error(&format!("tag rule '{rule}' has unreadable conditions"))
                    })?,
                    rule,
                    tag,
                    defined_at: values::timestamp(defined)?,
                    last_run_at: values::timestamp(run)?,
                    last_added: added,
                    last_removed: removed,
                    last_matching: matching,
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    let Some(only) = only else {
        return Ok(rules);
    };
    if let Some(missing) = only.iter().find(|n| !rules.iter().any(|r| &r.rule == *n)) {
        return Err(unknown_rule(missing, &rules));
    }
    Ok(rules
        .into_iter()
        .filter(|r| only.contains(&r.rule))
        .collect())
}

fn unknown_rule(name: &str, rules: &[TagRule]) -> Error {
    let known: Vec<&str> = rules.iter().map(|r| r.rule.as_str()).collect();
    Error::invalid_input(format!(
        "no tag rule named '{name}' is defined; defined: {}",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    ))
}

/// Removes the rule and the tags it set; returns how many tags. InvalidInput for an unknown rule.
pub async fn drop_rule(session: &mut Session<'_>, rule: &str) -> Result<u64> {
    session
        .transaction(async |s| {
            s.exec_drop(&s.sql("DELETE FROM `{p}tag_rules` WHERE rule = ?"), (rule,))
                .await?;
            if s.affected_rows() == 0 {
                let rules = list(s, None).await?;
                return Err(unknown_rule(rule, &rules));
            }
            s.exec_drop(
                &s.sql("DELETE FROM `{p}tags` WHERE set_by = 'rule' AND rule = ?"),
                (rule,),
            )
            .await?;
            Ok(s.affected_rows())
        })
        .await
}

/// How a run reads the shop: its statuses and tree, the statuses that are no sale.
pub struct Run<'a> {
    pub rules: Vec<TagRule>,
    /// The setting `excluded_order_statuses`; None: the statuses named like a cancellation.
    pub excluded_setting: Option<&'a [u64]>,
    pub keyring: &'a [&'a Secret],
    pub dry_run: bool,
    pub limit: Duration,
}

/// Applies the rules one after the other, each in its own transaction; `progress` hears of each
/// rule when it is done.
pub async fn apply(
    session: &mut Session<'_>,
    run: &Run<'_>,
    progress: &mut dyn FnMut(&RuleRun),
) -> Result<Vec<RuleRun>> {
    let shop = session.tables().require_shop()?;
    let tree = run
        .rules
        .iter()
        .any(|r| r.conditions.bought_categories.is_some());
    let catalog = sales::load(session, &shop, tree).await?;
    let excluded: Vec<u64> = run
        .excluded_setting
        .map_or_else(|| catalog.cancelled.clone(), <[u64]>::to_vec);
    let blocked = blocked_by_address(session, &shop, run.keyring).await?;
    let mut out = Vec::with_capacity(run.rules.len());
    session
        .with_statement_limit(run.limit, async |session| {
            for rule in &run.rules {
                let matches = Matches::of(&shop, &rule.conditions, &excluded, &catalog, &blocked);
                let done = if run.dry_run {
                    preview(session, &shop, rule, &matches).await?
                } else {
                    apply_one(session, &shop, rule, &matches).await?
                };
                progress(&done);
                out.push(done);
            }
            Ok(())
        })
        .await?;
    Ok(out)
}

/// The ids of the shop's customers whose current address the suppression list holds against all mail
/// or `personalisation` (an objection by address, an erasure) with nothing lifting it. Read in this
/// process: the list is keyed by an HMAC whose key never goes to the server. One streaming read, only
/// when the list holds any address.
async fn blocked_by_address(
    session: &mut Session<'_>,
    shop: &ShopTables<'_>,
    keyring: &[&Secret],
) -> Result<Vec<u64>> {
    let mut cache = cache::current(session).await?;
    // This process's copy may be older than the list: compare its change counter, reload when moved.
    let version: Option<u64> = session
        .exec_first::<Option<u64>>(
            &session.sql(&format!("SELECT {}", cache::version(session.cluster()))),
            (),
        )
        .await?
        .flatten();
    if version != Some(cache.version) {
        cache = cache::load(session).await?;
    }
    if !cache.has_addresses() {
        return Ok(Vec::new());
    }
    cache.require_keys(keyring)?;
    let mut blocked = Vec::new();
    session
        .exec_each(
            &format!(
                "SELECT customers_id, customers_email_address FROM {}",
                shop.table("customers")
            ),
            (),
            |mut row| {
                let id: u64 = values::take(&mut row, 0, "a customer row")?;
                let email: Option<Vec<u8>> = values::take(&mut row, 1, "a customer row")?;
                if let Some(email) = email {
                    let mut facts = Facts::default();
                    let email = String::from_utf8_lossy(&email);
                    apply_address_entries(&cache, keyring, PERSONALISATION, &mut facts, &email);
                    if decision::objection(&facts).is_some() {
                        blocked.push(id);
                    }
                }
                Ok(())
            },
        )
        .await?;
    Ok(blocked)
}

/// The condition, over a customer row `c`, that the rule matches and the customer may be tagged, with
/// its parameters in placeholder order.
struct Matches {
    sql: String,
    params: Vec<Value>,
}

impl Matches {
    fn of(
        shop: &ShopTables<'_>,
        c: &Conditions,
        excluded: &[u64],
        catalog: &SalesCatalog,
        blocked: &[u64],
    ) -> Matches {
        let s = sales::tables(shop);
        let orders = shop.table(s.orders);
        let id = "c.customers_id";
        let mut params: Vec<Value> = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        if let Some(n) = c.min_orders {
            let sale = sale_of(shop, "o", id, excluded, &mut params);
            parts.push(format!(
                "(SELECT COUNT(*) FROM {orders} o WHERE {sale}) >= ?"
            ));
            params.push(n.into());
        }
        if let Some(min) = &c.min_spent {
            // Placeholders in order: the total's class (in the JOIN), the sale's statuses, the minimum.
            params.push(s.grand_total_class.into());
            let sale = sale_of(shop, "o", id, excluded, &mut params);
            parts.push(format!(
                "(SELECT COALESCE(SUM(ot.{value}), 0) FROM {orders} o
                  JOIN {totals} ot ON ot.{total_order} = o.{order_id} AND ot.{class} = ?
                  WHERE {sale}) >= CAST(? AS DECIMAL(19,4))",
                value = s.totals_value,
                totals = shop.table(s.totals),
                total_order = s.totals_order,
                order_id = s.order_id,
                class = s.totals_class,
            ));
            params.push(min.as_str().into());
        }
        if let Some(roots) = &c.bought_categories {
            let sale = sale_of(shop, "o", id, excluded, &mut params);
            let goods = with_goods_of(shop, "o", &catalog.with_subcategories(roots), &mut params);
            parts.push(format!(
                "EXISTS(SELECT 1 FROM {orders} o WHERE {sale} AND {goods})"
            ));
        }
        if let Some(days) = c.ordered_within_days {
            let sale = sale_of(shop, "o", id, excluded, &mut params);
            parts.push(format!(
                "EXISTS(SELECT 1 FROM {orders} o WHERE {sale} AND o.{} >= NOW() - INTERVAL ? DAY)",
                s.date
            ));
            params.push(days.into());
        }
        if let Some(days) = c.no_order_for_days {
            let sale = sale_of(shop, "o", id, excluded, &mut params);
            let recent = sale_of(shop, "o", id, excluded, &mut params);
            parts.push(format!(
                "EXISTS(SELECT 1 FROM {orders} o WHERE {sale})
                 AND NOT EXISTS(SELECT 1 FROM {orders} o WHERE {recent} AND o.{} >= NOW() - INTERVAL ? DAY)",
                s.date
            ));
            params.push(days.into());
        }
        if let Some(days) = c.account_age_days {
            parts.push(format!(
                "EXISTS(SELECT 1 FROM {} ci WHERE ci.{} = {id} AND ci.{} <= NOW() - INTERVAL ? DAY)",
                shop.table(s.account_info),
                s.account_info_customer,
                s.account_created
            ));
            params.push(days.into());
        }
        if let Some(rating) = c.min_rating {
            parts.push(format!(
                "EXISTS(SELECT 1 FROM `{{p}}email_ratings` r WHERE r.customer_id = {id} AND r.rating >= ?)"
            ));
            params.push(rating.into());
        }
        parts.push(eligible(id));
        params.push(PERSONALISATION.into());
        params.push(PERSONALISATION.into());
        if !blocked.is_empty() {
            parts.push(format!(
                "{id} NOT IN ({})",
                vec!["?"; blocked.len()].join(",")
            ));
            params.extend(blocked.iter().map(|&b| Value::from(b)));
        }
        Matches {
            sql: parts
                .iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join(" AND "),
            params,
        }
    }
}

/// The customer `id` may be tagged: not restricted, not suppressed by id, and no objection to all mail
/// or to personalisation (two `?`: the purpose, twice) stands that a newer consent to personalisation in force,
/// given for the account's current address or for none recorded, does not lift.
fn eligible(id: &str) -> String {
    format!(
        "{not_restricted}
         AND NOT EXISTS(SELECT 1 FROM `{{p}}suppressions` s WHERE s.customer_id = {id})
         AND NOT EXISTS(SELECT 1 FROM `{{p}}opt_outs` x
             WHERE x.customer_id = {id} AND x.type IN ('*', ?)
               AND NOT EXISTS(SELECT 1 FROM `{{p}}consent_state` g
                   WHERE g.customer_id = {id} AND g.purpose = ? AND g.status = 'granted'
                     AND g.granted_at > x.created_at
                     AND (g.email IS NULL OR g.email = {current})))",
        not_restricted = not_restricted(id),
        current = exact_address("c.customers_email_address"),
    )
}

/// The rule's tags to remove: this rule's own rows whose customer is gone, no longer matches, or whose
/// tag is not the rule's tag any more (the rule was redefined). Parameters: rule, tag, then `matches`.
/// Read by the rule's index (the optimizer preferred the whole table once a rule held many tags).
fn stale(shop: &ShopTables<'_>, matches: &Matches) -> String {
    format!(
        "`{{p}}tags` t FORCE INDEX (by_rule) LEFT JOIN {customers} c ON c.customers_id = t.customer_id
         WHERE t.set_by = 'rule' AND t.rule = ?
           AND (t.tag <> ? OR c.customers_id IS NULL OR NOT COALESCE(({m}), 0))",
        customers = shop.table("customers"),
        m = matches.sql
    )
}

/// The customers to tag: matching, and without a tag of that name from anyone. Parameters: `matches`,
/// then the tag.
fn fresh(shop: &ShopTables<'_>, matches: &Matches) -> String {
    format!(
        "{customers} c WHERE {m}
           AND NOT EXISTS(SELECT 1 FROM `{{p}}tags` t WHERE t.customer_id = c.customers_id AND t.tag = ?)",
        customers = shop.table("customers"),
        m = matches.sql
    )
}

fn with(first: Vec<Value>, rest: &[Value], last: Vec<Value>) -> Vec<Value> {
    first
        .into_iter()
        .chain(rest.iter().cloned())
        .chain(last)
        .collect()
}

async fn count(session: &mut Session<'_>, sql: &str, params: Vec<Value>) -> Result<u64> {
    Ok(session
        .exec_first::<u64>(&session.sql(sql), params)
        .await?
        .unwrap_or(0))
}

/// Counts what the rule would change, writing nothing.
async fn preview(
    session: &mut Session<'_>,
    shop: &ShopTables<'_>,
    rule: &TagRule,
    m: &Matches,
) -> Result<RuleRun> {
    let (name, tag) = (rule.rule.as_str(), rule.tag.as_str());
    let removed = count(
        session,
        &format!("SELECT COUNT(*) FROM {}", stale(shop, m)),
        with(vec![name.into(), tag.into()], &m.params, vec![]),
    )
    .await?;
    let added = count(
        session,
        &format!("SELECT COUNT(*) FROM {}", fresh(shop, m)),
        with(vec![], &m.params, vec![tag.into()]),
    )
    .await?;
    let matching = count(
        session,
        &format!(
            "SELECT COUNT(*) FROM {} c WHERE {}",
            shop.table("customers"),
            m.sql
        ),
        m.params.clone(),
    )
    .await?;
    Ok(RuleRun::of(rule, added, removed, matching))
}

/// Removes the rule's stale tags, adds the new ones and records the counts, in one transaction.
async fn apply_one(
    session: &mut Session<'_>,
    shop: &ShopTables<'_>,
    rule: &TagRule,
    m: &Matches,
) -> Result<RuleRun> {
    let (name, tag) = (rule.rule.as_str(), rule.tag.as_str());
    session
        .transaction(async |s| {
            let now = Timestamp::now();
            s.exec_drop(
                &s.sql(&format!("DELETE t FROM {}", stale(shop, m))),
                with(vec![name.into(), tag.into()], &m.params, vec![]),
            )
            .await?;
            let removed = s.affected_rows();
            s.exec_drop(
                &s.sql(&format!(
                    "INSERT INTO `{{p}}tags` (customer_id, tag, rule, set_by, set_at)
                     SELECT c.customers_id, ?, ?, 'rule', ? FROM {}",
                    fresh(shop, m)
                )),
                with(
                    vec![tag.into(), name.into(), now.into()],
                    &m.params,
                    vec![tag.into()],
                ),
            )
            .await?;
            let added = s.affected_rows();
            // Matching now: this rule's tags (exactly its matching customers without the tag from
            // elsewhere) plus the matching customers who hold the tag by hand or from another rule.
            // The indexes are forced: with a quarter of all tags under one rule the optimizer read
            // the whole table (or every customer) instead, about twice the time.
            let matching = count(
                s,
                &format!(
                    "SELECT (SELECT COUNT(*) FROM `{{p}}tags` t FORCE INDEX (by_rule)
                             WHERE t.set_by = 'rule' AND t.rule = ? AND t.tag = ?)
                          + (SELECT COUNT(*) FROM `{{p}}tags` t FORCE INDEX (by_tag)
                             STRAIGHT_JOIN {} c ON c.customers_id = t.customer_id
                             WHERE t.tag = ? AND NOT (t.set_by = 'rule' AND t.rule = ?) AND {})",
                    shop.table("customers"),
                    m.sql
                ),
                with(
                    vec![name.into(), tag.into(), tag.into(), name.into()],
                    &m.params,
                    vec![],
                ),
            )
            .await?;
            s.exec_drop(
                &s.sql(
                    "UPDATE `{p}tag_rules` SET last_run_at = ?, last_added = ?, last_removed = ?, last_matching = ?
                     WHERE rule = ?",
                ),
                (now, added, removed, matching, name),
            )
            .await?;
            Ok(RuleRun::of(rule, added, removed, matching))
        })
        .await
}
