//! Opening a connection: connect under `connect_timeout_ms`, then fix the session settings every later
//! statement relies on.

use std::time::Duration;

use mysql_async::Conn;
use mysql_async::prelude::Queryable;

use crate::core::config::DbTarget;
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::store::db::session::reason;

/// An open connection and what its server is (the statement limits are spelled differently).
pub struct Connection {
    pub conn: Conn,
    pub mariadb: bool,
    /// A Galera node (`wsrep_on`): writes that many processes make avoid single hot rows there.
    pub cluster: bool,
}

impl Connection {
    /// Says goodbye to the server, waiting at most `CLOSE_GRACE` for it.
    pub async fn close(self) {
        let _ = tokio::time::timeout(CLOSE_GRACE, self.conn.disconnect()).await;
    }
}

/// How long a goodbye to the server is waited for.
pub const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// Connects and prepares the session. The whole of it, handshake and settings, fits in `connect_timeout`.
pub async fn open(
    target: &DbTarget,
    connect_timeout: Duration,
    query_timeout: Duration,
    read_your_writes: bool,
) -> Result<Connection> {
    let attempt = async {
        let mut conn = Conn::new(target.opts().clone()).await?;
        // One round trip for what the session needs to know (SHOW: MySQL 8 has no
        // information_schema.SESSION_VARIABLES, and a missing variable is simply not listed).
        let variables: Vec<(String, String)> = conn
            .query(
                "SHOW SESSION VARIABLES WHERE Variable_name IN ('version', 'wsrep_on', 'wsrep_sync_wait', 'group_replication_consistency')",
            )
            .await?;
        let value = |name: &str| {
            variables
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let mariadb = value("version").is_some_and(|v| v.contains("MariaDB"));
        let cluster = value("wsrep_on").is_some_and(|v| v.eq_ignore_ascii_case("ON"));
        conn.query_drop(session_settings(mariadb, query_timeout))
            .await?;
        if read_your_writes {
            let present: Vec<String> = variables.iter().map(|(name, _)| name.clone()).collect();
            if let Some(statement) = causal_reads(&present) {
                conn.query_drop(statement).await?;
            }
        }
        Ok::<Connection, mysql_async::Error>(Connection {
            conn,
            mariadb,
            cluster,
        })
    };
    match tokio::time::timeout(connect_timeout, attempt).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(e)) => Err(connect_error(target, &reason(&e), code(&e))),
        Err(_) => Err(connect_error(
            target,
            &format!(
                "no answer within connect_timeout_ms ({} ms)",
                connect_timeout.as_millis()
            ),
            0,
        )),
    }
}

/// Session settings, on every new connection:
/// - a strict sql_mode without ANSI_QUOTES & co., so the extension's SQL means the same on every server
///   and a value that does not fit is an error, never silently cut; NO_ENGINE_SUBSTITUTION so the own
///   tables are InnoDB or not created at all;
/// - server-side statement and lock limits matching `query_timeout_ms`, so a statement the client gave
///   up on does not keep running (and holding locks) on the server.
///
/// The time zone is left alone: the shops write their dates in the session's zone and compare them with
/// NOW(); the extension's own times are written with UTC_TIMESTAMP().
pub fn session_settings(mariadb: bool, query_timeout: Duration) -> String {
    format!(
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO', {}",
        limits(mariadb, query_timeout)
    )
}

/// The statement that sets the session's statement and lock limits to `limit`.
pub fn statement_limits(mariadb: bool, limit: Duration) -> String {
    format!("SET SESSION {}", limits(mariadb, limit))
}

fn limits(mariadb: bool, limit: Duration) -> String {
    let lock_seconds = limit.as_millis().div_ceil(1000).max(1);
    let statement_limit = if mariadb {
        format!("max_statement_time = {:.3}", limit.as_secs_f64())
    } else {
        format!("max_execution_time = {}", limit.as_millis())
    };
    format!(
        "lock_wait_timeout = {lock_seconds}, innodb_lock_wait_timeout = {lock_seconds}, {statement_limit}"
    )
}

/// The statement that makes every read of the session wait until the node has applied what the
/// cluster acknowledged before it, given the names of the variables the server has: Galera's
/// `wsrep_sync_wait` (1: reads), MySQL Group Replication's `group_replication_consistency`. A server
/// with neither is one server (or an asynchronous replica, see docs/scaling.md): nothing to set.
pub fn causal_reads(present: &[String]) -> Option<&'static str> {
    let has = |name: &str| present.iter().any(|p| p.eq_ignore_ascii_case(name));
    if has("wsrep_sync_wait") {
        Some("SET SESSION wsrep_sync_wait = 1")
    } else if has("group_replication_consistency") {
        Some("SET SESSION group_replication_consistency = 'BEFORE'")
    } else {
        None
    }
}

fn code(error: &mysql_async::Error) -> u16 {
    match error {
        mysql_async::Error::Server(e) => e.code,
        _ => 0,
    }
}

fn connect_error(target: &DbTarget, reason: &str, code: u16) -> Error {
    Error::database(
        DatabaseErrorKind::Connect,
        target.scrub(&format!(
            "cannot connect to the database at {} (database '{}'): {reason}",
            target.address, target.database
        )),
        code,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_limits_follow_the_query_timeout() {
        let maria = session_settings(true, Duration::from_millis(1500));
        assert!(maria.contains("max_statement_time = 1.500"), "{maria}");
        assert!(maria.contains("lock_wait_timeout = 2"), "{maria}");
        let mysql = session_settings(false, Duration::from_millis(200));
        assert!(mysql.contains("max_execution_time = 200"), "{mysql}");
        assert!(mysql.contains("innodb_lock_wait_timeout = 1"), "{mysql}");
    }

    #[test]
    fn causal_reads_use_what_the_server_has() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            causal_reads(&names(&["WSREP_SYNC_WAIT"])),
            Some("SET SESSION wsrep_sync_wait = 1")
        );
        assert_eq!(
            causal_reads(&names(&["GROUP_REPLICATION_CONSISTENCY"])),
            Some("SET SESSION group_replication_consistency = 'BEFORE'")
        );
        assert_eq!(causal_reads(&[]), None);
    }
}
