//! One checked-out connection and the rules every statement obeys: each one runs under
//! `query_timeout_ms`, and every failure becomes a [`DatabaseError`](crate::core::error::DatabaseError)
//! that names host and port but never credentials. A session that timed out or lost its socket is
//! marked unusable so the runtime discards the connection instead of reusing a confused one.

use std::future::Future;
use std::time::{Duration, Instant};

use mysql_async::prelude::{FromRow, Queryable};
use mysql_async::{Conn, Params, Value};

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
    /// Inside [`Session::transaction`].
    in_transaction: bool,
    /// MariaDB (not Galera): the transaction's START TRANSACTION is not sent yet; it goes with the
    /// first statement.
    begin_pending: bool,
    /// MariaDB: writes held by [`Session::exec_drop_batched`], sent with the COMMIT or before the
    /// next statement.
    held: Vec<(String, Vec<Value>)>,
    /// How a second connection to the same database is opened ([`Session::open_sibling`]).
    reach: Reach,
}

/// What opening another connection like this session's takes besides the target.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reach {
    pub(crate) connect_timeout: Duration,
    pub(crate) read_your_writes: bool,
}

/// Statements held at most before they are sent (a batch is one prepared statement).
const HELD_MAX: usize = 16;

impl<'c> Session<'c> {
    pub(crate) fn new(
        connection: &'c mut Connection,
        target: &'c DbTarget,
        query_timeout: Duration,
        tables: Tables<'c>,
        reach: Reach,
    ) -> Self {
        Session {
            conn: &mut connection.conn,
            target,
            query_timeout,
            mariadb: connection.mariadb,
            cluster: connection.cluster,
            reusable: true,
            tables,
            in_transaction: false,
            begin_pending: false,
            held: Vec::new(),
            reach,
        }
    }

    /// Opens another connection to the same database with the same settings and the statement limit
    /// in force now, for work that reads in parallel (a campaign over a large shop). The caller
    /// closes it ([`Connection::close`]); it is never held for later calls.
    pub(crate) async fn open_sibling(&self) -> Result<Connection> {
        crate::core::store::db::connect::open(
            self.target,
            self.reach.connect_timeout,
            self.query_timeout,
            self.reach.read_your_writes,
        )
        .await
    }

    /// A session on a sibling connection (see [`Session::open_sibling`]).
    pub(crate) fn sibling<'s>(&self, connection: &'s mut Connection) -> Session<'s>
    where
        'c: 's,
    {
        Session::new(
            connection,
            self.target,
            self.query_timeout,
            self.tables,
            self.reach,
        )
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
        self.send_pending().await?;
        self.raw_exec_drop(sql, params).await
    }

    async fn raw_exec_drop(&mut self, sql: &str, params: impl Into<Params> + Send) -> Result<()> {
        guard(
            &mut self.reusable,
            self.target,
            self.query_timeout,
            self.conn.exec_drop(sql, params),
        )
        .await
    }

    /// Runs writes whose results nobody reads, in order. On MariaDB they go as one anonymous compound
    /// statement (`BEGIN NOT ATOMIC ... END`, placeholders kept): inside a transaction they are held
    /// and go with its COMMIT, or before the next statement if one comes first, so a transaction of
    /// a locking read and writes takes two round trips. On MySQL, which has no compound statements,
    /// they run one by one at once. A failing write fails the transaction with its own error either
    /// way, and the rollback undoes it all. No statement may contain a `;`.
    pub async fn exec_drop_batched(&mut self, statements: Vec<(String, Vec<Value>)>) -> Result<()> {
        debug_assert!(statements.iter().all(|(sql, _)| !sql.contains(';')));
        if !self.mariadb {
            for (sql, params) in statements {
                self.exec_drop(&sql, params).await?;
            }
            return Ok(());
        }
        if self.in_transaction {
            if self.held.len() + statements.len() > HELD_MAX {
                self.send_pending().await?;
            }
            self.held.extend(statements);
            return Ok(());
        }
        self.raw_exec_drop_compound(statements).await
    }

    /// A compound statement of `statements` (MariaDB).
    async fn raw_exec_drop_compound(
        &mut self,
        statements: Vec<(String, Vec<Value>)>,
    ) -> Result<()> {
        let mut sql = String::from("BEGIN NOT ATOMIC ");
        let mut all = Vec::new();
        for (statement, params) in statements {
            sql.push_str(&statement);
            sql.push_str("; ");
            all.extend(params);
        }
        sql.push_str("END");
        self.raw_exec_drop(&sql, all).await
    }

    /// Sends what the transaction holds back: its START TRANSACTION and held writes.
    async fn send_pending(&mut self) -> Result<()> {
        if !self.begin_pending && self.held.is_empty() {
            return Ok(());
        }
        let mut statements = std::mem::take(&mut self.held);
        if std::mem::take(&mut self.begin_pending) {
            if statements.is_empty() {
                return self.raw_query_drop("START TRANSACTION").await;
            }
            statements.insert(0, ("START TRANSACTION".to_owned(), Vec::new()));
        }
        self.raw_exec_drop_compound(statements).await
    }

    /// A row-returning statement with the transaction's pending START TRANSACTION in front of it, in
    /// one compound statement (its result set is the statement's); held writes go before, alone.
    async fn with_begin(&mut self, sql: &str) -> Result<Option<String>> {
        if !self.held.is_empty() {
            self.send_pending().await?;
        }
        Ok(std::mem::take(&mut self.begin_pending)
            .then(|| format!("BEGIN NOT ATOMIC START TRANSACTION; {sql}; END")))
    }

    /// Runs one statement and returns its first row.
    pub async fn exec_first<T: FromRow + Send + 'static>(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
    ) -> Result<Option<T>> {
        let begun = self.with_begin(sql).await?;
        let sql = begun.as_deref().unwrap_or(sql);
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
        let begun = self.with_begin(sql).await?;
        let sql = begun.as_deref().unwrap_or(sql);
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
        self.send_pending().await?;
        self.raw_query_drop(sql).await
    }

    async fn raw_query_drop(&mut self, sql: &str) -> Result<()> {
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
        self.send_pending().await?;
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
        self.held.clear();
        if self.mariadb && !self.cluster {
            // Sent with the first statement (`with_begin`, `send_pending`): one round trip less. Not on
            // a Galera node: `wsrep_sync_wait` (read_your_writes) is meant for the first read, and a
            // compound statement around it must not put that in doubt.
            self.begin_pending = true;
        } else {
            self.raw_query_drop("START TRANSACTION").await?;
        }
        self.in_transaction = true;
        let result = work(self).await;
        self.in_transaction = false;
        match result {
            Ok(value) => match self.commit().await {
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

    /// COMMIT, with the writes held back in front of it (one compound statement on MariaDB). A
    /// transaction that sent nothing has nothing to commit.
    async fn commit(&mut self) -> Result<()> {
        let begin = std::mem::take(&mut self.begin_pending);
        let mut statements = std::mem::take(&mut self.held);
        if statements.is_empty() {
            return if begin {
                Ok(())
            } else {
                self.raw_query_drop("COMMIT").await
            };
        }
        if begin {
            statements.insert(0, ("START TRANSACTION".to_owned(), Vec::new()));
        }
        statements.push(("COMMIT".to_owned(), Vec::new()));
        self.raw_exec_drop_compound(statements).await
    }

    /// Ends an open transaction without keeping any of it. A connection whose ROLLBACK fails is
    /// never used again: the next START TRANSACTION on it would silently COMMIT whatever the failed
    /// transaction had written so far (an implicit commit), e.g. an idempotency key without its
    /// write. Dropping the connection makes the server roll it back instead.
    async fn roll_back(&mut self) {
        self.held.clear();
        if std::mem::take(&mut self.begin_pending) {
            // Nothing was sent: no transaction is open.
            return;
        }
        if self.reusable && self.raw_query_drop("ROLLBACK").await.is_err() {
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
        let begun = self.with_begin(sql).await?;
        let sql = begun.as_deref().unwrap_or(sql);
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
        self.send_pending().await?;
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
