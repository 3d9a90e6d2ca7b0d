//! Which failures of an internal transaction may simply be run again, how long to pause before, and
//! the failure whose outcome nobody knows.
//!
//! On one server a deadlock (1213) is rare; on a Galera cluster every write that touches a row
//! another node changed at the same time fails certification with the same 1213, and a hot row
//! (the consent chain's head) makes that common. The server has rolled the whole transaction back in
//! both cases, so running it again is safe and is what the server's message asks for. A lock wait
//! timeout (1205) rolls back only the statement; `Session::transaction` rolls back the rest.
//! MariaDB 11.6.2 and later (Debian 13 ships 11.8) turn `innodb_snapshot_isolation` on by default: a
//! transaction that locks a row another one changed since its snapshot gets 1020 instead of waiting,
//! which the consent chain's head meets under concurrent grants; InnoDB rolls it back like a deadlock.

use std::time::Duration;

use crate::core::config::DbTarget;
use crate::core::error::{DatabaseError, DatabaseErrorKind, Error};

/// ER_LOCK_DEADLOCK, also Galera's certification conflict and brute-force abort.
pub const ER_LOCK_DEADLOCK: u16 = 1213;
/// ER_LOCK_WAIT_TIMEOUT.
pub const ER_LOCK_WAIT_TIMEOUT: u16 = 1205;
/// ER_CHECKREAD, "Record has changed since last read": MariaDB's snapshot isolation conflict.
pub const ER_CHECKREAD: u16 = 1020;
/// ER_TRANSACTION_ROLLBACK_DURING_COMMIT: MySQL Group Replication's certification conflict (rolled
/// back, like Galera's 1213). Not tested on a Group Replication cluster; see docs/scaling.md.
pub const ER_TRANSACTION_ROLLBACK_DURING_COMMIT: u16 = 3101;

/// Runs of one transaction at most (the time budget, `query_timeout_ms`, usually ends it first).
pub const ATTEMPTS: u32 = 50;

/// Longest pause between two runs: long enough for a competing writer on another node to commit.
const MAX_PAUSE_MS: u64 = 40;

/// Whether the transaction failed on a conflict with another writer and was rolled back.
pub fn conflict(error: &DatabaseError) -> bool {
    error.kind == DatabaseErrorKind::Server
        && matches!(
            error.code,
            ER_LOCK_DEADLOCK
                | ER_LOCK_WAIT_TIMEOUT
                | ER_CHECKREAD
                | ER_TRANSACTION_ROLLBACK_DURING_COMMIT
        )
}

/// The pause before run `attempt + 1`: random ("full jitter") up to a bound that doubles per run,
/// so writers that collided do not collide again in step.
pub fn pause(attempt: u32) -> Duration {
    let bound = (1u64 << attempt.min(10)).clamp(2, MAX_PAUSE_MS);
    let random = getrandom::u64().unwrap_or(0x9e37_79b9_7f4a_7c15 ^ u64::from(attempt));
    Duration::from_micros(500 + random % (bound * 1000))
}

/// Whether a failure of COMMIT leaves its outcome unknown: the statement was sent, and then the
/// answer did not come (timeout) or the connection broke. A server error is an answer.
pub fn outcome_unknown(error: &DatabaseError) -> bool {
    matches!(
        error.kind,
        DatabaseErrorKind::Timeout | DatabaseErrorKind::Io
    )
}

/// The error for a commit with an unknown outcome: says what happened and how to go on safely.
pub fn unknown_outcome(target: &DbTarget, error: &DatabaseError) -> Error {
    Error::database(
        DatabaseErrorKind::OutcomeUnknown,
        format!(
            "the database at {} did not confirm the commit, so the write may or may not have been recorded ({}); retry the call with the same idempotency_key, which records it at most once",
            target.address,
            error.message.trim_end_matches('.')
        ),
        error.code,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_are_bounded_and_grow() {
        for attempt in 1..=ATTEMPTS {
            let p = pause(attempt);
            assert!(p >= Duration::from_micros(500), "{p:?}");
            assert!(
                p <= Duration::from_micros(500 + MAX_PAUSE_MS * 1000),
                "{p:?}"
            );
        }
        let first = (0..200).map(|_| pause(1)).max().unwrap();
        assert!(first <= Duration::from_micros(2500), "{first:?}");
    }

    #[test]
    fn only_conflicts_are_retried() {
        let e = |kind, code| DatabaseError {
            kind,
            message: String::new(),
            code,
        };
        assert!(conflict(&e(DatabaseErrorKind::Server, 1213)));
        assert!(conflict(&e(DatabaseErrorKind::Server, 1205)));
        assert!(conflict(&e(DatabaseErrorKind::Server, 1020)));
        assert!(conflict(&e(DatabaseErrorKind::Server, 3101)));
        assert!(!conflict(&e(DatabaseErrorKind::Server, 1062)));
        assert!(!conflict(&e(DatabaseErrorKind::Timeout, 1969)));
        assert!(outcome_unknown(&e(DatabaseErrorKind::Io, 0)));
        assert!(!outcome_unknown(&e(DatabaseErrorKind::Server, 1213)));
    }
}
