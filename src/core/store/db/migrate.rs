//! Applying the migrations of `schema.rs`, so that several workers, deploy scripts or cluster nodes
//! calling `migrate()` at once all succeed.
//!
//! No lock carries this: a named lock (`GET_LOCK`) holds on one server only, and on a Galera cluster
//! three nodes migrating at once failed 20 of 90 calls with it. Instead every statement is idempotent
//! (see schema.rs), the version is recorded with INSERT IGNORE, and a statement that lost a race with
//! the same statement of another process (table, column or key exists already, duplicate row,
//! certification conflict) makes the whole pass run again, which then finds the work done.

use std::time::Duration;

use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::store::db::retry;
use crate::core::store::db::schema::{self, MIGRATIONS, SCHEMA_VERSION_TABLE};
use crate::core::store::db::session::Session;

/// Passes at most; a race is lost at most once per statement, so a few suffice.
const PASSES: u32 = 8;

/// ER_TABLE_EXISTS_ERROR, ER_DUP_FIELDNAME, ER_DUP_KEYNAME, ER_DUP_ENTRY, ER_LOCK_DEADLOCK,
/// ER_LOCK_WAIT_TIMEOUT: what a concurrent migration of the same schema may answer.
const RACES: [u16; 6] = [1050, 1060, 1061, 1062, 1213, 1205];

/// Brings the schema to the newest version; returns it. Idempotent.
pub async fn migrate(session: &mut Session<'_>) -> Result<u32> {
    let mut pass = 0;
    loop {
        pass += 1;
        match apply_pending(session).await {
            Err(Error::Database(e))
                if lost_race(&e, session.cluster()) && pass < PASSES && session.reusable() =>
            {
                tokio::time::sleep(retry::pause(pass) + Duration::from_millis(10)).await;
            }
            other => return other,
        }
    }
}

/// ER_QUERY_INTERRUPTED: on a Galera node, a schema change replicated from another node's migrate()
/// interrupts the local statement it conflicts with (seen in the cluster suite: 1 of 27 concurrent calls).
const ER_QUERY_INTERRUPTED: u16 = 1317;

fn lost_race(error: &crate::core::error::DatabaseError, cluster: bool) -> bool {
    error.kind == DatabaseErrorKind::Server
        && (RACES.contains(&error.code) || cluster && error.code == ER_QUERY_INTERRUPTED)
}

/// The schema version recorded (0 before the first migration); the version table must exist.
async fn recorded_version(session: &mut Session<'_>) -> Result<u32> {
    let sql = session.sql("SELECT COALESCE(MAX(version), 0) FROM `{p}schema_version`");
    Ok(session.exec_first::<u32>(&sql, ()).await?.unwrap_or(0))
}

async fn apply_pending(session: &mut Session<'_>) -> Result<u32> {
    let prefix = session.prefix();
    session
        .query_drop(&session.sql(SCHEMA_VERSION_TABLE))
        .await?;
    // The table was just created if missing: no information_schema probe needed.
    let current = recorded_version(session).await?;
    let latest = schema::latest_version();
    if current > latest {
        return Err(Error::database(
            DatabaseErrorKind::Schema,
            format!(
                "the tables with prefix '{prefix}' are at schema version {current}, newer than this dsgvo {} knows ({latest}); install the newer extension",
                env!("CARGO_PKG_VERSION")
            ),
            0,
        ));
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        for statement in migration.statements {
            match (
                schema::added_column(statement),
                schema::added_key(statement),
            ) {
                (Some(column), _) => add_missing(session, statement, column, &COLUMN).await?,
                (None, Some(key)) => add_missing(session, statement, key, &KEY).await?,
                (None, None) => session.query_drop(&session.sql(statement)).await?,
            }
        }
        let record = session.sql(
            "INSERT IGNORE INTO `{p}schema_version` (version, applied_at, extension_version) VALUES (?, UTC_TIMESTAMP(6), ?)",
        );
        session
            .exec_drop(&record, (migration.version, env!("CARGO_PKG_VERSION")))
            .await?;
    }
    Ok(latest)
}

/// What an `ALTER TABLE ... ADD <kind> IF NOT EXISTS` adds, and where information_schema lists it.
struct Addition {
    clause: &'static str,
    /// The server's error when it exists already (ER_DUP_FIELDNAME, ER_DUP_KEYNAME).
    duplicate: u16,
    view: &'static str,
    name_column: &'static str,
}

const COLUMN: Addition = Addition {
    clause: " ADD COLUMN ",
    duplicate: 1060,
    view: "COLUMNS",
    name_column: "COLUMN_NAME",
};

const KEY: Addition = Addition {
    clause: " ADD KEY ",
    duplicate: 1061,
    view: "STATISTICS",
    name_column: "INDEX_NAME",
};

/// Adds a column or index unless the table has it already (an interrupted migration, or a second run):
/// MySQL lacks MariaDB's `IF NOT EXISTS` there, so it is looked up first and the clause dropped.
async fn add_missing(
    session: &mut Session<'_>,
    statement: &str,
    (table, name): (&str, &str),
    what: &Addition,
) -> Result<()> {
    let table = session.sql(table);
    let present: Option<u64> = session
        .exec_first(
            &format!(
                "SELECT COUNT(*) FROM information_schema.{} WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND {} = ?",
                what.view, what.name_column
            ),
            (table.as_str(), name),
        )
        .await?;
    if present.unwrap_or(0) > 0 {
        return Ok(());
    }
    let plain = statement.replacen(&format!("{}IF NOT EXISTS ", what.clause), what.clause, 1);
    match session.query_drop(&session.sql(&plain)).await {
        // Another process added it between the lookup and this statement (it waited for that one's
        // lock): what this statement wanted is there.
        Err(Error::Database(e))
            if e.kind == DatabaseErrorKind::Server && e.code == what.duplicate =>
        {
            Ok(())
        }
        other => other,
    }
}
