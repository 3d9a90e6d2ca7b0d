//! SQL of the consent ledger: appending events under the chain lock, the current-state table, the
//! history and the verification walk.
//!
//! Every event stores the normalised address it was given for (schema version 2): proof key `email`,
//! else the account's current address in the shop's `customers` table (with a shop preset); a
//! confirmation carries its request's. The state keeps the address of the grant or confirmation in
//! force, which `hasConsent` and the decision compare with the account's current address.

use std::collections::HashMap;

use mysql_async::{Row, Value};

use crate::core::config::Secret;
use crate::core::error::{Error, Result};
use crate::core::ledger::{self, ChainFields, Hash, Personal, SALT_LEN};
use crate::core::rules::consent::{
    Action, Status, given_for_other_address, gives_consent, next_status,
};
use crate::core::rules::email::normalise;
use crate::core::rules::proof::Proof;
use crate::core::store::cache::{self, REASON_OPT_OUT};
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self, schema_error};
use crate::core::store::idempotency;
use crate::core::time::Timestamp;

/// What a schema error names when a row does not fit.
const WHAT: &str = "the consent ledger";

/// An event to append.
#[derive(Clone, Copy)]
pub struct NewEvent<'a> {
    pub customer_id: u64,
    pub purpose: &'a str,
    pub action: Action,
    pub request_id: Option<u64>,
    /// The normalised address the event is for; None: none known.
    pub email: Option<&'a str>,
    pub proof: &'a Proof,
    pub recorded_at: Timestamp,
}

/// The account's current address, normalised, from the shop's customers table; None without a shop
/// preset, without the account, or when its address is empty.
pub(super) async fn account_address(
    s: &mut Session<'_>,
    customer_id: u64,
) -> Result<Option<String>> {
    Ok(account_addresses(s, &[customer_id])
        .await?
        .remove(&customer_id))
}

/// The current addresses of the accounts among `ids`, normalised (see [`account_address`]).
pub(super) async fn account_addresses(
    s: &mut Session<'_>,
    ids: &[u64],
) -> Result<HashMap<u64, String>> {
    let Some(shop) = s.tables().shop else {
        return Ok(HashMap::new());
    };
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = vec!["?"; ids.len()].join(",");
    let rows: Vec<(u64, Option<Vec<u8>>)> = s
        .exec(
            &format!(
                "SELECT customers_id, customers_email_address FROM {} WHERE customers_id IN ({marks})",
                shop.table("customers")
            ),
            ids.iter().map(|&id| Value::from(id)).collect::<Vec<_>>(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, email)| Some((id, account_email(email)?)))
        .collect())
}

/// An account's address as the shop stores it, normalised; None when there is none or it is empty.
fn account_email(raw: Option<Vec<u8>>) -> Option<String> {
    let email = normalise(&String::from_utf8_lossy(&raw?));
    (!email.is_empty()).then_some(email)
}

/// Appends one event in its own transaction; returns its id. Without an address in the event, the
/// account's current address is recorded.
pub async fn append(session: &mut Session<'_>, event: &NewEvent<'_>) -> Result<u64> {
    let key = idempotency::Key::of_event(event.action, event.proof);
    session
        .transaction(async |s| {
            if let Some(first) = idempotency::claim(s, key, event.recorded_at).await? {
                return Ok(first);
            }
            // Without an address in the event, the account's is read with the chain's head.
            let (mut head, current) =
                read_head(s, event.customer_id, event.purpose, event.email.is_none()).await?;
            let event = NewEvent {
                email: event.email.or(current.as_deref()),
                ..*event
            };
            let id = append_locked(s, &mut head, &event).await?;
            idempotency::record(s, key, id).await?;
            Ok(id)
        })
        .await
}

/// Appends the `confirmed` event of the double opt-in request `request_id`, for the address the
/// request was mailed to, and lifts that address's objection or erasure entry for the purpose
/// (`cache::lift`). Refuses (TokenException, nothing written) a request that does not exist, was
/// confirmed already, was blanked by erasure or retention, or is older than a later revocation of the
/// purpose or a later objection to it or to all mail, by the customer or by the request's address.
pub async fn confirm(
    session: &mut Session<'_>,
    secret: &Secret,
    keyring: &[&Secret],
    request_id: u64,
    proof: &Proof,
    now: Timestamp,
) -> Result<u64> {
    session
        .transaction(async |s| {
            let sql = s.sql(
                "SELECT customer_id, purpose, action, email, recorded_at, blanked_at IS NOT NULL
                 FROM `{p}consent_events` WHERE id = ?",
            );
            // Read before taking the chain lock only to learn customer and purpose; re-checked below.
            type RequestRow = (u64, String, String, Option<String>, Value, i64);
            let found: Option<RequestRow> = s.exec_first(&sql, (request_id,)).await?;
            let Some((customer_id, purpose, action, email, requested_at, blanked)) = found else {
                return Err(Error::Token("invalid token: the consent request it confirms does not exist".into()));
            };
            if action != Action::Requested.name() {
                return Err(Error::Token("invalid token: it does not confirm a consent request".into()));
            }
            if blanked != 0 {
                return Err(Error::Token(
                    "token no longer valid: the consent request was erased; request a new confirmation".into(),
                ));
            }
            let requested_at = values::timestamp(requested_at)?
                .ok_or_else(|| schema_error("a consent request has no time"))?;
            let mut head = lock_head(s, customer_id, &purpose).await?;
            // Under the lock: a confirmation appended meanwhile by another worker is seen here.
            let used: Option<(u64,)> = s
                .exec_first(
                    &s.sql(
                        "SELECT id FROM `{p}consent_events` WHERE request_id = ? AND action = 'confirmed' LIMIT 1",
                    ),
                    (request_id,),
                )
                .await?;
            if used.is_some() {
                return Err(Error::Token(
                    "token already used: this consent request was confirmed before".into(),
                ));
            }
            let stale = Stale {
                customer_id,
                purpose: &purpose,
                request_id,
                requested_at,
                email: email.as_deref(),
            };
            if let Some(why) = stale.check(s, keyring).await? {
                return Err(Error::Token(format!(
                    "token no longer valid: {why} after this confirmation was requested; request a new confirmation"
                )));
            }
            let event = NewEvent {
                customer_id,
                purpose: &purpose,
                action: Action::Confirmed,
                request_id: Some(request_id),
                email: email.as_deref(),
                proof,
                recorded_at: now,
            };
            let id = append_locked(s, &mut head, &event).await?;
            if let Some(address) = email.as_deref() {
                cache::lift(s, keyring, secret, address, &purpose, proof, now).await?;
            }
            Ok(id)
        })
        .await
}

/// A double opt-in request about to be confirmed, and what would make its token stale.
struct Stale<'a> {
    customer_id: u64,
    purpose: &'a str,
    request_id: u64,
    requested_at: Timestamp,
    email: Option<&'a str>,
}

impl Stale<'_> {
    /// Why the request may no longer be confirmed, if it may not: a revocation of the purpose after it
    /// (ledger order), an objection of the customer to the purpose or to all mail after it, or such an
    /// objection of the request's address. Read under the chain lock.
    async fn check(
        &self,
        s: &mut Session<'_>,
        keyring: &[&Secret],
    ) -> Result<Option<&'static str>> {
        let sql = s.sql(
            "SELECT EXISTS(SELECT 1 FROM `{p}consent_events`
                           WHERE customer_id = ? AND purpose = ? AND action = 'revoked' AND id > ?),
                    EXISTS(SELECT 1 FROM `{p}opt_outs`
                           WHERE customer_id = ? AND type IN (?, '*') AND created_at > ?)",
        );
        let row: Option<(i64, i64)> = s
            .exec_first(
                &sql,
                vec![
                    Value::from(self.customer_id),
                    self.purpose.into(),
                    self.request_id.into(),
                    self.customer_id.into(),
                    self.purpose.into(),
                    self.requested_at.into(),
                ],
            )
            .await?;
        let (revoked, objected) = row.unwrap_or_default();
        if revoked != 0 {
            return Ok(Some("the consent was withdrawn"));
        }
        if objected != 0 {
            return Ok(Some("the customer objected to this mail"));
        }
        let Some(email) = self.email else {
            return Ok(None);
        };
        let entries = cache::address_entries_in_db(s, keyring, email).await?;
        let by_address = entries.iter().any(|e| {
            e.reason == REASON_OPT_OUT
                && (e.email_type == "*" || e.email_type == self.purpose)
                && e.created_at > self.requested_at
        });
        Ok(by_address.then_some("the address objected to this mail"))
    }
}

/// The chain's end, locked until the transaction ends, with the customer's current status for the
/// purpose. Every append goes through this row lock, so the chain stays one line.
pub(super) struct Head {
    last_id: u64,
    last_hash: Hash,
    /// Of the customer and purpose the next append is for.
    pub(super) status: Option<Status>,
}

pub(super) async fn lock_head(
    s: &mut Session<'_>,
    customer_id: u64,
    purpose: &str,
) -> Result<Head> {
    Ok(read_head(s, customer_id, purpose, false).await?.0)
}

/// [`lock_head`], and with `address` the account's current address as [`account_address`] reads it,
/// in the same statement (a round trip less; the shop's customer row is read, not locked).
async fn read_head(
    s: &mut Session<'_>,
    customer_id: u64,
    purpose: &str,
    address: bool,
) -> Result<(Head, Option<String>)> {
    let shop = s.tables().shop.filter(|_| address);
    let account = match shop {
        Some(shop) => format!(
            "(SELECT c.customers_email_address FROM {} c WHERE c.customers_id = ?)",
            shop.table("customers")
        ),
        None => "NULL".to_owned(),
    };
    let sql = s.sql(&format!(
        "SELECT h.last_event_id, h.last_hash, st.status, {account} FROM `{{p}}consent_chain_head` h
         LEFT JOIN `{{p}}consent_state` st ON st.customer_id = ? AND st.purpose = ?
         WHERE h.id = 1 FOR UPDATE"
    ));
    let mut params: Vec<Value> = Vec::with_capacity(3);
    if shop.is_some() {
        params.push(customer_id.into());
    }
    params.push(customer_id.into());
    params.push(purpose.into());
    type Row = (u64, Vec<u8>, Option<String>, Option<Vec<u8>>);
    let row: Option<Row> = s.exec_first(&sql, params).await?;
    let (last_id, last_hash, status, email) =
        row.ok_or_else(|| schema_error("the consent chain head is missing; run migrate()"))?;
    let head = Head {
        last_id,
        last_hash: Hash::try_from(last_hash.as_slice())
            .map_err(|_| schema_error("the consent chain head holds a malformed hash"))?,
        status: status.as_deref().and_then(Status::from_name),
    };
    Ok((head, account_email(email)))
}

/// Appends under the lock of [`lock_head`] and moves `head` past the new event (for further appends in
/// the same transaction).
pub(super) async fn append_locked(
    s: &mut Session<'_>,
    head: &mut Head,
    event: &NewEvent<'_>,
) -> Result<u64> {
    let proof = event.proof;
    let id = head
        .last_id
        .checked_add(1)
        .ok_or_else(|| schema_error("the consent chain head holds an impossible event id"))?;
    let occurred_at = proof.occurred_at.unwrap_or(event.recorded_at);
    let text_hash = proof.text.as_deref().map(ledger::text_hash);
    // The writes go as one batch, with the COMMIT on MariaDB (`exec_drop_batched`).
    let mut writes: Vec<(String, Vec<Value>)> = Vec::with_capacity(4);
    if let (Some(text), Some(hash)) = (proof.text.as_deref(), text_hash) {
        writes.push((
            s.sql(
                "INSERT IGNORE INTO `{p}consent_texts` (text_hash, text, created_at) VALUES (?, ?, ?)",
            ),
            vec![hash.to_vec().into(), text.into(), event.recorded_at.into()],
        ));
    }
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| {
        Error::database(
            crate::core::error::DatabaseErrorKind::Io,
            format!("the system random generator failed: {e}"),
            0,
        )
    })?;
    let digest = ledger::personal_digest(
        &salt,
        Personal {
            ip: proof.ip.as_deref(),
            user_agent: proof.user_agent.as_deref(),
            actor: proof.actor.as_deref(),
            email: event.email,
        },
    );
    let source = proof.source.map(|s| s.name());
    let fields = ChainFields {
        id,
        customer_id: event.customer_id,
        purpose: event.purpose,
        action: event.action.name(),
        request_id: event.request_id,
        source,
        text_hash,
        text_version: proof.text_version.as_deref(),
        personal_digest: digest,
        occurred_at,
        recorded_at: event.recorded_at,
    };
    let hash = ledger::chain_hash(&head.last_hash, &fields);

    let insert = s.sql(
        "INSERT INTO `{p}consent_events` (id, customer_id, purpose, action, request_id, source, text_hash,
           text_version, ip, user_agent, actor, email, personal_salt, personal_digest, occurred_at, recorded_at,
           prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    let params: Vec<Value> = vec![
        id.into(),
        event.customer_id.into(),
        event.purpose.into(),
        event.action.name().into(),
        event.request_id.into(),
        source.into(),
        text_hash.map(|h| h.to_vec()).into(),
        proof.text_version.as_deref().into(),
        proof.ip.as_deref().into(),
        proof.user_agent.as_deref().into(),
        proof.actor.as_deref().into(),
        event.email.into(),
        salt.to_vec().into(),
        digest.to_vec().into(),
        occurred_at.into(),
        event.recorded_at.into(),
        head.last_hash.to_vec().into(),
        hash.to_vec().into(),
    ];
    writes.push((insert, params));
    writes.push((
        s.sql("UPDATE `{p}consent_chain_head` SET last_event_id = ?, last_hash = ? WHERE id = 1"),
        vec![id.into(), hash.to_vec().into()],
    ));

    let status = next_status(head.status, event.action);
    let granted_at = gives_consent(event.action).then_some(occurred_at);
    // The state's address is the one of the grant or confirmation in force: replaced by every grant
    // (also by one without an address), kept by every other event.
    writes.push((
        s.sql(
            "INSERT INTO `{p}consent_state` (customer_id, purpose, status, event_id, grant_event_id, granted_at, email, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON DUPLICATE KEY UPDATE status = VALUES(status), event_id = VALUES(event_id),
               email = IF(VALUES(grant_event_id) IS NULL, email, VALUES(email)),
               grant_event_id = COALESCE(VALUES(grant_event_id), grant_event_id),
               granted_at = COALESCE(VALUES(granted_at), granted_at), updated_at = VALUES(updated_at)",
        ),
        vec![
            Value::from(event.customer_id),
            event.purpose.into(),
            status.name().into(),
            id.into(),
            granted_at.map(|_| id).into(),
            granted_at.map(Value::from).unwrap_or(Value::NULL),
            granted_at.and(event.email).into(),
            event.recorded_at.into(),
        ],
    ));
    s.exec_drop_batched(writes).await?;
    head.last_id = id;
    head.last_hash = hash;
    head.status = Some(status);
    Ok(id)
}

/// Whether consent for the purpose is in force and, with a shop preset, given for the account's
/// current address (or for no recorded address): one indexed lookup.
pub async fn has_consent(
    session: &mut Session<'_>,
    customer_id: u64,
    purpose: &str,
) -> Result<bool> {
    let current = match session.tables().shop {
        Some(shop) => format!(
            "(SELECT c.customers_email_address FROM {} c WHERE c.customers_id = st.customer_id)",
            shop.table("customers")
        ),
        None => "NULL".to_owned(),
    };
    let row: Option<(String, Option<String>, Option<Vec<u8>>)> = session
        .exec_first(
            &session.sql(&format!(
                "SELECT st.status, st.email, {current} FROM `{{p}}consent_state` st
                 WHERE st.customer_id = ? AND st.purpose = ?"
            )),
            (customer_id, purpose),
        )
        .await?;
    Ok(row.is_some_and(|(status, given_for, current)| {
        let current = current.map(|c| String::from_utf8_lossy(&c).into_owned());
        status == Status::Granted.name()
            && !given_for_other_address(current.as_deref(), given_for.as_deref())
    }))
}

/// The customer's events, oldest first, with proof, the consent text and `confirmed_at`.
/// One event of a customer's consent history, with its proof.
#[derive(Debug, Clone)]
pub struct HistoryEvent {
    pub id: u64,
    pub purpose: String,
    pub action: String,
    pub occurred_at: Option<Timestamp>,
    pub recorded_at: Option<Timestamp>,
    pub source: Option<String>,
    pub text: Option<String>,
    pub text_sha256: Option<String>,
    pub text_version: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub actor: Option<String>,
    /// The normalised address the event was given for (None before schema version 2, or blanked).
    pub email: Option<String>,
    pub request_id: Option<u64>,
    /// When the request was confirmed (for `confirmed` events: the event's own time).
    pub confirmed_at: Option<Timestamp>,
}

pub async fn history(session: &mut Session<'_>, customer_id: u64) -> Result<Vec<HistoryEvent>> {
    let sql = session.sql(
        "SELECT e.id, e.purpose, e.action, e.occurred_at, e.recorded_at, e.source, t.text, e.text_hash,
                e.text_version, e.ip, e.user_agent, e.actor, e.request_id, c.occurred_at, e.email
         FROM `{p}consent_events` e
         LEFT JOIN `{p}consent_texts` t ON t.text_hash = e.text_hash
         LEFT JOIN `{p}consent_events` c ON c.request_id = e.id AND c.action = 'confirmed'
         WHERE e.customer_id = ?
         ORDER BY e.id",
    );
    let rows: Vec<Row> = session.exec(&sql, (customer_id,)).await?;
    rows.into_iter()
        .map(|mut row| {
            let action: String = values::take(&mut row, 2, WHAT)?;
            let occurred_at = values::timestamp(values::take(&mut row, 3, WHAT)?)?;
            let confirmed_at = if action == Action::Confirmed.name() {
                occurred_at
            } else {
                values::timestamp(values::take(&mut row, 13, WHAT)?)?
            };
            let text_hash = values::hash(values::take(&mut row, 7, WHAT)?)?;
            Ok(HistoryEvent {
                id: values::take(&mut row, 0, WHAT)?,
                purpose: values::take(&mut row, 1, WHAT)?,
                action,
                occurred_at,
                recorded_at: values::timestamp(values::take(&mut row, 4, WHAT)?)?,
                source: values::take(&mut row, 5, WHAT)?,
                text: values::take(&mut row, 6, WHAT)?,
                text_sha256: text_hash.map(|h| ledger::hex(&h)),
                text_version: values::take(&mut row, 8, WHAT)?,
                ip: values::take(&mut row, 9, WHAT)?,
                user_agent: values::take(&mut row, 10, WHAT)?,
                actor: values::take(&mut row, 11, WHAT)?,
                email: values::take(&mut row, 14, WHAT)?,
                request_id: values::take(&mut row, 12, WHAT)?,
                confirmed_at,
            })
        })
        .collect()
}
