//! Everything that speaks SQL: where the database is, how a connection is opened and used, the schema.

pub mod connect;
pub mod consent;
pub mod convert;
pub mod migrate;
pub mod schema;
pub mod session;
pub mod target;
