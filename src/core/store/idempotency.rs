//! Idempotency keys: a write given `idempotency_key` records the key with its result in its own
//! transaction, so the same key again returns the first result and writes nothing. That makes a call
//! safe to repeat after an `OutcomeUnknownException` (a commit whose answer was lost) or any doubt.
//!
//! The key row is inserted first in the transaction. Two calls with one key on one server: the second
//! waits on the first's row lock and then finds the key. On different Galera nodes: both insert, one
//! fails certification (1213), `Session::transaction` runs it again, and it finds the key.

use crate::core::error::{Error, Result};
use crate::core::rules::consent::Action;
use crate::core::rules::ident::shown;
use crate::core::rules::proof::Proof;
use crate::core::store::db::session::Session;
use crate::core::time::Timestamp;

/// A key given with a write, and the call it was given to (a key names one call).
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub key: &'a str,
    pub call: &'static str,
}

impl<'a> Key<'a> {
    /// The key of a consent event appended by its own call (none for confirmations, which their
    /// token makes safe to repeat).
    pub fn of_event(action: Action, proof: &'a Proof) -> Option<Self> {
        let call = match action {
            Action::Granted => "grantConsent",
            Action::Revoked => "revokeConsent",
            Action::Requested => "requestConsent",
            _ => return None,
        };
        Some(Key {
            key: proof.idempotency_key.as_deref()?,
            call,
        })
    }
}

/// Claims the key at the start of the write's transaction. `Some(result)`: the key was used by an
/// earlier call whose write committed; return that result and write nothing. `None` (also without a
/// key): go on, and [`record`] the result before committing.
pub async fn claim(
    s: &mut Session<'_>,
    key: Option<Key<'_>>,
    now: Timestamp,
) -> Result<Option<u64>> {
    let Some(key) = key else {
        return Ok(None);
    };
    s.exec_drop(
        &s.sql(
            "INSERT IGNORE INTO `{p}idempotency_keys` (idem_key, call_name, result, created_at) VALUES (?, ?, NULL, ?)",
        ),
        (key.key, key.call, now),
    )
    .await?;
    if s.affected_rows() == 1 {
        return Ok(None);
    }
    // A locking read: it sees the committed row, whatever this transaction's snapshot.
    let found: Option<(String, Option<u64>)> = s
        .exec_first(
            &s.sql(
                "SELECT call_name, result FROM `{p}idempotency_keys` WHERE idem_key = ? FOR UPDATE",
            ),
            (key.key,),
        )
        .await?;
    match found {
        Some((call, Some(result))) if call == key.call => Ok(Some(result)),
        // The key and its result are written in one transaction, so this cannot happen unless a
        // transaction was cut short and committed in part. Say so rather than answer a made-up id.
        Some((call, None)) if call == key.call => Err(Error::database(
            crate::core::error::DatabaseErrorKind::Schema,
            format!(
                "idempotency_key {} is recorded for {call} without its result: an earlier call with it was cut short; check consentHistory()/the send log for that write, then use a new key",
                shown(key.key)
            ),
            0,
        )),
        Some((call, _)) => Err(Error::invalid_input(format!(
            "idempotency_key {} was used by {call} before; a key stands for one call, use a new one for {}",
            shown(key.key),
            key.call
        ))),
        // Deleted in between (never done by the extension): claim it again.
        None => Err(Error::database(
            crate::core::error::DatabaseErrorKind::Server,
            "the idempotency key vanished while it was claimed; try again",
            crate::core::store::db::retry::ER_LOCK_DEADLOCK,
        )),
    }
}

/// Records the result of the write under its key, in the same transaction.
pub async fn record(s: &mut Session<'_>, key: Option<Key<'_>>, result: u64) -> Result<()> {
    let Some(key) = key else {
        return Ok(());
    };
    // Batched: on MariaDB it goes with the write's own statements and the COMMIT.
    let sql = s.sql("UPDATE `{p}idempotency_keys` SET result = ? WHERE idem_key = ?");
    s.exec_drop_batched(vec![(sql, vec![result.into(), key.key.into()])])
        .await
}
