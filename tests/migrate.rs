//! `migrate()` against a real MariaDB/MySQL: creates every own table as InnoDB/utf8mb4, changes nothing
//! when run again, and succeeds in several threads (each with its own runtime and connection) at once.

mod common;

use std::thread;

use common::{TestDb, s};
use dsgvo::core::error::{DatabaseErrorKind, Error};
use dsgvo::core::schema;

fn snapshot(db: &TestDb) -> Vec<String> {
    let tables: Vec<String> = db.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME");
    let mut out = Vec::new();
    for table in tables {
        let create: Vec<(String, String)> = db.query(&format!("SHOW CREATE TABLE `{table}`"));
        // AUTO_INCREMENT counters are data, not schema.
        out.extend(create.into_iter().map(|(_, sql)| sql));
    }
    let versions: Vec<(u32, String)> = db.query(
        "SELECT version, CAST(applied_at AS CHAR) FROM dsgvo_schema_version ORDER BY version",
    );
    out.extend(
        versions
            .into_iter()
            .map(|(v, at)| format!("version {v} at {at}")),
    );
    out
}

#[test]
fn creates_every_own_table_as_innodb_utf8mb4() {
    let db = TestDb::create("tables");
    let engine = db.engine(&[]);
    assert_eq!(engine.migrate().unwrap(), schema::latest_version());

    let rows: Vec<(String, String, String)> = db.query(
        "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    );
    for table in schema::own_tables() {
        let name = format!("dsgvo_{table}");
        let row = rows
            .iter()
            .find(|r| r.0 == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(row.1, "InnoDB", "{name}");
        assert!(row.2.starts_with("utf8mb4"), "{name}: {}", row.2);
    }
    assert_eq!(
        rows.len(),
        schema::own_tables().len(),
        "no other tables: {rows:?}"
    );
}

#[test]
fn running_twice_changes_nothing() {
    let db = TestDb::create("twice");
    let engine = db.engine(&[("table_prefix", s("dsgvo_"))]);
    engine.migrate().unwrap();
    let first = snapshot(&db);
    assert_eq!(engine.migrate().unwrap(), schema::latest_version());
    assert_eq!(snapshot(&db), first);
}

#[test]
fn concurrent_migrations_all_succeed() {
    let db = TestDb::create("concurrent");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let engine = db.engine(&[]);
            thread::spawn(move || engine.migrate())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap().unwrap(), schema::latest_version());
    }
    let versions: Vec<u32> = db.query("SELECT version FROM dsgvo_schema_version ORDER BY version");
    assert_eq!(versions, (1..=schema::latest_version()).collect::<Vec<_>>());
}

#[test]
fn prefixes_keep_installations_apart() {
    let db = TestDb::create("prefix");
    db.engine(&[("table_prefix", s("a_"))]).migrate().unwrap();
    db.engine(&[("table_prefix", s("b_"))]).migrate().unwrap();
    let count: Vec<u64> =
        db.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()");
    assert_eq!(count[0] as usize, 2 * schema::own_tables().len());
}

#[test]
fn a_newer_schema_is_refused() {
    let db = TestDb::create("newer");
    let engine = db.engine(&[]);
    engine.migrate().unwrap();
    let _: Vec<u8> =
        db.query("INSERT INTO dsgvo_schema_version VALUES (999, UTC_TIMESTAMP(6), '9.9.9')");
    match engine.migrate() {
        Err(Error::Database(e)) => {
            assert_eq!(e.kind, DatabaseErrorKind::Schema);
            assert!(e.message.contains("999"), "{}", e.message);
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
}
