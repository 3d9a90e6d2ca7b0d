//! Each process's copy of what every decision consults but rarely changes: the email type definitions
//! and the suppression list. Both are kept under one change counter, which every decision query reads
//! along ([`version`]), so a process reloads its copy only after a change, and `maySend` stays one
//! round trip without ever sending the HMAC key anywhere.
//!
//! On one server the counter is the row `counters.catalog`, read by its key. On a Galera node it is
//! the sum of several rows: `catalog`, which type definitions, erasures and other rare changes move,
//! and `catalog.00` .. `catalog.63`, one of which (picked by the address) every objection by address
//! moves. Every change adds one, so the sum moves with every change; and two objections for different
//! addresses rarely touch the same row, which on a cluster would make one of them fail certification
//! (one hot row for all objections did: 599 of 900 `optOutEmail` calls from three nodes). The sum is
//! not used on one server: an aggregate costs every decision statement 40–60 µs more than the key
//! lookup (measured here), and there the one row is no trouble. Every process of a shop talks to the
//! same kind of server, so all agree on the form; a shop that moves to a cluster keeps counting, as
//! the sum includes `catalog`.
//!
//! Beside them, read on the first decision that needs them, the shop's order status names and
//! category tree (store/sales.rs): they belong to the same copy, so they are read again whenever the
//! counter moves (defining a type moves it).

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use mysql_async::{Row, Value};

use crate::core::address::address_hmacs;
use crate::core::config::Secret;
use crate::core::error::{Error, Result};
use crate::core::ledger::Hash;
use crate::core::rules::decision::{EntryKind, TypeRules};
use crate::core::rules::email_type::{Basis, MoreOptions};
use crate::core::rules::proof::Proof;
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error, shop_time};
use crate::core::store::email_types;
use crate::core::store::sales::{self, SalesCatalog};
use crate::core::time::Timestamp;

/// What a schema error names when a row does not fit.
const WHAT: &str = "the suppression list";

/// Reason of an objection by address. A confirmed double opt-in for the address lifts it for its
/// purpose (a `consent` entry, newer); a consent alone does not.
pub const REASON_OPT_OUT: &str = "opt_out";
/// Reason of the entry erasure leaves: suppressed, until a confirmed double opt-in for the address
/// lifts it for its purpose.
pub const REASON_ERASED: &str = "erased";
/// Reason of a lift: the address confirmed a double opt-in for the purpose (the entry's type). It is
/// no suppression: it lifts the address's older `opt_out` and `erased` entries of `*` and of that
/// purpose, for that purpose only. Any other reason suppresses for good.
pub const REASON_CONSENT: &str = "consent";

/// What an entry of the suppression list does, by its reason.
pub fn entry_kind(reason: &str) -> EntryKind {
    match reason {
        REASON_OPT_OUT => EntryKind::Objection,
        REASON_CONSENT => EntryKind::Lift,
        REASON_ERASED => EntryKind::Suppression { liftable: true },
        _ => EntryKind::Suppression { liftable: false },
    }
}

/// One address entry of the suppression list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressEntry {
    pub key_id: [u8; 4],
    pub email_type: String,
    pub reason: String,
    pub created_at: Timestamp,
}

/// type, basis, max_age_days, notice_since, min_interval_days, options
type TypeRow = (
    String,
    String,
    Option<u32>,
    Value,
    Option<u32>,
    Option<String>,
);

/// A stored email type definition.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredType {
    basis: Basis,
    max_age_days: Option<u32>,
    notice_since: Option<Timestamp>,
    min_interval_days: Option<u32>,
    more: MoreOptions,
}

/// What a Store's settings add to the stored rules.
#[derive(Debug, Clone, Copy)]
pub struct Defaults<'a> {
    pub max_age_days: u32,
    /// The setting `excluded_order_statuses`; None: the statuses named like a cancellation.
    pub excluded_order_statuses: Option<&'a [u64]>,
}

#[derive(Debug, Default)]
pub struct Cache {
    pub version: u64,
    types: HashMap<String, StoredType>,
    suppressed_customers: HashSet<u64>,
    addresses: HashMap<Hash, Vec<AddressEntry>>,
    /// The shop's status names and category tree, once a decision needed them.
    sales: OnceCell<SalesCatalog>,
}

impl Cache {
    /// Whether judging `email_type` needs the shop's statuses and categories not read yet.
    pub fn lacks_sales(&self, email_type: &str, defaults: &Defaults<'_>) -> bool {
        self.sales.get().is_none()
            && self.types.get(email_type).is_some_and(|t| {
                t.basis == Basis::ExistingCustomer
                    && t.notice_since.is_some()
                    && ((t.more.excluded_order_statuses.is_none()
                        && defaults.excluded_order_statuses.is_none())
                        || t.more.similar_categories.is_some())
            })
    }

    /// Keeps the shop's statuses and categories in this copy.
    pub fn keep_sales(&self, catalog: SalesCatalog) {
        // A second reader in the same process found the same tables: keep the first.
        let _ = self.sales.set(catalog);
    }

    /// The rules of a type; an undefined type needs explicit consent. Call `lacks_sales` first.
    pub fn rules(&self, email_type: &str, defaults: &Defaults<'_>) -> TypeRules {
        let Some(t) = self.types.get(email_type) else {
            return TypeRules::undefined(defaults.max_age_days);
        };
        let catalog = self.sales.get();
        let excluded: Rc<[u64]> = match (
            &t.more.excluded_order_statuses,
            defaults.excluded_order_statuses,
        ) {
            (Some(ids), _) => Rc::from(ids.as_slice()),
            (None, Some(ids)) => Rc::from(ids),
            (None, None) => {
                catalog.map_or_else(|| Rc::from([]), |c| Rc::from(c.cancelled.as_slice()))
            }
        };
        TypeRules {
            basis: t.basis,
            max_age_days: t.max_age_days.unwrap_or(defaults.max_age_days),
            notice_since: t.notice_since,
            min_interval_days: t.min_interval_days,
            excluded_statuses: excluded,
            similar_categories: t
                .more
                .similar_categories
                .as_ref()
                .map(|roots| match catalog {
                    Some(c) => Rc::from(c.with_subcategories(roots)),
                    None => Rc::from(roots.as_slice()),
                }),
            consent: t.more.consent,
            consent_max_idle_days: t.more.consent_max_idle_days,
            advertising_type: t.more.advertising_type.clone(),
        }
    }

    /// Whether the customer id itself is on the list (erased without a known address).
    pub fn customer_suppressed(&self, customer_id: u64) -> bool {
        self.suppressed_customers.contains(&customer_id)
    }

    /// Whether the list holds any address at all.
    pub fn has_addresses(&self) -> bool {
        !self.addresses.is_empty()
    }

    /// The entries for a normalised address under any key of the ring.
    pub fn address_entries(&self, keyring: &[&Secret], normal_email: &str) -> Vec<AddressEntry> {
        if self.addresses.is_empty() {
            return Vec::new();
        }
        address_hmacs(keyring, normal_email)
            .into_iter()
            .flat_map(|(hmac, key_id)| {
                self.addresses
                    .get(&hmac)
                    .into_iter()
                    .flatten()
                    .filter(move |e| e.key_id == key_id)
                    .cloned()
            })
            .collect()
    }

    /// Without a key the addresses on the list cannot be recognised: refuse rather than mail one.
    pub fn require_keys(&self, keyring: &[&Secret]) -> Result<()> {
        if keyring.is_empty() && !self.addresses.is_empty() {
            return Err(Error::config(
                "the suppression list holds addresses, but no secret is configured to recognise them: set dsgvo.secret (and dsgvo.previous_secrets after a change of key)",
            ));
        }
        Ok(())
    }
}

thread_local! {
    /// Per process (per thread under ZTS), per database and table prefix.
    static COPIES: RefCell<HashMap<(String, String), Rc<Cache>>> = RefCell::new(HashMap::new());
}

fn copy_key(session: &Session<'_>) -> (String, String) {
    // The shop's table prefix too: the copy holds the shop's statuses and categories.
    let shop = session.tables().shop.map_or("", |s| s.prefix);
    (
        session.target().key().to_owned(),
        format!("{}\0{shop}", session.prefix()),
    )
}

/// Reads the shop's status names and category tree into the copy when judging `email_type` needs
/// them and the copy has none yet (once per copy).
pub async fn ensure_sales(
    session: &mut Session<'_>,
    cache: &Cache,
    email_type: &str,
    defaults: &Defaults<'_>,
) -> Result<()> {
    if let Some(shop) = session.tables().shop {
        if cache.lacks_sales(email_type, defaults) {
            // The category tree only when a type names similar goods: a shop without a categories
            // table (or one the preset does not know) still decides every other type.
            let tree = cache
                .types
                .values()
                .any(|t| t.more.similar_categories.is_some());
            cache.keep_sales(sales::load(session, &shop, tree).await?);
        }
    }
    Ok(())
}

/// This process's copy, loaded if there is none yet.
pub async fn current(session: &mut Session<'_>) -> Result<Rc<Cache>> {
    let key = copy_key(session);
    if let Some(copy) = COPIES.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(copy);
    }
    load(session).await
}

/// Reads the email types and the suppression list anew and keeps it as this process's copy.
pub async fn load(session: &mut Session<'_>) -> Result<Rc<Cache>> {
    // The counter first: a change landing while the rest is read leaves the copy marked older than
    // its content, which only causes one more reload.
    let version: Option<u64> = session
        .exec_first(
            &session.sql(&format!("SELECT {}", version(session.cluster()))),
            (),
        )
        .await?
        .flatten();
    let version =
        version.ok_or_else(|| schema_error("the catalog counter is missing; run migrate()"))?;
    let mut cache = Cache {
        version,
        ..Cache::default()
    };

    let types: Vec<TypeRow> = session
        .exec(
            &session.sql(
                "SELECT type, basis, max_age_days, notice_since, min_interval_days, options FROM `{p}email_types`",
            ),
            (),
        )
        .await?;
    for (name, basis, max_age_days, notice_since, min_interval_days, options) in types {
        let basis = Basis::from_name(&basis)
            .ok_or_else(|| schema_error("an email type has an unknown basis"))?;
        cache.types.insert(
            name,
            StoredType {
                basis,
                max_age_days,
                notice_since: shop_time(notice_since),
                min_interval_days,
                more: email_types::decode(options.as_deref())?,
            },
        );
    }

    let rows: Vec<Row> = session
        .exec(
            &session.sql(
                "SELECT email_hmac, key_id, customer_id, type, reason, created_at FROM `{p}suppressions`",
            ),
            (),
        )
        .await?;
    for mut row in rows {
        let hmac = values::hash(values::take(&mut row, 0, WHAT)?)?;
        let key_id: Option<Vec<u8>> = values::take(&mut row, 1, WHAT)?;
        let customer_id: Option<u64> = values::take(&mut row, 2, WHAT)?;
        let email_type: String = values::take(&mut row, 3, WHAT)?;
        let reason: String = values::take(&mut row, 4, WHAT)?;
        let created_at = values::timestamp(values::take(&mut row, 5, WHAT)?)?.ok_or_else(bad)?;
        match (hmac, key_id, customer_id) {
            (Some(hmac), Some(key_id), _) => {
                let key_id = key_id.as_slice().try_into().map_err(|_| bad())?;
                cache.addresses.entry(hmac).or_default().push(AddressEntry {
                    key_id,
                    email_type,
                    reason,
                    created_at,
                });
            }
            (_, _, Some(customer_id)) => {
                cache.suppressed_customers.insert(customer_id);
            }
            _ => return Err(bad()),
        }
    }
    let cache = Rc::new(cache);
    let key = copy_key(session);
    COPIES.with(|c| c.borrow_mut().insert(key, Rc::clone(&cache)));
    Ok(cache)
}

fn bad() -> Error {
    schema_error("the suppression list holds a malformed entry")
}

/// The entries for an address straight from the database (for writes, which must not trust a copy).
pub async fn address_entries_in_db(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    normal_email: &str,
) -> Result<Vec<AddressEntry>> {
    let mut found = Vec::new();
    for (hmac, key_id) in address_hmacs(keyring, normal_email) {
        let rows: Vec<(String, String, Value)> = session
            .exec(
                &session.sql(
                    "SELECT type, reason, created_at FROM `{p}suppressions` WHERE email_hmac = ? AND key_id = ?",
                ),
                (hmac.to_vec(), key_id.to_vec()),
            )
            .await?;
        for (email_type, reason, created_at) in rows {
            found.push(AddressEntry {
                key_id,
                email_type,
                reason,
                created_at: values::timestamp(created_at)?.ok_or_else(bad)?,
            });
        }
    }
    Ok(found)
}

/// The catalog's change counter as an SQL expression (NULL before `migrate()`): on a Galera node the
/// sum of its rows, else the one row.
pub fn version(cluster: bool) -> &'static str {
    if cluster {
        "(SELECT CAST(SUM(value) AS UNSIGNED) FROM `{p}counters` WHERE name = 'catalog' OR name LIKE 'catalog.%')"
    } else {
        "(SELECT value FROM `{p}counters` WHERE name = 'catalog')"
    }
}

/// Rows an objection by address may move; see the module comment.
const ADDRESS_SHARDS: u64 = 64;

/// Adds (or renews) an address entry under the current key and moves the catalog's counter. Call
/// inside a transaction.
#[allow(clippy::too_many_arguments)]
pub async fn put_address(
    session: &mut Session<'_>,
    secret: &Secret,
    normal_email: &str,
    email_type: &str,
    reason: &str,
    proof: &Proof,
    now: Timestamp,
) -> Result<()> {
    let Some((hmac, key_id)) = address_hmacs(&[secret], normal_email).into_iter().next() else {
        return Err(schema_error("the secret cannot be used as an HMAC key"));
    };
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}suppressions` (email_hmac, key_id, type, reason, source, ip, user_agent, actor, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON DUPLICATE KEY UPDATE reason = VALUES(reason), source = VALUES(source), ip = VALUES(ip),
                   user_agent = VALUES(user_agent), actor = VALUES(actor), created_at = VALUES(created_at)",
            ),
            entry_params(hmac, key_id, email_type, Some(reason), proof, now),
        )
        .await?;
    changed_address(session, normal_email).await
}

/// Records that the address confirmed a double opt-in for `purpose` (a `consent` entry under the
/// current key), when the address has an objection or erasure entry of `*` or of the purpose for it to
/// lift; else nothing is written (the list, which every process keeps a copy of, stays small). An entry
/// of the purpose that suppresses for good is never replaced. Call inside a transaction; true if written.
#[allow(clippy::too_many_arguments)]
pub async fn lift(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    secret: &Secret,
    normal_email: &str,
    purpose: &str,
    proof: &Proof,
    now: Timestamp,
) -> Result<bool> {
    let entries = address_entries_in_db(session, keyring, normal_email).await?;
    let liftable = entries.iter().any(|e| {
        (e.email_type == "*" || e.email_type == purpose)
            && matches!(
                entry_kind(&e.reason),
                EntryKind::Objection | EntryKind::Suppression { liftable: true }
            )
    });
    if !liftable {
        return Ok(false);
    }
    let Some((hmac, key_id)) = address_hmacs(&[secret], normal_email).into_iter().next() else {
        return Err(schema_error("the secret cannot be used as an HMAC key"));
    };
    // Assignments run left to right: `reason` last, so the others still see the old one.
    let keep = "reason NOT IN ('opt_out', 'erased', 'consent')";
    session
        .exec_drop(
            &session.sql(&format!(
                "INSERT INTO `{{p}}suppressions` (email_hmac, key_id, type, reason, source, ip, user_agent, actor, created_at)
                 VALUES (?, ?, ?, 'consent', ?, ?, ?, ?, ?)
                 ON DUPLICATE KEY UPDATE source = IF({keep}, source, VALUES(source)),
                   ip = IF({keep}, ip, VALUES(ip)), user_agent = IF({keep}, user_agent, VALUES(user_agent)),
                   actor = IF({keep}, actor, VALUES(actor)), created_at = IF({keep}, created_at, VALUES(created_at)),
                   reason = IF({keep}, reason, VALUES(reason))"
            )),
            entry_params(hmac, key_id, purpose, None, proof, now),
        )
        .await?;
    changed_address(session, normal_email).await?;
    Ok(true)
}

/// Deletes the lifts of the address that an objection to `email_type` ends (all of them for `*`),
/// under every key; returns how many. The caller moves the change counter. Call inside a transaction.
pub async fn drop_lifts(
    session: &mut Session<'_>,
    keyring: &[&Secret],
    normal_email: &str,
    email_type: &str,
) -> Result<u64> {
    let mut dropped = 0;
    for (hmac, key_id) in address_hmacs(keyring, normal_email) {
        session
            .exec_drop(
                &session.sql(
                    "DELETE FROM `{p}suppressions`
                     WHERE email_hmac = ? AND key_id = ? AND reason = 'consent' AND (? = '*' OR type = ?)",
                ),
                (hmac.to_vec(), key_id.to_vec(), email_type, email_type),
            )
            .await?;
        dropped += session.affected_rows();
    }
    Ok(dropped)
}

/// Moves the catalog's change counter for a change of the address's entries, on the address's own
/// row of the counter (created by its first change), so every process reloads its copy.
pub async fn changed_address(session: &mut Session<'_>, normal_email: &str) -> Result<()> {
    if !session.cluster() {
        // One server: the one row is no trouble (row locks queue), and reading it is a key lookup.
        return changed(session).await;
    }
    // FNV-1a: stable across processes and builds, unlike std's hasher.
    let hash = normal_email.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let shard = format!("catalog.{:02}", hash % ADDRESS_SHARDS);
    session
        .exec_drop(
            &session.sql(
                "INSERT INTO `{p}counters` (name, value) VALUES (?, 1) ON DUPLICATE KEY UPDATE value = value + 1",
            ),
            (shard,),
        )
        .await
}

/// Moves the catalog's change counter, so every process reloads its copy. For rare changes (type
/// definitions, erasures); an objection by address uses [`changed_address`].
pub async fn changed(session: &mut Session<'_>) -> Result<()> {
    session
        .exec_drop(
            &session.sql("UPDATE `{p}counters` SET value = value + 1 WHERE name = 'catalog'"),
            (),
        )
        .await
}

/// The values of an address entry's insert, in its column order (email_hmac, key_id, type, [reason,]
/// source, ip, user_agent, actor, created_at); `reason` None when the statement spells it.
fn entry_params(
    hmac: impl AsRef<[u8]>,
    key_id: impl AsRef<[u8]>,
    email_type: &str,
    reason: Option<&str>,
    proof: &Proof,
    now: Timestamp,
) -> Vec<Value> {
    let mut params = vec![
        Value::from(hmac.as_ref().to_vec()),
        key_id.as_ref().to_vec().into(),
        email_type.into(),
    ];
    params.extend(reason.map(Value::from));
    params.extend([
        proof.source.map(|s| s.name()).into(),
        proof.ip.as_deref().into(),
        proof.user_agent.as_deref().into(),
        proof.actor.as_deref().into(),
        now.into(),
    ]);
    params
}
