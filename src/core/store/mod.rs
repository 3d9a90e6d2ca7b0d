//! Everything that speaks SQL: where the database is, how a connection is opened and used, the schema.

pub mod cache;
pub mod db;
pub mod tables;
pub mod walk;

pub mod campaign;
pub mod consent;

pub mod customers;
pub mod decision;
pub mod email_types;
pub mod erase;
pub mod export;
pub mod free_text;
pub mod idempotency;
pub mod import;

pub mod objection;
pub mod opt_out_import;
pub mod recommend;
pub mod records;
pub mod request_log;
pub mod restriction;
pub mod retained;
pub mod retention;
pub mod sales;
pub mod scan;
pub mod tag_rules;
pub mod verification;
