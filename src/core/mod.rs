//! The engine: rules, data and SQL, with no PHP types. `cargo test` runs it without PHP.

pub mod address;
pub mod compress;
pub mod config;
pub mod datamap;
pub mod engine;
pub mod error;
pub mod export;
pub mod input;
pub mod ledger;
pub mod output;
pub mod recommend;
pub mod rules;
pub mod store;
pub mod time;
pub mod token;
