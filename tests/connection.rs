//! Connection behaviour against real sockets: unreachable servers fail within `connect_timeout_ms`,
//! a statement blocked by a lock fails after `query_timeout_ms` and the next call works, credentials
//! never appear in messages.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{TestDb, admin, base_dsn, block_on, s};
use dsgvo::core::config::Config;
use dsgvo::core::engine::Engine;
use dsgvo::core::error::{DatabaseErrorKind, Error};
use dsgvo::core::input::InputValue;
use mysql_async::prelude::Queryable;

fn engine(dsn: &str, options: &[(&str, InputValue)]) -> Engine {
    let mut all = vec![("dsn".to_string(), s(dsn))];
    all.extend(options.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Engine::new(Config::resolve(|_| None, all).unwrap())
}

fn database_error(result: Result<u32, Error>) -> dsgvo::core::error::DatabaseError {
    match result {
        Err(Error::Database(e)) => e,
        other => panic!("expected a database error, got {other:?}"),
    }
}

#[test]
fn a_server_that_never_answers_fails_within_the_connect_timeout() {
    // A listening socket nobody accepts on: the TCP handshake completes, the greeting never comes.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let dsn = format!("mysql://shop:hunter2-password@127.0.0.1:{port}/shop");
    let engine = engine(&dsn, &[("connect_timeout_ms", InputValue::Int(300))]);

    let started = Instant::now();
    let error = database_error(engine.migrate());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_millis(1300),
        "{took:?}"
    );
    assert_eq!(error.kind, DatabaseErrorKind::Connect);
    assert!(
        error.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        error.message
    );
    assert!(!error.message.contains("hunter2"), "{}", error.message);
    assert!(
        !engine.ping().unwrap(),
        "ping answers false for a silent server"
    );
}

#[test]
fn a_refused_connection_fails_at_once() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let engine = engine(&format!("mysql://root@127.0.0.1:{port}/x"), &[]);
    let started = Instant::now();
    let error = database_error(engine.migrate());
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(error.kind, DatabaseErrorKind::Connect);
    assert!(!engine.ping().unwrap());
}

#[test]
fn wrong_credentials_are_an_error_not_a_false_ping() {
    let base = mysql_async::Opts::from_url(&base_dsn()).unwrap();
    let dsn = format!(
        "mysql://dsgvo_nobody:wrong-secret-pw@{}:{}/test",
        base.ip_or_hostname(),
        base.tcp_port()
    );
    let engine = engine(&dsn, &[]);
    match engine.ping() {
        Err(Error::Database(e)) => {
            assert_eq!(e.code, 1045, "{}", e.message);
            assert!(!e.message.contains("wrong-secret-pw"), "{}", e.message);
        }
        other => panic!("expected access denied, got {other:?}"),
    }
}

#[test]
fn a_statement_blocked_by_a_lock_times_out_and_the_next_call_works() {
    let db = TestDb::create("lock");
    let engine = db.engine(&[("query_timeout_ms", InputValue::Int(500))]);
    engine.migrate().unwrap();

    let dsn = db.dsn.clone();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        block_on(async move {
            let mut conn = admin(&dsn).await;
            conn.query_drop("LOCK TABLES dsgvo_schema_version WRITE")
                .await
                .unwrap();
            locked_tx.send(()).unwrap();
            let _ = tokio::task::spawn_blocking(move || release_rx.recv()).await;
            conn.query_drop("UNLOCK TABLES").await.unwrap();
            conn.disconnect().await.unwrap();
        })
    });
    locked_rx.recv().unwrap();

    let started = Instant::now();
    let error = database_error(engine.migrate());
    let took = started.elapsed();
    assert_eq!(error.kind, DatabaseErrorKind::Timeout, "{}", error.message);
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(1500),
        "{took:?}"
    );

    release_tx.send(()).unwrap();
    holder.join().unwrap();
    assert_eq!(
        engine.migrate().unwrap(),
        dsgvo::core::schema::latest_version()
    );
    assert!(engine.ping().unwrap());
}

#[test]
fn a_process_holds_at_most_eight_connections() {
    let dbs: Vec<TestDb> = (0..12).map(|_| TestDb::create("many")).collect();
    for db in &dbs {
        assert!(db.engine(&[]).ping().unwrap());
    }
    assert_eq!(dsgvo::runtime::held_connections(), 8);
    // The evicted ones reconnect transparently.
    assert!(dbs[0].engine(&[]).ping().unwrap());
    assert_eq!(dsgvo::runtime::held_connections(), 8);
}
