//! One checked-out connection and the rules every statement obeys: each one runs under
//! `query_timeout_ms`, and every failure becomes a [`DatabaseError`](crate::core::error::DatabaseError)
//! that names host and port but never credentials. A session that timed out or lost its socket is
//! marked unusable so the runtime discards the connection instead of reusing a confused one.

use std::future::Future;
use std::time::{Duration, Instant};

use mysql_async::prelude::{FromRow, Queryable};
use mysql_async::{Conn, Params};

use crate::core::config::DbTarget;
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::store::db::connect::Connection;
use crate::core::store::db::retry;
use crate::core::store::tables::Tables;

/// MariaDB: "Query execution was interrupted (max_statement_time exceeded)".
const ER_STATEMENT_TIMEOUT: u16 = 1969;
/// MySQL: "Query execution was interrupted, maximum statement execution time exceeded".
const ER_QUERY_TIMEOUT: u16 = 3024;

pub struct Session<'c> {
    conn: &'c mut Conn,
    target: &'c DbTarget,
    query_timeout: Duration,
    mariadb: bool,
    cluster: bool,
    reusable: bool,
    tables: Tables<'c>,
}

impl<'c> Session<'c> {
    pub(crate) fn new(
        connection: &'c mut Connection,
        target: &'c DbTarget,
        query_timeout: Duration,
        tables: Tables<'c>,
    ) -> Self {
        Session {
            conn: &mut connection.conn,
            target,
            query_timeout,
            mariadb: connection.mariadb,
            cluster: connection.cluster,
            reusable: true,
            tables,
        }
    }

    /// The table names this session's statements use.
    pub(crate) fn tables(&self) -> Tables<'c> {
        self.tables
    }

    /// The own tables' prefix.
    /// Connected to a Galera node (`wsrep_on`).
    pub fn cluster(&self) -> bool {
        self.cluster
    }

    pub fn prefix(&self) -> &'c str {
        self.tables.own
    }

    /// An own-table statement with the prefix filled in.
    pub fn sql(&self, statement: &str) -> String {
        self.tables.render(statement)
    }

    /// False once a statement timed out or the connection broke: its state is unknown.
    pub fn reusable(&self) -> bool {
        self.reusable
    }

    /// The AUTO_INCREMENT value the last INSERT generated.
    pub fn last_insert_id(&self) -> Option<u64> {
        self.conn.last_insert_id()
    }

    /// Rows the last statement changed.
    pub fn affected_rows(&self) -> u64 {
        self.conn.affected_rows()
    }

    pub fn target(&self) -> &DbTarget {
        self.target
    }

    /// Runs one statement (binary protocol, placeholders) and discards its result.
    pub async fn exec_drop(&mut self, sql: &str, params: impl Into<Params> + Send) -> Result<()> {
        guard(
            &mut self.reusable,
            self.target,
            self.query_timeout,
            self.conn.exec_drop(sql, params),
        )
        .await
    }

    /// Runs one statement and returns its first row.
    pub async fn exec_first<T: FromRow + Send + 'static>(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
    ) -> Result<Option<T>> {
        guard(
            &mut self.reusable,
            self.target,
            self.query_timeout,
            self.conn.exec_first(sql, params),
        )
        .await
    }

    /// Runs one statement and returns all rows.
    pub async fn exec<T: FromRow + Send + 'static>(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
    ) -> Result<Vec<T>> {
        guard(
            &mut self.reusable,
            self.target,
            self.query_timeout,
            self.conn.exec(sql, params),
        )
        .await
    }

    /// Runs one statement over the text protocol (DDL, session settings) and discards its result.
    pub async fn query_drop(&mut self, sql: &str) -> Result<()> {
        guard(
            &mut self.reusable,
            self.target,
            self.query_timeout,
            self.conn.query_drop(sql),
        )
        .await
    }

    /// Runs one text-protocol statement and returns its first row.
    pub async fn query_first<T: FromRow + Send + 'static>(
        &mut self,
        sql: &str,
    ) -> Result<Option<T>> {
        guard(
            &mut self.reusable,
            self.target,
            self.query_timeout,
            self.conn.query_first(sql),
        )
        .await
    }

    /// Runs `work` in a transaction: committed if it returns Ok, rolled back otherwise (a broken
    /// connection rolls back on the server by itself).
    ///
    /// A deadlock or Galera certification conflict (1213), a snapshot isolation conflict (1020) and a
    /// lock wait timeout (1205) roll the transaction back (`retry::conflict`); `work` then runs again
    /// from the start, after a short random pause, a bounded number of times and within
    /// `query_timeout_ms` in all. `work` must therefore
    /// be re-runnable: it takes its inputs by reference, reads afresh and keeps nothing between runs.
    /// A COMMIT that timed out or lost its connection has an unknown outcome: that is not retried
    /// but reported as [`DatabaseErrorKind::OutcomeUnknown`].
    pub async fn transaction<T>(
        &mut self,
        mut work: impl AsyncFnMut(&mut Session<'c>) -> Result<T>,
    ) -> Result<T> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.transaction_once(&mut work).await {
                Err(Error::Database(e))
                    if retry::conflict(&e)
                        && self.reusable
                        && attempt < retry::ATTEMPTS
                        && started.elapsed() < self.query_timeout =>
                {
                    tokio::time::sleep(retry::pause(attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn transaction_once<T>(
        &mut self,
        work: &mut impl AsyncFnMut(&mut Session<'c>) -> Result<T>,
    ) -> Result<T> {
        self.query_drop("START TRANSACTION").await?;
        match work(self).await {
            Ok(value) => match self.query_drop("COMMIT").await {
                Ok(()) => Ok(value),
                Err(Error::Database(e)) if retry::outcome_unknown(&e) => {
                    Err(retry::unknown_outcome(self.target, &e))
                }
                Err(e) => {
                    // A refused COMMIT has usually rolled back already; make sure of it.
                    self.roll_back().await;
                    Err(e)
                }
            },
            Err(error) => {
                self.roll_back().await;
                Err(error)
            }
        }
    }

    /// Ends an open transaction without keeping any of it. A connection whose ROLLBACK fails is
    /// never used again: the next START TRANSACTION on it would silently COMMIT whatever the failed
    /// transaction had written so far (an implicit commit), e.g. an idempotency key without its
    /// write. Dropping the connection makes the server roll it back instead.
    async fn roll_back(&mut self) {
        if self.reusable && self.query_drop("ROLLBACK").await.is_err() {
            self.reusable = false;
        }
    }

    /// Runs one statement and hands each row to `each` as it arrives (nothing is collected). The
    /// whole statement, reading included, runs under the session's timeout.
    pub async fn exec_each(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
        mut each: impl FnMut(mysql_async::Row) -> Result<()>,
    ) -> Result<()> {
        let target = self.target;
        let timeout = self.query_timeout;
        let conn = &mut *self.conn;
        let mut failed: Option<Error> = None;
        let work = async {
            let mut result = conn.exec_iter(sql, params).await?;
            while let Some(row) = result.next().await? {
                if failed.is_none() {
                    if let Err(e) = each(row) {
                        failed = Some(e);
                    }
                }
            }
            Ok::<(), mysql_async::Error>(())
        };
        guard(&mut self.reusable, target, timeout, work).await?;
        failed.map_or(Ok(()), Err)
    }

    /// Runs `work` with statements allowed to take up to `limit` (client and server side), e.g. one
    /// long read of every order line; the usual limit is restored afterwards.
    pub async fn with_statement_limit<T>(
        &mut self,
        limit: Duration,
        work: impl AsyncFnOnce(&mut Session<'c>) -> Result<T>,
    ) -> Result<T> {
        let usual = self.query_timeout;
        self.query_drop(&crate::core::store::db::connect::statement_limits(
            self.mariadb,
            limit,
        ))
        .await?;
        self.query_timeout = limit;
        let result = work(self).await;
        self.query_timeout = usual;
        if self.reusable {
            self.query_drop(&crate::core::store::db::connect::statement_limits(
                self.mariadb,
                usual,
            ))
            .await?;
        }
        result
    }

    /// A protocol-level ping (COM_PING): one round trip, no statement.
    pub async fn ping(&mut self) -> Result<()> {
        guard(
            &mut self.reusable,
            self.target,
            self.query_timeout,
            self.conn.ping(),
        )
        .await
    }
}

/// Runs one driver future under the timeout; a timeout or a broken socket makes the session unusable.
async fn guard<T>(
    reusable: &mut bool,
    target: &DbTarget,
    timeout: Duration,
    work: impl Future<Output = mysql_async::Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => {
            if !matches!(e, mysql_async::Error::Server(_)) {
                *reusable = false;
            }
            Err(map_error(target, &e, timeout))
        }
        Err(_elapsed) => {
            *reusable = false;
            Err(timeout_error(target, timeout, 0))
        }
    }
}

pub fn timeout_error(target: &DbTarget, timeout: Duration, code: u16) -> Error {
    Error::database(
        DatabaseErrorKind::Timeout,
        format!(
            "the database at {} did not answer within query_timeout_ms ({} ms); a lock held by another connection or an overloaded server is the usual cause",
            target.address,
            timeout.as_millis()
        ),
        code,
    )
}

/// Turns a driver error into the extension's error, scrubbed of credentials.
pub fn map_error(target: &DbTarget, error: &mysql_async::Error, timeout: Duration) -> Error {
    match error {
        mysql_async::Error::Server(e)
            if e.code == ER_STATEMENT_TIMEOUT || e.code == ER_QUERY_TIMEOUT =>
        {
            timeout_error(target, timeout, e.code)
        }
        mysql_async::Error::Server(e) => Error::database(
            DatabaseErrorKind::Server,
            target.scrub(&format!(
                "the database at {} refused a statement: [{}] {} (error {})",
                target.address, e.state, e.message, e.code
            )),
            e.code,
        ),
        mysql_async::Error::Io(_) => Error::database(
            DatabaseErrorKind::Io,
            target.scrub(&format!(
                "the connection to the database at {} broke: {}",
                target.address,
                reason(error)
            )),
            0,
        ),
        other => Error::database(
            DatabaseErrorKind::Io,
            target.scrub(&format!(
                "the database at {} could not be used: {}",
                target.address,
                reason(other)
            )),
            0,
        ),
    }
}

/// The driver's reason without its generic prefixes ("Input/output error: ...").
pub fn reason(error: &mysql_async::Error) -> String {
    match error {
        mysql_async::Error::Server(e) => format!("[{}] {} (error {})", e.state, e.message, e.code),
        mysql_async::Error::Io(mysql_async::IoError::Io(e)) => e.to_string(),
        mysql_async::Error::Driver(e) => e.to_string(),
        other => other.to_string(),
    }
}
