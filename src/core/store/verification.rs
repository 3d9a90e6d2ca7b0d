//! Verifying the consent ledger: walking the hash chain in one consistent snapshot.

use mysql_async::Row;

use crate::core::error::Result;
use crate::core::ledger::{self, ChainFields, Hash, Personal};
use crate::core::store::db::session::Session;
use crate::core::store::db::values::{self};

/// What a schema error names when a row does not fit.
const WHAT: &str = "the consent ledger";

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub ok: bool,
    pub events: u64,
    pub first_bad_id: Option<u64>,
}

const VERIFY_BATCH: usize = 1000;

/// Walks the whole chain in id order, in one consistent snapshot, and reports the first event whose
/// link, hash, personal digest or consent text does not match, or that is missing.
pub async fn verify(session: &mut Session<'_>) -> Result<Verification> {
    session
        .query_drop("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await?;
    session
        .query_drop("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        .await?;
    let result = walk(session).await;
    if session.reusable() {
        // Read-only: ending it either way is the same; never leave it open on the held connection.
        session.query_drop("ROLLBACK").await?;
    }
    result
}

async fn walk(session: &mut Session<'_>) -> Result<Verification> {
    let sql = session.sql(
        "SELECT e.id, e.customer_id, e.purpose, e.action, e.request_id, e.source, e.text_hash, e.text_version,
                e.ip, e.user_agent, e.actor, e.personal_salt, e.personal_digest, e.occurred_at, e.recorded_at,
                e.blanked_at, e.prev_hash, e.hash,
                (e.text_hash IS NULL OR UNHEX(SHA2(t.text, 256)) <=> e.text_hash) AS text_ok, e.email
         FROM `{p}consent_events` e
         LEFT JOIN `{p}consent_texts` t ON t.text_hash = e.text_hash
         WHERE e.id > ? ORDER BY e.id LIMIT ?",
    );
    let mut prev_hash = ledger::GENESIS;
    let mut last_id = 0u64;
    let mut events = 0u64;
    let mut first_bad: Option<u64> = None;
    loop {
        let rows: Vec<Row> = session.exec(&sql, (last_id, VERIFY_BATCH as u64)).await?;
        let n = rows.len();
        for mut row in rows {
            let id: u64 = values::take(&mut row, 0, WHAT)?;
            events += 1;
            let (ok, stored_hash) = check_event(&mut row, id, last_id, &prev_hash)?;
            if !ok && first_bad.is_none() {
                first_bad = Some(id);
            }
            // Continue the chain from the stored hash, so one bad event is reported, not all after it.
            prev_hash = stored_hash;
            last_id = id;
        }
        if n < VERIFY_BATCH {
            break;
        }
    }
    let head: Option<(u64, Vec<u8>)> = session
        .exec_first(
            &session
                .sql("SELECT last_event_id, last_hash FROM `{p}consent_chain_head` WHERE id = 1"),
            (),
        )
        .await?;
    if first_bad.is_none() {
        first_bad = match head {
            // Events missing at the end.
            Some((head_id, _)) if head_id > last_id => Some(last_id.saturating_add(1)),
            // Events appended behind the chain's back.
            Some((head_id, _)) if head_id < last_id => Some(head_id.saturating_add(1)),
            Some((_, head_hash)) if head_hash != prev_hash => Some(last_id),
            Some(_) => None,
            None => Some(last_id.max(1)),
        };
    }
    Ok(Verification {
        ok: first_bad.is_none(),
        events,
        first_bad_id: first_bad,
    })
}

/// Whether the event is intact and linked to its predecessor; and its stored hash.
fn check_event(
    row: &mut Row,
    id: u64,
    previous_id: u64,
    expected_prev: &Hash,
) -> Result<(bool, Hash)> {
    let customer_id: u64 = values::take(row, 1, WHAT)?;
    let purpose: String = values::take(row, 2, WHAT)?;
    let action: String = values::take(row, 3, WHAT)?;
    let request_id: Option<u64> = values::take(row, 4, WHAT)?;
    let source: Option<String> = values::take(row, 5, WHAT)?;
    let text_hash = values::hash(values::take(row, 6, WHAT)?)?;
    let text_version: Option<String> = values::take(row, 7, WHAT)?;
    let ip: Option<String> = values::take(row, 8, WHAT)?;
    let user_agent: Option<String> = values::take(row, 9, WHAT)?;
    let actor: Option<String> = values::take(row, 10, WHAT)?;
    let salt: Option<Vec<u8>> = values::take(row, 11, WHAT)?;
    let digest = values::hash(values::take(row, 12, WHAT)?)?;
    let occurred_at = values::timestamp(values::take(row, 13, WHAT)?)?;
    let recorded_at = values::timestamp(values::take(row, 14, WHAT)?)?;
    let blanked = values::timestamp(values::take(row, 15, WHAT)?)?.is_some();
    let prev_hash = values::hash(values::take(row, 16, WHAT)?)?;
    let hash = values::hash(values::take(row, 17, WHAT)?)?;
    let text_ok: Option<i64> = values::take(row, 18, WHAT)?;
    let email: Option<String> = values::take(row, 19, WHAT)?;

    let stored_hash = hash.unwrap_or(ledger::GENESIS);
    let (Some(digest), Some(occurred_at), Some(recorded_at), Some(prev_hash), Some(hash)) =
        (digest, occurred_at, recorded_at, prev_hash, hash)
    else {
        return Ok((false, stored_hash));
    };
    if Some(id) != previous_id.checked_add(1) || prev_hash != *expected_prev || text_ok != Some(1) {
        return Ok((false, stored_hash));
    }
    let personal_ok = match (blanked, salt) {
        (false, Some(salt)) => {
            ledger::personal_digest(
                &salt,
                Personal {
                    ip: ip.as_deref(),
                    user_agent: user_agent.as_deref(),
                    actor: actor.as_deref(),
                    email: email.as_deref(),
                },
            ) == digest
        }
        // Blanked by erasure or retention: nothing personal may remain.
        (true, None) => ip.is_none() && user_agent.is_none() && actor.is_none() && email.is_none(),
        _ => false,
    };
    let fields = ChainFields {
        id,
        customer_id,
        purpose: &purpose,
        action: &action,
        request_id,
        source: source.as_deref(),
        text_hash,
        text_version: text_version.as_deref(),
        personal_digest: digest,
        occurred_at,
        recorded_at,
    };
    Ok((
        personal_ok && ledger::chain_hash(&prev_hash, &fields) == hash,
        stored_hash,
    ))
}
