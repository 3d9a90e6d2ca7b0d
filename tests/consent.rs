//! The consent ledger through the engine, against a real MariaDB: appends from several threads (each
//! with its own runtime and connection) keep one verified chain; double opt-in round trip.

mod common;

use std::thread;

use common::{TestDb, s};
use dsgvo::core::error::Error;

const SECRET: &str = "6001c8845561bb78654956598c18e7304c759003911dafb4dac3ed067b02a5e7";

#[test]
fn concurrent_appends_keep_one_chain() {
    let db = TestDb::create("chain");
    db.engine(&[]).migrate().unwrap();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let engine = db.engine(&[("secret", s(SECRET))]);
            thread::spawn(move || {
                for i in 0..100i64 {
                    let customer = 1 + (i * 7 + w) % 13;
                    if i % 3 == 0 {
                        engine
                            .revoke_consent(customer, "newsletter", vec![])
                            .unwrap();
                    } else {
                        engine
                            .grant_consent(customer, "newsletter", vec![])
                            .unwrap();
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let v = db.engine(&[]).verify_ledger().unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.events, 400);
    let ids: Vec<u64> = db.query("SELECT id FROM dsgvo_consent_events ORDER BY id");
    assert_eq!(ids, (1..=400).collect::<Vec<u64>>());
}

#[test]
fn double_opt_in_round_trip() {
    let db = TestDb::create("doi");
    let engine = db.engine(&[("secret", s(SECRET))]);
    engine.migrate().unwrap();
    let token = engine.request_consent(5, "newsletter", vec![]).unwrap();
    assert!(!engine.has_consent(5, "newsletter").unwrap());
    engine.confirm_consent(&token, vec![]).unwrap();
    assert!(engine.has_consent(5, "newsletter").unwrap());
    match engine.confirm_consent(&token, vec![]) {
        Err(Error::Token(m)) => assert!(m.contains("already used"), "{m}"),
        other => panic!("expected a token error, got {other:?}"),
    }
    assert!(engine.verify_ledger().unwrap().ok);
}
