//! Shared helpers of the Rust integration tests: a private database per test on the server named by
//! `DSGVO_DSN` (default `mysql://root@127.0.0.1:3306/test`), dropped when the test ends.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use dsgvo::core::config::Config;
use dsgvo::core::engine::Engine;
use dsgvo::core::input::InputValue;
use mysql_async::prelude::Queryable;

pub fn base_dsn() -> String {
    std::env::var("DSGVO_DSN").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

/// The DSN with another database name (and the query string kept).
pub fn with_database(dsn: &str, database: &str) -> String {
    let (url, query) = match dsn.split_once('?') {
        Some((url, query)) => (url, format!("?{query}")),
        None => (dsn, String::new()),
    };
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let base = match url[scheme_end..].find('/') {
        Some(slash) => &url[..scheme_end + slash],
        None => url,
    };
    format!("{base}/{database}{query}")
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("test runtime")
        .block_on(future)
}

/// An admin connection, for setting up and inspecting what the engine did.
pub async fn admin(dsn: &str) -> mysql_async::Conn {
    let opts = mysql_async::Opts::from_url(dsn).expect("DSGVO_DSN is a mysql URL");
    mysql_async::Conn::new(opts)
        .await
        .expect("the test database answers at DSGVO_DSN")
}

pub struct TestDb {
    pub name: String,
    pub dsn: String,
}

impl TestDb {
    pub fn create(label: &str) -> TestDb {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "dsgvo_rt_{label}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let base = base_dsn();
        block_on(async {
            let mut conn = admin(&base).await;
            conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
                .await
                .unwrap();
            conn.query_drop(format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
                .await
                .unwrap();
            conn.disconnect().await.unwrap();
        });
        TestDb {
            dsn: with_database(&base, &name),
            name,
        }
    }

    pub fn engine(&self, options: &[(&str, InputValue)]) -> Engine {
        let mut all = vec![("dsn".to_string(), InputValue::Str(self.dsn.clone()))];
        all.extend(options.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Engine::new(Config::resolve(|_| None, all).expect("valid test options"))
    }

    pub fn query<T: mysql_async::prelude::FromRow + Send + 'static>(&self, sql: &str) -> Vec<T> {
        let dsn = self.dsn.clone();
        block_on(async move {
            let mut conn = admin(&dsn).await;
            let rows = conn.query(sql).await.unwrap();
            conn.disconnect().await.unwrap();
            rows
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let base = base_dsn();
        let name = self.name.clone();
        block_on(async move {
            if let Ok(opts) = mysql_async::Opts::from_url(&base) {
                if let Ok(mut conn) = mysql_async::Conn::new(opts).await {
                    let _ = conn
                        .query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
                        .await;
                    let _ = conn.disconnect().await;
                }
            }
        });
    }
}

pub fn s(value: &str) -> InputValue {
    InputValue::Str(value.to_owned())
}
