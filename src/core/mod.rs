//! The engine: rules, data and SQL, with no PHP types. `cargo test` runs it without PHP.

pub mod config;
pub mod engine;
pub mod error;
pub mod store;
