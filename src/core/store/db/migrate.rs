//! Applying the migrations of `schema.rs`, serialised across processes by a named server lock, so
//! that several workers (or deploy scripts) calling `migrate()` at once all succeed.

use std::time::{Duration, Instant};

use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::store::db::schema::{self, MIGRATIONS, SCHEMA_VERSION_TABLE};
use crate::core::store::db::session::Session;

/// How long `migrate()` waits for another process's migration to finish.
const LOCK_WAIT: Duration = Duration::from_secs(60);
const LOCK_POLL: Duration = Duration::from_millis(50);

/// Brings the schema to the newest version; returns it. Idempotent.
pub async fn migrate(session: &mut Session<'_>) -> Result<u32> {
    acquire_lock(session).await?;
    let result = apply_pending(session).await;
    // Released even after a failure; a broken connection releases it on the server by itself.
    let released = release_lock(session).await;
    let version = result?;
    released?;
    Ok(version)
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
            match schema::added_column(statement) {
                Some((table, column)) => add_column(session, statement, table, column).await?,
                None => session.query_drop(&session.sql(statement)).await?,
            }
        }
        let record = session.sql(
            "INSERT INTO `{p}schema_version` (version, applied_at, extension_version) VALUES (?, UTC_TIMESTAMP(6), ?)",
        );
        session
            .exec_drop(&record, (migration.version, env!("CARGO_PKG_VERSION")))
            .await?;
    }
    Ok(latest)
}

/// Adds a column unless the table has it already (an interrupted migration, or a second run):
/// MySQL lacks MariaDB's `ADD COLUMN IF NOT EXISTS`, so the column is looked up first.
async fn add_column(
    session: &mut Session<'_>,
    statement: &str,
    table: &str,
    column: &str,
) -> Result<()> {
    let table = session.sql(table);
    let present: Option<u64> = session
        .exec_first(
            "SELECT COUNT(*) FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
            (table.as_str(), column),
        )
        .await?;
    if present.unwrap_or(0) > 0 {
        return Ok(());
    }
    let plain = statement.replacen(" ADD COLUMN IF NOT EXISTS ", " ADD COLUMN ", 1);
    session.query_drop(&session.sql(&plain)).await
}

/// The lock's name: per database and prefix, hashed to fit MySQL's 64-character limit.
const LOCK_NAME: &str = "CONCAT('dsgvo_migrate_', SHA1(CONCAT(DATABASE(), '.', ?)))";

/// Polls without blocking on the server: a blocking GET_LOCK would run into the server-side statement
/// limit that mirrors `query_timeout_ms`.
async fn acquire_lock(session: &mut Session<'_>) -> Result<()> {
    let prefix = session.prefix();
    let sql = format!("SELECT GET_LOCK({LOCK_NAME}, 0)");
    let started = Instant::now();
    loop {
        let got: Option<Option<i64>> = session.exec_first(&sql, (prefix,)).await?;
        if got.flatten() == Some(1) {
            return Ok(());
        }
        if started.elapsed() >= LOCK_WAIT {
            return Err(Error::database(
                DatabaseErrorKind::Timeout,
                format!(
                    "another process has been migrating the tables with prefix '{prefix}' for {} s; try again when it is done",
                    LOCK_WAIT.as_secs()
                ),
                0,
            ));
        }
        tokio::time::sleep(LOCK_POLL).await;
    }
}

async fn release_lock(session: &mut Session<'_>) -> Result<()> {
    let prefix = session.prefix();
    if !session.reusable() {
        return Ok(());
    }
    let sql = format!("SELECT RELEASE_LOCK({LOCK_NAME})");
    session.exec_drop(&sql, (prefix,)).await
}
